"""backend/core/explanation.py: occlusion heatmaps lie on the drawing's ink and point at what decided.

200 drawings (100 MNIST test digits drawn as canvas pictures, 100 pen digits of the validation
writers drawn by the canvas twin), explained by the default shipped model in one batch.
"""

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from backend.core import explanation
from backend.core.preprocessing import Placement, decode, ink_map, normalize, normalize_placed
from backend.core.samples import canvas_png
from backend.core.strokes import strokes_png
from tests.support.model import shipped_model

DRAWINGS = 200
NEAR = 2  # pixels: heat this close to the ink counts as on it


@pytest.fixture(scope="module")
def model():
    return shipped_model()


@pytest.fixture(scope="module")
def drawings(mnist):
    """Ink maps of the 200 drawings, as the server computes them from the PNGs."""
    from backend.training.drawings import place, respace
    from backend.training.handwriting import PEN_VALIDATION_WRITERS, load_pendigits

    _, (x_test, _) = mnist
    rng = np.random.default_rng(13)
    pngs = [canvas_png(x_test[i], rng) for i in range(DRAWINGS // 2)]
    pen = [d for d in load_pendigits() if d.writer in PEN_VALIDATION_WRITERS]
    for i in rng.choice(len(pen), DRAWINGS - len(pngs), replace=False):
        strokes = [respace(np.asarray(s, dtype=np.float64), rng) for s in pen[i].strokes]
        pngs.append(strokes_png(place(strokes, rng)))
    return [ink_map(decode(png)) for png in pngs]


@pytest.fixture(scope="module")
def explained(drawings, model):
    """(ink, heat on the ink map, digit) for every drawing; all the occluded copies go to the model in one batch."""
    placed = [normalize_placed(ink) for ink in drawings]
    fields = np.asarray([field for field, _ in placed])
    digits = [int(d) for d in model(fields).argmax(axis=1)]
    calls = []

    def counted(batch):
        calls.append(len(batch))
        return model(batch)

    heats = explanation.explain(fields, digits, counted)
    assert len(calls) == 1 and calls[0] > 10 * DRAWINGS  # one batch: every field and its wiped copies
    return [
        (ink, explanation.to_drawing(heat, placement, ink), digit)
        for ink, (_, placement), heat, digit in zip(drawings, placed, heats, digits, strict=True)
    ]


def test_the_heat_lies_on_the_ink(explained):
    for ink, heat, _ in explained:
        near = ndimage.binary_dilation(ink > 0, iterations=NEAR)
        assert heat.sum() > 0
        assert heat[near].sum() >= 0.8 * heat.sum()


def log_odds_without(ink, pixels, digit, model):
    wiped = ink.copy().ravel()
    wiped[pixels] = 0.0
    return explanation.log_odds(model(normalize(wiped.reshape(ink.shape))[None]), digit)[0]


def test_wiping_the_hottest_ink_hurts_the_answer_more_than_wiping_ink_at_random(explained, model):
    """The chosen digit's probability falls more without the hottest 10% of the ink pixels than without a random
    10% (compared as log-odds, the same order as the probability, which a confident model rounds to 1)."""
    rng = np.random.default_rng(14)
    wins = []
    for ink, heat, digit in explained:
        pixels = np.flatnonzero(ink.ravel() > 0)
        count = round(0.1 * len(pixels))
        hottest = pixels[np.argsort(heat.ravel()[pixels])[::-1][:count]]
        randomly = rng.choice(pixels, count, replace=False)
        wins.append(log_odds_without(ink, hottest, digit, model) < log_odds_without(ink, randomly, digit, model))
    assert np.mean(wins) >= 0.9, f"{np.mean(wins):.0%} of {len(wins)}"


def test_field_heat_is_carried_back_to_where_the_ink_came_from():
    """A field whose heat is all in its top-left quarter lights the top-left of the drawing's ink box, nothing else."""
    ink = np.zeros((100, 120), np.float32)
    ink[20:80, 40:70] = 1.0  # a 60 x 30 block: resized to 20 x 10 in the field
    placement = Placement(crop=(20, 40, 80, 70), size=(20, 10), offset=(4, 9))
    heat = np.zeros((28, 28))
    heat[4:14, 9:14] = 1.0  # the top-left quarter of where the ink went (rows 4-24, columns 9-19)
    drawing = explanation.to_drawing(heat, placement, ink)
    assert drawing[23:43, 43:52].min() > 0.9  # well inside the top-left quarter of the ink
    assert drawing[55:80, 58:70].max() == 0  # the far corner: cold
    assert drawing[:20].max() == 0 and drawing[:, :40].max() == 0  # off the ink: nothing


def test_normalize_says_where_it_put_the_ink():
    ink = np.zeros((100, 120), np.float32)
    ink[20:80, 40:70] = 1.0
    field, placement = normalize_placed(ink)
    assert placement.crop == (20, 40, 80, 70)
    assert placement.size == (20, 10)
    row, col = placement.offset
    assert field[row : row + 20, col : col + 10].min() > 0.5 and field.sum() == pytest.approx(
        field[row : row + 20, col : col + 10].sum()
    )
    assert np.array_equal(field, normalize(ink))


def test_the_heatmap_png_colours_the_strokes_by_their_heat():
    heat = np.zeros((40, 60), np.float32)
    ink = np.zeros((40, 60), np.float32)
    ink[5:35, 10:50] = 1.0
    ink[20, 30] = 0.5  # an antialiased edge
    heat[10, 20], heat[30, 40] = 2.0, 1.0
    pixels = np.asarray(Image.open(io.BytesIO(explanation.heatmap_png(heat, ink))).convert("RGBA"))
    assert pixels.shape == (40, 60, 4)
    assert pixels[0, 0, 3] == 0  # no ink: transparent
    assert tuple(pixels[10, 20]) == (220, 38, 38, 255)  # the peak: red, as opaque as the ink
    assert tuple(pixels[6, 12]) == (59, 130, 246, 255)  # ink that did not matter: blue
    red, green, blue, _ = pixels[30, 40].astype(int)
    assert red > 240 and 170 < green < 210 and blue < 40  # half the peak: yellow (to the nearest of 16 steps)
    assert 100 < pixels[20, 30, 3] < 160  # half the ink: half opaque
    resized = Image.open(io.BytesIO(explanation.heatmap_png(heat, ink, (120, 80))))
    assert resized.size == (120, 80)
