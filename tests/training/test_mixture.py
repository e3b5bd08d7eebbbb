"""backend/training/mixture.py: the training mix keeps writers apart and targets honest."""

import numpy as np
import pytest

from backend.training import mixture
from backend.training.handwriting import PEN_VALIDATION_WRITERS, SCAN_VALIDATION_WRITERS, PenDigit

SEVEN = (np.array([[0, 0], [60, 0], [25, 100]], dtype=np.float32),)


def tiny_sources():
    pen = [PenDigit(7, writer, SEVEN) for writer in range(1, 31)]
    images = np.zeros((60, 32, 32), np.uint8)
    images[:, 4:28, 14:18] = 255  # a bar: a 1
    scans = (images, np.ones(60, int), np.repeat(np.arange(1, 31), 2))
    mnist_fit = (np.tile(np.eye(28, dtype=np.uint8)[None] * 255, (50, 1, 1)), np.full(50, 1))
    mnist_val = (mnist_fit[0][:10], mnist_fit[1][:10])
    return mnist_fit, mnist_val, pen, scans


@pytest.fixture(scope="module")
def mix():
    settings = mixture.MixSettings(
        pen_renditions=2, scan_copies=3, negatives=40, validation_negatives=20, test_negatives=20
    )
    return mixture.build(*tiny_sources(), settings)


def test_counts_follow_the_settings(mix):
    train, validation, test_negatives = mix
    assert (train.tag == "mnist").sum() == 50 and (validation.tag == "mnist").sum() == 10
    assert (train.tag == "pen").sum() == 2 * (30 - len(PEN_VALIDATION_WRITERS))
    assert (validation.tag == "pen").sum() == len(mixture.SIZE_BANDS) * len(PEN_VALIDATION_WRITERS)
    assert (train.tag == "scan").sum() == 3 * 2 * (30 - len(SCAN_VALIDATION_WRITERS))
    assert (train.label < 0).sum() == 40 and (validation.label < 0).sum() == 20 and len(test_negatives) == 20


def test_targets_are_one_hot_for_digits_and_uniform_for_the_rest(mix):
    train, _, _ = mix
    digits = train.label >= 0
    np.testing.assert_array_equal(train.y[digits].argmax(axis=1), train.label[digits])
    assert (train.y[digits].max(axis=1) == 1).all()
    np.testing.assert_allclose(train.y[~digits], 0.1)
    assert train.x.dtype == np.float32 and train.x.shape[1:] == (28, 28) and 0 <= train.x.min() <= train.x.max() <= 1


def test_validation_pen_drawings_cover_every_size_band(mix):
    _, validation, _ = mix
    pen = validation.tag == "pen"
    assert sorted(set(validation.band[pen])) == sorted(mixture.SIZE_BANDS)


def test_writers_are_split_as_declared():
    _, _, pen, scans = tiny_sources()
    pen_train, pen_val, (scan_train, _), (scan_val, _) = mixture.split_writers(pen, scans)
    assert {d.writer for d in pen_val} == set(PEN_VALIDATION_WRITERS)
    assert not {d.writer for d in pen_train} & set(PEN_VALIDATION_WRITERS)
    assert len(scan_val) == 2 * len(SCAN_VALIDATION_WRITERS) and len(scan_train) == 60 - len(scan_val)


def test_test_negatives_include_shapes_training_never_draws(mix):
    _, _, test_negatives = mix
    kinds = {t.split(":", 1)[1] for t in test_negatives.tag}
    assert kinds - set(mixture.negatives.TRAIN_KINDS) - {"several_digits"}, kinds
