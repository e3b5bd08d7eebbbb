"""backend/core/card.py: the ModelCard type and its JSON, against the shipped card too."""

import json

import jsonschema
import pytest

from backend.core.card import ModelCard
from backend.core.paths import DEFAULT_MODEL_PATH, REPO_ROOT, card_path_for


def test_round_trip_keeps_known_and_unknown_keys():
    card = ModelCard(name="digit_cnn", arch="cnn", params=3, input="28x28", extra={"future": 1})
    data = json.loads(card.to_json())
    assert data["future"] == 1 and "history" not in data and "calibration" not in data
    assert ModelCard.from_dict(data) == card


def test_with_file_sets_the_version_from_the_hash():
    card = ModelCard(name="m", arch="cnn", params=1, input="x").with_file("m.keras", 10, "ab" * 32)
    assert card.version == "cnn-" + "ab" * 6 and card.file_bytes == 10


def test_calibration_defaults_for_older_cards():
    card = ModelCard(name="m", arch="cnn", params=1, input="x")
    assert card.temperature == 1.0 and card.thresholds is None


def test_a_card_without_its_identity_is_refused():
    with pytest.raises(ValueError, match="lacks name"):
        ModelCard.from_dict({"arch": "cnn", "params": 1, "input": "x"})


def test_the_shipped_card_reads_and_writes_back_unchanged():
    data = json.loads(card_path_for(DEFAULT_MODEL_PATH).read_text())
    card = ModelCard.from_dict(data)
    assert card.extra == {}, f"keys the type does not know: {sorted(card.extra)}"
    assert card.to_dict() == data


SCHEMA_PATH = REPO_ROOT / "schemas" / "model-card.schema.json"


def test_the_committed_schema_is_the_type_s_own():
    """schemas/model-card.schema.json is what ModelCard.json_schema() makes (regenerate it if not)."""
    assert json.loads(SCHEMA_PATH.read_text()) == ModelCard.json_schema()


def test_the_shipped_card_satisfies_the_schema():
    data = json.loads(card_path_for(DEFAULT_MODEL_PATH).read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))


def test_the_schema_catches_a_wrong_type():
    data = json.loads(card_path_for(DEFAULT_MODEL_PATH).read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "params": "many"}, json.loads(SCHEMA_PATH.read_text()))
