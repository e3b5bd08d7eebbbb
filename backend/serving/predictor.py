"""Serve predictions from the model file: load once (verified), in ONNX Runtime or Keras, hot reload."""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.core import contract
from backend.core.card import ModelCard
from backend.core.confidence import apply_temperature
from backend.core.paths import card_path_for
from backend.serving import metrics, runtimes

log = logging.getLogger(__name__)

# A directory part of an absolute path ("/srv/app/models/"): clients are shown file names only.
_DIRECTORIES = re.compile(r"""(?<![\w:/])/(?:[^\s/'"]+/)+""")


def public(text: str) -> str:
    """`text` with the directories of absolute paths removed, for messages that leave the server."""
    return _DIRECTORIES.sub("", text)


@dataclass(frozen=True)
class LoadedModel:
    """One loaded model: its predict function, card, and the file stamp it came from."""

    predict: runtimes.Predict  # float32 (N, 28, 28, 1) -> (N, 10) probabilities
    card: ModelCard
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was read
    runtime: str = "onnx"  # what runs it: "onnx" (ONNX Runtime) or "keras" (a tf.function)

    @property
    def version(self) -> str:
        return self.card.version or "unknown"


class ModelUnavailable(RuntimeError):
    """No model is loaded (still starting, or the file could not be loaded)."""


def _file_stamp(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def _stamp_or_none(path: Path) -> tuple[int, int] | None:
    try:
        return _file_stamp(path)
    except OSError:
        return None


class Predictor:
    """The model behind the API, swapped atomically when its file is replaced.

    `model_path` names the model (`digit_cnn.keras`, its card `digit_cnn.json` beside it); the
    runtime serves its own file of it: `digit_cnn.onnx` in ONNX Runtime (the default, and
    TensorFlow is never imported) or `digit_cnn.keras` as a tf.function. Either is loaded only
    when its SHA-256 matches the card.

    `start(wait=True)` loads the model before returning (a server worker takes no request
    before its model is there), then a background thread polls the file's (mtime, size)
    every `reload_interval` seconds; a changed file is loaded and verified beside the old
    model, which keeps serving until the new one is ready. Requests in flight hold their own
    reference to the model they began with, so a swap never fails them.

    A file version that fails to load is logged once and remembered by its stamp (and its
    card's): it is not read again until one of them changes. Meanwhile `error` says why, and
    `status` is "degraded" while an older model serves. Messages meant for clients (`error`,
    ModelUnavailable) name files, never the server's directories.
    """

    def __init__(self, model_path: Path, reload_interval: float = 2.0, runtime: str = "onnx"):
        if runtime not in runtimes.RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(runtimes.RUNTIMES)}, not {runtime!r}")
        self.runtime = runtime
        self.model_path = Path(model_path)
        self.path = runtimes.served_file(model_path, runtime)  # the file this runtime serves, and watches
        self.reload_interval = reload_interval
        self.error: str | None = None
        self._current: LoadedModel | None = None
        self._failed: tuple | None = None  # (model stamp, card stamp) of the version that failed to load
        self._missing = False  # the file is gone (logged once per disappearance)
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

    @property
    def status(self) -> str:
        """One of ok, degraded (an older model serves: see `error`), loading, error (nothing to serve)."""
        if self._current is None:
            return "loading" if self.error is None else "error"
        return "ok" if self.error is None else "degraded"

    def load(self) -> LoadedModel:
        """Load and verify the model file now, and make it the current model."""
        stamp = _file_stamp(self.path)
        predict, card = runtimes.load(self.path, self.runtime)
        previous = self._current
        self._current = LoadedModel(predict=predict, card=card, stamp=stamp, runtime=self.runtime)
        self._set_error(None)
        self._failed = None
        metrics.model_swapped(previous.version if previous else None, self._current.version)
        log.info("Loaded model %s from %s (%s runtime)", self._current.version, self.path, self.runtime)
        return self._current

    def reload_if_changed(self) -> bool:
        """Load the file when its (mtime, size) differ from the served one's. True if swapped.

        Never raises: a file that cannot be loaded leaves the current model serving.
        """
        name = self.path.name
        stamp = _stamp_or_none(self.path)
        if stamp is None:
            if not self._missing:  # say it once, not every tick
                self._missing = True
                make = runtimes.MAKE[self.runtime]
                if self._current is None:
                    self._set_error(f"No model file {name}; {make}.")
                    log.error("No model file at %s; %s.", self.path, make)
                else:
                    self._set_error(f"The model file {name} is gone; still serving {self._current.version}.")
                    log.warning("The model file %s is gone; still serving %s.", self.path, self._current.version)
            return False
        self._missing = False
        if self._current is not None and stamp == self._current.stamp:
            if self.error is not None:  # the served file is back (a bad replacement was undone)
                log.info("The model file %s is the one served (%s) again.", self.path, self._current.version)
                self._set_error(None)
                self._failed = None
            return False
        attempt = (stamp, _stamp_or_none(card_path_for(self.path)))
        if attempt == self._failed:
            return False  # this version failed already: not re-hashed, not re-logged
        try:
            self.load()
            return True
        except Exception as error:  # keep the old model; try again when the file (or its card) changes
            self._failed = attempt
            metrics.MODEL_LOAD_FAILURES.inc()
            serving = f"; still serving {self._current.version}" if self._current is not None else ""
            self._set_error(f"Could not load {name}: {public(str(error))}{serving}")
            log.warning("Could not load %s: %s%s", self.path, error, serving)
            return False

    def _set_error(self, error: str | None) -> None:
        self.error = error
        metrics.MODEL_DEGRADED.set(1 if error is not None and self._current is not None else 0)

    def start(self, wait: bool = False) -> Predictor:
        """Watch the file for replacements in a background thread; with `wait`, load it first, here."""
        if wait:
            self.reload_if_changed()
            self._first_attempt.set()

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
        """float32 (28, 28) in [0, 1] -> (ten calibrated probabilities as float64, the model that answered).

        Calibrated here, with the card's temperature, so the API and the CLI give the same numbers.
        """
        loaded = self.current
        batch = contract.as_batch(field)
        probabilities = np.asarray(loaded.predict(batch))[0].astype(np.float64)
        return apply_temperature(probabilities / probabilities.sum(), loaded.card.temperature), loaded

    def predict_batch(self, fields: np.ndarray) -> tuple[np.ndarray, LoadedModel]:
        """float32 (N, 28, 28) -> ((N, 10) calibrated probabilities as float64, the model that answered), in one call.

        For several fields at once (the digits of a number, an explanation's occluded copies): one
        model call, all answered by the same model even while a new one is swapped in.
        """
        loaded = self.current
        probabilities = np.asarray(loaded.predict(contract.as_batch(fields))).astype(np.float64)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return apply_temperature(probabilities, loaded.card.temperature), loaded
