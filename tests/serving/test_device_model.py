"""backend/serving/device.py: GET /model.onnx and /model.json, the model the browser runs for on-device answers."""

import hashlib
import shutil

import onnxruntime
import pytest

from backend.core.files import atomic_path
from backend.serving.app import create_app
from backend.serving.headers import API_POLICY
from backend.serving.predictor import Predictor


def test_the_onnx_file_is_the_one_the_served_card_vouches_for(client, predictor):
    response = client.get("/model.onnx")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    expected = predictor.current.card.export("onnx")["sha256"]
    assert hashlib.sha256(response.data).hexdigest() == expected
    assert response.headers["ETag"] == f'"{expected}"'
    assert response.headers["Cache-Control"] == "no-cache"  # revalidated, never stale
    assert response.headers["Content-Security-Policy"] == API_POLICY
    assert response.data == predictor.path.with_suffix(".onnx").read_bytes()
    session = onnxruntime.InferenceSession(response.data, providers=["CPUExecutionProvider"])
    assert [i.shape[1:] for i in session.get_inputs()] == [[28, 28, 1]]


def test_the_etag_spares_a_second_download(client):
    etag = client.get("/model.onnx").headers["ETag"]
    again = client.get("/model.onnx", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    stale = client.get("/model.onnx", headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and len(stale.data) > 100_000


def test_the_card_is_the_served_models_card(client):
    card = client.get("/model.json")
    assert card.status_code == 200 and card.mimetype == "application/json"
    assert card.json == client.get("/model").json  # the same card, at the URL a static build has too
    assert card.json["exports"]["onnx"]["sha256"] and "history" not in card.json
    assert card.headers["Cache-Control"] == "no-cache"
    assert client.get("/model.json", headers={"If-None-Match": card.headers["ETag"]}).status_code == 304


def test_the_routes_win_over_a_build_s_copy_of_the_shipped_model(tmp_path, predictor):
    # A static build carries model.onnx and model.json; Flask answers with the model it serves instead.
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "model.onnx").write_bytes(b"an older model")
    (tmp_path / "model.json").write_text('{"version": "old"}')
    client = create_app({"TESTING": True, "STATIC_DIR": str(tmp_path)}, predictor=predictor).test_client()
    assert client.get("/model.onnx").data == predictor.path.with_suffix(".onnx").read_bytes()
    assert client.get("/model.json").json["version"] == predictor.current.version


@pytest.fixture
def copied_model(tmp_path, predictor):
    """The served model (its .keras, .onnx and card) copied into tmp_path, loaded in its own predictor."""
    for suffix in (".keras", ".onnx", ".json"):
        shutil.copy(predictor.model_path.with_suffix(suffix), tmp_path / f"digit_cnn{suffix}")
    own = Predictor(tmp_path / "digit_cnn.keras", runtime="onnx")
    own.load()
    return own


def test_a_file_its_card_does_not_vouch_for_is_never_sent(copied_model):
    client = create_app({"TESTING": True}, predictor=copied_model).test_client()
    with atomic_path(copied_model.model_path.with_suffix(".onnx")) as tmp:  # replaced, its card not (yet)
        tmp.write_bytes(b"not the model the card describes")
    response = client.get("/model.onnx")
    assert response.status_code == 503 and response.json["error"]["code"] == "model_unavailable"
    assert response.headers["Retry-After"] == "5"


def test_a_model_without_an_onnx_export_has_none_to_send(copied_model):
    client = create_app({"TESTING": True}, predictor=copied_model).test_client()
    copied_model.model_path.with_suffix(".onnx").unlink()
    response = client.get("/model.onnx")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
