"""Check a POST /feedback body field by field; anything off is a 400 (or 413) naming the field, never a crash."""

from __future__ import annotations

import io
import math

from flask import current_app
from PIL import Image, UnidentifiedImageError

from backend.core import contract
from backend.core.drawing_store import NewDrawing
from backend.serving.api import decode_base64_image
from backend.serving.errors import APIError

FIELDS = {"strokes", "canvas", "image", "predicted", "probabilities", "model", "label", "share"}
REQUIRED = FIELDS - {"label", "share"}
MAX_CANVAS_SIDE = 10_000  # CSS pixels of the drawing area
MAX_IMAGE_SIDE = 2_048  # the app sends 280x280
MAX_MODEL_CHARS = 64
PROBABILITY_SUM_TOLERANCE = 0.01
EXAMPLE = (
    '{"strokes": [[[0.5, 0.1], [0.5, 0.9]]], "canvas": {"width": 320, "height": 320}, '
    '"image": "data:image/png;base64,...", "predicted": 1, "probabilities": [...ten...], '
    '"model": "cnn-...", "label": 7}'
)


def invalid(message: str) -> APIError:
    return APIError(400, "invalid_feedback", message)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def digit(body: dict, name: str) -> int | None:
    value = body.get(name)
    if value is None and name == "label":
        return None
    if not is_int(value) or not 0 <= value <= 9:
        allowed = "an integer from 0 to 9, or null" if name == "label" else "an integer from 0 to 9"
        raise invalid(f'"{name}" must be {allowed}.')
    return value


def strokes_of(value) -> list[list[list[float]]]:
    """`[[[x, y], ...], ...]`, every coordinate a number in [0, 1]; within the stroke and point caps."""
    config = current_app.config
    max_strokes, max_points = config["FEEDBACK_MAX_STROKES"], config["FEEDBACK_MAX_POINTS"]
    shape = '"strokes" must be a list of strokes, each a list of [x, y] points with x and y from 0 to 1'
    if not isinstance(value, list) or not value:
        raise invalid(shape + " (at least one stroke).")
    if len(value) > max_strokes:
        raise APIError(413, "drawing_too_large", f"The drawing has more than {max_strokes:,} strokes.")
    if sum(len(stroke) if isinstance(stroke, list) else 0 for stroke in value) > max_points:
        raise APIError(413, "drawing_too_large", f"The drawing has more than {max_points:,} points.")
    strokes = []
    for stroke in value:
        if not isinstance(stroke, list) or not stroke:
            raise invalid(shape + " (a stroke is empty or not a list).")
        points = []
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2 and all(is_number(c) and 0 <= c <= 1 for c in point)):
                raise invalid(shape + f" (found {str(point)[:40]}).")
            points.append([float(point[0]), float(point[1])])
        strokes.append(points)
    return strokes


def canvas_of(value) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != {"width", "height"}:
        raise invalid('"canvas" must be {"width": ..., "height": ...}: the drawing area in CSS pixels.')
    if not all(is_int(value[side]) and 1 <= value[side] <= MAX_CANVAS_SIDE for side in ("width", "height")):
        raise invalid(f'"canvas" width and height must be integers from 1 to {MAX_CANVAS_SIDE:,}.')
    return value["width"], value["height"]


def png_of(value) -> bytes:
    """A PNG as a data URL or base64, no larger than FEEDBACK_MAX_IMAGE_BYTES or MAX_IMAGE_SIDE a side."""
    if not isinstance(value, str):
        raise APIError(400, "invalid_image_field", '"image" must be a string: a PNG data URL or base64.')
    data = decode_base64_image(value)
    limit = current_app.config["FEEDBACK_MAX_IMAGE_BYTES"]
    if len(data) > limit:
        raise APIError(413, "image_too_large", f'"image" is larger than {limit:,} bytes.')
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise APIError(400, "invalid_image", f'"image" must be a PNG, not {image.format}.')
            if max(image.size) > MAX_IMAGE_SIDE:
                raise APIError(413, "image_too_large", f'"image" is larger than {MAX_IMAGE_SIDE} pixels a side.')
            image.verify()  # chunk checksums, without decoding the pixels
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise APIError(400, "invalid_image", '"image" is not a readable PNG.') from None
    return data


def probabilities_of(value) -> list[float]:
    if not (
        isinstance(value, list)
        and len(value) == contract.NUM_CLASSES
        and all(is_number(p) and 0 <= p <= 1 for p in value)
        and abs(sum(value) - 1) <= PROBABILITY_SUM_TOLERANCE
    ):
        raise invalid('"probabilities" must be ten numbers from 0 to 1 that add up to 1, as /predict answered.')
    return [float(p) for p in value]


def model_of(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_MODEL_CHARS or not value.isprintable():
        raise invalid(f'"model" must be the model version /predict answered (1 to {MAX_MODEL_CHARS} characters).')
    return value


def new_drawing(body) -> NewDrawing:
    """A checked drawing from the parsed JSON body."""
    if not isinstance(body, dict):
        raise invalid(f"Send a JSON object like {EXAMPLE}.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise invalid(f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(FIELDS))}.")
    missing = sorted(REQUIRED - set(body))
    if missing:
        raise invalid(f"Missing field(s): {', '.join(missing)}. Send a JSON object like {EXAMPLE}.")
    label = digit(body, "label")
    share = body.get("share", label is None)
    if not isinstance(share, bool):
        raise invalid('"share" must be true or false.')
    if label is None and not share:
        raise invalid('Nothing to store: send a "label" (a correction), or "share": true to save the drawing.')
    width, height = canvas_of(body["canvas"])
    return NewDrawing(
        strokes=strokes_of(body["strokes"]),
        canvas_width=width,
        canvas_height=height,
        png=png_of(body["image"]),
        predicted=digit(body, "predicted"),
        probabilities=probabilities_of(body["probabilities"]),
        model=model_of(body["model"]),
        label=label,
        shared=share,
    )
