"""Prometheus metrics: requests and latency by endpoint and status, the model served, the answers given.

Under gunicorn each worker is a process; `backend.serving.server` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before any worker starts, so that every worker
writes its samples there and `GET /metrics`, whichever worker answers it, adds them all up
(prometheus-client's multiprocess mode). Without it (tests, `flask run`), the numbers are
this process's own.
"""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "digits_http_requests", "HTTP requests answered, by endpoint, method and status.", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "digits_http_request_duration_seconds",
    "Time from the request's arrival in the app to its answer, by endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
PREDICTIONS = Counter("digits_predictions", "Answers from /predict, by digit and verdict.", ["digit", "verdict"])
MODEL_INFO = Gauge(
    "digits_model_info", "1 for the model version a live worker serves.", ["version"], multiprocess_mode="livemax"
)
MODEL_DEGRADED = Gauge(
    "digits_model_degraded",
    "1 while the model file on disk was rejected (or is missing) and an older model serves.",
    multiprocess_mode="livemax",
)
MODEL_LOAD_FAILURES = Counter("digits_model_load_failures", "Model files that could not be loaded (each version once).")
CLIENT_TIMEOUTS = Counter(
    "digits_client_timeouts",
    "Connections closed because the client did not send its request (or take the answer) in time.",
    ["phase"],
)

bp = Blueprint("metrics", __name__)


def endpoint_label() -> str:
    """The matched route (`/predict`, `/<file:filename>`), or "unmatched": a bounded set of labels."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def model_swapped(old_version: str | None, new_version: str) -> None:
    if old_version is not None and old_version != new_version:
        MODEL_INFO.labels(version=old_version).set(0)
    MODEL_INFO.labels(version=new_version).set(1)


def render() -> bytes:
    """The exposition text: every worker's samples in multiprocess mode, else this process's."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@bp.get("/metrics")
def metrics():
    return Response(render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def register_metrics(app: Flask) -> None:
    """Count and time every response, and serve `GET /metrics`."""
    app.register_blueprint(bp)

    @app.after_request
    def observe(response):
        labels = dict(endpoint=endpoint_label(), method=request.method, status=str(response.status_code))
        REQUESTS.labels(**labels).inc()
        LATENCY.labels(**labels).observe(time.perf_counter() - g.get("started", time.perf_counter()))
        return response
