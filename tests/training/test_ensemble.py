"""backend/training/ensemble.py: one model file that averages its members."""

import keras
import numpy as np

from backend.core.artifacts import load_model, save_model
from backend.training.ensemble import average
from backend.training.networks import build_mlp
from tests.support.cards import card_for


def test_the_ensemble_averages_its_members_and_survives_a_round_trip(tmp_path):
    keras.utils.set_random_seed(1)
    first, second = build_mlp(), build_mlp()
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    expected = (np.asarray(first(x)) + np.asarray(second(x))) / 2
    ensemble = average([first, second])
    np.testing.assert_allclose(np.asarray(ensemble(x)), expected, atol=1e-6)

    path = tmp_path / "digit_cnn.keras"
    save_model(ensemble, path, card_for(ensemble, arch="mlpx2"))
    loaded, card = load_model(path)  # verified and loaded in safe mode, like any model
    np.testing.assert_allclose(np.asarray(loaded(x)), expected, atol=1e-6)
    assert card.params == first.count_params() + second.count_params()
