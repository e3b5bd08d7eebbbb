"""backend/augmentation.py: training-time jitter keeps digits digits."""

import numpy as np

from backend.training.augmentation import augment_batch, random_affine, random_stroke_thickness


def _batch(mnist, n=64):
    (x_train, _), _ = mnist
    return x_train[:n].astype("float32")[..., None] / 255.0


def _centre_of_mass(images):
    rows = np.arange(28)[None, :, None]
    mass = images[..., 0]
    return (mass.sum(axis=2) * rows[..., 0]).sum(axis=1) / mass.sum(axis=(1, 2))


def test_stroke_thickness_changes_ink_both_ways(mnist):
    images = _batch(mnist)
    out = np.asarray(random_stroke_thickness(images, dilate_fraction=0.5, erode_fraction=0.5, seed=1))
    ink_before, ink_after = images.sum(axis=(1, 2, 3)), out.sum(axis=(1, 2, 3))
    assert (ink_after > ink_before * 1.3).any(), "some images should be thickened"
    assert (ink_after < ink_before * 0.9).any(), "some images should be thinned"
    untouched = np.asarray(random_stroke_thickness(images, dilate_fraction=0.0, erode_fraction=0.0))
    np.testing.assert_array_equal(untouched, images)


def test_affine_with_zero_ranges_is_the_identity(mnist):
    images = _batch(mnist)
    np.testing.assert_allclose(np.asarray(random_affine(images, 0, 0, 0, 0)), images, atol=1e-6)


def test_affine_jitter_stays_within_its_ranges(mnist):
    images = _batch(mnist, 256)
    shifted = np.asarray(random_affine(images, degrees=0, shear=0, zoom=0, shift=0.1, seed=5))
    moved = _centre_of_mass(shifted) - _centre_of_mass(images)
    assert np.abs(moved).max() <= 2.8 + 0.5  # 10% of 28 px, plus what falls off the edge
    assert np.abs(moved).std() > 0.5  # every image gets its own shift
    rotated = np.asarray(random_affine(images, degrees=10, shear=0, zoom=0, shift=0, seed=6))
    ink_ratio = rotated.sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    assert np.all(np.abs(ink_ratio - 1) < 0.1)  # one resampling: the ink is moved, not smeared away


def test_augment_batch_keeps_range_shape_and_background(mnist):
    images = _batch(mnist)
    out = np.asarray(augment_batch(images))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.allclose(out, images)
    # New pixels are filled with background, not reflected ink: borders stay mostly dark.
    border = np.concatenate([out[:, 0], out[:, -1], out[:, :, 0], out[:, :, -1]], axis=1)
    assert border.mean() < 0.02
