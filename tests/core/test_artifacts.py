"""backend/artifacts.py: the model card and verified, safe model loading."""

import pytest

from backend.core.artifacts import ModelFileError, load_model, save_model
from backend.training.networks import build_mlp
from tests.support.cards import card_for


def test_save_then_load_round_trip_and_tamper_detection(tmp_path):
    path = tmp_path / "m.keras"
    card = save_model(model := build_mlp(), path, card_for(model))
    assert card.version.startswith("mlp-") and card.file_bytes == path.stat().st_size
    model, loaded_card = load_model(path)
    assert loaded_card.sha256 == card.sha256 and model.name == "digit_mlp"

    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ModelFileError, match="does not match its model card"):
        load_model(path)


def test_missing_card_and_wrong_suffix_are_refused(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"x")
    with pytest.raises(ModelFileError, match="No model card"):
        load_model(path)
    with pytest.raises(ModelFileError, match=r"only \.keras"):
        load_model(tmp_path / "m.h5")
