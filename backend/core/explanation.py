"""Why the model chose its digit: occlusion sensitivity, mapped back onto the drawing.

Each cell of a grid laid over the digit's 28x28 field has its ink wiped out, and the model
reads every wiped copy in one batch (any runtime will do: only probabilities are needed).
The more the chosen digit's log-odds fall without a cell, the more that cell's ink made the
decision: a cell's heat is its fall per unit of ink wiped, smoothed across the cells' borders.
Wiping blank paper changes nothing, so only ink can carry heat: the field's heat is carried
back through the preprocessing's placement onto the ink of the drawing itself, each ink pixel
taking the heat of where it went in the field. The overlay colours the strokes by it: blue
where they mattered little, yellow, red where they decided.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from backend.core.preprocessing import Placement

CELL = 4  # field pixels: about a fifth of a digit's 20-pixel box
STRIDE = 4
SMOOTHING = 1.0  # field pixels: the Gaussian that hides the seams between cells
MIN_CELL_INK = 0.5  # a cell with less ink than half a full pixel is not wiped (nothing to learn from it)
METHOD = "occlusion"

# The overlay's colours, from no heat to the most: blue, yellow, red.
_RAMP = np.array([[59, 130, 246], [250, 204, 21], [220, 38, 38]], dtype=np.float32)
_STEPS = 16  # levels of heat, and of ink (the strokes' antialiased edges), in the overlay's palette


@dataclass(frozen=True)
class Occlusion:
    """The cells wiped out of one field, and the wiped copies for the model to read."""

    cells: list[tuple[int, int]]  # (row, column) of each cell's top-left corner
    fields: np.ndarray  # float32 (len(cells), 28, 28)


def occlude(field: np.ndarray) -> Occlusion:
    """The field's copies, each with one inked cell of the grid wiped out."""
    rows, cols = np.flatnonzero(field.any(axis=1)), np.flatnonzero(field.any(axis=0))
    cells, copies = [], []
    if len(rows):
        for r in range(int(rows[0]), int(rows[-1]) + 1, STRIDE):
            for c in range(int(cols[0]), int(cols[-1]) + 1, STRIDE):
                if field[r : r + CELL, c : c + CELL].sum() < MIN_CELL_INK:
                    continue
                copy = field.copy()
                copy[r : r + CELL, c : c + CELL] = 0.0
                cells.append((r, c))
                copies.append(copy)
    shape = (len(copies), *field.shape)
    return Occlusion(cells, np.asarray(copies, dtype=np.float32).reshape(shape))


def log_odds(probabilities: np.ndarray, digit: int) -> np.ndarray:
    """log(p / (1 - p)) of `digit` for each row, with 1 - p summed from the other classes (exact near p = 1)."""
    probabilities = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))
    others = np.delete(probabilities, digit, axis=1).sum(axis=1)
    return np.log(np.maximum(probabilities[:, digit], 1e-300)) - np.log(np.maximum(others, 1e-300))


def field_heat(
    field: np.ndarray, occlusion: Occlusion, digit: int, before: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """float (28, 28) heat >= 0: the fall of `digit`'s log-odds per unit of ink wiped, around the field's ink.

    `before`: the field's probabilities; `after`: those of the wiped copies, row for row. The
    cells' values are smoothed (a Gaussian of SMOOTHING pixels), so the heat has no seams where
    cells meet; blank paper far from the ink keeps none.
    """
    falls = np.maximum(0.0, log_odds(before, digit)[0] - log_odds(after, digit)) if len(occlusion.cells) else []
    total = np.zeros(field.shape, dtype=np.float64)
    covers = np.zeros(field.shape, dtype=np.float64)
    for (r, c), fall in zip(occlusion.cells, falls, strict=True):
        ink = float(field[r : r + CELL, c : c + CELL].sum())
        total[r : r + CELL, c : c + CELL] += fall / ink
        covers[r : r + CELL, c : c + CELL] += 1
    heat = np.divide(total, covers, out=np.zeros_like(total), where=covers > 0)
    return ndimage.gaussian_filter(heat, sigma=SMOOTHING, mode="constant")


def explain(fields: np.ndarray, digits: list[int], predict: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
    """The field heat of each field for its digit; every field and wiped copy goes to `predict` in one batch.

    `predict`: float32 (N, 28, 28) -> (N, 10) probabilities.
    """
    fields = np.asarray(fields, dtype=np.float32).reshape(-1, *np.shape(fields)[-2:])
    occlusions = [occlude(field) for field in fields]
    batch = np.concatenate([fields, *(o.fields for o in occlusions)])
    probabilities = np.asarray(predict(batch))
    heats, start = [], len(fields)
    for i, (field, occlusion) in enumerate(zip(fields, occlusions, strict=True)):
        after = probabilities[start : start + len(occlusion.cells)]
        start += len(occlusion.cells)
        heats.append(field_heat(field, occlusion, digits[i], probabilities[i : i + 1], after))
    return heats


def to_drawing(heat: np.ndarray, placement: Placement, ink: np.ndarray) -> np.ndarray:
    """Field heat -> heat on `ink` (the ink map the field was normalized from), same shape as `ink`.

    Each ink pixel takes the heat at the point of the field it was resized into (interpolated
    between field pixels); blank paper takes none.
    """
    top, left, bottom, right = placement.crop
    (fit_h, fit_w), (row, col) = placement.size, placement.offset
    rows = row + (np.arange(bottom - top) + 0.5) * fit_h / (bottom - top) - 0.5
    cols = col + (np.arange(right - left) + 0.5) * fit_w / (right - left) - 0.5
    grid = np.meshgrid(rows, cols, indexing="ij")
    drawing = np.zeros(ink.shape, dtype=np.float32)
    inked = ink[top:bottom, left:right] > 0
    drawing[top:bottom, left:right] = np.where(inked, ndimage.map_coordinates(heat, grid, order=1), 0.0)
    return drawing


def picture_heat(shape: tuple[int, int], parts) -> np.ndarray:
    """The heat of every digit of a drawing on one map of `shape` (the ink map's), each digit scaled to its own
    peak (1).

    `parts`: (field heat, placement, ink, (top, left)) per digit: the ink its field was made of,
    and where that ink lies in the drawing.
    """
    heat = np.zeros(shape, dtype=np.float32)
    for digit_heat, placement, ink, (top, left) in parts:
        drawn = to_drawing(digit_heat, placement, ink)
        peak = float(drawn.max())
        if peak > 0:
            region = heat[top : top + ink.shape[0], left : left + ink.shape[1]]
            np.maximum(region, drawn / peak, out=region)
    return heat


def overlay(picture: Image.Image, heat: np.ndarray, ink: np.ndarray) -> Image.Image:
    """The drawing on white with the heatmap laid over it (what the CLI writes with --explain)."""
    base = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    base.alpha_composite(picture.convert("RGBA"))
    base.alpha_composite(Image.open(io.BytesIO(heatmap_png(heat, ink, picture.size))).convert("RGBA"))
    return base.convert("RGB")


def _palette() -> np.ndarray:
    """uint8 (256, 4): the overlay's RGBA for palette index `heat step * 16 + ink step`."""
    level = np.repeat(np.linspace(0.0, 1.0, _STEPS, dtype=np.float32), _STEPS)
    position = level * (len(_RAMP) - 1)
    low = np.minimum(position.astype(int), len(_RAMP) - 2)
    mix = (position - low)[:, None]
    rgb = _RAMP[low] * (1 - mix) + _RAMP[low + 1] * mix
    alpha = np.tile(np.linspace(0.0, 255.0, _STEPS), _STEPS)  # the ink's own coverage: the strokes' shape
    return np.column_stack([rgb, alpha]).round().astype(np.uint8)


_PALETTE = _palette()


def heatmap_png(heat: np.ndarray, ink: np.ndarray, size: tuple[int, int] | None = None) -> bytes:
    """Heat (H, W) >= 0 on the ink map `ink` -> a PNG to lay over the drawing: its strokes coloured by their heat.

    Blue where the heat is low, yellow, red at its maximum; as opaque as the ink (clear off it).
    `size` (width, height) resizes the picture (e.g. to the input's size).
    """
    peak = float(heat.max()) if heat.size else 0.0
    level = heat * (1.0 / peak) if peak > 0 else np.zeros_like(heat)
    top = _STEPS - 1
    steps = np.rint(np.clip(level, 0, 1) * top).astype(np.uint8) * _STEPS + np.rint(np.clip(ink, 0, 1) * top).astype(
        np.uint8
    )
    # A palette picture, one byte a pixel, the alpha in its palette: a quarter of RGBA's bytes to compress.
    image = Image.fromarray(steps, "P")
    image.putpalette(_PALETTE[:, :3].tobytes())
    image.info["transparency"] = _PALETTE[:, 3].tobytes()
    if size is not None and image.size != tuple(size):
        image = image.convert("RGBA").resize(tuple(size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # speed over size: the overlay lives for one answer
    return buffer.getvalue()
