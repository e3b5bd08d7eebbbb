"""Shared fixtures: MNIST from ../shared/mnist when present, the shipped model, the Flask app."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# The data sets from ../shared when the repository sits beside it (as in CI).
for _variable, _folder in (("MNIST_DIR", "mnist"), ("HANDWRITING_DIR", "handwriting")):
    _shared = REPO_ROOT.parent / "shared" / _folder
    if _variable not in os.environ and _shared.is_dir():
        os.environ[_variable] = str(_shared)


@pytest.fixture(scope="session")
def mnist():
    """`(x_train, y_train), (x_test, y_test)` as uint8 arrays."""
    from backend.training.mnist import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def predictor():
    """The shipped model (or $DIGITS_MODEL_PATH), loaded once for the whole run."""
    from backend.serving.predictor import Predictor
    from backend.serving.settings import Config

    loaded = Predictor(Config().MODEL_PATH)
    loaded.load()
    return loaded


@pytest.fixture
def app(predictor):
    from backend.serving.app import create_app

    return create_app({"TESTING": True}, predictor=predictor)


@pytest.fixture
def client(app):
    return app.test_client()
