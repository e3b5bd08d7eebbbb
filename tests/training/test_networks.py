"""backend/model.py: the CNN and the MLP baseline."""

import numpy as np
import pytest

from backend.training.networks import BUILDERS, build_cnn, build_mlp


@pytest.mark.parametrize("builder", [build_cnn, build_mlp])
def test_outputs_are_probability_rows(builder):
    model = builder()
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    probabilities = np.asarray(model(x, training=False))
    assert probabilities.shape == (4, 10)
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_cnn_follows_the_design():
    model = build_cnn()
    kinds = [type(layer).__name__ for layer in model.layers]
    convs = [layer.filters for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert convs == [32, 32, 64, 64, 256]
    assert kinds.count("BatchNormalization") == 5  # one after every convolution
    assert kinds.count("MaxPooling2D") == 3 and kinds.count("GlobalAveragePooling2D") == 1
    dense = [layer.units for layer in model.layers if type(layer).__name__ == "Dense"]
    assert dense == [256, 10]
    assert model.count_params() == sum(layer.count_params() for layer in model.layers)


def test_mlp_is_the_dense_baseline():
    model = build_mlp()
    assert [layer.units for layer in model.layers if type(layer).__name__ == "Dense"] == [128, 128, 10]
    assert set(BUILDERS) == {"cnn", "mlp"}
