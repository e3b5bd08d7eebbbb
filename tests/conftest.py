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


@pytest.fixture(scope="session", autouse=True)
def drawings_database(tmp_path_factory):
    """Every app and server the tests start stores drawings in a throwaway SQLite file, never in data/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('database') / 'digits.sqlite3'}"
    os.environ["DIGITS_DATABASE_URL"] = url
    return url


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the run (tests/support/postgres.py); in CI, a failure if it cannot start."""
    from tests.support.postgres import postgres_server

    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database of each kind the app supports: an SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'drawings.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(f"test_{tmp_path.name.lower()[-40:]}")


@pytest.fixture(scope="session")
def mnist():
    """`(x_train, y_train), (x_test, y_test)` as uint8 arrays."""
    from backend.training.mnist import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def predictor():
    """The shipped model (or $DIGITS_MODEL_PATH) in the configured runtime, loaded once for the whole run."""
    from backend.serving.predictor import Predictor
    from backend.serving.settings import Config

    config = Config()
    loaded = Predictor(config.MODEL_PATH, runtime=config.RUNTIME)
    loaded.load()
    return loaded


@pytest.fixture
def app(predictor):
    from backend.serving.app import create_app

    return create_app({"TESTING": True}, predictor=predictor)


@pytest.fixture
def client(app):
    return app.test_client()
