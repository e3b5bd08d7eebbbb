"""models/digit_cnn.keras: the model we ship meets its accuracy target and matches its card."""

from backend.core.paths import DEFAULT_MODEL_PATH
from backend.training.evaluation import metrics, predict_probabilities
from backend.training.networks import build_cnn


def test_shipped_model_accuracy_and_card(mnist):
    from backend.core.artifacts import load_model

    model, card = load_model(DEFAULT_MODEL_PATH)  # verifies the SHA-256 recorded in the card
    _, (x_test, y_test) = mnist
    result = metrics(y_test, predict_probabilities(model, x_test))
    assert result["accuracy"] >= 0.996, f"test accuracy {result['accuracy']:.2%}, target 99.60%"
    assert abs(result["accuracy"] - card.test_accuracy) <= 0.0005
    assert card.params == model.count_params() == build_cnn().count_params()
