"""Logging: a request id on every response and every log line, text or JSON lines, an access log.

Each request gets an id: a sane `X-Request-ID` sent by the client (or by the proxy in front)
is kept, anything else is replaced by a fresh one. It is echoed in the response's
`X-Request-ID` header and stamped on every log record written while the request is served
("-" outside requests: start-up, model reloads, gunicorn's own lines).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, at most 128: what UUIDs, nginx's $request_id and
# tracing ids look like, and nothing that could forge a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s [%(request_id)s] %(message)s"

access_log = logging.getLogger("backend.access")

# Attributes every LogRecord has; anything else on a record came from `extra=` and goes into JSON.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def request_id_from(incoming: str | None) -> str:
    """The client's id when it is sane, else a new random one (32 hex digits)."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamps `record.request_id` (the current request's id, or "-") on every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, pid, request_id, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "request_id": getattr(record, "request_id", None) or current_request_id() or "-",
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def logging_config(log_format: str = "text", level: str = "INFO") -> dict:
    """A `logging.config.dictConfig` dict for the server and gunicorn (its `logconfig_dict`).

    Every line, the app's and gunicorn's own, goes to stderr in one format with the request id.
    """
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "main",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"level": level, "handlers": ["main"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["main"], "propagate": False},
            # The app writes its own access lines (with the request id); gunicorn's stay off.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(log_format, level))


def register_request_ids(app: Flask) -> None:
    """Give every request an id (header in, header out) and, if ACCESS_LOG, one access line."""

    @app.before_request
    def assign_request_id():
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()

    @app.after_request
    def echo_request_id(response):
        request_id = g.get("request_id") or request_id_from(None)
        response.headers[REQUEST_ID_HEADER] = request_id
        if app.config.get("ACCESS_LOG"):
            milliseconds = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            access_log.info(
                "%s %s %d %.1f ms",
                request.method,
                request.path,
                response.status_code,
                milliseconds,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(milliseconds, 2),
                },
            )
        return response
