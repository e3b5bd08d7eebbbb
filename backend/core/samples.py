"""Render MNIST digits the way people draw them on the app's 280x280 canvas (tests, benchmark)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageFilter


def canvas_png(digit: np.ndarray, rng: np.random.Generator, size: int = 280) -> bytes:
    """uint8 (28, 28) MNIST digit -> PNG bytes of a 280x280 RGBA canvas drawing.

    Black ink on a transparent background (what `canvas.toDataURL()` gives), the digit
    upscaled to 35-85% of the canvas, strokes thickened to canvas-pen width, placed off-centre.
    """
    box = int(rng.uniform(0.35, 0.85) * size)
    big = Image.fromarray(digit).resize((box, box), Image.Resampling.BILINEAR)
    pen = int(rng.choice([3, 5, 7, 9]))  # thicken: a round pen is wider than MNIST's strokes
    big = big.filter(ImageFilter.MaxFilter(pen)).filter(ImageFilter.GaussianBlur(1))
    alpha = Image.new("L", (size, size), 0)
    left, top = (int(v) for v in rng.integers(0, size - box + 1, 2))
    alpha.paste(big, (left, top))
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    canvas.putalpha(alpha)  # RGB stays black: ink is wherever alpha is
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def mnist_png(digit: np.ndarray) -> bytes:
    """uint8 (28, 28) MNIST digit -> PNG bytes, as stored (white ink on black)."""
    buffer = io.BytesIO()
    Image.fromarray(digit).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
