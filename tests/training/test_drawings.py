"""backend/training/drawings.py: pen digits placed on the canvas and made into model inputs."""

import numpy as np
import pytest

from backend.core.preprocessing import preprocess
from backend.core.strokes import STROKE_WIDTH_RATIO, strokes_png
from backend.training.drawings import catmull_rom, digit_height, draw_pen_digit, place, to_input

SEVEN = [np.array([[0, 0], [60, 0], [25, 100]], dtype=float), np.array([[15, 50], [50, 50]], dtype=float)]


def test_to_input_equals_preprocess_of_the_exported_png():
    strokes = place(SEVEN, np.random.default_rng(0), height=0.6)
    np.testing.assert_allclose(to_input(strokes), preprocess(strokes_png(strokes)), atol=1e-6)


@pytest.mark.parametrize("height", [0.2, 0.5, 0.9])
def test_place_sets_the_height_and_keeps_the_drawing_on_the_canvas(height):
    for seed in range(20):
        placed = place(SEVEN, np.random.default_rng(seed), height=height)
        points = np.vstack(placed)
        # a pen's width of margin on each side: taller requests are capped so the ink stays whole
        assert digit_height(placed) == pytest.approx(min(height, 1 - 2 * STROKE_WIDTH_RATIO), rel=1e-4)
        assert points.min() >= 0 and points.max() <= 1


def test_catmull_rom_passes_through_the_points_and_adds_more():
    points = np.array([[0, 0], [1, 1], [2, 0], [3, 1]], dtype=float)
    curve = catmull_rom(points, 5)
    assert len(curve) == 3 * 5 + 1
    for point in points:
        assert np.min(np.linalg.norm(curve - point, axis=1)) < 1e-9


def test_draw_pen_digit_is_seeded_and_varied():
    a = draw_pen_digit(SEVEN, np.random.default_rng(5))
    b = draw_pen_digit(SEVEN, np.random.default_rng(5))
    c = draw_pen_digit(SEVEN, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (28, 28) and np.abs(a - c).max() > 0.1
