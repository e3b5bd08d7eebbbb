"""Settings for the web app, read from environment variables in one place."""

from __future__ import annotations

import os

from backend.core.paths import DEFAULT_MODEL_PATH, FRONTEND_DIST
from backend.core.preprocessing import MAX_IMAGE_PIXELS


def _env(name: str, default, cast=str):
    value = os.environ.get(name)
    return default if value in (None, "") else cast(value)


class Config:
    """Defaults, each overridable by the environment variable named beside it."""

    def __init__(self):
        self.MODEL_PATH = _env("DIGITS_MODEL_PATH", str(DEFAULT_MODEL_PATH))
        # The Vite dev server's origins; the built UI is same-origin and needs no CORS.
        self.CORS_ORIGINS = _env("DIGITS_CORS_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173").split(",")
        self.MAX_CONTENT_LENGTH = _env("DIGITS_MAX_REQUEST_BYTES", 2 * 1024 * 1024, int)
        self.MAX_IMAGE_PIXELS = _env("DIGITS_MAX_IMAGE_PIXELS", MAX_IMAGE_PIXELS, int)
        self.RELOAD_INTERVAL = _env("DIGITS_RELOAD_INTERVAL", 2.0, float)
        self.STATIC_DIR = _env("DIGITS_STATIC_DIR", str(FRONTEND_DIST))
        self.HOST = _env("DIGITS_HOST", "127.0.0.1")
        self.PORT = _env("DIGITS_PORT", 5000, int)
        self.WORKERS = _env("DIGITS_WORKERS", 2, int)
        self.THREADS = _env("DIGITS_THREADS", 8, int)
        self.TF_THREADS = _env("DIGITS_TF_THREADS", 1, int)
