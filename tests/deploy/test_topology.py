"""The production topology on loopback: nginx in front of two server instances, one PostgreSQL, one models folder.

What compose.yaml runs in containers, run here as plain processes: nginx from apt with
deploy/nginx/default.conf.template, two `python -m backend.serving.server` instances (one
worker each) that share a PostgreSQL database and a models folder. Through nginx, 32
concurrent clients get no error and both instances answer; feedback posted through nginx is
read back from either instance; a model written into the shared folder reaches both; 64 slow
clients are held by nginx while /health through it answers within a second.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from backend.core.database import drawings, make_engine
from backend.core.paths import MODELS_DIR
from backend.core.samples import canvas_png, data_url
from tests.support.drawings import feedback_body
from tests.support.nginx import Proxy, find_nginx, nginx_proxy, unavailable
from tests.support.server import HOST, Server, running_server

pytestmark = pytest.mark.integration

SERVED, OTHER = "digit_cnn", "digit_cnn_mnist"
MODEL_FILES = (".json", ".keras", ".onnx")  # the card, the model, its export (what the onnx runtime serves)
CLIENTS, REQUESTS_EACH = 32, 20
SLOW_CLIENTS, SLOW_SECONDS = 64, 6.0
UPSTREAM = re.compile(r'"(\S+) (\S+) HTTP/1\.1" (\d{3}) .* upstream=(\S+) .* id=(\S+)$', re.MULTILINE)


@dataclass
class Topology:
    proxy: Proxy
    instances: tuple[Server, Server]
    models: Path
    database_url: str

    def through_proxy(self, method: str, path: str, body: bytes | None = None, headers=None, timeout: float = 30.0):
        """One request to nginx on a new connection -> (status, headers, body)."""
        connection = http.client.HTTPConnection(HOST, self.proxy.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def upstreams(self) -> set[str]:
        return {f"{HOST}:{instance.port}" for instance in self.instances}

    def served_by(self, method: str, path: str) -> dict[str, int]:
        """How many `method path` requests nginx sent to each instance (from its access log)."""
        counts = dict.fromkeys(self.upstreams(), 0)
        for verb, url, _, upstream, _ in UPSTREAM.findall(self.proxy.access_log()):
            if verb == method and url == path and upstream in counts:
                counts[upstream] += 1
        return counts


@pytest.fixture(scope="module")
def topology(postgres, tmp_path_factory):
    nginx = find_nginx()
    if nginx is None:
        unavailable("no nginx binary on PATH or in /usr/sbin")
    folder = tmp_path_factory.mktemp("topology")
    models = folder / "models"
    models.mkdir()
    for suffix in MODEL_FILES:
        shutil.copy(MODELS_DIR / f"{SERVED}{suffix}", models / f"{SERVED}{suffix}")
    database_url = postgres.create_database("topology")
    env = {
        "DIGITS_MODEL_PATH": str(models / f"{SERVED}.keras"),
        "DIGITS_RUNTIME": "onnx",
        "DIGITS_DATABASE_URL": database_url,
        "DIGITS_TRUSTED_PROXIES": "1",  # as compose.yaml sets it: nginx is the one proxy in front
    }
    with contextlib.ExitStack() as stack:
        instances = tuple(stack.enter_context(running_server(folder, workers=1, threads=4, env=env)) for _ in range(2))
        upstreams = tuple(f"{HOST}:{instance.port}" for instance in instances)
        proxy = stack.enter_context(nginx_proxy(folder / "nginx", upstreams, nginx))
        yield Topology(proxy, instances, models, database_url)


@pytest.fixture(scope="module")
def predict_bodies(mnist) -> list[tuple[bytes, int]]:
    """/predict bodies: MNIST test digits drawn as 280x280 canvas PNGs, with their labels."""
    _, (x_test, y_test) = mnist
    rng = np.random.default_rng(7)
    return [(json.dumps({"image": data_url(canvas_png(x_test[i], rng))}).encode(), int(y_test[i])) for i in range(64)]


def test_a_request_id_passes_through_nginx_to_the_instance_and_back(topology):
    status, headers, _ = topology.through_proxy("GET", "/health", headers={"X-Request-ID": "topology-7f3a"})
    assert status == 200 and headers["X-Request-ID"] == "topology-7f3a"
    status, headers, _ = topology.through_proxy("GET", "/health")
    made = headers["X-Request-ID"]
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", made), "nginx's $request_id, kept by the instance"
    time.sleep(0.2)  # the log lines are written after the answer
    logged = {request_id: upstream for _, _, _, upstream, request_id in UPSTREAM.findall(topology.proxy.access_log())}
    for request_id in ("topology-7f3a", made):
        assert logged.get(request_id) in topology.upstreams()
        (instance,) = [i for i in topology.instances if f"{HOST}:{i.port}" == logged[request_id]]
        assert f"[{request_id}] GET /health 200" in instance.log()


def test_32_concurrent_clients_through_nginx_get_no_error_from_either_instance(topology, predict_bodies):
    answers, failures = [], []

    def client(index: int):
        connection = http.client.HTTPConnection(HOST, topology.proxy.port, timeout=60)
        try:
            for n in range(REQUESTS_EACH):
                body, label = predict_bodies[(index * REQUESTS_EACH + n) % len(predict_bodies)]
                connection.request("POST", "/predict", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                content = response.read()
                if response.status != 200:
                    failures.append((response.status, content[:200]))
                    continue
                answers.append(json.loads(content)["digit"] == label)
        except (OSError, http.client.HTTPException) as error:
            failures.append(repr(error))
        finally:
            connection.close()

    before = topology.served_by("POST", "/predict")
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    seconds = time.monotonic() - started
    time.sleep(0.2)
    after = topology.served_by("POST", "/predict")
    shares = {upstream: after[upstream] - before[upstream] for upstream in after}
    rate = len(answers) / seconds
    print(f"{len(answers)} answers in {seconds:.1f} s ({rate:.0f}/s) through nginx; by instance {shares}")
    assert failures == []
    assert len(answers) == CLIENTS * REQUESTS_EACH
    assert sum(answers) >= 0.95 * len(answers), "real answers: the digits are read"
    assert sum(shares.values()) == CLIENTS * REQUESTS_EACH
    assert all(count >= CLIENTS * REQUESTS_EACH // 4 for count in shares.values()), shares  # both instances work


def test_feedback_posted_through_nginx_lands_in_the_one_database(topology):
    before = topology.served_by("POST", "/feedback")
    posted = []
    for n in range(4):  # nginx's round robin sends them to the instances in turn
        body = feedback_body(label=n, share=True)
        status, _, content = topology.through_proxy("POST", "/feedback", json.dumps(body).encode(), JSON)
        assert status == 201, content
        posted.append((json.loads(content)["id"], n))
    time.sleep(0.2)
    after = topology.served_by("POST", "/feedback")
    assert all(after[upstream] > before[upstream] for upstream in after), "both instances wrote"
    for drawing_id, label in posted:  # each instance reads what either wrote
        seen = []
        for instance in topology.instances:
            status, _, content = instance.request("GET", f"/drawings/{drawing_id}")
            assert status == 200, content
            seen.append(json.loads(content))
        assert seen[0] == seen[1] and seen[0]["label"] == label
    engine = make_engine(topology.database_url)
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(select(drawings.c.id)).scalars())
            count = connection.execute(select(func.count()).select_from(drawings)).scalar_one()
    finally:
        engine.dispose()
    assert stored == {drawing_id for drawing_id, _ in posted} and count == len(posted)


def test_slow_clients_are_held_by_nginx_while_health_answers_within_a_second(topology):
    """64 clients trickle their headers or bodies to nginx; no instance sees them; /health through nginx stays fast."""
    offsets = [len(instance.log()) for instance in topology.instances]
    stop, sockets, lock = threading.Event(), [], threading.Lock()

    def trickle(index: int):
        with socket.create_connection((HOST, topology.proxy.port), timeout=5) as sock:
            with lock:
                sockets.append(sock)
            head = b"POST /predict HTTP/1.1\r\nHost: topology\r\n"
            if index % 2:  # whole headers, then a body that never ends
                head += b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            sock.sendall(head)
            with contextlib.suppress(OSError):
                while not stop.wait(0.5):
                    sock.sendall(b"{" if index % 2 else b"X")

    threads = [threading.Thread(target=trickle, args=(i,), daemon=True) for i in range(SLOW_CLIENTS)]
    for thread in threads:
        thread.start()
    probes, held = [], []
    try:
        time.sleep(1)  # every slow client is connected
        ends = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < ends:
            started = time.monotonic()
            try:
                status, _, _ = topology.through_proxy("GET", "/health", timeout=5)
            except OSError as error:
                status = type(error).__name__
            probes.append((status, time.monotonic() - started))
            held.append(established_connections(topology.proxy.port))
            time.sleep(0.25)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    latencies = [seconds for _, seconds in probes]
    print(
        f"{SLOW_CLIENTS} slow clients for {SLOW_SECONDS:g} s: {len(probes)} /health probes through nginx, "
        f"slowest {max(latencies) * 1000:.0f} ms; nginx held up to {max(held)} connections"
    )
    assert len(sockets) == SLOW_CLIENTS
    assert min(held) >= SLOW_CLIENTS, "nginx held every slow client's connection"
    assert probes and all(status == 200 for status, _ in probes), probes
    assert max(latencies) < 1.0
    for instance, offset in zip(topology.instances, offsets, strict=True):
        seen = instance.log()[offset:]
        assert " POST /predict " not in seen and " 408 " not in seen, "an instance saw a slow client"


def test_a_model_written_into_the_shared_folder_reaches_both_instances(topology):
    old, new = (json.loads((MODELS_DIR / f"{stem}.json").read_text())["version"] for stem in (SERVED, OTHER))
    assert old != new
    for instance in topology.instances:
        assert model_version(instance) == old
    install_model(OTHER, topology.models)
    started, reached = time.monotonic(), {}
    while len(reached) < 2 and time.monotonic() - started < 60:
        for instance in topology.instances:
            if instance.port not in reached and model_version(instance) == new:
                reached[instance.port] = time.monotonic() - started
        time.sleep(0.2)
    print(f"the new model reached the instances after {', '.join(f'{s:.1f} s' for s in reached.values())}")
    assert len(reached) == 2, f"only {len(reached)} of 2 instances serve {new}"
    for _ in range(4):  # and through nginx, whichever instance answers
        status, _, content = topology.through_proxy("GET", "/health")
        assert status == 200 and json.loads(content) == {"status": "ok", "model": new}


JSON = {"Content-Type": "application/json"}


def model_version(instance: Server) -> str | None:
    with contextlib.suppress(OSError, ValueError, KeyError):
        status, _, content = instance.request("GET", "/model", timeout=10)
        if status == 200:
            return json.loads(content)["version"]
    return None


def install_model(stem: str, folder: Path) -> None:
    """Copy models/<stem>.* over folder/digit_cnn.*, each file atomically: the card first, the served .onnx last."""
    for suffix in sorted(MODEL_FILES, key=lambda s: (s != ".json", s == ".onnx")):
        temporary = folder / f".{SERVED}{suffix}.tmp"
        shutil.copyfile(MODELS_DIR / f"{stem}{suffix}", temporary)
        os.replace(temporary, folder / f"{SERVED}{suffix}")


def established_connections(port: int) -> int:
    """Established TCP connections whose local port is `port` (the server's side of each), from /proc."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                count += parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port
    return count
