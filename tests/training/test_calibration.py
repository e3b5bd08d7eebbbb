"""backend/training/calibration.py: temperature fitting, calibration error, thresholds."""

import numpy as np
import pytest

from backend.core.confidence import apply_temperature, certainty, verdicts
from backend.training.calibration import (
    REJECT_RATE,
    UNSURE_RATE,
    expected_calibration_error,
    fit_temperature,
    fit_thresholds,
)


def overconfident(n=4000, seed=0):
    """Labels and probabilities of a model that is right 80% of the time but says 99%."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    predicted = np.where(rng.random(n) < 0.8, labels, (labels + 1) % 10)
    p = np.full((n, 10), 0.01 / 9)
    p[np.arange(n), predicted] = 0.99
    return p, labels


def test_temperature_fixes_an_overconfident_model():
    p, labels = overconfident()
    t = fit_temperature(p, labels)
    assert t > 1.5  # softened
    before = expected_calibration_error(p, labels)
    after = expected_calibration_error(apply_temperature(p, t), labels)
    assert before == pytest.approx(0.19, abs=0.02) and after < 0.02


def test_thresholds_reject_only_the_chosen_share_of_digits():
    rng = np.random.default_rng(1)
    top = rng.uniform(0.5, 1.0, 10000)
    rest = rng.dirichlet(np.full(9, 0.3), 10000) * (1 - top)[:, None]  # the others' share, spread differently
    p = np.column_stack([top, rest])
    thresholds = fit_thresholds(p)
    assert thresholds["scores"] == {"not_a_digit": "certainty", "unsure": "top_probability"}
    assert (top < thresholds["unsure"]).mean() == pytest.approx(UNSURE_RATE, abs=0.0005)
    assert (certainty(p) < thresholds["not_a_digit"]).mean() == pytest.approx(REJECT_RATE, abs=0.0005)
    rejected = verdicts(p, thresholds) != "digit"
    assert max(UNSURE_RATE, REJECT_RATE) <= rejected.mean() <= UNSURE_RATE + REJECT_RATE + 0.002
