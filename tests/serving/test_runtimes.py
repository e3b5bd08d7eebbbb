"""backend/serving/runtimes.py: ONNX Runtime (default; no TensorFlow in the process) or Keras, by DIGITS_RUNTIME."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from backend.core.paths import DEFAULT_MODEL_PATH, REPO_ROOT
from backend.core.samples import data_url, mnist_png
from backend.serving.app import create_app
from backend.serving.predictor import Predictor
from backend.serving.settings import Config
from tests.support.server import free_port, running_server


@pytest.fixture(scope="module")
def keras_predictor():
    loaded = Predictor(DEFAULT_MODEL_PATH, runtime="keras")
    loaded.load()
    return loaded


@pytest.fixture(scope="module")
def onnx_predictor():
    loaded = Predictor(DEFAULT_MODEL_PATH, runtime="onnx")
    loaded.load()
    return loaded


def test_digits_runtime_picks_the_runtime_and_refuses_others(monkeypatch):
    monkeypatch.delenv("DIGITS_RUNTIME", raising=False)
    assert Config().RUNTIME == "onnx"
    monkeypatch.setenv("DIGITS_RUNTIME", " Keras ")
    assert Config().RUNTIME == "keras"
    monkeypatch.setenv("DIGITS_RUNTIME", "tflite")
    with pytest.raises(ValueError, match="DIGITS_RUNTIME must be one of onnx, keras, not 'tflite'"):
        Config()
    with pytest.raises(ValueError, match="runtime must be one of"):
        Predictor(DEFAULT_MODEL_PATH, runtime="tflite")


def test_create_app_loads_the_configured_runtime_s_file():
    app = create_app({"TESTING": True, "RUNTIME": "keras", "RELOAD_INTERVAL": 60.0})
    predictor = app.extensions["predictor"]
    try:
        assert predictor.runtime == "keras" and predictor.current.runtime == "keras"
        assert predictor.path == DEFAULT_MODEL_PATH
    finally:
        predictor.stop()


def test_both_runtimes_answer_the_api_alike(onnx_predictor, keras_predictor, mnist):
    _, (x_test, y_test) = mnist
    assert onnx_predictor.path.suffix == ".onnx" and keras_predictor.path.suffix == ".keras"
    clients = [create_app({"TESTING": True}, predictor=p).test_client() for p in (onnx_predictor, keras_predictor)]
    correct = 0
    for i in range(30):
        body = {"image": data_url(mnist_png(x_test[i]))}
        onnx_answer, keras_answer = (client.post("/predict", json=body).json for client in clients)
        np.testing.assert_allclose(onnx_answer.pop("probabilities"), keras_answer.pop("probabilities"), atol=1e-5)
        assert abs(onnx_answer.pop("confidence") - keras_answer.pop("confidence")) <= 1e-5
        assert onnx_answer == keras_answer  # digit, verdict, reason, alternatives, model version, preview
        correct += onnx_answer["digit"] == y_test[i]
    assert correct >= 29


def test_an_onnx_file_that_does_not_match_its_card_is_never_served(tmp_path):
    path = tmp_path / "digit_cnn.keras"
    for suffix in (".keras", ".json", ".onnx"):
        shutil.copy(DEFAULT_MODEL_PATH.with_suffix(suffix), path.with_suffix(suffix))
    onnx_path = path.with_suffix(".onnx")
    onnx_path.write_bytes(onnx_path.read_bytes()[:-1] + b"\0")
    predictor = Predictor(path, runtime="onnx")
    predictor.reload_if_changed()
    assert predictor.status == "error" and "digit_cnn.onnx does not match its model card" in predictor.error

    client = create_app({"TESTING": True}, predictor=predictor).test_client()
    health = client.get("/health")
    assert health.status_code == 503 and "digit_cnn.onnx does not match" in health.json["detail"]
    one = np.zeros((28, 28), np.uint8)
    one[4:24, 12:16] = 255
    answer = client.post("/predict", json={"image": data_url(mnist_png(one))})
    assert answer.status_code == 503 and answer.json["error"]["code"] == "model_unavailable"


# Runs in a fresh interpreter: create the app, answer one /predict, list what got imported.
SERVE_ONE = """
import json, sys
import numpy as np
from backend.core.samples import data_url, mnist_png
from backend.serving.app import create_app
app = create_app({"TESTING": True, "RELOAD_INTERVAL": 60.0})
one = np.zeros((28, 28), np.uint8)
one[4:24, 12:16] = 255
answer = app.test_client().post("/predict", json={"image": data_url(mnist_png(one))})
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras", "tf2onnx"})
print(json.dumps({"status": answer.status_code, "digit": answer.json.get("digit"), "heavy": heavy}))
"""


def _serve_one(runtime: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DIGITS_RUNTIME"}
    env["DIGITS_MODEL_PATH"] = str(DEFAULT_MODEL_PATH)
    if runtime:
        env["DIGITS_RUNTIME"] = runtime
    result = subprocess.run(
        [sys.executable, "-c", SERVE_ONE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_default_onnx_runtime_serves_without_ever_importing_tensorflow():
    served = _serve_one(None)  # the default runtime
    assert served["status"] == 200 and served["digit"] == 1
    assert served["heavy"] == [], "the onnx runtime must not import TensorFlow or Keras"
    # the same check sees TensorFlow when it is there: the keras runtime imports it
    served = _serve_one("keras")
    assert served["status"] == 200 and served["digit"] == 1 and "tensorflow" in served["heavy"]


def test_gunicorn_workers_on_onnx_map_no_tensorflow_library(tmp_path):
    """The real server: after a served request, no worker has a TensorFlow shared library loaded."""
    body = json.dumps({"image": data_url(mnist_png(np.pad(np.full((20, 4), 255, np.uint8), ((4, 4), (12, 12)))))})
    env = {"DIGITS_RUNTIME": "onnx"}
    with running_server(tmp_path, workers=1, threads=2, env=env) as server:
        status, _, answer = server.request("POST", "/predict", body.encode(), {"Content-Type": "application/json"})
        assert status == 200 and json.loads(answer)["digit"] == 1
        (worker,) = server.workers
        with open(f"/proc/{worker}/maps") as maps:
            libraries = {line.split()[-1] for line in maps if line.rstrip().endswith(".so") or ".so." in line}
    assert any("onnxruntime" in lib for lib in libraries), "the check reads the worker's libraries"
    assert not [lib for lib in libraries if "tensorflow" in lib]


# Runs the `digits` command in a fresh interpreter that cannot import TensorFlow or Keras, as in a
# serving-only install (requirements/serving.lock: the container image); `health` prints the app's /health.
WITHOUT_TENSORFLOW = """
import json, sys


class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("tensorflow", "keras"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
if sys.argv[1] == "health":
    from backend.serving.app import create_app

    answer = create_app({"TESTING": True, "RUNTIME": "keras", "RELOAD_INTERVAL": 60.0}).test_client().get("/health")
    print(json.dumps({"status": answer.status_code, "body": answer.json}))
else:
    from backend.cli import main

    sys.exit(main(sys.argv[1:]))
"""


def _without_tensorflow(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DIGITS_RUNTIME": "keras", "DIGITS_MODEL_PATH": str(DEFAULT_MODEL_PATH)}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORFLOW, *argv],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_keras_runtime_without_tensorflow_says_in_one_line_what_to_install(tmp_path):
    needs = "The keras runtime needs tensorflow and keras, which this environment lacks: install the train extra"
    serve = _without_tensorflow("serve", "--port", str(free_port()), "--workers", "1")  # DIGITS_RUNTIME=keras
    assert serve.returncode == 1
    assert serve.stderr.startswith(f"digits serve: {needs}") and "pip install -e '.[train]'" in serve.stderr
    assert len(serve.stderr.strip().splitlines()) == 1, serve.stderr  # no traceback, no worker boot failures

    picture = tmp_path / "one.png"
    picture.write_bytes(mnist_png(np.pad(np.full((20, 4), 255, np.uint8), ((4, 4), (12, 12)))))
    predict = _without_tensorflow("predict", "--runtime", "keras", "--image", str(picture))
    assert predict.returncode == 1 and predict.stderr.startswith(f"error: {needs}")
    assert len(predict.stderr.strip().splitlines()) == 1, predict.stderr

    health = _without_tensorflow("health")
    assert health.returncode == 0, health.stderr[-3000:]
    answer = json.loads(health.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503 and needs in answer["body"]["detail"], answer  # the server stays up and says why
    # ...and the onnx runtime, in the same interpreter, serves (it needs neither)
    served = _without_tensorflow("predict", "--runtime", "onnx", "--image", str(picture))
    assert served.returncode == 0 and served.stdout.startswith(f"{picture}: 1 "), served.stderr[-3000:]
