"""Render MNIST digits the way people draw them on the app's canvas, alone or as a number (tests, benchmark).

A written number: every number gets its own height, each digit its own size and baseline
around it, and random gaps between the digits' ink, on the number pad's picture (black ink on
a transparent background, like the app's export).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from backend.core.preprocessing import NOISE_FLOOR


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


NUMBER_WIDTH, NUMBER_HEIGHT = 500, 200  # the number pad's exported picture (frontend: NUMBER_EXPORT)
MARGIN = 8
GAPS = (2, 30)  # pixels between neighbouring digits' ink
HEIGHTS = (50, 170)  # the number's height before it is fitted to the picture


@dataclass(frozen=True)
class WrittenNumber:
    """A composed number: the picture, the digits' labels and ink boxes, and each digit alone on the same picture."""

    picture: Image.Image
    labels: list[int]
    boxes: list[tuple[int, int, int, int]]  # (top, left, bottom, right) of each digit's ink
    alone: list[Image.Image]

    @property
    def text(self) -> str:
        return "".join(str(d) for d in self.labels)


def ink_box(alpha: np.ndarray) -> np.ndarray:
    """The alpha cut to its ink, faint edges (that the preprocessing drops) cleared first."""
    alpha = np.where(alpha >= NOISE_FLOOR * 255, alpha, 0).astype(np.uint8)
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    return alpha[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def mnist_glyph(image: np.ndarray, height: int) -> np.ndarray:
    """uint8 (28, 28) MNIST digit -> uint8 alpha of its ink, `height` pixels tall (aspect kept)."""
    ink = ink_box(image)
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    return ink_box(np.asarray(Image.fromarray(ink).resize((width, height), Image.Resampling.BILINEAR)))


def compose(
    glyphs: Sequence, labels: Sequence[int], rng: np.random.Generator, gaps=GAPS, smallest: int = 12
) -> WrittenNumber:
    """Glyph makers (height -> uint8 alpha) side by side: a random height, sizes, baselines and gaps.

    The height is chosen first, then lowered until the number fits the picture. No digit is
    asked to be less than `smallest` pixels tall: a number that still does not fit is written
    with its digits closer together, as a person runs out of room (ValueError if even that fails).
    """
    count = len(glyphs)
    height = int(rng.integers(*HEIGHTS))
    sizes = rng.uniform(0.85, 1.15, count)
    shifts = rng.uniform(-0.08, 0.08, count)
    spaces = rng.integers(gaps[0], gaps[1] + 1, count - 1)
    while True:
        drawn = [glyph(max(smallest, round(height * size))) for glyph, size in zip(glyphs, sizes, strict=True)]
        width = sum(g.shape[1] for g in drawn) + int(spaces.sum())
        tallest = max(g.shape[0] + abs(s) * height for g, s in zip(drawn, shifts, strict=True))
        fit = min((NUMBER_WIDTH - 2 * MARGIN) / width, (NUMBER_HEIGHT - 2 * MARGIN) / tallest)
        if fit >= 1:
            break
        if height * sizes.min() > smallest:
            height = int(height * min(0.97, fit))
        elif spaces.max() > gaps[0]:
            spaces = np.maximum(gaps[0], spaces - 1)
        else:
            raise ValueError(f"{count} digits at least {smallest} px tall do not fit the picture")
    left = int(rng.integers(MARGIN, NUMBER_WIDTH - MARGIN - width + 1))
    baseline = int(rng.integers(MARGIN + round(tallest), NUMBER_HEIGHT - MARGIN + 1))
    canvas = np.zeros((NUMBER_HEIGHT, NUMBER_WIDTH), dtype=np.uint8)
    boxes, alone = [], []
    for i, (glyph, shift) in enumerate(zip(drawn, shifts, strict=True)):
        bottom = int(
            np.clip(baseline + round(shift * height), glyph.shape[0] + MARGIN // 2, NUMBER_HEIGHT - MARGIN // 2)
        )
        top = bottom - glyph.shape[0]
        box = (top, left, bottom, left + glyph.shape[1])
        np.maximum(canvas[top:bottom, box[1] : box[3]], glyph, out=canvas[top:bottom, box[1] : box[3]])  # may touch
        single = np.zeros_like(canvas)
        single[top:bottom, box[1] : box[3]] = glyph
        boxes.append(box)
        alone.append(transparent_picture(single))
        left = box[3] + (int(spaces[i]) if i < count - 1 else 0)
    return WrittenNumber(transparent_picture(canvas), list(labels), boxes, alone)


def transparent_picture(alpha: np.ndarray) -> Image.Image:
    """Alpha -> black ink on a transparent RGBA picture, as the app exports it."""
    image = Image.new("RGBA", alpha.shape[::-1], (0, 0, 0, 0))
    image.putalpha(Image.fromarray(alpha))
    return image


def mnist_number(images: np.ndarray, labels: np.ndarray, count: int, rng: np.random.Generator) -> WrittenNumber:
    """A number of `count` random MNIST digits."""
    picks = rng.choice(len(images), count, replace=False)
    glyphs = [lambda h, image=images[i]: mnist_glyph(image, h) for i in picks]
    return compose(glyphs, [int(labels[i]) for i in picks], rng)
