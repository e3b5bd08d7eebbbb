"""A per-client rate limit on the writes (POST /feedback), with Flask-Limiter; in memory unless told otherwise.

The client is its address as the server sees it (behind a reverse proxy, rate-limit at the
proxy too). The counters live in the limiter's storage only, never in the database; the
in-memory default counts per worker process, so `DIGITS_RATE_LIMIT_STORAGE=redis://...`
(or memcached) makes the limit exact across workers and instances.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

OFF = ("", "0", "off", "none")


def limit_writes(app: Flask, blueprint: Blueprint) -> Limiter | None:
    """Hold each client to FEEDBACK_RATE_LIMIT (e.g. "30 per minute") on the blueprint's POSTs; None if off."""
    if str(app.config["FEEDBACK_RATE_LIMIT"]).strip().lower() in OFF:
        return None
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        headers_enabled=True,  # Retry-After on a 429, X-RateLimit-* on the limited answers
        key_prefix="digits",
    )
    limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])(blueprint)
    # Flask-Limiter looks up every request's limits, 0.1 ms each; the hot path (POST /predict) has none.
    limiter.request_filter(lambda: request.blueprint != blueprint.name or request.method != "POST")
    return limiter
