"""backend/serving/predictor.py: loading in either runtime, the predict call, and hot reload under load."""

import logging
import os
import shutil
import threading
import time

import numpy as np
import pytest

from backend.core import contract
from backend.core.artifacts import load_model, save_model
from backend.core.files import atomic_path
from backend.core.samples import data_url, mnist_png
from backend.serving import runtimes
from backend.serving.app import create_app
from backend.serving.predictor import ModelUnavailable, Predictor, public
from backend.training.export import export_onnx
from backend.training.networks import build_mlp
from tests.support.cards import card_for
from tests.support.images import encode, seven

# A few random fields to check each test export against Keras (the shipped exports use MNIST).
PARITY_BATCH = np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)


def save_for(runtime, model, path, card):
    """Save a model and its card as training does; for the onnx runtime, export it as training does too."""
    card = save_model(model, path, card)
    if runtime == "onnx":
        card = export_onnx(model, path, card, PARITY_BATCH)
    return card


def test_predict_returns_a_distribution_from_the_loaded_model(predictor, mnist):
    _, (x_test, y_test) = mnist
    probabilities, loaded = predictor.predict(x_test[0] / 255.0)
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-6
    assert probabilities.argmax() == y_test[0]
    assert loaded.version == loaded.card.version


def test_predict_batch_answers_as_predict_does_field_by_field_in_one_call(predictor, mnist):
    _, (x_test, _) = mnist
    fields = contract.from_uint8(x_test[:16])
    batch, model = predictor.predict_batch(fields)
    assert batch.shape == (16, 10) and model is predictor.current
    for field, row in zip(fields, batch, strict=True):
        np.testing.assert_allclose(row, predictor.predict(field)[0], atol=1e-6)
    np.testing.assert_allclose(batch.sum(axis=1), 1.0, atol=1e-9)  # calibrated, like predict's


def test_nothing_loaded_means_unavailable(tmp_path):
    predictor = Predictor(tmp_path / "absent.keras")
    with pytest.raises(ModelUnavailable):
        predictor.predict(np.zeros((28, 28)))
    assert predictor.reload_if_changed() is False
    assert "No model file" in predictor.error


@pytest.mark.parametrize("runtime", runtimes.RUNTIMES)
def test_reload_swaps_on_change_and_keeps_the_old_model_on_a_bad_file(tmp_path, runtime):
    path = tmp_path / "digit.keras"
    save_for(runtime, model := build_mlp(), path, card_for(model, version="first"))
    predictor = Predictor(path, runtime=runtime)
    predictor.load()
    assert predictor.current.runtime == runtime
    assert predictor.reload_if_changed() is False  # unchanged file: nothing to do

    save_for(runtime, model := build_mlp(), path, card_for(model, version="second"))
    assert predictor.reload_if_changed() is True and predictor.current.version == "second"

    with atomic_path(predictor.path) as tmp:  # replaced without a matching card
        tmp.write_bytes(b"garbage")
    assert predictor.reload_if_changed() is False
    assert predictor.current.version == "second" and "does not match" in predictor.error
    assert predictor.predict(np.zeros((28, 28)))[0].shape == (10,)


@pytest.mark.parametrize("runtime", runtimes.RUNTIMES)
def test_hot_reload_while_8_threads_send_requests(tmp_path, mnist, predictor, runtime):
    _, (x_test, y_test) = mnist
    path = tmp_path / "digit_cnn.keras"
    for suffix in (".keras", ".json", ".onnx"):
        shutil.copy(predictor.model_path.with_suffix(suffix), path.with_suffix(suffix))
    live = Predictor(path, reload_interval=0.05, runtime=runtime).start()
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
        model, _ = load_model(path)  # what train.py does: write a new model + card (+ export) over the old
        save_for(runtime, model, path, card_for(model, version="retrained"))
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


# --- failures that show -------------------------------------------------------------------


def _saved(path, version, runtime="keras"):
    model = build_mlp()
    save_for(runtime, model, path, card_for(model, version=version))


def _count_loads(monkeypatch):
    calls = []
    real = runtimes.load

    def counting(path, *args, **kwargs):
        calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(runtimes, "load", counting)
    return calls


@pytest.mark.parametrize("runtime", runtimes.RUNTIMES)
def test_a_rejected_replacement_shows_as_degraded_once_and_is_not_read_again(tmp_path, monkeypatch, caplog, runtime):
    path = tmp_path / "digit.keras"
    _saved(path, "first", runtime)
    predictor = Predictor(path, runtime=runtime)
    predictor.load()
    loads = _count_loads(monkeypatch)
    client = create_app({"TESTING": True}, predictor=predictor).test_client()
    served = predictor.path.name  # digit.keras or digit.onnx

    with atomic_path(predictor.path) as tmp:  # a replacement without a matching card
        tmp.write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="backend.serving.predictor"):
        for _ in range(5):
            assert predictor.reload_if_changed() is False
    assert len(loads) == 1, "the same bad file is hashed and loaded once, not every tick"
    assert len([r for r in caplog.records if "Could not load" in r.getMessage()]) == 1
    assert predictor.status == "degraded" and predictor.current.version == "first"

    health = client.get("/health")
    assert health.status_code == 200
    assert health.json["status"] == "degraded" and health.json["model"] == "first"
    assert served in health.json["detail"] and "does not match" in health.json["detail"]
    assert str(tmp_path) not in health.get_data(as_text=True)

    _saved(path, "second", runtime)  # a good file: a new stamp, loaded, healthy again
    assert predictor.reload_if_changed() is True
    assert predictor.status == "ok" and client.get("/health").json == {"status": "ok", "model": "second"}


@pytest.mark.parametrize("runtime, served", [("keras", "absent.keras"), ("onnx", "absent.onnx")])
def test_a_missing_model_file_is_logged_once_and_named_without_its_folder(tmp_path, caplog, runtime, served):
    predictor = Predictor(tmp_path / "absent.keras", runtime=runtime)
    with caplog.at_level(logging.ERROR, logger="backend.serving.predictor"):
        for _ in range(4):
            predictor.reload_if_changed()
    assert len([r for r in caplog.records if "No model file" in r.getMessage()]) == 1
    assert predictor.error.startswith(f"No model file {served}")

    client = create_app({"TESTING": True}, predictor=predictor).test_client()
    answers = [
        client.get("/health"),
        client.get("/model"),
        client.post("/predict", json={"image": data_url(encode(seven()))}),
    ]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert answers[0].json["status"] == "error"
    for answer in answers:
        assert str(tmp_path) not in answer.get_data(as_text=True)
        assert served in answer.get_data(as_text=True)


@pytest.mark.parametrize("runtime", runtimes.RUNTIMES)
def test_a_served_file_that_goes_away_and_comes_back(tmp_path, caplog, runtime):
    path = tmp_path / "digit.keras"
    _saved(path, "first", runtime)
    predictor = Predictor(path, runtime=runtime)
    predictor.load()
    path = predictor.path  # the file the runtime serves
    backup = tmp_path / "backup"
    os.replace(path, backup)
    with caplog.at_level(logging.WARNING, logger="backend.serving.predictor"):
        for _ in range(3):
            assert predictor.reload_if_changed() is False
    assert len([r for r in caplog.records if "is gone" in r.getMessage()]) == 1
    assert predictor.status == "degraded" and f"{path.name} is gone" in predictor.error

    os.replace(backup, path)  # the very file that is served: nothing to load, healthy again
    assert predictor.reload_if_changed() is False and predictor.status == "ok"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("No model file at /srv/app/models/digit.keras; train one", "No model file at digit.keras; train one"),
        ("Model card /tmp/x/y/digit.json is unreadable", "Model card digit.json is unreadable"),
        ("'/home/me/m.keras' could not be loaded", "'m.keras' could not be loaded"),
        ("see https://example.org/a/b", "see https://example.org/a/b"),
        ("1/2 of it", "1/2 of it"),
    ],
)
def test_public_messages_keep_file_names_only(text, shown):
    assert public(text) == shown


@pytest.mark.parametrize("runtime", runtimes.RUNTIMES)
def test_predictions_are_calibrated_with_the_card_s_temperature(tmp_path, runtime):
    model = build_mlp()
    field = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    raw = np.asarray(model(field.reshape(1, 28, 28, 1), training=False))[0].astype(np.float64)
    path = tmp_path / "digit.keras"
    save_for(runtime, model, path, card_for(model, calibration={"temperature": 2.0}))
    predictor = Predictor(path, runtime=runtime)
    predictor.load()
    probabilities, _ = predictor.predict(field)
    expected = np.sqrt(raw) / np.sqrt(raw).sum()  # softmax(log p / 2)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5)
