"""Benchmark /predict for each runtime: HTTP load, memory, start-up, and each stage in-process.

    python bench/predict_bench.py                  # for onnx and keras: start a server, measure, stop it
    python bench/predict_bench.py --runtimes onnx  # one runtime
    python bench/predict_bench.py --url http://127.0.0.1:5000   # HTTP only, against a server you started

Requests are realistic: MNIST test digits drawn as 280x280 canvas PNGs (transparent background),
sent as JSON data URLs over keep-alive connections at concurrency 1, 16 and 64. The load comes
from wrk when it is installed (`make bench` installs it: a C client takes less of the CPU the
server needs), else from Python threads. In-process, each stage of a request is timed (decode,
ink map, normalize, inference, verdict + preview + JSON), next to the naive `model.predict`.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import numpy as np

from backend.core.confidence import judge
from backend.core.preprocessing import decode, ink_map, normalize_placed, preprocess
from backend.core.samples import canvas_png
from backend.serving.settings import Config
from backend.training.mnist import load_mnist

CONCURRENCY = (1, 16, 64)
RUNTIMES = ("onnx", "keras")
# wrk: each connection posts the bodies (one JSON document a line) in turn; one JSON line at the end.
WRK_SCRIPT = """
local bodies, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  i = math.random(#bodies)
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, bodies[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "errors": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def percentiles(samples_ms) -> dict:
    ordered = np.sort(samples_ms)
    return {p: float(np.percentile(ordered, p)) for p in (50, 95, 99)}


def make_requests(count: int) -> list[bytes]:
    _, (x_test, _) = load_mnist()
    rng = np.random.default_rng(0)
    return [canvas_png(x_test[i], rng) for i in range(count)]


def python_load(url: str, bodies: list[bytes], concurrency: int, duration: float) -> dict:
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


def wrk_load(url: str, bodies: list[bytes], concurrency: int, duration: float) -> dict:
    """The same load from wrk (one thread: the event loop needs no more, and leaves the cores to the server)."""
    with tempfile.TemporaryDirectory(prefix="digits-bench-") as folder:
        script, lines = Path(folder) / "predict.lua", Path(folder) / "bodies.jsonl"
        script.write_text(WRK_SCRIPT)
        lines.write_bytes(b"\n".join(bodies) + b"\n")
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{duration:g}s", "--timeout", "30s", "-s", str(script)]
        result = subprocess.run([*command, url, "--", str(lines)], capture_output=True, text=True, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    data = json.loads(line.removeprefix("WRK "))
    return {
        "requests": data["requests"],
        "errors": data["errors"],
        "rps": data["requests"] / data["seconds"],
        **{p: data[f"p{p}"] for p in (50, 95, 99)},
    }


def children(pid: int) -> list[int]:
    """The server's worker processes (their parent is the gunicorn master)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(runtime: str) -> tuple[subprocess.Popen, str, float]:
    """Start `backend/app.py` with DIGITS_RUNTIME=runtime; (process, url, seconds from start to /health 200)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, str(root / "backend" / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DIGITS_RUNTIME": runtime},
    )
    while time.monotonic() < started + 180:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                ready = time.monotonic() - started
                time.sleep(3)  # every worker must have its model: give them the same moment the first one had
                return server, f"http://127.0.0.1:{port}", ready
        except OSError:
            pass
        time.sleep(0.05)
    server.kill()
    raise SystemExit("the server did not become healthy within 180 s")


def measure_http(url: str, bodies: list[bytes], duration: float) -> list[tuple[int, dict]]:
    load = wrk_load if shutil.which("wrk") else python_load
    load(url, bodies, 4, 2.0)  # warm every worker and thread
    return [(c, load(url, bodies, c, duration)) for c in CONCURRENCY]


def stage_times(pngs: list[bytes], runtime: str, repeats: int) -> dict:
    """Per request, in this process: each stage's time (ms) and the total, as the API runs them."""
    from backend.serving.api import png_data_url, to_png
    from backend.serving.predictor import Predictor

    config = Config()
    predictor = Predictor(config.MODEL_PATH, runtime=runtime)
    predictor.load()
    stages = {name: [] for name in ("decode", "ink map", "normalize", "inference", "JSON")}
    clock = time.perf_counter
    for i in range(repeats):
        t0 = clock()
        image = decode(pngs[i % len(pngs)])
        t1 = clock()
        ink = ink_map(image)
        t2 = clock()
        field, _ = normalize_placed(ink)
        t3 = clock()
        calibrated, model = predictor.predict(field)
        t4 = clock()
        digit = int(calibrated.argmax())
        verdict = judge(calibrated, model.card.thresholds)
        body = {
            "digit": digit,
            "confidence": float(calibrated[digit]),
            "probabilities": [float(p) for p in calibrated],
            "input": png_data_url(to_png(field)),
            "model": model.version,
            "verdict": verdict.verdict,
            "reason": verdict.reason,
            "alternatives": verdict.alternatives,
        }
        json.dumps(body)
        t5 = clock()
        for name, start, end in zip(stages, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            stages[name].append((end - start) * 1000)
    total = np.sum([stages[name] for name in stages], axis=0)
    return {"stages": {name: float(np.median(times)) for name, times in stages.items()}, **percentiles(total)}


def naive_times(pngs: list[bytes], repeats: int) -> dict:
    """preprocess + `model.predict` per request: the usual tutorial path, as a baseline."""
    from backend.core.artifacts import load_model

    model, _ = load_model(Path(Config().MODEL_PATH))
    times = []
    for i in range(min(repeats, 100)):
        start = time.perf_counter()
        model.predict(preprocess(pngs[i % len(pngs)])[None, ..., None], verbose=0)
        times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server: measure its HTTP only (default: start one per runtime)")
    parser.add_argument("--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per HTTP run")
    parser.add_argument("--repeats", type=int, default=1000, help="in-process requests per runtime")
    args = parser.parse_args()

    pngs = make_requests(200)
    bodies = [json.dumps({"image": "data:image/png;base64," + base64.b64encode(p).decode()}).encode() for p in pngs]
    config = Config()
    client = "wrk, 1 thread" if shutil.which("wrk") else "Python threads"
    print(
        f"{len(pngs)} canvas PNGs (280x280 RGBA), mean {np.mean([len(p) for p in pngs]) / 1024:.1f} KiB; "
        f"{os.cpu_count()} CPU cores; load from {client}; {args.duration:g} s per HTTP run; "
        f"{config.WORKERS} workers x {config.THREADS} threads; model {Path(config.MODEL_PATH).name}"
    )

    http_rows, server_rows = [], []
    for runtime in [None] if args.url else args.runtimes:
        server, url, ready = (None, args.url, None) if args.url else start_server(runtime)
        try:
            http_rows += [(runtime or "given server", c, r) for c, r in measure_http(url, bodies, args.duration)]
            if server is not None:
                rss = [rss_mb(pid) for pid in children(server.pid)]
                server_rows.append((runtime, ready, max(rss), len(rss)))
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)

    print("\n| runtime | concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for runtime, c, r in http_rows:
        print(
            f"| {runtime} | {c} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r[50]:.2f} | {r[95]:.2f} | "
            f"{r[99]:.2f} |"
        )
    if server_rows:
        print("\n| runtime | start to /health 200 | RSS per worker (largest) |")
        print("| --- | ---: | ---: |")
        for runtime, ready, rss, workers in server_rows:
            print(f"| {runtime} | {ready:.2f} s | {rss:.0f} MB (of {workers}) |")
    if args.url:
        return 0

    rows = [(f"{runtime} runtime", stage_times(pngs, runtime, args.repeats)) for runtime in args.runtimes]
    print("\nIn-process, per request (p50 ms of each stage; total p50/p95/p99 of their sum):\n")
    print("| path | decode | ink map | normalize | inference | JSON | total p50 | p95 | p99 | per s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        stages = " | ".join(f"{v:.3f}" for v in r["stages"].values())
        print(f"| {name} | {stages} | {r[50]:.2f} | {r[95]:.2f} | {r[99]:.2f} | {1000 / r[50]:.0f} |")
    naive = naive_times(pngs, args.repeats)
    print(
        f"| preprocess + model.predict (naive) | | | | | | {naive[50]:.2f} | {naive[95]:.2f} | {naive[99]:.2f} "
        f"| {1000 / naive[50]:.0f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
