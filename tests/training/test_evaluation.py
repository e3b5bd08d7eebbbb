"""backend/evaluate.py: metrics and the command line's handling of bad model files."""

import numpy as np

from backend.training import evaluation as evaluate
from backend.training.networks import build_mlp
from tests.support.cards import card_for


def test_metrics_match_a_hand_count():
    labels = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0])
    probabilities = np.full((6, 10), 0.01)
    probabilities[np.arange(6), predicted] = 0.91
    result = evaluate.metrics(labels, probabilities)
    assert result["accuracy"] == 4 / 6
    assert result["confusion_matrix"][0][:3] == [1, 1, 0]
    assert result["per_class"]["1"]["precision"] == round(2 / 3, 5)
    assert result["per_class"]["0"]["recall"] == 0.5
    assert evaluate.most_confused_pairs(result["confusion_matrix"]) == [(0, 1, 1), (2, 0, 1)]


def test_missing_model_exits_1_with_a_message(tmp_path, capsys):
    assert evaluate.main([str(tmp_path / "nope.keras")]) == 1
    assert "No model file" in capsys.readouterr().err


def test_corrupt_model_exits_1_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a keras archive")
    (tmp_path / "bad.json").write_text(card_for(build_mlp(), sha256="0000").to_json())  # a card for other bytes
    assert evaluate.main([str(bad)]) == 1
    assert "does not match its model card" in capsys.readouterr().err
