"""backend/core/strokes.py: the Python twin of the app's canvas export, checked against Chromium's own pictures.

tests/fixtures/canvas_export/ holds PNGs exported by the real UI in Chromium (frontend/e2e/export-fixtures.mjs),
each with the strokes the app drew it from. The twin must give the same picture: the same 28x28 model input
within a small tolerance, and the same 280x280 ink but for antialiasing noise.
"""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.core.preprocessing import preprocess
from backend.core.strokes import EXPORT_SIZE, render_strokes, strokes_png

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "canvas_export"
FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))
EXPECTED_FIXTURES = {"one", "seven_bar", "zero", "four", "two_small", "eight_big", "dot", "three_dpr2"}

# The 28x28 inputs (values 0..1) may differ by this much at any pixel: measured 0.031 (the dot), 0 elsewhere.
MAX_INPUT_DIFFERENCE = 0.05
# The 280x280 alpha (0..255): mean absolute difference, and how many pixels may differ by more than 32 levels
# (antialiasing noise along an edge stays far below that; a different curve does not: building the path from the
# first point instead of the second gave a mean of 0.22 and 232 such pixels on `seven_bar`).
MAX_MEAN_ALPHA_DIFFERENCE = 0.05
MAX_PIXELS_OFF_BY_32 = 4

PEN = EXPORT_SIZE / 14  # 20 px at 280


def _fixture(name: str) -> tuple[dict, bytes]:
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    return meta, (FIXTURES / f"{name}.png").read_bytes()


def _strokes(meta: dict) -> list[np.ndarray]:
    return [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in meta["strokes"]]


def _rgba(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    return np.asarray(image)


# ---------------------------------------------------------------------------------------------------------------
# Against Chromium


def test_the_fixtures_are_all_there():
    assert set(FIXTURE_NAMES) >= EXPECTED_FIXTURES, f"missing: {sorted(EXPECTED_FIXTURES - set(FIXTURE_NAMES))}"
    scales = {_fixture(name)[0]["device_scale_factor"] for name in FIXTURE_NAMES}
    assert scales >= {1, 2}, "fixtures drawn at device pixel ratios 1 and 2"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_is_a_browser_export(name):
    meta, png = _fixture(name)
    rgba = _rgba(png)
    assert rgba.shape == (EXPORT_SIZE, EXPORT_SIZE, 4), "the export is 280x280 whatever the screen"
    assert meta["export_size"] == EXPORT_SIZE
    assert meta["strokes"] and all(len(stroke) > 0 for stroke in meta["strokes"])
    points = np.concatenate(_strokes(meta))
    assert ((points >= 0) & (points <= 1)).all(), "normalized coordinates"
    assert rgba[..., 3].max() == 255 and (rgba[..., :3][rgba[..., 3] > 0] == 0).all(), "black ink on transparent"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_python_rendering_gives_the_same_model_input_as_chromium(name):
    meta, browser_png = _fixture(name)
    twin_png = strokes_png(_strokes(meta))
    browser_input, twin_input = preprocess(browser_png), preprocess(twin_png)
    assert twin_input.shape == browser_input.shape == (28, 28)
    difference = float(np.abs(twin_input - browser_input).max())
    assert difference <= MAX_INPUT_DIFFERENCE, f"{name}: the 28x28 inputs differ by up to {difference:.4f}"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_python_rendering_gives_the_same_ink_as_chromium(name):
    meta, browser_png = _fixture(name)
    browser_alpha = _rgba(browser_png)[..., 3].astype(np.int16)
    twin_alpha = render_strokes(_strokes(meta)).astype(np.int16)
    difference = np.abs(twin_alpha - browser_alpha)
    mean = float(difference.mean())
    off = int((difference > 32).sum())
    assert mean <= MAX_MEAN_ALPHA_DIFFERENCE, f"{name}: mean alpha difference {mean:.4f} (max {difference.max()})"
    assert off <= MAX_PIXELS_OFF_BY_32, f"{name}: {off} pixels differ by more than 32 levels"
    # the same amount of ink, to a pixel's worth
    assert abs(int(browser_alpha.sum()) - int(twin_alpha.sum())) <= 255


# ---------------------------------------------------------------------------------------------------------------
# The renderer itself


def test_output_is_a_uint8_square_of_the_requested_size():
    alpha = render_strokes([np.array([[0.2, 0.2], [0.8, 0.8]])])
    assert alpha.dtype == np.uint8
    assert alpha.shape == (EXPORT_SIZE, EXPORT_SIZE)
    assert alpha.flags["C_CONTIGUOUS"]
    small = render_strokes([np.array([[0.2, 0.2], [0.8, 0.8]])], size=56)
    assert small.shape == (56, 56) and small.dtype == np.uint8


@pytest.mark.parametrize("strokes", [[], [np.zeros((0, 2))]], ids=["no strokes", "an empty stroke"])
def test_nothing_drawn_is_all_transparent(strokes):
    alpha = render_strokes(strokes)
    assert alpha.shape == (EXPORT_SIZE, EXPORT_SIZE)
    assert not alpha.any()


@pytest.mark.parametrize("centre", [(0.5, 0.5), (0.3137, 0.6612)])
def test_a_one_point_stroke_is_a_dot_as_wide_as_the_pen(centre):
    alpha = render_strokes([np.array([centre])])
    ink = alpha > 0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    # a 20 px disc covers 20 or 21 pixel rows and columns, depending on where its edge falls
    assert PEN <= width <= PEN + 2 and PEN <= height <= PEN + 2, (width, height)
    # its ink is a filled disc's: pi * 10^2 pixels' worth (Skia's antialiasing, the browser's too, comes out about
    # 2.5% short: 306 of 314), solid in the middle
    area = alpha.sum() / 255
    assert area == pytest.approx(np.pi * (PEN / 2) ** 2, rel=0.04)
    assert 2 * np.sqrt(area / np.pi) == pytest.approx(PEN, abs=0.5)
    cy, cx = round(centre[1] * EXPORT_SIZE), round(centre[0] * EXPORT_SIZE)
    assert (alpha[cy - 6 : cy + 6, cx - 6 : cx + 6] == 255).all()
    # centred on the point
    ys, xs = np.indices(alpha.shape)
    assert (xs * alpha).sum() / alpha.sum() == pytest.approx(centre[0] * EXPORT_SIZE - 0.5, abs=0.05)
    assert (ys * alpha).sum() / alpha.sum() == pytest.approx(centre[1] * EXPORT_SIZE - 0.5, abs=0.05)


def test_a_line_has_round_caps_reaching_half_the_pen_beyond_its_ends():
    # from x = 84 to x = 196 px, at y = 140 px
    alpha = render_strokes([np.array([[0.3, 0.5], [0.7, 0.5]])])
    cols = np.flatnonzero((alpha > 0).any(axis=0))
    assert cols[0] == pytest.approx(84 - PEN / 2, abs=1)  # the cap reaches 10 px beyond the end
    assert cols[-1] + 1 == pytest.approx(196 + PEN / 2, abs=1)
    height = (alpha > 127).sum(axis=0)
    assert height[140] == PEN  # the body is as thick as the pen
    # round, not square: 9 px beyond each end the cap is about half the pen (a square cap is full height there)
    assert 0 < height[84 - 9] < 0.75 * PEN and 0 < height[196 + 8] < 0.75 * PEN
    # and not a butt cap either: 5 px beyond the ends there is a good deal of ink
    assert height[84 - 5] > PEN / 2 and height[196 + 4] > PEN / 2


def test_a_sparse_stroke_is_smoothed_through_midpoints_as_the_browser_does():
    # A right angle of two segments, p0 (56, 56) -> p1 (224, 56) -> p2 (224, 224) px. renderStrokes draws
    # moveTo(p0), quadraticCurveTo(p1, midpoint(p1, p2) = (224, 140)), lineTo(p2): one curve from p0, cutting the
    # corner, which crosses x = 140 at t = 1 - 1/sqrt(2), y = 56 + 84 t^2 = 63.2 (a straight piece to the first
    # midpoint first, as the twin once drew, would still be at y = 56 there).
    alpha = render_strokes([np.array([[0.2, 0.2], [0.8, 0.2], [0.8, 0.8]])]).astype(np.float64)
    assert alpha[56, 224] == 0, "the corner itself is cut"
    assert alpha[56, 56] == 255 and alpha[224, 224] == 255, "the stroke starts and ends at its end points"
    column = alpha[20:110, 140]
    centre = (column * np.arange(20, 110)).sum() / column.sum() + 0.5  # pixel centres are at +0.5
    assert centre == pytest.approx(56 + 84 * (1 - 2**-0.5) ** 2, abs=0.5)
    row = alpha[140, 150:260]
    assert (row * np.arange(150, 260)).sum() / row.sum() + 0.5 == pytest.approx(224, abs=0.5), "on the last leg"


def test_strokes_png_is_black_rgba_with_the_rendered_alpha():
    strokes = [np.array([[0.2, 0.3], [0.5, 0.6], [0.7, 0.2]]), np.array([[0.4, 0.8]])]
    rgba = _rgba(strokes_png(strokes))
    assert rgba.shape == (EXPORT_SIZE, EXPORT_SIZE, 4)
    alpha = rgba[..., 3]
    np.testing.assert_array_equal(alpha, render_strokes(strokes))
    assert (alpha > 0).any() and (alpha == 0).any()
    assert (rgba[..., :3][alpha > 0] == 0).all(), "the ink is black"
