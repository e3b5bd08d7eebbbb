"""Training-time augmentation: small affine jitter and random stroke thickness."""

import keras
import tensorflow as tf
from keras import layers


def random_stroke_thickness(images, dilate_fraction=0.2, erode_fraction=0.15, seed=None):
    """Thicken (3x3 max filter) or thin (2x2 min filter) the ink of a random part of a batch.

    `images`: (N, 28, 28, 1) float32 in [0, 1], ink bright. People draw with pens of every
    width; MNIST's strokes are fairly uniform, so the model has to see fat and thin ones.
    """
    dilated = tf.nn.max_pool2d(images, ksize=3, strides=1, padding="SAME")
    eroded = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    choice = tf.random.uniform((tf.shape(images)[0], 1, 1, 1), seed=seed)
    images = tf.where(choice < dilate_fraction, dilated, images)
    return tf.where((choice >= dilate_fraction) & (choice < dilate_fraction + erode_fraction), eroded, images)


def build_augmenter(seed=None):
    """Random rotation +-10 deg, shear, zoom +-10%, shift +-10%; new pixels are background (0).

    Each layer gets its own seed: layers seeded alike draw the same random numbers, which would
    tie rotation, zoom and shift together and leave only a one-dimensional family of jitters.
    """
    fill = {"fill_mode": "constant", "fill_value": 0.0}

    def layer_seed(offset):
        return None if seed is None else seed + offset

    return keras.Sequential(
        [
            layers.RandomRotation(10 / 360, seed=layer_seed(1), **fill),
            layers.RandomShear(x_factor=0.1, y_factor=0.1, seed=layer_seed(2), **fill),
            layers.RandomZoom(0.1, seed=layer_seed(3), **fill),
            layers.RandomTranslation(0.1, 0.1, seed=layer_seed(4), **fill),
        ],
        name="augmenter",
    )


def augment_batch(augmenter, images, seed=None):
    """Stroke thickness, then geometric jitter, for one training batch; values stay in [0, 1]."""
    images = random_stroke_thickness(images, seed=seed)
    images = augmenter(images, training=True)
    return tf.clip_by_value(images, 0.0, 1.0)
