"""The production server: gunicorn with threaded workers, each loading its model before taking connections.

A worker loads its model before it takes a connection (a respawned worker never answers 503
while its model loads: until it is ready, the other workers take the connections, or they
wait in the listen backlog). Slow clients get a deadline (backend/serving/worker.py). Every
worker writes its metrics to one multiprocess folder, so /metrics counts them all.

In production, put a buffering reverse proxy (nginx) in front: it absorbs slow clients,
terminates TLS and can rate-limit; this server then sees whole requests at LAN speed.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
from pathlib import Path

from backend.serving.runtimes import RuntimeUnavailable, check_installed
from backend.serving.settings import Config

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is first imported

# gunicorn settings beyond the defaults, and why.
KEEPALIVE = 5  # seconds an idle keep-alive connection is kept (in the poller: it costs no thread)
TIMEOUT = 120  # a worker that neither checks in nor finishes booting (loading its model) this long is restarted
GRACEFUL_TIMEOUT = 15  # on stop/restart, requests in flight get this long to finish
LIMIT_REQUEST_LINE = 4094  # bytes; the API's URLs are short
LIMIT_REQUEST_FIELDS = 50  # headers per request (gunicorn's default is 100)
LIMIT_REQUEST_FIELD_SIZE = 8190  # bytes per header


def limit_tensorflow_threads(count: int) -> None:
    """Give TensorFlow `count` threads per worker process (before its runtime starts).

    One 28x28 image gains nothing from intra-op parallelism, and with several worker
    processes on a few cores, TensorFlow's default thread pools only fight each other.
    """
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(count)
    tf.config.threading.set_inter_op_parallelism_threads(count)


def prepare_metrics_folder() -> Path | None:
    """Point prometheus-client's multiprocess mode at an empty folder; the folder if we made it.

    Must run before anything imports prometheus_client. A folder given in
    PROMETHEUS_MULTIPROC_DIR is emptied of old samples (a previous run's would add up).
    """
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    folder = Path(tempfile.mkdtemp(prefix="digits-metrics-"))
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


def gunicorn_settings(config: Config, host: str, port: int, workers: int, threads: int) -> dict:
    from backend.serving.logs import logging_config
    from backend.serving.worker import AppLogger, DeadlineWorker

    DeadlineWorker.client_timeout = config.CLIENT_TIMEOUT

    def child_exit(server, worker):  # a dead worker's live gauges (model version) stop counting
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": DeadlineWorker,
        "preload_app": False,  # TensorFlow must be initialised after the fork
        "timeout": TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        "accesslog": None,  # the app logs each request itself, with its request id
        "logger_class": AppLogger,
        "logconfig_dict": logging_config(config.LOG_FORMAT),
        "child_exit": child_exit,
        # gunicorn 25+ opens a management socket at ~/.gunicorn/gunicorn.ctl by default: nothing
        # here uses it, and several servers on one machine (tests, bench) would fight over the path.
        "control_socket_disable": True,
    }


def serve(host: str, port: int, workers: int, threads: int, tf_threads: int) -> None:
    """Run the app under gunicorn: threaded workers, each loading its model before taking connections."""
    from gunicorn.app.base import BaseApplication

    config = Config()
    settings = gunicorn_settings(config, host, port, workers, threads)

    class Server(BaseApplication):
        def load_config(self):
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self):  # runs in each worker, after the fork; returns once the model is loaded
            from backend.serving.app import create_app
            from backend.serving.worker import BufferedBody

            if config.RUNTIME == "keras":  # ONNX Runtime sets its own threads; TensorFlow is not imported
                limit_tensorflow_threads(tf_threads)
            app = create_app()
            return BufferedBody(app, app.config["MAX_CONTENT_LENGTH"])

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
    try:  # here, once, rather than as every worker's failure to boot
        check_installed(defaults.RUNTIME)
    except RuntimeUnavailable as error:
        parser.exit(1, f"digits serve: {error}\n")
    metrics_folder = prepare_metrics_folder()
    # TensorFlow's C++ start-up notes (INFO) would be plain-text lines among the log's; warnings still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    master = os.getpid()  # workers are forked inside serve() and leave through this frame too

    from backend.serving.logs import configure_logging

    configure_logging(defaults.LOG_FORMAT)
    log.info("Serving on http://%s:%s/ (each worker takes requests once its model is loaded)", args.host, args.port)
    try:
        serve(args.host, args.port, args.workers, args.threads, args.tf_threads)
    finally:
        if metrics_folder is not None and os.getpid() == master:
            shutil.rmtree(metrics_folder, ignore_errors=True)


if __name__ == "__main__":
    main()
