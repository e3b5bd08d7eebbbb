"""Settings for the web app, read from environment variables in one place."""

from __future__ import annotations

import os

from backend.core.database import DEFAULT_DATABASE_URL
from backend.core.paths import DEFAULT_MODEL_PATH, FRONTEND_DIST
from backend.core.preprocessing import MAX_FULL_DECODE_PIXELS, MAX_IMAGE_PIXELS
from backend.serving.runtimes import RUNTIMES

LOG_FORMATS = ("text", "json")


def _env(name: str, default, cast=str):
    value = os.environ.get(name)
    return default if value in (None, "") else cast(value)


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off")


def _runtime(value: str) -> str:
    value = value.strip().lower()
    if value not in RUNTIMES:
        raise ValueError(f"DIGITS_RUNTIME must be one of {', '.join(RUNTIMES)}, not {value!r}")
    return value


def _log_format(value: str) -> str:
    value = value.strip().lower()
    if value not in LOG_FORMATS:
        raise ValueError(f"DIGITS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value


class Config:
    """Defaults, each overridable by the environment variable named beside it."""

    def __init__(self):
        self.MODEL_PATH = _env("DIGITS_MODEL_PATH", str(DEFAULT_MODEL_PATH))
        # What runs the model: "onnx" (ONNX Runtime on the .onnx export beside MODEL_PATH; the
        # worker never imports TensorFlow) or "keras" (the .keras file as a tf.function).
        self.RUNTIME = _env("DIGITS_RUNTIME", "onnx", _runtime)
        # The Vite dev server's origins; the built UI is same-origin and needs no CORS.
        self.CORS_ORIGINS = _env("DIGITS_CORS_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173").split(",")
        self.MAX_CONTENT_LENGTH = _env("DIGITS_MAX_REQUEST_BYTES", 2 * 1024 * 1024, int)
        # Multipart: a non-file field may be as large as the body (werkzeug's own 500 KB limit
        # would be a second, undocumented one); the API needs one part, a form gets 100.
        self.MAX_FORM_MEMORY_SIZE = self.MAX_CONTENT_LENGTH
        self.MAX_FORM_PARTS = 100
        self.MAX_IMAGE_PIXELS = _env("DIGITS_MAX_IMAGE_PIXELS", MAX_IMAGE_PIXELS, int)
        self.MAX_FULL_DECODE_PIXELS = _env("DIGITS_MAX_FULL_DECODE_PIXELS", MAX_FULL_DECODE_PIXELS, int)
        self.RELOAD_INTERVAL = _env("DIGITS_RELOAD_INTERVAL", 2.0, float)
        self.STATIC_DIR = _env("DIGITS_STATIC_DIR", str(FRONTEND_DIST))
        self.HOST = _env("DIGITS_HOST", "127.0.0.1")
        self.PORT = _env("DIGITS_PORT", 5000, int)
        self.WORKERS = _env("DIGITS_WORKERS", 2, int)
        self.THREADS = _env("DIGITS_THREADS", 8, int)
        self.TF_THREADS = _env("DIGITS_TF_THREADS", 1, int)
        # Seconds a client has to send a request (headers and body), and again to take the answer.
        self.CLIENT_TIMEOUT = _env("DIGITS_CLIENT_TIMEOUT", 10.0, float)
        self.LOG_FORMAT = _env("DIGITS_LOG_FORMAT", "text", _log_format)
        self.ACCESS_LOG = _env("DIGITS_ACCESS_LOG", True, _flag)
        # The drawings people correct or share (backend/core/database.py): SQLite by default, or
        # postgresql://user:password@host/db for several instances. Admin endpoints: off without a token.
        self.DATABASE_URL = _env("DIGITS_DATABASE_URL", DEFAULT_DATABASE_URL)
        self.ADMIN_TOKEN = _env("DIGITS_ADMIN_TOKEN", "")
        self.FEEDBACK_RATE_LIMIT = _env("DIGITS_FEEDBACK_RATE_LIMIT", "30 per minute")  # per client; "off"
        self.RATE_LIMIT_STORAGE = _env("DIGITS_RATE_LIMIT_STORAGE", "memory://")
        self.FEEDBACK_MAX_STROKES = _env("DIGITS_FEEDBACK_MAX_STROKES", 100, int)
        self.FEEDBACK_MAX_POINTS = _env("DIGITS_FEEDBACK_MAX_POINTS", 20_000, int)
        self.FEEDBACK_MAX_IMAGE_BYTES = 512 * 1024  # the app's 280x280 PNG is ~10 KB
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For/-Proto are believed; 0 believes
        # none. Behind a proxy, the client's address (the per-client rate limit) is in that header.
        self.TRUSTED_PROXIES = _env("DIGITS_TRUSTED_PROXIES", 0, int)
