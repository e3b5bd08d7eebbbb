"""The HTTP API: POST /predict, GET /health, GET /model."""

from __future__ import annotations

import base64
import binascii
import io

import numpy as np
from flask import Blueprint, current_app, jsonify, request
from PIL import Image

from backend.core.confidence import apply_temperature, judge
from backend.core.preprocessing import prepare
from backend.serving.errors import APIError
from backend.serving.predictor import Predictor

bp = Blueprint("api", __name__)


def image_bytes_from_request() -> bytes:
    """The uploaded image's bytes: JSON `{"image": data URL or base64}` or a multipart file `image`."""
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if body is None:
            raise APIError(400, "invalid_json", "The request body is not valid JSON.")
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


def get_predictor() -> Predictor:
    """The app's predictor (the model behind every answer), as flaskr's `get_db()` gives the database."""
    return current_app.extensions["predictor"]


@bp.post("/predict")
def predict():
    data = image_bytes_from_request()
    prepared = prepare(data, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    probabilities, model = get_predictor().predict(prepared.field)
    calibrated = apply_temperature(probabilities, model.card.temperature)
    digit = int(calibrated.argmax())
    verdict = judge(calibrated, model.card.thresholds, prepared.extent, prepared.aspect)
    return jsonify(
        digit=digit,
        confidence=float(calibrated[digit]),
        probabilities=[float(p) for p in calibrated],
        input=png_data_url(to_png(prepared.field)),
        model=model.version,
        verdict=verdict.verdict,
        reason=verdict.reason,
        alternatives=verdict.alternatives,
    )


@bp.get("/health")
def health():
    predictor = get_predictor()
    if not predictor.ready:
        body = {"status": "loading" if predictor.error is None else "error", "detail": predictor.error}
        return jsonify(body), 503
    return jsonify(status="ok", model=predictor.current.version)


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
