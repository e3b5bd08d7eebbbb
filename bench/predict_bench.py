"""Benchmark /predict over HTTP (keep-alive, concurrency 1 and 16) and the same work in-process.

    python bench/predict_bench.py                 # starts a server on a free port, then measures
    python bench/predict_bench.py --url http://127.0.0.1:5000   # measures a server you started

Requests are realistic: MNIST test digits drawn as 280x280 canvas PNGs (transparent background).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import numpy as np

from backend.core.preprocessing import preprocess
from backend.core.samples import canvas_png
from backend.serving.settings import Config
from backend.training.mnist import load_mnist


def percentiles(samples_ms: list[float]) -> dict:
    ordered = np.sort(samples_ms)
    return {p: float(np.percentile(ordered, p)) for p in (50, 95, 99)}


def make_requests(count: int) -> tuple[list[bytes], list[int]]:
    _, (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(0)
    pngs = [canvas_png(x_test[i], rng) for i in range(count)]
    return pngs, [int(y) for y in y_test[:count]]


def http_load(url: str, bodies: list[bytes], concurrency: int, duration: float) -> dict:
    """Each thread keeps one connection open and posts bodies back to back for `duration` s."""
    parsed = urllib.parse.urlparse(url)
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + duration

    def worker(offset: int):
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        mine, bad, i = [], 0, offset
        while time.perf_counter() < deadline:
            body = bodies[i % len(bodies)]
            i += concurrency
            start = time.perf_counter()
            try:
                connection.request("POST", "/predict", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed, **percentiles(latencies)}


def in_process(pngs: list[bytes], repeats: int) -> tuple[dict, dict]:
    """Time preprocessing + the compiled predict, and the naive `model.predict` per request."""
    from backend.serving.predictor import Predictor

    predictor = Predictor(Config().MODEL_PATH)
    predictor.load()
    fast = []
    for i in range(repeats):
        start = time.perf_counter()
        predictor.predict(preprocess(pngs[i % len(pngs)]))
        fast.append((time.perf_counter() - start) * 1000)

    from backend.core.artifacts import load_model

    model, _ = load_model(Path(Config().MODEL_PATH))
    naive = []
    for i in range(min(repeats, 100)):
        start = time.perf_counter()
        model.predict(preprocess(pngs[i % len(pngs)])[None, ..., None], verbose=0)  # the usual tutorial path
        naive.append((time.perf_counter() - start) * 1000)
    return percentiles(fast), percentiles(naive)


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, str(root / "backend" / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                # every worker must have its model: give them the same moment the first one had
                time.sleep(3)
                return server, url
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not become healthy within 180 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per HTTP run")
    parser.add_argument("--repeats", type=int, default=300, help="in-process calls")
    args = parser.parse_args()

    pngs, _ = make_requests(200)
    bodies = [json.dumps({"image": "data:image/png;base64," + base64.b64encode(p).decode()}).encode() for p in pngs]
    mean_kib = np.mean([len(p) for p in pngs]) / 1024
    print(f"{len(pngs)} canvas PNGs (280x280 RGBA), mean {mean_kib:.1f} KiB; {os.cpu_count()} CPU cores")

    server = None
    url = args.url
    if url is None:
        server, url = start_server()
    try:
        http_load(url, bodies, 4, 2.0)  # warm every worker and thread
        rows = [(f"HTTP /predict, concurrency {c}", http_load(url, bodies, c, args.duration)) for c in (1, 16)]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    fast, naive = in_process(pngs, args.repeats)
    print()
    print("| path | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(
            f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r[50]:.2f} | {r[95]:.2f} | {r[99]:.2f} |"
        )
    for name, r in (
        ("in-process: preprocess + tf.function", fast),
        ("in-process: preprocess + model.predict (naive)", naive),
    ):
        print(f"| {name} | | | {1000 / r[50]:.0f} | {r[50]:.2f} | {r[95]:.2f} | {r[99]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
