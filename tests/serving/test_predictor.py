"""backend/inference.py: loading, the compiled predict call, and hot reload under load."""

import shutil
import threading
import time

import numpy as np
import pytest

from backend.core.artifacts import load_model, save_model
from backend.core.files import atomic_path
from backend.core.samples import data_url, mnist_png
from backend.serving.app import create_app
from backend.serving.predictor import ModelUnavailable, Predictor
from backend.training.networks import build_mlp
from tests.support.cards import card_for


def test_predict_returns_a_distribution_from_the_loaded_model(predictor, mnist):
    _, (x_test, y_test) = mnist
    probabilities, loaded = predictor.predict(x_test[0] / 255.0)
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-6
    assert probabilities.argmax() == y_test[0]
    assert loaded.version == loaded.card.version


def test_nothing_loaded_means_unavailable(tmp_path):
    predictor = Predictor(tmp_path / "absent.keras")
    with pytest.raises(ModelUnavailable):
        predictor.predict(np.zeros((28, 28)))
    assert predictor.reload_if_changed() is False
    assert "No model file" in predictor.error


def test_reload_swaps_on_change_and_keeps_the_old_model_on_a_bad_file(tmp_path):
    path = tmp_path / "digit.keras"
    save_model(model := build_mlp(), path, card_for(model, version="first"))
    predictor = Predictor(path)
    predictor.load()
    assert predictor.reload_if_changed() is False  # unchanged file: nothing to do

    save_model(model := build_mlp(), path, card_for(model, version="second"))
    assert predictor.reload_if_changed() is True and predictor.current.version == "second"

    with atomic_path(path) as tmp:  # replaced without a matching card
        tmp.write_bytes(b"garbage")
    assert predictor.reload_if_changed() is False
    assert predictor.current.version == "second" and "does not match" in predictor.error
    assert predictor.predict(np.zeros((28, 28)))[0].shape == (10,)


def test_hot_reload_while_8_threads_send_requests(tmp_path, mnist, predictor):
    _, (x_test, y_test) = mnist
    path = tmp_path / "digit_cnn.keras"
    shutil.copy(predictor.model_path, path)
    shutil.copy(predictor.model_path.with_suffix(".json"), path.with_suffix(".json"))
    live = Predictor(path, reload_interval=0.05).start()
    assert live.wait_ready(120)
    first_version = live.current.version
    app = create_app({"TESTING": True}, predictor=live)
    requests = [(data_url(mnist_png(x_test[i])), int(y_test[i])) for i in range(40)]

    stop = threading.Event()
    results, versions, failures = [], set(), []

    def send(worker):
        client = app.test_client()
        n = 0
        while not stop.is_set() or n < 10:
            image, label = requests[(worker * 7 + n) % len(requests)]
            response = client.post("/predict", json={"image": image})
            if response.status_code != 200:
                failures.append((response.status_code, response.get_data(as_text=True)))
            else:
                results.append(response.json["digit"] == label)
                versions.add(response.json["model"])
            n += 1

    threads = [threading.Thread(target=send, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        model, _ = load_model(path)  # what train.py does: write a new model + card over the old
        save_model(model, path, card_for(model, version="retrained"))
        deadline = time.monotonic() + 60
        while live.current.version != "retrained" and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # keep serving on the new model for a moment
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        live.stop()

    assert failures == []
    assert live.current.version == "retrained"
    assert versions == {first_version, "retrained"}
    assert len(results) >= 80 and np.mean(results) >= 0.97
