"""The two ways the server runs a model: ONNX Runtime (the default, no TensorFlow) or Keras (tf.function).

Each loader takes the served file, verified against its card, and returns a predict function,
float32 (N, 28, 28, 1) -> (N, 10) probabilities, already called once (warm), and the card.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

from backend.core import contract
from backend.core.artifacts import load_model, load_onnx
from backend.core.card import ModelCard

RUNTIMES = ("onnx", "keras")
SUFFIXES = {"onnx": ".onnx", "keras": ".keras"}
# One image gains nothing from intra-op parallelism; the server's parallelism is its workers.
ONNX_THREADS = 1
# How each runtime's file comes to exist, for "No model file" messages.
MAKE = {"onnx": "export one with `python backend/export.py`", "keras": "train one with `python backend/train.py`"}

# What each runtime imports, and how to get it: TensorFlow and Keras come with the train extra,
# which a serving-only install (requirements/serving.lock, the container image) leaves out.
PACKAGES = {"onnx": ("onnxruntime",), "keras": ("tensorflow", "keras")}
INSTALL = {
    "onnx": "it is one of the package's own dependencies: `pip install -e .`",
    "keras": "install the train extra, `pip install -e '.[train]'` (`make venv` does), "
    "or serve with DIGITS_RUNTIME=onnx",
}

Predict = Callable[[np.ndarray], np.ndarray]


class RuntimeUnavailable(RuntimeError):
    """The packages a runtime runs on are not installed."""


def check_installed(runtime: str) -> None:
    """Raise RuntimeUnavailable, saying what to install, when `runtime`'s packages are missing (imports nothing)."""
    missing = [name for name in PACKAGES[runtime] if not _installed(name)]
    if missing:
        raise RuntimeUnavailable(
            f"The {runtime} runtime needs {' and '.join(missing)}, which this environment lacks: {INSTALL[runtime]}."
        )


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # an import hook that refuses the name says the same
        return False


def served_file(model_path: Path, runtime: str) -> Path:
    """The file a runtime serves for a model: `digit_cnn.onnx` or `digit_cnn.keras` (the card is shared)."""
    return Path(model_path).with_suffix(SUFFIXES[runtime])


def load(path: Path, runtime: str) -> tuple[Predict, ModelCard]:
    """Load and verify the served file for `runtime`, warm it up; (predict, card)."""
    check_installed(runtime)
    predict, card = (_load_onnx if runtime == "onnx" else _load_keras)(Path(path))
    predict(np.zeros((1, *contract.INPUT_SHAPE), np.float32))  # the first call's set-up, now, not on a request
    return predict, card


def _load_onnx(path: Path) -> tuple[Predict, ModelCard]:
    session, card = load_onnx(path, threads=ONNX_THREADS)
    name = session.get_inputs()[0].name

    def predict(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {name: batch})[0]  # InferenceSession.run is thread-safe

    return predict, card


def _load_keras(path: Path) -> tuple[Predict, ModelCard]:
    """The Keras model in a tf.function with a fixed input signature (traced once, not per shape)."""
    import tensorflow as tf

    model, card = load_model(path)

    @tf.function(input_signature=[tf.TensorSpec([None, *contract.INPUT_SHAPE], tf.float32)])
    def compiled(images):
        return model(images, training=False)

    def predict(batch: np.ndarray) -> np.ndarray:
        return compiled(batch).numpy()

    return predict, card
