"""backend/serving/server.py + worker.py: the real server (gunicorn on 127.0.0.1) under hostile clients.

Each test is bounded in time and the servers are always stopped with their workers.
"""

import base64
import http.client
import io
import json
import os
import re
import signal
import socket
import threading
import time

import pytest
from PIL import Image, ImageDraw

from tests.support.server import HOST, parse_answer, raw_exchange, running_server

CLIENT_TIMEOUT = 2  # seconds; the default is 10
BODY_LIMIT = 100_000


def _digit_png() -> bytes:
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).line([(90, 60), (200, 60), (120, 230)], fill=0, width=22)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PREDICT_BODY = json.dumps({"image": "data:image/png;base64," + base64.b64encode(_digit_png()).decode()}).encode()
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One worker with two threads, a 2 s client deadline, a 100 KB body limit and JSON logs."""
    env = {
        "DIGITS_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
        "DIGITS_MAX_REQUEST_BYTES": str(BODY_LIMIT),
        "DIGITS_LOG_FORMAT": "json",
    }
    with running_server(tmp_path_factory.mktemp("server"), workers=1, threads=2, env=env) as running:
        yield running


def _timed_health(server, timeout=30.0):
    started = time.monotonic()
    status, _, _ = server.request("GET", "/health", timeout=timeout)
    return status, time.monotonic() - started


def test_slow_clients_cannot_stop_the_server(server):
    """Twice as many connections as threads trickle their headers or their body, a byte at a time."""
    count = 2 * 2  # all the threads, twice over
    stop = threading.Event()
    closed_after = []

    def trickle(index):
        started = time.monotonic()
        with socket.create_connection((HOST, server.port), timeout=5) as sock:
            if index % 2:
                head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                head += b"Content-Length: 50000\r\n\r\n"
            else:
                head = b"POST /predict HTTP/1.1\r\nHost: x\r\n"
            sock.sendall(head)
            try:
                while not stop.is_set() and time.monotonic() - started < 20:
                    sock.sendall(b"{" if index % 2 else b"X")
                    time.sleep(0.2)
            except OSError:
                closed_after.append(time.monotonic() - started)  # the server cut it

    threads = [threading.Thread(target=trickle, args=(i,), daemon=True) for i in range(count * 2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)  # every thread is now busy with a slow client
        status, seconds = _timed_health(server)
        assert status == 200 and seconds < CLIENT_TIMEOUT + 4, f"/health took {seconds:.1f} s"
        deadline = time.monotonic() + 15
        while len(closed_after) < len(threads) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(closed_after) == len(threads), "every slow client is cut off"
    assert max(closed_after) < CLIENT_TIMEOUT + 8
    metrics = server.request("GET", "/metrics")[2].decode()
    cut = re.search(r'^digits_client_timeouts_total\{phase="request"\} (\S+)$', metrics, re.MULTILINE)
    assert cut and float(cut.group(1)) >= len(threads) / 2


def test_clients_that_never_hang_up_do_not_stall_the_worker(server):
    """gunicorn lingers up to 2 s on its main loop for each closing connection; here it does not."""
    held = []
    try:
        for _ in range(6):
            sock = socket.create_connection((HOST, server.port), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            held.append(sock)
        time.sleep(0.2)
        for _ in range(3):
            status, seconds = _timed_health(server)
            assert status == 200 and seconds < 3, f"/health took {seconds:.1f} s"
    finally:
        for sock in held:
            sock.close()


def _chunked(body: bytes, piece: int = 8192) -> bytes:
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + piece]), body[i : i + piece]) for i in range(0, len(body), piece)
    )
    return chunks + b"0\r\n\r\n"


def _chunked_post(body: bytes) -> bytes:
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    return head + b"Connection: close\r\n\r\n" + _chunked(body)


def test_chunked_json_is_read_whole_and_held_to_the_body_limit(server):
    status, _, body = parse_answer(raw_exchange(server.port, _chunked_post(PREDICT_BODY)))
    assert status == 200 and "digit" in json.loads(body)

    over = json.dumps({"image": "A" * (BODY_LIMIT + 10)}).encode()
    status, _, body = parse_answer(raw_exchange(server.port, _chunked_post(over)))
    error = json.loads(body)["error"]
    assert status == 413 and error["code"] == "request_too_large"
    assert f"{BODY_LIMIT:,} bytes" in error["message"]


def test_a_body_shorter_than_announced_is_400_incomplete_body(server):
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    status, _, body = parse_answer(raw_exchange(server.port, head + b'{"image": "'))
    assert status == 400 and json.loads(body)["error"]["code"] == "incomplete_body"


def test_deeply_nested_json_is_400_invalid_json(server):
    status, _, body = server.request("POST", "/predict", b"[" * 5000 + b"]" * 5000, JSON)
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_json"


def test_request_ids_and_json_log_lines(server):
    status, headers, _ = server.request("GET", "/health", headers={"X-Request-ID": "probe-42"})
    assert status == 200 and headers["X-Request-ID"] == "probe-42"
    status, headers, _ = server.request("GET", "/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    time.sleep(0.3)  # let the access lines reach the log
    ours = [line for line in server.log().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in ours]  # every line our logging writes is one JSON object
    assert {"time", "level", "logger", "pid", "request_id", "message"} <= set(entries[0])
    access = [e for e in entries if e["logger"] == "backend.access" and e["request_id"] == "probe-42"]
    assert access and access[0]["status"] == 200 and access[0]["path"] == "/health"
    assert any(e["logger"] == "gunicorn.error" for e in entries), "gunicorn's own lines are JSON too"


def _loaded(server, pid: int) -> bool:
    """Whether worker `pid` has logged that its model is loaded (text log format)."""
    return re.search(rf"^\S+ \S+ {pid} INFO backend\.serving\.predictor .*Loaded model", server.log(), re.M) is not None


def test_connections_opened_at_once_are_spread_over_the_workers(tmp_path):
    """32 keep-alive connections opened together (as wrk or nginx's upstream pool does) reach both workers.

    On one shared listening socket, one worker could accept them all and leave the other idle.
    """
    with running_server(tmp_path, workers=2, threads=2) as server:
        deadline = time.monotonic() + 120
        while not all(_loaded(server, pid) for pid in server.workers) and time.monotonic() < deadline:
            time.sleep(0.1)  # /health answered: one worker is ready; the other may still be loading
        connections = [http.client.HTTPConnection(HOST, server.port, timeout=30) for _ in range(32)]
        try:
            for connection in connections:
                connection.connect()
            for index, connection in enumerate(connections):
                connection.request("GET", "/health", headers={"X-Request-ID": f"spread-{index}"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200
        finally:
            for connection in connections:
                connection.close()
        time.sleep(0.3)  # let the access lines reach the log
        access = re.compile(r"^\S+ \S+ (\d+) INFO backend\.access \[(spread-\d+)\]", re.MULTILINE)
        answered_by = {request_id: int(pid) for pid, request_id in access.findall(server.log())}
        workers = server.workers
    assert len(answered_by) == 32 and set(answered_by.values()) <= workers
    per_worker = [list(answered_by.values()).count(pid) for pid in workers]
    # A worker with both threads busy leaves the next connections to the other: about 16 each.
    assert min(per_worker) >= 4, per_worker


def test_a_client_sending_back_to_back_does_not_starve_the_others(tmp_path):
    """One thread: it may serve a keep-alive client's next request itself, but not while another client waits."""
    with running_server(tmp_path, workers=1, threads=1) as server:
        stop, busy_answers = threading.Event(), []

        def back_to_back():
            connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
            while not stop.is_set():
                connection.request("POST", "/predict", PREDICT_BODY, JSON)
                response = connection.getresponse()
                response.read()
                busy_answers.append(response.status)

        client = threading.Thread(target=back_to_back, daemon=True)
        client.start()
        try:
            time.sleep(1.0)
            waits = [_timed_health(server, timeout=10) for _ in range(5)]
        finally:
            stop.set()
            client.join(timeout=30)
    assert busy_answers and set(busy_answers) == {200}
    assert all(status == 200 and seconds < 1.0 for status, seconds in waits), waits


def test_a_respawned_worker_takes_requests_only_once_its_model_is_loaded(tmp_path):
    """kill -9 a worker under light load, then (once its successor has loaded) the other one.

    From then on only the successor can answer: every answer must be a prediction, never a
    503 model_unavailable, before or after.
    """
    with running_server(tmp_path, workers=2, threads=2) as server:
        first, second = sorted(server.workers)
        answers = []  # (time, status)
        stop = threading.Event()

        def light_load():
            while not stop.is_set():
                try:
                    status = server.request("POST", "/predict", PREDICT_BODY, JSON, timeout=60)[0]
                except (OSError, http.client.HTTPException) as error:  # a worker killed mid-answer: IncompleteRead
                    status = repr(error)
                answers.append((time.monotonic(), status))
                time.sleep(0.05)

        client = threading.Thread(target=light_load, daemon=True)
        client.start()
        try:
            time.sleep(0.5)
            os.kill(first, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while not (server.workers - {first, second}) and time.monotonic() < deadline:
                time.sleep(0.05)
            (successor,) = server.workers - {first, second}
            deadline = time.monotonic() + 120
            while not _loaded(server, successor) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _loaded(server, successor), server.log()[-3000:]
            os.kill(second, signal.SIGKILL)
            only_successor = time.monotonic()
            time.sleep(3)
        finally:
            stop.set()
            client.join(timeout=70)
        metrics = server.request("GET", "/metrics")[2].decode()
    # Every worker's counts, the killed ones' included, add up in /metrics (multiprocess mode).
    counted = sum(float(v) for v in re.findall(r"^digits_predictions_total\{[^}]*\} (\S+)$", metrics, re.MULTILINE))
    statuses = [status for _, status in answers if isinstance(status, int)]
    assert statuses and set(statuses) == {200}, statuses
    assert len(answers) - len(statuses) <= 2, "only a request in flight in a killed worker may fail"
    assert sum(1 for moment, _ in answers if moment > only_successor + 0.5) >= 3, "the successor answered"
    assert len(statuses) <= counted <= len(answers)
