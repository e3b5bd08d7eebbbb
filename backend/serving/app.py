"""The web application: create_app() wires settings, the model, the API and the built UI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory
from flask_cors import CORS
from werkzeug.routing import PathConverter

from backend.serving.api import bp
from backend.serving.errors import APIError, register_error_handlers
from backend.serving.predictor import Predictor
from backend.serving.settings import Config


def create_app(config: dict | None = None, predictor: Predictor | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests); `predictor` shares an already loaded model."""
    app = Flask(__name__, static_folder=None)
    app.config.from_object(Config())
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # keep responses in the documented order

    CORS(app, origins=app.config["CORS_ORIGINS"])
    register_error_handlers(app)

    app.register_blueprint(bp)
    register_ui(app, Path(app.config["STATIC_DIR"]))

    if predictor is None:
        predictor = Predictor(app.config["MODEL_PATH"], app.config["RELOAD_INTERVAL"]).start()
    app.extensions["predictor"] = predictor
    return app


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
        return send_from_directory(dist, filename)  # a missing file raises NotFound -> JSON 404
