"""Security and caching headers on every response.

The UI (index.html and its files) gets a strict Content-Security-Policy: everything from this
origin only, no inline scripts or styles (the Vite build has none; React's `style={{...}}`
sets styles through the CSSOM, which CSP allows), pictures also from `data:`/`blob:` URLs
(the 28x28 input the model saw comes back as a data URL). The API's docs page (/docs, Swagger
UI) gets its own policy, no wider than it needs (DOCS_POLICY). Everything else (JSON,
/metrics) gets `default-src 'none'`: it is never meant to be rendered. No response may be framed.

The on-device reader's Web Worker (`/assets/*.worker-*.js`) runs ONNX Runtime's WebAssembly,
which needs `'wasm-unsafe-eval'`: it lets a script compile WebAssembly, never evaluate strings
as JavaScript. A worker takes its policy from its own script's response, so the worker alone
gets it (WORKER_POLICY); the page keeps `script-src 'self'`.

Vite names the files under /assets/ by their content's hash, so they are cached for a year
and never revalidated; index.html and the other files (the service worker `sw.js`, the web app
manifest, the model for the browser: /model.onnx, /model.json) are revalidated on every use
(`no-cache`, with their ETag), and API answers are not stored at all.
"""

from __future__ import annotations

import re

from flask import Flask, request

UI_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Swagger UI (backend/serving/openapi.py) draws its icons from data: URLs; its styles come from
# its stylesheet and the CSSOM, and its start-up script is a file: no 'unsafe-inline' needed.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
WORKER_POLICY = UI_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
WORKER_SCRIPT = re.compile(r"/assets/[\w.-]+\.worker-[\w-]+\.js")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_ASSETS = "/assets/"
UI_ENDPOINTS = ("index", "static_file", "feedback.share_page")  # the web app: / and /d/<id>, and its files
DOCS_ENDPOINTS = ("docs.page", "docs.asset")  # /docs and its files
DEVICE_MODEL_ENDPOINTS = ("device.model_onnx", "device.model_json")  # files the browser keeps, revalidated


def is_ui_file(response, endpoints=UI_ENDPOINTS) -> bool:
    """A file of the built UI (served by `send_from_directory`), not an API answer or an error.

    The share page of a drawing that is not there is the web app too, with a 404 (it says so).
    """
    if request.endpoint not in endpoints:
        return False
    share_page_404 = request.endpoint == "feedback.share_page" and response.mimetype == "text/html"
    return response.status_code in (200, 206, 304) or share_page_404


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        for name, value in ALWAYS.items():
            response.headers.setdefault(name, value)
        ui, docs = is_ui_file(response), is_ui_file(response, DOCS_ENDPOINTS)
        worker = ui and WORKER_SCRIPT.fullmatch(request.path) is not None
        policy = WORKER_POLICY if worker else UI_POLICY if ui else DOCS_POLICY if docs else API_POLICY
        response.headers["Content-Security-Policy"] = policy
        if ui and request.path.startswith(HASHED_ASSETS):
            response.headers["Cache-Control"] = IMMUTABLE
        elif ui or docs or is_ui_file(response, DEVICE_MODEL_ENDPOINTS):  # not named by their hash: revalidated
            response.headers["Cache-Control"] = "no-cache"
        else:
            response.headers["Cache-Control"] = "no-store"
        return response
