"""Serve predictions from the model file: load once (verified, safe), compiled call, hot reload."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.core import contract
from backend.core.artifacts import load_model
from backend.core.card import ModelCard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    """One loaded model: its compiled predict function, card, and the file stamp it came from."""

    predict: object  # tf.function: float32 (N, 28, 28, 1) -> (N, 10) probabilities
    card: ModelCard
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was read

    @property
    def version(self) -> str:
        return self.card.version or "unknown"


class ModelUnavailable(RuntimeError):
    """No model is loaded (still starting, or the file could not be loaded)."""


def _file_stamp(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def compile_model(model, card: ModelCard, stamp: tuple[int, int]) -> LoadedModel:
    """Wrap `model` in a tf.function with a fixed input signature and run it once (warm-up)."""
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([None, *contract.INPUT_SHAPE], tf.float32)])
    def predict(images):
        return model(images, training=False)

    predict(tf.zeros([1, *contract.INPUT_SHAPE], tf.float32))  # traces now, not on the first request
    return LoadedModel(predict=predict, card=card, stamp=stamp)


class Predictor:
    """The model behind the API, swapped atomically when its file is replaced.

    `start()` loads in a background thread (so the server answers /health with 503 meanwhile)
    and then polls the file's mtime every `reload_interval` seconds; a changed file is loaded
    and verified beside the old model, which keeps serving until the new one is ready.
    Requests in flight hold their own reference to the model they began with, so a swap
    never fails them.
    """

    def __init__(self, model_path: Path, reload_interval: float = 2.0):
        self.model_path = Path(model_path)
        self.reload_interval = reload_interval
        self.error: str | None = None
        self._current: LoadedModel | None = None
        self._stop = threading.Event()
        self._first_attempt = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> LoadedModel:
        loaded = self._current
        if loaded is None:
            raise ModelUnavailable(self.error or "The model is still loading; try again in a few seconds.")
        return loaded

    @property
    def ready(self) -> bool:
        return self._current is not None

    def load(self) -> LoadedModel:
        """Load and verify the model file now, and make it the current model."""
        stamp = _file_stamp(self.model_path)
        model, card = load_model(self.model_path)
        self._current = compile_model(model, card, stamp)
        self.error = None
        log.info("Loaded model %s from %s", self._current.version, self.model_path)
        return self._current

    def reload_if_changed(self) -> bool:
        """Reload when the file's (mtime, size) differ from the loaded one. True if swapped."""
        try:
            stamp = _file_stamp(self.model_path)
        except OSError:
            if self._current is None:
                self.error = f"No model file at {self.model_path}; train one with `python backend/train.py`."
            return False  # mid-replace or removed: keep serving what we have
        if self._current is not None and stamp == self._current.stamp:
            return False
        try:
            self.load()
            return True
        except Exception as error:  # keep the old model; retry on the next change or tick
            self.error = f"Could not load {self.model_path}: {error}"
            log.warning(self.error)
            return False

    def start(self) -> Predictor:
        """Load in the background, then watch the file for replacements."""

        def run():
            while not self._stop.is_set():
                self.reload_if_changed()
                self._first_attempt.set()
                self._stop.wait(self.reload_interval)

        self._thread = threading.Thread(target=run, name="model-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Block until the first load attempt is over (or `timeout` passes); True when ready."""
        self._first_attempt.wait(timeout)
        return self.ready

    def predict(self, field: np.ndarray) -> tuple[np.ndarray, LoadedModel]:
        """float32 (28, 28) in [0, 1] -> (ten probabilities as float64, the model that answered)."""
        loaded = self.current
        batch = contract.as_batch(field)
        probabilities = np.asarray(loaded.predict(batch))[0].astype(np.float64)
        return probabilities / probabilities.sum(), loaded
