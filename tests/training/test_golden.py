"""The golden fixtures hold what the server answers: the field from prepare(), the answer from POST /predict."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from backend.core.preprocessing import prepare
from backend.training.golden import COUNTS, FIXTURES_FILE, main


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """A quick run: two pictures of every kind."""
    out = tmp_path_factory.mktemp("golden")
    main(["--out", str(out), "--per-kind", "2"])
    return out, json.loads((out / FIXTURES_FILE).read_text())


def field_of(fixture: dict) -> np.ndarray:
    box = fixture["field"]
    values = np.frombuffer(base64.b64decode(box["values"]), dtype="<f4").reshape(box["height"], box["width"])
    field = np.zeros((28, 28), dtype=np.float32)
    field[box["top"] : box["top"] + box["height"], box["left"] : box["left"] + box["width"]] = values
    return field


def test_every_kind_is_written_with_its_picture(golden):
    out, document = golden
    assert document["count"] == len(document["fixtures"]) >= 2 * len(COUNTS) - 2  # a non-digit may leave no ink
    assert {f["kind"] for f in document["fixtures"]} >= set(COUNTS) - {"non_digit"}
    assert all((out / "png" / f["png"]).is_file() for f in document["fixtures"])
    assert len(list((out / "png").glob("*.png"))) == document["count"]


def test_the_fields_are_prepares_exactly(golden):
    out, document = golden
    for fixture in document["fixtures"]:
        prepared = prepare((out / "png" / fixture["png"]).read_bytes())
        np.testing.assert_array_equal(field_of(fixture), prepared.field, err_msg=fixture["png"])
        assert (fixture["extent"], fixture["aspect"]) == (prepared.extent, prepared.aspect)


def test_the_answers_are_the_servers(golden, client):
    out, document = golden
    for fixture in document["fixtures"]:
        png = (out / "png" / fixture["png"]).read_bytes()
        answer = client.post("/predict", data={"image": (io.BytesIO(png), "drawing.png")}).get_json()
        assert answer["model"] == document["model"]
        np.testing.assert_allclose(fixture["probabilities"], answer["probabilities"], rtol=0, atol=1e-12)
        for key in ("digit", "confidence", "verdict", "reason", "alternatives"):
            assert fixture[key] == pytest.approx(answer[key], abs=1e-12), (fixture["png"], key)
        seen = np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["input"].split(",")[1]))))
        np.testing.assert_array_equal(seen, np.round(field_of(fixture) * 255).astype(np.uint8))


def test_the_raw_output_is_the_served_models(golden, predictor):
    """What the device starts from (the model's output before calibration) is the served model's, for that field."""
    from backend.core.contract import as_batch

    _, document = golden
    for fixture in document["fixtures"]:
        raw = predictor.current.predict(as_batch(field_of(fixture)))[0]
        np.testing.assert_array_equal(np.asarray(fixture["raw"], dtype=np.float32), raw, err_msg=fixture["png"])
