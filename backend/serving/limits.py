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
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before = [list(funcs.get(None, ())) for funcs in hooks]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        headers_enabled=True,  # Retry-After on a 429, X-RateLimit-* on the limited answers
        key_prefix="digits",
    )
    limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])(blueprint)
    # Flask-Limiter hooks every request of the app (0.04 ms each, 2% of a /predict under load):
    # its hooks move to the blueprint, the only part with a limit; the filter skips its reads.
    for funcs, had in zip(hooks, before, strict=True):
        added = [f for f in funcs.get(None, ()) if f not in had]
        funcs[None] = had
        funcs.setdefault(blueprint.name, []).extend(added)
    limiter.request_filter(lambda: request.method != "POST")
    return limiter
