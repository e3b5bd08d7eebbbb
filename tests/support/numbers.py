"""Written numbers of the validation writers' pen strokes, drawn by the canvas twin (see core/samples.py).

Drawn as the app's number pad exports them: the pen is exactly a 14th of the pad's height (the
export redraws the strokes at 500x200 with that width, whatever the screen), and no digit is
smaller than SMALLEST. With that pen a digit whose strokes are less than a fifth of the pad's
height is under three pen widths tall, its loops filled in: the digit pad's smallest digit (the
training mix's pen digits, SIZE_RANGE) is the same fifth of its side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backend.core.samples import NUMBER_HEIGHT, WrittenNumber, compose, ink_box
from backend.core.strokes import STROKE_WIDTH_RATIO, render_strokes
from backend.training.drawings import SIZE_RANGE, place, respace

PEN = STROKE_WIDTH_RATIO * NUMBER_HEIGHT  # the number pad's pen in its exported picture: 14.3 px
SMALLEST = round(SIZE_RANGE[0] * NUMBER_HEIGHT + PEN)  # a digit's ink height, pixels: 54


def pen_glyph(strokes: Sequence[np.ndarray], height: int, rng: np.random.Generator) -> np.ndarray:
    """Pen strokes -> uint8 alpha drawn by the canvas twin with the number pad's pen, about `height` pixels tall."""
    jittered = [respace(np.asarray(s, dtype=np.float64), rng) for s in strokes]
    # Drawn on a square as tall as the pad, so the pen is the pad's; the strokes' height leaves room for its width.
    placed = place(jittered, rng, height=max(0.05, (height - PEN) / NUMBER_HEIGHT))
    return ink_box(render_strokes(placed, size=NUMBER_HEIGHT, width_ratio=STROKE_WIDTH_RATIO))


def pen_number(pen_digits: Sequence, count: int, rng: np.random.Generator) -> WrittenNumber:
    """A number of `count` random pen digits (`PenDigit`s, e.g. the validation writers'), none under SMALLEST."""
    picks = [pen_digits[i] for i in rng.choice(len(pen_digits), count, replace=False)]
    glyphs = [lambda h, d=d: pen_glyph(d.strokes, h, rng) for d in picks]
    return compose(glyphs, [d.label for d in picks], rng, smallest=SMALLEST)
