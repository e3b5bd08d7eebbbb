"""The default shipped model as a plain function, for tests of core: fields -> calibrated probabilities.

Loaded through core's one model loader (verified, safe mode), calibrated with its card's
temperature as the server does (`backend.training.evaluation.calibrated`); no serving code involved.
"""

from __future__ import annotations

import functools

from backend.core.artifacts import load_model
from backend.core.paths import DEFAULT_MODEL_PATH
from backend.training.evaluation import calibrated


@functools.cache
def shipped_model():
    """`predict(fields) -> (N, 10) calibrated probabilities` for the default model, loaded once."""
    return calibrated(*load_model(DEFAULT_MODEL_PATH))
