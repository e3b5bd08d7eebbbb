"""The default shipped model as a plain function, for tests of core: fields -> calibrated probabilities.

Loaded through core's one model loader (verified, safe mode), calibrated with its card's
temperature as the server does; no serving code involved.
"""

from __future__ import annotations

import functools

import numpy as np

from backend.core import contract
from backend.core.artifacts import load_model
from backend.core.confidence import apply_temperature
from backend.core.paths import DEFAULT_MODEL_PATH


@functools.cache
def shipped_model():
    """`predict(fields) -> (N, 10) calibrated probabilities` for the default model, loaded once."""
    import tensorflow as tf

    model, card = load_model(DEFAULT_MODEL_PATH)
    # Compiled once for any batch size: an eager Keras call costs milliseconds of overhead each time.
    compiled = tf.function(lambda x: model(x, training=False), input_signature=[tf.TensorSpec([None, 28, 28, 1])])

    def predict(fields) -> np.ndarray:
        raw = np.asarray(compiled(contract.as_batch(fields)), dtype=np.float64)
        return apply_temperature(raw / raw.sum(axis=1, keepdims=True), card.temperature)

    return predict
