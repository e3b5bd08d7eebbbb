"""models/: the shipped model meets its targets and matches its card.

`digit_cnn.keras` (the default) is trained on MNIST, other writers and non-digits; its held-out
writers are re-drawn exactly as training drew them (same seed, same mix), so the figures here
are its card's. Issue targets: MNIST test >= 99.65%; held-out pen writers >= 99.0% (small
drawings >= 98.5%); held-out scanned-form writers >= 98.5%; calibration error <= 2%; non-digits
answered as a confident digit <= 5%; real digits called unsure or not a digit <= 1.5%
(validation writers), <= 0.3% (MNIST test). Where it does not reach a target yet, its test
holds it at what it reaches (marked below), so it cannot slip back while the issue stays open.
`digit_cnn_mnist.keras`, the MNIST-only model that was the default until 0.4, keeps its floor.
"""

import pytest

from backend.core.artifacts import load_model
from backend.core.paths import DEFAULT_MODEL_PATH, MODELS_DIR
from backend.training.evaluation import metrics, predict_probabilities
from backend.training.networks import build_cnn

MNIST_ONLY_MODEL_PATH = MODELS_DIR / "digit_cnn_mnist.keras"


@pytest.mark.parametrize("path", [DEFAULT_MODEL_PATH, MNIST_ONLY_MODEL_PATH], ids=["default", "mnist_only"])
def test_model_accuracy_and_card(mnist, path):
    model, card = load_model(path)  # verifies the SHA-256 recorded in the card
    _, (x_test, y_test) = mnist
    result = metrics(y_test, predict_probabilities(model, x_test))
    floor = 0.9965 if path == DEFAULT_MODEL_PATH else 0.996  # the target; the MNIST-only model keeps its floor
    assert result["accuracy"] >= floor, f"test accuracy {result['accuracy']:.2%}, floor {floor:.2%}"
    assert abs(result["accuracy"] - card.test_accuracy) <= 0.0005
    assert card.params == model.count_params() == build_cnn().count_params()


@pytest.fixture(scope="module")
def shipped():
    return load_model(DEFAULT_MODEL_PATH)


@pytest.fixture(scope="module")
def assessment(shipped, mnist, tmp_path_factory):
    from backend.training.evaluation import assess_writers

    model, card = shipped
    return assess_writers(model, card, mnist[1], tmp_path_factory.mktemp("grid") / "pen.png")


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
    assert 1 - verdict["validation_writers_digits"]["digit"] <= 0.015
    assert verdict["test_negatives"]["digit"] <= 0.05, "non-digits answered as a confident digit"
    assert round(1 - verdict["mnist_test_digits"]["digit"], 5) <= 0.003, "MNIST digits called unsure or not a digit"
