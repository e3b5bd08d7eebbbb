"""The web application: create_app() wires settings, the model, the API and the built UI."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python backend/app.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, send_from_directory
from flask_cors import CORS
from werkzeug.routing import PathConverter

from backend.api import bp
from backend.config import Config
from backend.errors import APIError, register_error_handlers
from backend.inference import Predictor


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


def limit_tensorflow_threads(count: int) -> None:
    """Give TensorFlow `count` threads per worker process (before its runtime starts).

    One 28x28 image gains nothing from intra-op parallelism, and with several worker
    processes on a few cores, TensorFlow's default thread pools only fight each other.
    """
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(count)
    tf.config.threading.set_inter_op_parallelism_threads(count)


def serve(host: str, port: int, workers: int, threads: int, tf_threads: int) -> None:
    """Run the app under gunicorn: threaded workers, each loading the model after the fork."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("preload_app", False)  # TensorFlow must be initialised after the fork
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", None)

        def load(self):  # runs in each worker, after the fork
            limit_tensorflow_threads(tf_threads)
            return create_app()

    Server().run()


def main(argv=None) -> None:
    defaults = Config()
    parser = argparse.ArgumentParser(description="Serve the digit recognizer (API and web UI).")
    parser.add_argument("--host", default=defaults.HOST)
    parser.add_argument("--port", type=int, default=defaults.PORT)
    parser.add_argument("--workers", type=int, default=defaults.WORKERS, help="processes, each with its own model")
    parser.add_argument("--threads", type=int, default=defaults.THREADS, help="threads per process")
    parser.add_argument("--tf-threads", type=int, default=defaults.TF_THREADS, help="TensorFlow threads per process")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    print(f"Serving on http://{args.host}:{args.port}/ (model loads in the background; GET /health says when)")
    serve(args.host, args.port, args.workers, args.threads, args.tf_threads)


if __name__ == "__main__":
    main()
