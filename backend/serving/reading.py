"""POST /read-number: a whole number read from a picture, digit by digit, each with its box."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from backend.core.numbers import TooManyDigits, box_in_picture, judge_digit, read_digits
from backend.core.preprocessing import decode, ink_map
from backend.serving import explain, metrics
from backend.serving.api import explain_requested, explanation_json, get_predictor, image_bytes_from_request
from backend.serving.errors import APIError

bp = Blueprint("reading", __name__)

# More separate marks than this is a page of writing or a noisy photo, not a number: refused
# rather than read (every digit costs a model input, and an explanation twenty more).
MAX_DIGITS = 30


@bp.post("/read-number")
def read_number():
    data = image_bytes_from_request()
    wants_why = explain_requested()
    config = current_app.config
    picture = decode(data, config["MAX_IMAGE_PIXELS"], config["MAX_FULL_DECODE_PIXELS"])
    ink = ink_map(picture)
    predictor = get_predictor()
    answered = []  # the model that read the digits (one call: one model, even during a swap)

    def predict(fields):
        probabilities, model = predictor.predict_batch(fields)
        answered.append(model)
        return probabilities

    try:
        digits = read_digits(ink, predict, limit=MAX_DIGITS)
    except TooManyDigits as error:
        raise APIError(422, error.code, str(error)) from None
    model = answered[0]
    scale = (picture.width / ink.shape[1], picture.height / ink.shape[0])
    line = max(d.segment.height for d in digits)
    answers = []
    for d in digits:
        verdict = judge_digit(d.probabilities, model.card.thresholds, d.segment, line)
        metrics.PREDICTIONS.labels(digit=str(d.digit), verdict=verdict.verdict).inc()
        x, y, width, height = box_in_picture(d.segment, scale)
        answers.append(
            {
                "box": {"x": x, "y": y, "width": width, "height": height},
                "digit": d.digit,
                "confidence": float(d.probabilities[d.digit]),
                "probabilities": [float(p) for p in d.probabilities],
                "verdict": verdict.verdict,
                "reason": verdict.reason,
                "alternatives": verdict.alternatives,
            }
        )
    body = {
        "number": "".join(str(d.digit) for d in digits),
        "digits": answers,
        "width": picture.width,
        "height": picture.height,
        "model": model.version,
    }
    if wants_why:
        body["explanation"] = explanation_json(
            explain.heatmap_png(explain.number_heat(ink, digits, predictor), ink, picture)
        )
    return jsonify(body)
