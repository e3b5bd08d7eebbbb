"""backend/train.py: a quick run writes a loadable model, its card and its plots."""

import json

import numpy as np
import pytest

from backend.core.artifacts import load_model, load_onnx
from backend.core.files import file_sha256
from backend.training import pipeline as train


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick")
    argv = ["--epochs", "2", "--polish-epochs", "1", "--mnist-polish-epochs", "0", "--limit", "2000"]
    assert train.main([*argv, "--out", str(out), "--seed", "7"]) == 0
    return out


def test_quick_run_writes_model_card_and_plots(quick_run):
    names = {p.name for p in quick_run.iterdir()}
    assert {
        "digit_cnn.keras",
        "digit_cnn.json",
        "digit_cnn.history.png",
        "digit_cnn.confusion.png",
        "digit_cnn.misclassified.png",
        "digit_cnn.misclassified_pen.png",
    } <= names
    assert not [n for n in names if n.startswith(".")], "temporary files were left behind"
    assert (quick_run / "checkpoints" / "digit_cnn.best.keras").is_file()  # ModelCheckpoint ran


def test_card_describes_the_run(quick_run):
    card = json.loads((quick_run / "digit_cnn.json").read_text())
    assert card["sha256"] == file_sha256(quick_run / "digit_cnn.keras")
    assert card["epochs_run"] == 2 + 1 and len(card["history"]["val_accuracy"]) == 3  # main epochs, then polish
    assert card["training"]["polish"]["from_epoch"] == 3 and card["best_epoch"] == 3
    assert "no elastic" in card["training"]["polish"]["augmentation"]
    assert "learning_rate" in card["history"]  # the LR callbacks reported
    mnist = card["training"]["inputs"]["mnist"]
    assert mnist["train"] + mnist["validation"] == 2000
    assert 0.0 <= card["test_accuracy"] <= 1.0
    assert sum(map(sum, card["confusion_matrix"])) == 10000
    assert set(card["per_class"]) == {str(d) for d in range(10)}
    assert card["versions"]["keras"].startswith("3.")
    assert len(card["data_sha256"]) == 4


def test_card_reports_the_writers_calibration_and_verdicts(quick_run):
    card = json.loads((quick_run / "digit_cnn.json").read_text())
    handwriting = card["handwriting"]
    assert set(handwriting["pen_writers_by_size"]) == {"small", "medium", "large"}
    by_size = sum(block["count"] for block in handwriting["pen_writers_by_size"].values())
    assert handwriting["pen_writers"]["count"] == by_size > 0 and handwriting["scan_writers"]["count"] > 0
    assert card["calibration"]["temperature"] > 0 and 0 <= card["calibration"]["ece_after"] <= 1
    thresholds = card["verdict"]["thresholds"]
    # Each on its own score (no order between them since 0.5): both are shares in [0, 1].
    assert thresholds["scores"] == {"not_a_digit": "certainty", "unsure": "top_probability"}
    assert 0 <= thresholds["not_a_digit"] <= 1 and 0 <= thresholds["unsure"] <= 1
    shares = card["verdict"]["test_negatives"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-4)
    assert card["training"]["validation_writers"] == {"pen": [3, 8, 13, 18, 23, 28], "scan": [2, 7, 12, 17, 22, 27]}
    assert "elastic" in card["training"]["augmentation"] and "CC BY 4.0" in " ".join(card["data_credit"])


def test_quick_model_loads_verified_and_predicts(quick_run):
    model, card = load_model(quick_run / "digit_cnn.keras")
    assert model.count_params() == card.params
    out = np.asarray(model(np.zeros((1, 28, 28, 1), np.float32), training=False))
    assert out.shape == (1, 10)


def test_every_run_ends_with_a_checked_onnx_export_the_card_vouches_for(quick_run):
    session, card = load_onnx(quick_run / "digit_cnn.onnx")
    entry = card.export("onnx")
    assert entry["sha256"] == file_sha256(quick_run / "digit_cnn.onnx") and card.sha256 == file_sha256(
        quick_run / "digit_cnn.keras"
    )
    assert entry["max_difference"] <= 1e-5 and entry["checked_on"] == "1,000 MNIST test digits"
    model, _ = load_model(quick_run / "digit_cnn.keras")
    field = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    answer = session.run(None, {session.get_inputs()[0].name: field})[0]
    np.testing.assert_allclose(answer, np.asarray(model(field, training=False)), atol=1e-5, rtol=0)


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--epochs", "0"])
    assert "--epochs" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.parse_args(
            ["--init-from", "m.keras", "--epochs", "0", "--polish-epochs", "0", "--mnist-polish-epochs", "0"]
        )
    assert "nothing to train" in capsys.readouterr().err


def test_a_run_can_go_on_from_a_trained_model_with_the_mnist_polish(quick_run, tmp_path):
    """--init-from: the quick model, then only the MNIST polish; the card keeps the whole story."""
    start = json.loads((quick_run / "digit_cnn.json").read_text())
    argv = ["--init-from", str(quick_run / "digit_cnn.keras"), "--epochs", "0", "--polish-epochs", "0"]
    argv += ["--mnist-polish-epochs", "1", "--limit", "2000", "--out", str(tmp_path), "--seed", "7"]
    assert train.main(argv) == 0
    card = json.loads((tmp_path / "digit_cnn.json").read_text())
    assert card["epochs_run"] == start["epochs_run"] + 1 and card["best_epoch"] == start["epochs_run"] + 1
    assert card["history"]["val_loss"][:-1] == start["history"]["val_loss"]  # the starting model's epochs first
    assert card["training"]["mnist_polish"]["from_epoch"] == start["epochs_run"] + 1
    assert card["training"]["mnist_polish"]["mnist_copies"] == 2 and card["training"]["polish"] is None
    origin = card["training"]["init_from"]
    assert origin["sha256"] == start["sha256"] and origin["training"]["polish"]["epochs"] == 1
    assert card["sha256"] == file_sha256(tmp_path / "digit_cnn.keras") != start["sha256"]
    mnist = card["training"]["inputs"]["mnist"]
    assert mnist["train"] + mnist["validation"] == 2000
