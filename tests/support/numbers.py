"""Written numbers of the validation writers' pen strokes, drawn by the canvas twin (see core/samples.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backend.core.samples import NUMBER_HEIGHT, WrittenNumber, compose, ink_box
from backend.core.strokes import STROKE_WIDTH_RATIO, render_strokes
from backend.training.drawings import WIDTH_JITTER, place, respace


def pen_glyph(strokes: Sequence[np.ndarray], height: int, rng: np.random.Generator) -> np.ndarray:
    """Pen strokes -> uint8 alpha drawn by the canvas twin with the number pad's pen, about `height` pixels tall."""
    jittered = [respace(np.asarray(s, dtype=np.float64), rng) for s in strokes]
    pen = STROKE_WIDTH_RATIO * rng.uniform(*WIDTH_JITTER)
    # Drawn on a square as tall as the pad, so the pen is the pad's; the strokes' height leaves room for its width.
    placed = place(jittered, rng, height=max(0.05, (height - pen * NUMBER_HEIGHT) / NUMBER_HEIGHT))
    return ink_box(render_strokes(placed, size=NUMBER_HEIGHT, width_ratio=pen))


def pen_number(pen_digits: Sequence, count: int, rng: np.random.Generator) -> WrittenNumber:
    """A number of `count` random pen digits (`PenDigit`s, e.g. the validation writers')."""
    picks = [pen_digits[i] for i in rng.choice(len(pen_digits), count, replace=False)]
    glyphs = [lambda h, d=d: pen_glyph(d.strokes, h, rng) for d in picks]
    return compose(glyphs, [d.label for d in picks], rng)
