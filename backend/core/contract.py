"""The model's input and output contract, written once: what preprocessing makes and networks read."""

from __future__ import annotations

import numpy as np

SIDE = 28  # the model reads a 28x28 field, MNIST's size
INPUT_SHAPE = (SIDE, SIDE, 1)
NUM_CLASSES = 10
DESCRIPTION = (
    "28x28x1 float32 in [0, 1], bright ink on a dark background, MNIST-normalized (20x20 box, centred by mass)"
)


def as_batch(fields) -> np.ndarray:
    """(28, 28) or (N, 28, 28) floats in [0, 1] -> float32 (N, 28, 28, 1), the network's input."""
    return np.asarray(fields, dtype=np.float32).reshape(-1, *INPUT_SHAPE)


def from_uint8(images: np.ndarray) -> np.ndarray:
    """uint8 images (0 = background, 255 = ink, as MNIST stores them) -> float32 in [0, 1]."""
    return np.asarray(images, dtype=np.float32) / 255.0
