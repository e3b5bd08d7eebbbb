"""Draw strokes exactly as the app's canvas exports them: the Python twin of `frontend/src/strokes.ts`.

The browser's canvas is drawn by Skia, so this draws with Skia too (skia-python): the same
path (quadratic curves through the midpoints of successive points), round caps and joins,
width 1/14 of the side, black on transparent at 280x280, antialiased the same way. Training
data drawn here travels the same road as a user's drawing: picture -> preprocess() -> model.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence

import numpy as np
from PIL import Image

EXPORT_SIZE = 280  # frontend: EXPORT_SIZE
STROKE_WIDTH_RATIO = 1 / 14  # frontend: STROKE_WIDTH_RATIO

Stroke = np.ndarray  # (n, 2) float (x, y) in normalized canvas coordinates, 0..1, y down


def render_strokes(
    strokes: Sequence[Stroke], size: int = EXPORT_SIZE, width_ratio: float = STROKE_WIDTH_RATIO
) -> np.ndarray:
    """Strokes -> uint8 (size, size) alpha: the ink coverage of the exported canvas.

    Mirrors `renderStrokes()`: a one-point stroke is a filled dot of the pen's width; longer
    ones are moveTo(first), quadraticCurveTo(point, midpoint to the next) for every point but
    the first and the last, and lineTo(last).
    """
    import skia  # deferred: only training, tests and tools draw strokes

    width = size * width_ratio
    surface = skia.Surface(size, size)
    pen = skia.Paint(
        AntiAlias=True,
        Color=skia.ColorBLACK,
        Style=skia.Paint.kStroke_Style,
        StrokeWidth=width,
        StrokeCap=skia.Paint.kRound_Cap,
        StrokeJoin=skia.Paint.kRound_Join,
    )
    dot = skia.Paint(AntiAlias=True, Color=skia.ColorBLACK, Style=skia.Paint.kFill_Style)
    with surface as canvas:
        canvas.clear(skia.ColorTRANSPARENT)
        for stroke in strokes:
            points = np.asarray(stroke, dtype=np.float64) * size
            if len(points) == 0:
                continue
            if len(points) == 1:
                canvas.drawCircle(float(points[0, 0]), float(points[0, 1]), width / 2, dot)
                continue
            path = skia.Path()
            path.moveTo(*points[0])
            # As renderStrokes: from the second point on (not the first: that would add a straight piece to the
            # first midpoint and bend the start of a sparse stroke differently from the browser's).
            for point, after in itertools.pairwise(points[1:]):
                path.quadTo(*point, *((point + after) / 2))
            path.lineTo(*points[-1])
            canvas.drawPath(path, pen)
    return np.ascontiguousarray(surface.makeImageSnapshot().toarray()[..., 3])


def strokes_png(strokes: Sequence[Stroke], size: int = EXPORT_SIZE, width_ratio: float = STROKE_WIDTH_RATIO) -> bytes:
    """Strokes -> the PNG `canvas.toDataURL()` gives: RGBA, black ink, transparent background."""
    alpha = render_strokes(strokes, size, width_ratio)
    image = Image.new("RGBA", alpha.shape[::-1], (0, 0, 0, 0))
    image.putalpha(Image.fromarray(alpha))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
