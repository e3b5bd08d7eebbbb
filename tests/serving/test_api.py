"""backend/serving/api.py + app.py: /predict, /health, /model, errors, CORS, the UI."""

import base64
import gzip
import io
import json

import numpy as np
import pytest
from PIL import Image

from backend.core.preprocessing import preprocess
from backend.core.samples import canvas_png, data_url, mnist_png
from backend.serving.api import to_png
from backend.serving.app import create_app
from backend.serving.predictor import Predictor
from tests.support.images import png_claiming


def _predict(client, image):
    return client.post("/predict", json={"image": image})


def test_mnist_digits_as_data_urls_are_classified(client, mnist):
    _, (x_test, y_test) = mnist
    correct = 0
    for digit, label in zip(x_test[:200], y_test[:200], strict=False):
        response = _predict(client, data_url(mnist_png(digit)))
        assert response.status_code == 200
        correct += response.json["digit"] == label
    assert correct >= 198, f"{correct}/200"


def test_response_shape(client, mnist, predictor):
    _, (x_test, y_test) = mnist
    body = _predict(client, data_url(canvas_png(x_test[0], np.random.default_rng(1)))).json
    # the original five fields, then the verdict's three (added, never renamed)
    assert list(body) == ["digit", "confidence", "probabilities", "input", "model", "verdict", "reason", "alternatives"]
    assert body["digit"] == y_test[0]
    assert body["verdict"] == "digit" and body["alternatives"][0] == body["digit"] and len(body["alternatives"]) == 2
    assert isinstance(body["reason"], str) and body["reason"]
    assert len(body["probabilities"]) == 10 and abs(sum(body["probabilities"]) - 1) < 1e-4
    assert body["confidence"] == max(body["probabilities"]) == body["probabilities"][body["digit"]]
    assert body["model"] == predictor.current.version
    assert body["input"].startswith("data:image/png;base64,")
    seen = Image.open(io.BytesIO(base64.b64decode(body["input"].split(",", 1)[1])))
    assert seen.size == (28, 28) and seen.mode == "L"


def test_bare_base64_and_multipart_upload(client, mnist):
    _, (x_test, y_test) = mnist
    png = canvas_png(x_test[1], np.random.default_rng(2))
    assert _predict(client, base64.b64encode(png).decode()).json["digit"] == y_test[1]
    response = client.post(
        "/predict", data={"image": (io.BytesIO(png), "digit.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200 and response.json["digit"] == y_test[1]


def test_empty_canvas_is_422_and_never_a_guess(client):
    blank = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    buffer = io.BytesIO()
    blank.save(buffer, format="PNG")
    response = _predict(client, data_url(buffer.getvalue()))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "empty_canvas"
    assert "digit" not in response.json


def _bomb_png():
    return png_claiming(100_000, 100_000)


BAD_REQUESTS = [
    ("malformed JSON", dict(data="{not json", content_type="application/json"), 400, "invalid_json"),
    ("JSON without image", dict(json={"picture": "x"}), 400, "missing_image"),
    ("JSON that is a list", dict(json=["x"]), 400, "missing_image"),
    ("image is a number", dict(json={"image": 42}), 400, "invalid_image_field"),
    ("invalid base64", dict(json={"image": "data:image/png;base64,@@@!!"}), 400, "invalid_base64"),
    ("data URL not base64", dict(json={"image": "data:image/png,rawbytes"}), 400, "invalid_base64"),
    ("empty string", dict(json={"image": ""}), 400, "invalid_base64"),
    (
        "bytes that are not an image",
        dict(json={"image": base64.b64encode(b"hello world").decode()}),
        400,
        "invalid_image",
    ),
    ("truncated PNG", "truncated", 400, "invalid_image"),
    ("decompression bomb", "bomb", 413, "image_too_large"),
    (
        "multipart without the field",
        dict(data={"other": "1"}, content_type="multipart/form-data"),
        400,
        "missing_image",
    ),
    ("plain text body", dict(data="hello", content_type="text/plain"), 415, "unsupported_media_type"),
    (
        "body over the limit",
        dict(data=json.dumps({"image": "A" * (3 * 1024 * 1024)}), content_type="application/json"),
        413,
        "request_too_large",
    ),
]


@pytest.mark.parametrize(
    "kwargs, status, code", [case[1:] for case in BAD_REQUESTS], ids=[case[0] for case in BAD_REQUESTS]
)
def test_bad_input_gets_a_json_error_and_the_server_carries_on(client, mnist, kwargs, status, code):
    if kwargs == "truncated":
        kwargs = dict(json={"image": data_url(mnist_png(mnist[1][0][0])[:60])})
    elif kwargs == "bomb":
        kwargs = dict(json={"image": data_url(_bomb_png())})
    response = client.post("/predict", **kwargs)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert isinstance(response.json["error"]["message"], str) and response.json["error"]["message"]
    # ...and the next good request is answered correctly.
    _, (x_test, y_test) = mnist
    assert _predict(client, data_url(mnist_png(x_test[3]))).json["digit"] == y_test[3]


def test_wrong_method_and_unknown_path_are_json(client):
    response = client.get("/predict")
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]
    for path in ("/nope", "/api/v2/predict", "/missing.js"):
        response = client.get(path)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_health_and_model_card(client, predictor):
    assert client.get("/health").json == {"status": "ok", "model": predictor.current.version}
    card = client.get("/model").json
    assert card["version"] == predictor.current.version
    assert card["test_accuracy"] > 0.99 and card["params"] > 0 and "trained_at" in card


def test_health_is_503_until_a_model_loads(tmp_path):
    app = create_app({"TESTING": True}, predictor=Predictor(tmp_path / "absent.keras"))
    client = app.test_client()
    assert client.get("/health").status_code == 503
    one = np.zeros((28, 28), np.uint8)
    one[4:24, 12:16] = 255
    response = client.post("/predict", json={"image": data_url(mnist_png(one))})
    assert response.status_code == 503 and response.json["error"]["code"] == "model_unavailable"


def test_cors_allows_the_configured_origins_only(predictor):
    app = create_app({"TESTING": True, "CORS_ORIGINS": ["http://localhost:5173"]}, predictor=predictor)
    client = app.test_client()
    allowed = client.options(
        "/predict", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"}
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"
    refused = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_the_built_ui_is_served_at_the_root(tmp_path, predictor):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Digits</title>")
    (tmp_path / "assets" / "app.js").write_text("console.log('hi')")
    client = create_app({"TESTING": True, "STATIC_DIR": str(tmp_path)}, predictor=predictor).test_client()
    assert b"<title>Digits</title>" in client.get("/").data
    assert client.get("/assets/app.js").data == b"console.log('hi')"
    assert client.get("/assets/none.js").json["error"]["code"] == "not_found"

    missing = create_app({"TESTING": True, "STATIC_DIR": str(tmp_path / "nothing")}, predictor=predictor).test_client()
    assert missing.get("/").json["error"]["code"] == "ui_not_built"


def test_precompressed_files_go_out_gzipped_to_clients_that_accept_it(predictor, tmp_path):
    """The build writes NAME.gz beside big files (ONNX Runtime's .wasm): sent when the client takes gzip."""
    (tmp_path / "assets").mkdir()
    wasm = bytes(range(256)) * 400
    (tmp_path / "assets" / "ort.wasm").write_bytes(wasm)
    (tmp_path / "assets" / "ort.wasm.gz").write_bytes(gzip.compress(wasm))
    (tmp_path / "assets" / "plain.js").write_text("console.log('hi')")
    client = create_app({"TESTING": True, "STATIC_DIR": str(tmp_path)}, predictor=predictor).test_client()

    packed = client.get("/assets/ort.wasm", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.mimetype == "application/wasm"
    assert gzip.decompress(packed.data) == wasm and len(packed.data) < len(wasm) / 10
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"  # still a hashed asset

    for refused in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        plain = client.get("/assets/ort.wasm", headers=refused)
        assert plain.data == wasm and "Content-Encoding" not in plain.headers, refused
        assert "Accept-Encoding" in plain.headers["Vary"]
    assert packed.headers["ETag"] != plain.headers["ETag"]  # two encodings, two entities for caches

    no_copy = client.get("/assets/plain.js", headers={"Accept-Encoding": "gzip"})
    assert no_copy.data == b"console.log('hi')" and "Content-Encoding" not in no_copy.headers
    assert client.get("/assets/ort.wasm.gz/x.js").json["error"]["code"] == "not_found"


def test_to_png_round_trips_the_field(mnist):
    _, (x_test, _) = mnist
    field = preprocess(mnist_png(x_test[0]))
    decoded = np.asarray(Image.open(io.BytesIO(to_png(field))), dtype=np.float32) / 255
    assert decoded.shape == (28, 28) and np.abs(decoded - field).max() <= 0.5 / 255 + 1e-6


def test_413_messages_name_the_limit_that_was_hit(predictor):
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 50_000, "MAX_FORM_PARTS": 20}, predictor=predictor)
    client = app.test_client()
    body = json.dumps({"image": "A" * 60_000}).encode()
    declared = client.post("/predict", data=body, content_type="application/json")
    chunked = client.post(
        "/predict",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    upload = client.post("/predict", data={"image": (io.BytesIO(bytes(60_000)), "a.png")})
    for response in (declared, chunked, upload):
        assert response.status_code == 413 and response.json["error"]["code"] == "request_too_large"
        assert "50,000 bytes" in response.json["error"]["message"]
    parts = client.post("/predict", data={f"f{i}": "x" for i in range(21)}, content_type="multipart/form-data")
    assert parts.status_code == 413 and parts.json["error"]["code"] == "request_too_large"
    assert "20 parts" in parts.json["error"]["message"] and "bytes" not in parts.json["error"]["message"]
    field = client.post("/predict", data={"note": "x" * 40_000, "image": (io.BytesIO(png_claiming(10, 10)), "a.png")})
    assert field.status_code != 413  # a large text field within the body limit is no separate limit


def test_deeply_nested_json_is_invalid_json_not_a_server_error(client):
    for depth in (981, 10_000):
        response = client.post("/predict", data="[" * depth + "]" * depth, content_type="application/json")
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
