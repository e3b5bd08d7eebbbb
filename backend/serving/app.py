"""The web application: create_app() wires settings, the model, the API and the built UI."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from flask import Flask, request, send_from_directory
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from backend.serving import admin, device, feedback, openapi, reading
from backend.serving.api import bp
from backend.serving.errors import APIError, register_error_handlers
from backend.serving.headers import register_security_headers
from backend.serving.limits import limit_writes
from backend.serving.logs import REQUEST_ID_HEADER, register_request_ids
from backend.serving.metrics import register_metrics
from backend.serving.predictor import Predictor
from backend.serving.settings import Config
from backend.serving.storage import init_db

# Set by the server's worker (backend/serving/worker.py) when a request's body did not arrive
# in full: "timeout" (the client was too slow) or "incomplete" (it went away, or bad chunking).
INCOMPLETE_BODY = "digits.incomplete_body"


def create_app(config: dict | None = None, predictor: Predictor | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests); `predictor` shares an already loaded model.

    Without one, the model is loaded here, before the app is returned (so a server worker
    takes no request before its model is ready), and then watched for replacements.
    """
    app = Flask(__name__, static_folder=None)
    app.config.from_object(Config())
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # keep responses in the documented order
    if app.config["TRUSTED_PROXIES"] > 0:  # the client's address and scheme as the proxy saw them
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    register_request_ids(app)  # first: every later hook, log line and error has the id
    CORS(app, origins=app.config["CORS_ORIGINS"], expose_headers=[REQUEST_ID_HEADER])
    register_error_handlers(app)
    register_security_headers(app)
    register_metrics(app)
    refuse_incomplete_bodies(app)

    app.register_blueprint(bp)
    app.register_blueprint(reading.bp)  # POST /read-number
    init_db(app)  # the drawings database, migrated before the app takes a request
    app.register_blueprint(feedback.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(openapi.bp)  # /openapi.json and /docs
    app.register_blueprint(device.bp)  # /model.onnx and /model.json: the model for on-device answers
    limit_writes(app, feedback.bp)
    register_ui(app, Path(app.config["STATIC_DIR"]))

    if predictor is None:
        predictor = Predictor(app.config["MODEL_PATH"], app.config["RELOAD_INTERVAL"], app.config["RUNTIME"])
        predictor.start(wait=True)
    app.extensions["predictor"] = predictor
    return app


def refuse_incomplete_bodies(app: Flask) -> None:
    @app.before_request
    def refuse_incomplete_body():
        reason = request.environ.get(INCOMPLETE_BODY)
        if reason == "timeout":
            seconds = app.config["CLIENT_TIMEOUT"]
            raise APIError(408, "request_timeout", f"The request did not arrive within {seconds:g} seconds.")
        if reason:
            raise APIError(400, "incomplete_body", "The request body ended early or its chunked encoding is broken.")


class FileNameConverter(PathConverter):
    """A path whose last part has an extension (`assets/app.js`), so `/predict` is never a file."""

    regex = r"(?:[^/]+/)*[^/]+\.[A-Za-z0-9]+"


def register_ui(app: Flask, dist: Path) -> None:
    """Serve the built frontend: index.html at `/`, its files by name; anything else is a JSON 404."""
    app.url_map.converters["file"] = FileNameConverter

    @app.get("/")
    def index():
        if not (dist / "index.html").is_file():
            raise APIError(404, "ui_not_built", "The web UI is not built; run `make run`, or use the API directly.")
        return send_from_directory(dist, "index.html")

    @app.get("/<file:filename>")
    def static_file(filename):
        # The build writes NAME.gz beside the files worth compressing (frontend/vite.config.ts): ONNX
        # Runtime's 14 MB .wasm goes out as 3.7 MB to every client that accepts gzip.
        packed = safe_join(str(dist), f"{filename}.gz")
        if packed is None or not os.path.isfile(packed):
            return send_from_directory(dist, filename)  # a missing file raises NotFound -> JSON 404
        if request.accept_encodings.quality("gzip") <= 0:
            response = send_from_directory(dist, filename)
        else:
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            response = send_from_directory(dist, f"{filename}.gz", mimetype=mimetype)
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
