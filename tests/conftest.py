"""Shared fixtures: MNIST from ../shared/mnist when present, the shipped model, the Flask app."""

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

_shared_mnist = REPO_ROOT.parent / "shared" / "mnist"
if "MNIST_DIR" not in os.environ and _shared_mnist.is_dir():
    os.environ["MNIST_DIR"] = str(_shared_mnist)


@pytest.fixture(scope="session")
def mnist():
    """`(x_train, y_train), (x_test, y_test)` as uint8 arrays."""
    from backend.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def predictor():
    """The shipped model (or $DIGITS_MODEL_PATH), loaded once for the whole run."""
    from backend.config import Config
    from backend.inference import Predictor

    loaded = Predictor(Config().MODEL_PATH)
    loaded.load()
    return loaded


@pytest.fixture
def app(predictor):
    from backend.app import create_app

    return create_app({"TESTING": True}, predictor=predictor)


@pytest.fixture
def client(app):
    return app.test_client()
