"""Calibrated probabilities and the verdict: "digit", "unsure" or "not_a_digit".

Training fits the temperature and the thresholds on the validation writers and writes them in
the model card; the server applies them to every answer. Both sides use these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.core import contract

DIGIT, UNSURE, NOT_A_DIGIT = "digit", "unsure", "not_a_digit"
# Ink smaller than this share of the picture's longer side is a dot or a tick, not a digit
# (the app's pen alone is 7% of the canvas; its smallest digits are over 20%).
MIN_EXTENT = 0.12
# Ink this much wider than tall is more likely several digits than one.
WIDE_ASPECT = 1.6


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): the same ranking, confidence sharpened (T < 1) or softened (T > 1)."""
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=-1, keepdims=True)


def certainty(calibrated: np.ndarray) -> np.ndarray:
    """1 - entropy / ln 10 of each row: 1 for one sure answer, 0 for ten equal ones (what a non-digit is taught)."""
    p = np.clip(np.asarray(calibrated, dtype=np.float64), 1e-12, 1.0)
    return 1.0 + (p * np.log(p)).sum(axis=-1) / np.log(contract.NUM_CLASSES)


# The scores verdict thresholds can apply to. Each verdict asks its own question: "not a digit"
# whether the answer is spread over many digits (low certainty: what a non-digit is taught),
# "unsure" whether the top digit has a close rival (low top probability: a 4 or a 9).
SCORES = {"top_probability": lambda calibrated: np.asarray(calibrated).max(axis=-1), "certainty": certainty}
# A card that names no scores (made before certainty was used) has both thresholds on the top probability.
OLD_SCORES = {"not_a_digit": "top_probability", "unsure": "top_probability"}


def verdicts(calibrated: np.ndarray, thresholds: dict) -> np.ndarray:
    """The verdict for each row of calibrated probabilities: not a digit, else unsure, else digit.

    `thresholds`: the card's `not_a_digit` and `unsure`, and in `scores` what each applies to.
    """
    scores = thresholds.get("scores", OLD_SCORES)
    not_a_digit = SCORES[scores["not_a_digit"]](calibrated) < thresholds["not_a_digit"]
    unsure = SCORES[scores["unsure"]](calibrated) < thresholds["unsure"]
    return np.where(not_a_digit, NOT_A_DIGIT, np.where(unsure, UNSURE, DIGIT))


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str
    alternatives: list[int]


def judge(calibrated: np.ndarray, thresholds: dict | None, extent: float = 1.0, aspect: float = 1.0) -> Verdict:
    """The verdict on one drawing, with a short reason for a person.

    `extent`: the ink's size as a share of the picture; `aspect`: the ink's width / height.
    A model without thresholds (trained before they existed) always answers "digit".
    """
    top_two = [int(d) for d in np.argsort(calibrated)[::-1][:2]]
    if extent < MIN_EXTENT:
        return Verdict(NOT_A_DIGIT, "The drawing is too small to be a digit: draw it bigger.", top_two)
    verdict = str(verdicts(calibrated, thresholds)) if thresholds else DIGIT
    several = " Several digits? Draw one at a time." if aspect > WIDE_ASPECT else ""
    if verdict == NOT_A_DIGIT:
        return Verdict(verdict, "This does not look like a digit." + several, top_two)
    if verdict == UNSURE:
        return Verdict(verdict, f"It could be a {top_two[0]} or a {top_two[1]}." + several, top_two)
    return Verdict(verdict, f"Looks like a {top_two[0]}.", top_two)
