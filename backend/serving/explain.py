"""The "why" of an answer: occlusion heatmaps (backend/core/explanation.py) of the digits read in a picture."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

from backend.core import explanation
from backend.core.numbers import ReadDigit
from backend.core.preprocessing import decode, ink_map, normalize_placed
from backend.serving.predictor import Predictor


def model_of(predictor: Predictor) -> Callable[[np.ndarray], np.ndarray]:
    """The predictor as a plain function: a batch of fields -> calibrated probabilities."""
    return lambda fields: predictor.predict_batch(fields)[0]


def digit_heat(ink: np.ndarray, digit: int, predictor: Predictor) -> np.ndarray:
    """Heat on the ink map: why the drawing reads as `digit`."""
    field, placement = normalize_placed(ink)
    (heat,) = explanation.explain(field[None], [digit], model_of(predictor))
    return explanation.picture_heat(ink.shape, [(heat, placement, ink, (0, 0))])


def number_heat(ink: np.ndarray, digits: Sequence[ReadDigit], predictor: Predictor) -> np.ndarray:
    """Heat on the ink map for every digit of a number (each scaled to its own peak); one batch for all."""
    fields = np.asarray([d.field for d in digits])
    heats = explanation.explain(fields, [d.digit for d in digits], model_of(predictor))
    parts = [(h, d.placement, d.segment.ink, d.segment.box[:2]) for h, d in zip(heats, digits, strict=True)]
    return explanation.picture_heat(ink.shape, parts)


def heatmap_png(heat: np.ndarray, ink: np.ndarray, picture: Image.Image) -> bytes:
    """The heatmap as a PNG as large as the picture; as large as the ink map (same proportions) when the picture
    was shrunk to be read (see preprocessing.WORKING_SIZE): a heatmap need not be megapixels."""
    shrunk = max(picture.size) > max(ink.shape)
    return explanation.heatmap_png(heat, ink, None if shrunk else picture.size)


def digit_heatmap(data: bytes, digit: int, predictor: Predictor, max_pixels: int, max_full_decode_pixels: int) -> bytes:
    """The heatmap PNG of why the picture `data` reads as `digit` (the /predict answer)."""
    picture = decode(data, max_pixels, max_full_decode_pixels)
    ink = ink_map(picture)
    return heatmap_png(digit_heat(ink, digit, predictor), ink, picture)
