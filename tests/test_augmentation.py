"""backend/augmentation.py: training-time jitter keeps digits digits."""

import numpy as np

from backend.augmentation import augment_batch, build_augmenter, random_stroke_thickness


def _batch(mnist, n=64):
    (x_train, _), _ = mnist
    return x_train[:n].astype("float32")[..., None] / 255.0


def test_stroke_thickness_changes_ink_both_ways(mnist):
    images = _batch(mnist)
    out = np.asarray(random_stroke_thickness(images, dilate_fraction=0.5, erode_fraction=0.5, seed=1))
    ink_before, ink_after = images.sum(axis=(1, 2, 3)), out.sum(axis=(1, 2, 3))
    assert (ink_after > ink_before * 1.3).any(), "some images should be thickened"
    assert (ink_after < ink_before * 0.9).any(), "some images should be thinned"
    untouched = np.asarray(random_stroke_thickness(images, dilate_fraction=0.0, erode_fraction=0.0))
    np.testing.assert_array_equal(untouched, images)


def test_augment_batch_keeps_range_shape_and_background(mnist):
    images = _batch(mnist)
    out = np.asarray(augment_batch(build_augmenter(seed=3), images))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.allclose(out, images)
    # New pixels are filled with background, not reflected ink: borders stay mostly dark.
    border = np.concatenate([out[:, 0], out[:, -1], out[:, :, 0], out[:, :, -1]], axis=1)
    assert border.mean() < 0.02


def test_augmentation_layers_draw_independent_randomness():
    augmenter = build_augmenter(seed=42)
    images = np.zeros((256, 28, 28, 1), np.float32)
    rotation, _, zoom, translation = augmenter.layers
    angles = np.asarray(rotation.get_random_transformation(images, training=True)["angle"]).ravel()
    zooms = np.asarray(zoom.get_random_transformation(images, training=True)["height_zoom"]).ravel()
    shifts = np.asarray(translation.get_random_transformation(images, training=True)["translations"])[:, 0]
    assert abs(np.corrcoef(angles, zooms)[0, 1]) < 0.3
    assert abs(np.corrcoef(angles, shifts)[0, 1]) < 0.3
