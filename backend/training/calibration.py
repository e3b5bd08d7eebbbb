"""Calibrated confidence and the verdict thresholds, fitted on the validation writers only.

Temperature scaling (Guo et al., 2017) divides the log-probabilities by one number T fitted to
minimize the validation writers' negative log-likelihood; the verdict thresholds are then set
on the calibrated top probability so that only a small, chosen share of their real digits is
called unsure or not a digit. Both go into the model card; the server reads them from there.
"""

from __future__ import annotations

import itertools

import numpy as np

from backend.core.confidence import apply_temperature

# The share of validation writers' digits we accept being called "unsure or worse" / "not a digit".
UNSURE_RATE = 0.010
REJECT_RATE = 0.003


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
    """Top-probability thresholds: below `not_a_digit` -> not a digit, below `unsure` -> unsure."""
    top = np.sort(calibrated_digits.max(axis=1))
    return {
        "not_a_digit": float(np.quantile(top, REJECT_RATE)),
        "unsure": float(np.quantile(top, UNSURE_RATE)),
    }
