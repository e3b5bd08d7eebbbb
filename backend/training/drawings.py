"""Turn pen strokes into canvas drawings as people make them in the app, then into model inputs.

A pen digit is placed on the canvas at a random size (20-95% of the side) and position, its
points respaced as a browser would sample them, the pen width jittered around the app's, and
the picture drawn by the canvas twin and sent through `preprocess()`'s own steps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from backend.core.preprocessing import EmptyCanvas, ink_map, normalize
from backend.core.strokes import STROKE_WIDTH_RATIO, render_strokes

SIZE_RANGE = (0.20, 0.95)  # digit height as a fraction of the canvas side
WIDTH_JITTER = (0.8, 1.25)  # pen width relative to the app's (screens and zoom differ)


def to_input(strokes: Sequence[np.ndarray], width_ratio: float = STROKE_WIDTH_RATIO) -> np.ndarray:
    """Normalized strokes -> the float32 (28, 28) model input the server would compute.

    The same steps as `preprocess()` on the exported PNG (the PNG round trip is lossless).
    """
    alpha = render_strokes(strokes, width_ratio=width_ratio)
    rgba = Image.new("RGBA", alpha.shape[::-1], (0, 0, 0, 0))
    rgba.putalpha(Image.fromarray(alpha))
    return normalize(ink_map(rgba))


def catmull_rom(points: np.ndarray, per_segment: int) -> np.ndarray:
    """A smooth curve through `points`, `per_segment` samples between each pair (ends kept)."""
    if len(points) < 3 or per_segment <= 1:
        return points
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    pieces = []
    for p0, p1, p2, p3 in zip(padded[:-3], padded[1:-2], padded[2:-1], padded[3:], strict=False):
        pieces.append(
            0.5
            * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    return np.vstack([*pieces, points[-1:]])


def respace(stroke: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Resample a stroke the way pointer events might have: dense and smooth, sparse, or gappy.

    The tablet sampled every 100 ms; a browser sends a point every few milliseconds.
    """
    choice = rng.random()
    if choice < 0.6:
        return catmull_rom(stroke, int(rng.integers(3, 9)))
    if choice < 0.8 and len(stroke) > 4:
        keep = np.ones(len(stroke), dtype=bool)
        keep[1:-1] = rng.random(len(stroke) - 2) > 0.3
        return stroke[keep]
    return stroke


def place(
    strokes: Sequence[np.ndarray], rng: np.random.Generator, size_range=SIZE_RANGE, height=None
) -> list[np.ndarray]:
    """Strokes in any units (y down) -> normalized canvas strokes at a random size and position.

    The digit's height becomes `height` (or a random fraction in `size_range`) of the canvas,
    unless the digit would then overflow: a margin of one pen width is kept on every side, so
    heights are capped at 86% of the canvas. It lands anywhere it fits whole.
    """
    points = np.vstack(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    target = height if height is not None else rng.uniform(*size_range)
    margin = STROKE_WIDTH_RATIO
    scale = min(target / extent[1], (1 - 2 * margin) / extent[0], (1 - 2 * margin) / extent[1])
    box = extent * scale
    offset = np.array(
        [rng.uniform(margin, max(margin, 1 - margin - box[0])), rng.uniform(margin, max(margin, 1 - margin - box[1]))]
    )
    return [((s - low) * scale + offset).astype(np.float32) for s in strokes]


def draw_pen_digit(strokes: Sequence[np.ndarray], rng: np.random.Generator, height=None) -> np.ndarray | None:
    """One random rendition of a pen digit as a model input (None if nothing could be drawn)."""
    jittered = [respace(np.asarray(s, dtype=np.float64), rng) for s in strokes]
    placed = place(jittered, rng, height=height)
    placed = [s + (0.0015 * rng.standard_normal(s.shape)).astype(np.float32) for s in placed]  # tremor
    try:
        return to_input(placed, STROKE_WIDTH_RATIO * rng.uniform(*WIDTH_JITTER))
    except EmptyCanvas:
        return None


def digit_height(strokes: Sequence[np.ndarray]) -> float:
    """The height of normalized strokes' ink box, as a fraction of the canvas (pen width excluded)."""
    points = np.vstack(strokes)
    return float(points[:, 1].max() - points[:, 1].min())
