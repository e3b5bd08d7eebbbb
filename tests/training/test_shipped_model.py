"""models/digit_cnn.keras: the model we ship meets its targets on every population and matches its card.

The held-out writers are re-drawn exactly as training drew them (same seed, same mix), so the
figures here are the card's. Targets: MNIST test >= 99.65%; held-out pen writers >= 99.0%
(their small drawings >= 98.5%); held-out scanned-form writers >= 98.5%; calibration error
<= 2%; non-digits answered as a confident digit <= 5%; real digits called unsure or not a
digit <= 1.5% (validation writers) and <= 0.3% (MNIST test).
"""

import pytest

from backend.core.artifacts import load_model
from backend.core.paths import DEFAULT_MODEL_PATH
from backend.training.evaluation import metrics, predict_probabilities
from backend.training.networks import build_cnn


@pytest.fixture(scope="module")
def shipped():
    return load_model(DEFAULT_MODEL_PATH)  # verifies the SHA-256 recorded in the card


@pytest.fixture(scope="module")
def assessment(shipped, mnist, tmp_path_factory):
    from backend.training.evaluation import assess_writers

    model, card = shipped
    return assess_writers(model, card, mnist[1], tmp_path_factory.mktemp("grid") / "pen.png")


def test_mnist_accuracy_and_card(shipped, mnist):
    model, card = shipped
    _, (x_test, y_test) = mnist
    result = metrics(y_test, predict_probabilities(model, x_test))
    assert result["accuracy"] >= 0.9965, f"test accuracy {result['accuracy']:.2%}, target 99.65%"
    assert abs(result["accuracy"] - card.test_accuracy) <= 0.0005
    assert card.params == model.count_params() == build_cnn().count_params()


def test_writers_it_never_saw(assessment, shipped):
    _, card = shipped
    assert assessment["pen_writers"]["accuracy"] >= 0.990
    assert assessment["pen_writers_by_size"]["small"]["accuracy"] >= 0.985
    assert assessment["scan_writers"]["accuracy"] >= 0.985
    assert assessment["pen_writers"] == card.handwriting["pen_writers"]  # the card tells the truth
    assert assessment["scan_writers"] == card.handwriting["scan_writers"]


def test_calibration_and_verdicts(assessment, shipped):
    _, card = shipped
    assert assessment["calibration"]["ece_after"] <= 0.02
    assert assessment["calibration"]["temperature"] == card.calibration["temperature"]
    verdict = assessment["verdict"]
    assert verdict["thresholds"] == card.thresholds
    assert verdict["test_negatives"]["digit"] <= 0.05, "non-digits answered as a confident digit"
    assert 1 - verdict["validation_writers_digits"]["digit"] <= 0.015
    assert 1 - verdict["mnist_test_digits"]["digit"] <= 0.003
