"""Training-time augmentation: random stroke thickness and one random affine jitter per image."""

import math

import tensorflow as tf
from keras import ops


def random_stroke_thickness(images, dilate_fraction=0.15, erode_fraction=0.1, seed=None):
    """Thicken (2x2 max filter) or thin (2x2 min filter) the ink of a random part of a batch.

    `images`: (N, 28, 28, 1) float32 in [0, 1], ink bright. People draw with pens of every
    width; MNIST's strokes are fairly uniform, so the model has to see fat and thin ones.
    A 3x3 filter closes the loops of 6, 8, 9 and 0 too often: those digits become ambiguous.
    """
    dilated = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    eroded = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    choice = tf.random.uniform((tf.shape(images)[0], 1, 1, 1), seed=seed)
    images = tf.where(choice < dilate_fraction, dilated, images)
    return tf.where((choice >= dilate_fraction) & (choice < dilate_fraction + erode_fraction), eroded, images)


def random_affine(images, degrees=10.0, shear=0.1, zoom=0.1, shift=0.1, seed=None):
    """Rotate (+-`degrees`), shear, zoom (+-`zoom`) and shift (+-`shift` of the side) each image.

    The four are composed into one matrix per image and applied in a single bilinear
    resampling: chaining four resampling layers blurs the strokes four times, and a model
    trained on blurred digits reads sharp ones worse. New pixels are background (0).
    """
    batch = tf.shape(images)[0]
    height, width = float(images.shape[1]), float(images.shape[2])

    def uniform(limit):
        return tf.random.uniform([batch], -limit, limit, seed=seed)

    angle, slant, scale = uniform(math.radians(degrees)), uniform(shear), 1.0 + uniform(zoom)
    shift_x, shift_y = uniform(shift) * width, uniform(shift) * height
    # Forward map about the centre: scale * rotation @ shear = [[a, b], [c, d]].
    cos, sin = tf.cos(angle), tf.sin(angle)
    a, b = scale * cos, scale * (cos * slant - sin)
    c, d = scale * sin, scale * (sin * slant + cos)
    # The transform maps each output pixel back to where it comes from: the inverse map.
    det = a * d - b * c
    inv_a, inv_b, inv_c, inv_d = d / det, -b / det, -c / det, a / det
    centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
    from_x, from_y = centre_x + shift_x, centre_y + shift_y
    offset_x = centre_x - (inv_a * from_x + inv_b * from_y)
    offset_y = centre_y - (inv_c * from_x + inv_d * from_y)
    zeros = tf.zeros_like(angle)
    transform = tf.stack([inv_a, inv_b, offset_x, inv_c, inv_d, offset_y, zeros, zeros], axis=1)
    return ops.image.affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0)


def augment_batch(images, seed=None):
    """Stroke thickness, then affine jitter, for one training batch; values stay in [0, 1]."""
    images = random_stroke_thickness(images, seed=seed)
    return tf.clip_by_value(random_affine(images, seed=seed), 0.0, 1.0)
