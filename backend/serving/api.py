"""The HTTP API: POST /predict, GET /health, GET /model."""

from __future__ import annotations

import base64
import binascii
import io
import json

import numpy as np
from flask import Blueprint, current_app, g, jsonify, request
from PIL import Image
from werkzeug.exceptions import RequestEntityTooLarge

from backend.core.confidence import judge
from backend.core.explanation import METHOD
from backend.core.preprocessing import prepare
from backend.serving import explain, metrics
from backend.serving.errors import APIError
from backend.serving.predictor import Predictor

bp = Blueprint("api", __name__)


def request_body() -> bytes:
    """The whole request body, or 413 when it is over MAX_CONTENT_LENGTH.

    With a Content-Length, werkzeug refuses a body over the limit up front. Without one
    (chunked), it stops reading at the limit without a word, which would hand a truncated
    body on; one more byte on the wire means the body was too large.
    """
    data = request.get_data(cache=True)
    limit = request.max_content_length
    unbounded = request.content_length is None and limit is not None and len(data) >= limit
    if unbounded and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return data


def json_body():
    """The parsed JSON body (parsed once per request); 400 invalid_json for bytes that are not JSON (or too deep)."""
    if "json_body" in g:
        return g.json_body
    try:
        g.json_body = json.loads(request_body())
    except (ValueError, RecursionError):  # RecursionError: ~1,000 nested arrays or objects
        raise APIError(400, "invalid_json", "The request body is not valid JSON.") from None
    return g.json_body


def image_bytes_from_request() -> bytes:
    """The uploaded image's bytes: JSON `{"image": data URL or base64}` or a multipart file `image`."""
    if request.mimetype == "application/json":
        body = json_body()
        if not isinstance(body, dict) or "image" not in body:
            raise APIError(400, "missing_image", 'Send JSON like {"image": "data:image/png;base64,..."}.')
        if not isinstance(body["image"], str):
            raise APIError(400, "invalid_image_field", '"image" must be a string: a data URL or base64.')
        return decode_base64_image(body["image"])
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("image")
        if upload is None:
            raise APIError(400, "missing_image", 'Send the picture as a file field named "image".')
        return upload.read()
    raise APIError(415, "unsupported_media_type", "Send application/json or multipart/form-data.")


def decode_base64_image(text: str) -> bytes:
    """`data:image/...;base64,XXXX` or bare base64 -> bytes; raises APIError on bad base64."""
    text = text.strip()
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if not header.endswith(";base64"):
            raise APIError(400, "invalid_base64", "The data URL must be base64-encoded (data:image/png;base64,...).")
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise APIError(400, "invalid_base64", '"image" is not valid base64.') from None
    if not data:
        raise APIError(400, "invalid_base64", '"image" is empty.')
    return data


EXPLAIN_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def explain_requested() -> bool:
    """Whether the request asks why (`"explain": true` in JSON, `explain=true` in a form); 400 for other values."""
    if request.mimetype == "application/json":
        body = json_body()
        value = body.get("explain", False) if isinstance(body, dict) else False
        if not isinstance(value, bool):
            raise APIError(400, "invalid_explain_field", '"explain" must be true or false.')
        return value
    value = request.form.get("explain", "false") if request.mimetype == "multipart/form-data" else "false"
    if value.strip().lower() not in EXPLAIN_VALUES:
        raise APIError(400, "invalid_explain_field", '"explain" must be true or false.')
    return EXPLAIN_VALUES[value.strip().lower()]


def explanation_json(heatmap: bytes) -> dict:
    """The `explanation` of an answer: how it was made, and the heatmap PNG to lay over the picture."""
    return {"method": METHOD, "heatmap": png_data_url(heatmap)}


def get_predictor() -> Predictor:
    """The app's predictor (the model behind every answer), as flaskr's `get_db()` gives the database."""
    return current_app.extensions["predictor"]


@bp.post("/predict")
def predict():
    data = image_bytes_from_request()
    wants_why = explain_requested()
    config = current_app.config
    prepared = prepare(data, config["MAX_IMAGE_PIXELS"], config["MAX_FULL_DECODE_PIXELS"])
    calibrated, model = get_predictor().predict(prepared.field)
    digit = int(calibrated.argmax())
    verdict = judge(calibrated, model.card.thresholds, prepared.extent, prepared.aspect)
    metrics.PREDICTIONS.labels(digit=str(digit), verdict=verdict.verdict).inc()
    body = dict(
        digit=digit,
        confidence=float(calibrated[digit]),
        probabilities=[float(p) for p in calibrated],
        input=png_data_url(to_png(prepared.field)),
        model=model.version,
        verdict=verdict.verdict,
        reason=verdict.reason,
        alternatives=verdict.alternatives,
    )
    if wants_why:  # only when asked: the answer's fields stay as they were
        limits = config["MAX_IMAGE_PIXELS"], config["MAX_FULL_DECODE_PIXELS"]
        body["explanation"] = explanation_json(explain.digit_heatmap(data, digit, get_predictor(), *limits))
    return jsonify(body)


@bp.get("/health")
def health():
    """200 ok; 200 degraded (a replacement model was rejected, the loaded one serves); 503 loading or error."""
    predictor = get_predictor()
    status, error = predictor.status, predictor.error
    if status in ("loading", "error"):
        return jsonify(status=status, detail=error), 503
    body = {"status": status, "model": predictor.current.version}
    if status == "degraded":
        body["detail"] = error
    return jsonify(body)


@bp.get("/model")
def model_card():
    card = get_predictor().current.card
    return jsonify(card.to_dict(history=False))


def to_png(field: np.ndarray) -> bytes:
    """float (28, 28) in [0, 1] -> PNG bytes (8-bit grayscale), to show what the model saw."""
    buffer = io.BytesIO()
    Image.fromarray(np.round(field * 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_url(png: bytes) -> str:
    """PNG bytes -> `data:image/png;base64,...`."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
