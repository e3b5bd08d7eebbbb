"""Drawings as the app sends them to POST /feedback: strokes, the canvas, the PNG, what the model said."""

from __future__ import annotations

import numpy as np

from backend.core.drawing_store import NewDrawing
from backend.core.samples import data_url
from backend.core.strokes import strokes_png

SEVEN = [[[0.24, 0.2], [0.5, 0.2], [0.76, 0.2]], [[0.76, 0.2], [0.6, 0.5], [0.45, 0.86]]]
ONE = [[[0.52, 0.14], [0.51, 0.5], [0.5, 0.86]]]


def probabilities(top: int, confidence: float = 0.9) -> list[float]:
    """Ten probabilities adding up to 1, `top` the likeliest."""
    rest = (1 - confidence) / 9
    return [confidence if digit == top else rest for digit in range(10)]


def feedback_body(strokes=SEVEN, predicted: int = 1, label: int | None = 7, **fields) -> dict:
    """A POST /feedback body: by default, a 7 the model read as a 1, corrected to 7."""
    body = {
        "strokes": strokes,
        "canvas": {"width": 320, "height": 320},
        "image": data_url(strokes_png([np.asarray(s) for s in strokes])),
        "predicted": predicted,
        "probabilities": probabilities(predicted),
        "model": "cnn-test",
        "label": label,
    }
    body.update(fields)
    return body


def new_drawing(strokes=SEVEN, predicted: int = 1, label: int | None = 7, shared: bool = False, **fields) -> NewDrawing:
    """A drawing ready for DrawingStore.add."""
    values = dict(
        strokes=strokes,
        canvas_width=320,
        canvas_height=320,
        png=strokes_png([np.asarray(s) for s in strokes]),
        predicted=predicted,
        probabilities=probabilities(predicted),
        model="cnn-test",
        label=label,
        shared=shared,
    )
    values.update(fields)
    return NewDrawing(**values)


def feedback_app(predictor, database_url: str, tmp_path, **config):
    """The app on its own database, with a stand-in built UI (for /d/<id>) and settings overridden."""
    from backend.serving.app import create_app

    dist = tmp_path / "dist"
    dist.mkdir(exist_ok=True)
    (dist / "index.html").write_text("<!doctype html><title>Digit recognizer</title>")
    settings = {"TESTING": True, "DATABASE_URL": database_url, "STATIC_DIR": str(dist), **config}
    return create_app(settings, predictor=predictor)
