"""Calibrated confidence and the verdict thresholds, fitted on the validation writers only.

Temperature scaling (Guo et al., 2017) divides the log-probabilities by one number T fitted to
minimize the validation writers' negative log-likelihood; the verdict thresholds are then set
on the calibrated probabilities (certainty, 1 - entropy / ln 10, for "not a digit"; the top
probability for "unsure") so that only a small, chosen share of their real digits is called
unsure or not a digit. Both go into the model card; the
server reads them from there.
"""

from __future__ import annotations

import itertools

import numpy as np

from backend.core.confidence import SCORES, apply_temperature

# The share of validation writers' digits we accept being called "not a digit" (by certainty) and
# "unsure" (by top probability). Certainty is what tells non-digits apart: on the validation data
# the unsure rule catches no non-digit that certainty lets through, and most digits it questions
# would have been read right (15 of 19 at a 0.5% rate). So "unsure" is kept for near coin flips: at 0.3% its
# threshold lands at a calibrated top probability of about 0.52 ("4 or 9?"). Measured on the
# shipped model's validation data, 0.4% + 0.3% question 0.45% of the writers' digits and 0.38% of
# the MNIST validation digits (0.5% + 0.5%: 0.68% and 0.58%), and let 2.20% of the validation
# non-digits through as digits (2.05%).
REJECT_RATE = 0.004
UNSURE_RATE = 0.003
SCORES_USED = {"not_a_digit": "certainty", "unsure": "top_probability"}


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.25, 8] (log grid, then refined) with the lowest negative log-likelihood."""

    def nll(t):
        p = apply_temperature(probabilities, t)[np.arange(len(labels)), labels]
        return -np.log(np.clip(p, 1e-12, 1.0)).mean()

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 61))
    best = grid[np.argmin([nll(t) for t in grid])]
    fine = best * np.exp(np.linspace(-0.06, 0.06, 25))
    return float(fine[np.argmin([nll(t) for t in fine])])


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


def fit_thresholds(calibrated_digits: np.ndarray) -> dict:
    """Thresholds set on real digits: certainty below `not_a_digit` -> not a digit; else a top probability
    below `unsure` -> unsure. `scores` names what each threshold applies to."""
    return {
        "not_a_digit": float(np.quantile(SCORES[SCORES_USED["not_a_digit"]](calibrated_digits), REJECT_RATE)),
        "unsure": float(np.quantile(SCORES[SCORES_USED["unsure"]](calibrated_digits), UNSURE_RATE)),
        "scores": dict(SCORES_USED),
    }
