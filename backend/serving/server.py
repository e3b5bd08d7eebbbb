"""The production server: gunicorn with threaded workers, each loading the model after the fork."""

from __future__ import annotations

import argparse
import logging

from backend.serving.app import create_app
from backend.serving.settings import Config


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
    parser = argparse.ArgumentParser(prog="digits serve", description="Serve the digit recognizer (API and web UI).")
    parser.add_argument("--host", default=defaults.HOST)
    parser.add_argument("--port", type=int, default=defaults.PORT)
    parser.add_argument("--workers", type=int, default=defaults.WORKERS, help="processes, each with its own model")
    parser.add_argument("--threads", type=int, default=defaults.THREADS, help="threads per process")
    parser.add_argument("--tf-threads", type=int, default=defaults.TF_THREADS, help="TensorFlow threads per process")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    print(f"Serving on http://{args.host}:{args.port}/ (model loads in the background; GET /health says when)")
    serve(args.host, args.port, args.workers, args.threads, args.tf_threads)
