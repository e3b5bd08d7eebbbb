"""backend/core/confidence.py: temperature scaling and the verdict on one drawing."""

import numpy as np
import pytest

from backend.core.confidence import MIN_EXTENT, apply_temperature, certainty, judge, verdicts

THRESHOLDS = {"not_a_digit": 0.3, "unsure": 0.7}


def test_temperature_keeps_the_ranking_and_changes_the_confidence():
    p = np.array([0.05, 0.7, 0.25] + [0.0] * 7)
    soft, sharp = apply_temperature(p, 2.0), apply_temperature(p, 0.5)
    assert soft.argmax() == sharp.argmax() == 1
    assert soft[1] < 0.7 < sharp[1]
    assert soft.sum() == pytest.approx(1.0) and sharp.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(apply_temperature(p, 1.0), p, atol=1e-9)


def test_verdicts_follow_the_thresholds():
    rows = np.array([[0.95] + [0.05 / 9] * 9, [0.5, 0.5] + [0.0] * 8, [0.1] * 10])
    assert list(verdicts(rows, THRESHOLDS)) == ["digit", "unsure", "not_a_digit"]


def test_judge_explains_and_offers_the_top_two():
    unsure = np.array([0.0, 0.0, 0.0, 0.0, 0.55, 0.0, 0.0, 0.0, 0.0, 0.45])
    verdict = judge(unsure, THRESHOLDS)
    assert verdict.verdict == "unsure" and verdict.alternatives == [4, 9]
    assert "4 or a 9" in verdict.reason
    assert judge(np.eye(10)[7], THRESHOLDS).verdict == "digit"
    assert judge(np.full(10, 0.1), THRESHOLDS).verdict == "not_a_digit"


def test_a_tiny_drawing_is_not_a_digit_whatever_the_model_says():
    verdict = judge(np.eye(10)[0], THRESHOLDS, extent=MIN_EXTENT / 2)
    assert verdict.verdict == "not_a_digit" and "too small" in verdict.reason


def test_wide_ink_gets_the_several_digits_hint_and_old_models_always_answer_digit():
    assert "Several digits" in judge(np.full(10, 0.1), THRESHOLDS, aspect=3.0).reason
    assert judge(np.full(10, 0.1), None).verdict == "digit"  # a card without thresholds


def test_certainty_is_one_for_a_sure_answer_and_zero_for_ten_equal_ones():
    np.testing.assert_allclose(certainty(np.stack([np.eye(10)[3], np.full(10, 0.1)])), [1.0, 0.0], atol=1e-9)
    assert 0 < certainty(np.array([0.5, 0.5] + [0.0] * 8)) < 1


def test_not_a_digit_is_judged_by_certainty_and_unsure_by_the_top_probability():
    """Both answers give the top digit 0.6: spread over nine digits (a non-digit's way), or torn between two."""
    spread = np.array([0.6] + [0.4 / 9] * 9)
    torn = np.array([0.6, 0.4] + [0.0] * 8)
    rows = np.stack([spread, torn, np.eye(10)[5]])
    assert verdicts(rows, THRESHOLDS).tolist() == ["unsure", "unsure", "digit"]  # an old card: top probability only
    split = {"not_a_digit": 0.4, "unsure": 0.7, "scores": {"not_a_digit": "certainty", "unsure": "top_probability"}}
    assert verdicts(rows, split).tolist() == ["not_a_digit", "unsure", "digit"]
    assert judge(torn, split).reason == "It could be a 0 or a 1."
