"""backend/training/negatives.py: seeded non-digits of every kind, drawable through the app's road."""

import numpy as np
import pytest

from backend.training import negatives
from backend.training.drawings import place, to_input
from backend.training.negatives import LETTERS, TEST_KINDS, TRAIN_KINDS, generate


def test_the_same_seed_gives_the_same_drawings_and_another_seed_others():
    first, again, other = generate(20, seed=1), generate(20, seed=1), generate(20, seed=2)
    assert [k for k, _ in first] == [k for k, _ in again]
    for (_, a), (_, b) in zip(first, again, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert [k for k, _ in first] != [k for k, _ in other]


@pytest.mark.parametrize("kind", sorted(TRAIN_KINDS) + sorted(TEST_KINDS))
def test_every_kind_draws_and_preprocesses(kind):
    rng = np.random.default_rng(0)
    kinds = {**TRAIN_KINDS, **TEST_KINDS}
    strokes = negatives.jitter(kinds[kind](rng), rng) if kind != "dots" else kinds[kind](rng)
    assert strokes and all(s.ndim == 2 and s.shape[1] == 2 for s in strokes)
    field = to_input(place(strokes, rng, (0.3, 0.9)))
    assert field.shape == (28, 28) and field.max() == pytest.approx(1.0)


def test_test_kinds_are_not_drawn_in_training():
    assert not set(TEST_KINDS) & set(TRAIN_KINDS)
    assert not set(negatives.TEST_FONTS) & set(negatives.TRAIN_FONTS)


def test_letters_that_people_write_as_digits_are_left_out():
    assert not set("OoQDIiljJZzSsGbTgq") & set(LETTERS)


def test_several_digits_sit_side_by_side():
    rng = np.random.default_rng(3)
    one = [np.array([[0.0, 0.0], [0.0, 1.0]])]  # a "1": a vertical bar
    row = negatives.several_digits(rng, [one, one, one])
    points = np.vstack(row)
    assert len(row) in (2, 3) and np.ptp(points[:, 0]) > np.ptp(points[:, 1]) * 0.1
    assert len({float(s[0, 0]) for s in row}) == len(row)  # each at its own x
