"""backend/training/export.py: checked ONNX and TF Serving exports, recorded in the card; the shipped ones."""

import json

import numpy as np
import pytest

from backend.core import contract
from backend.core.artifacts import ModelFileError, load_model, load_onnx, save_model
from backend.core.files import file_sha256, tree_sha256
from backend.core.paths import MODELS_DIR
from backend.training import export as exporting
from backend.training.networks import build_cnn
from tests.support.cards import card_for

SHIPPED = sorted(p for p in MODELS_DIR.glob("*.keras"))


@pytest.fixture(scope="module")
def batch(mnist):
    """200 MNIST test digits: enough to check a test export, quicker than the 1,000 a real one uses."""
    _, (x_test, _) = mnist
    return contract.as_batch(contract.from_uint8(x_test[:200]))


@pytest.fixture
def saved(tmp_path):
    """An (untrained) CNN saved with its card, as training saves it: (model, path, card)."""
    model = build_cnn()
    path = tmp_path / "digit_cnn.keras"
    card = save_model(model, path, card_for(model))
    return model, path, card


def _onnx_probabilities(session, batch):
    return session.run(None, {session.get_inputs()[0].name: batch})[0]


def test_onnx_export_is_checked_recorded_and_loadable_without_touching_the_keras_file(saved, batch):
    model, path, card = saved
    keras_hash = file_sha256(path)
    card = exporting.export_onnx(model, path, card, batch)

    onnx_path = path.with_suffix(".onnx")
    entry = json.loads(path.with_suffix(".json").read_text())["exports"]["onnx"]
    assert entry["file"] == "digit_cnn.onnx" and entry["bytes"] == onnx_path.stat().st_size
    assert entry["sha256"] == file_sha256(onnx_path) and entry["checked_on"] == "200 MNIST test digits"
    assert 0 <= entry["max_difference"] <= 1e-5 and entry["opset"] > 0
    assert card.export("onnx") == entry
    # the .keras file and its recorded hash are untouched: it still loads verified
    assert file_sha256(path) == keras_hash == card.sha256
    load_model(path)

    session, loaded_card = load_onnx(onnx_path)
    assert loaded_card.version == card.version
    expected = np.asarray(model(batch, training=False))
    np.testing.assert_allclose(_onnx_probabilities(session, batch), expected, atol=1e-5, rtol=0)
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")], "temporary files were left"


def test_an_export_that_does_not_match_keras_writes_nothing(saved, batch):
    model, path, card = saved
    card_before = path.with_suffix(".json").read_bytes()
    with pytest.raises(exporting.ExportMismatch, match="nothing was written"):
        exporting.export_onnx(model, path, card, batch, tolerance=-1.0)  # no export can be this close
    assert not path.with_suffix(".onnx").exists()
    assert path.with_suffix(".json").read_bytes() == card_before
    assert sorted(p.name for p in path.parent.iterdir()) == ["digit_cnn.json", "digit_cnn.keras"]


def test_a_tampered_or_unrecorded_onnx_file_is_refused(saved, batch):
    model, path, card = saved
    onnx_path = path.with_suffix(".onnx")
    exporting.export_onnx(model, path, card, batch)
    onnx_path.write_bytes(onnx_path.read_bytes() + b"\0")
    with pytest.raises(ModelFileError, match="does not match its model card"):
        load_onnx(onnx_path)

    save_model(model, path, card)  # a new .keras file: its card no longer vouches for the old export
    with pytest.raises(ModelFileError, match="records no ONNX export"):
        load_onnx(onnx_path)
    with pytest.raises(ModelFileError, match=r"only \.onnx"):
        load_onnx(path)


def test_saved_model_for_tf_serving_is_a_new_numbered_version_each_time(saved, batch):
    import tensorflow as tf

    model, path, card = saved
    card = exporting.export_saved_model(model, path, card, batch)
    card = exporting.export_saved_model(model, path, card, batch)
    base = path.with_suffix(".tf_serving")
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]  # no temporary folder left
    entry = card.export("tf_saved_model")
    assert entry["dir"] == "digit_cnn.tf_serving/2" and entry["sha256"] == tree_sha256(base / "2")
    assert entry["max_difference"] <= 1e-5
    assert json.loads(path.with_suffix(".json").read_text())["exports"]["tf_saved_model"] == entry

    serving_default = tf.saved_model.load(str(base / "2")).signatures["serving_default"]
    (answer,) = serving_default(tf.constant(batch[:8])).values()
    np.testing.assert_allclose(answer.numpy(), np.asarray(model(batch[:8], training=False)), atol=1e-5, rtol=0)


def test_the_command_exports_a_chosen_model_and_reports_a_missing_one(saved, tmp_path, capsys):
    _, path, _ = saved
    assert exporting.main(["--model", str(path)]) == 0
    assert "digit_cnn.onnx" in capsys.readouterr().out
    assert load_onnx(path.with_suffix(".onnx"))[1].export("onnx")["checked_on"] == "1,000 MNIST test digits"

    assert exporting.main(["--model", str(tmp_path / "absent.keras")]) == 1
    assert "No model file" in capsys.readouterr().err


@pytest.mark.parametrize("model_path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_onnx_export_answers_as_keras_on_10000_mnist_digits(model_path, mnist):
    """The server's answers equal the Keras model's: same digit on all 10,000, probabilities within 1e-5."""
    _, (x_test, _) = mnist
    images = contract.as_batch(contract.from_uint8(x_test))
    model, card = load_model(model_path)
    session, onnx_card = load_onnx(model_path.with_suffix(".onnx"))  # its hash matches the card
    assert onnx_card.sha256 == card.sha256 == file_sha256(model_path)
    expected = model.predict(images, batch_size=500, verbose=0)
    actual = np.concatenate([_onnx_probabilities(session, images[i : i + 500]) for i in range(0, len(images), 500)])
    assert (actual.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert np.abs(actual - expected).max() <= 1e-5
