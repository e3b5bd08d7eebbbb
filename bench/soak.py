"""Soak and chaos against the production server: wrk load, hot reload, kill -9 of a worker, slow clients, SIGTERM drain.

    make soak                          # = python -m bench.soak --proxy (about 6 minutes)
    python bench/soak.py --quick       # short phases, to try it out (about a minute)
    python bench/soak.py --seconds 120 # seconds per load phase
    python -m bench.soak --proxy       # then through nginx (from the repository's root: it uses tests/support/)

Starts `backend/app.py` (gunicorn with the production settings: 2 workers x 8 threads, the
default client deadline) on a free port, serving a copy of the shipped models from a
temporary folder, which the hot-reload phase replaces. The phases, in order:

  load-32, load-64   wrk posting canvas drawings of MNIST test digits to /predict
  hot-reload         the same at 32 connections while the model files are replaced (atomically)
                     by the other shipped model and back: no request may fail
  kill-9             the same while a worker is killed with SIGKILL: only requests in flight on
                     it may fail (at most its open connections), its successor answers, never 503
  slow-clients       64 clients trickling their headers or bodies, reconnecting when cut, while
                     /health is probed every half second: every probe must be answered
  drain              heavy requests in flight, then SIGTERM: every one finishes with 200

With --proxy (what `make soak` runs), then the production topology of compose.yaml on loopback:
nginx with deploy/nginx/default.conf.template in front of two instances (each 2 workers x 8
threads) sharing one PostgreSQL database and the models folder:

  proxy-load-32      wrk at 32 connections through nginx: no request may fail
  proxy-slow-clients the 64 slow clients against nginx: every /health probe through it is
                     answered within a second (nginx holds them; the instances never see them)

Prints a summary (requests, errors, p50/p99, RSS, respawn and drain results); exits 1 if a
check failed. Needs wrk, and for --proxy nginx and PostgreSQL (`make soak` installs them with apt).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from backend.core.paths import REPO_ROOT
from backend.core.samples import canvas_png, data_url
from backend.serving.runtimes import served_file
from backend.serving.settings import Config
from backend.training.mnist import load_mnist

HOST = "127.0.0.1"
MODELS = REPO_ROOT / "models"
SERVED, OTHER = "digit_cnn", "digit_cnn_mnist"  # the shipped models the hot reload swaps between
MODEL_FILES = (".json", ".keras", ".onnx")
WRK_SCRIPT = Path(__file__).with_name("soak.lua")
WORKERS, THREADS = 2, 8  # the production defaults (Config)
PROBE_TIMEOUT = 30  # seconds a health probe waits
LOADED_LINE = re.compile(r"^\S+ \S+ (\d+) INFO backend\.serving\.predictor \[\S+\] Loaded model (\S+)", re.MULTILINE)
ACCESS_LINE = re.compile(r"^\S+ \S+ (\d+) INFO backend\.access \[\S+\] (\S+) (\S+) (\d{3}) ", re.MULTILINE)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, bool(passed), detail))


# --- the server ------------------------------------------------------------------------


class Server:
    """`backend/app.py` in its own process group, with its log in a file."""

    def __init__(self, folder: Path, model_path: Path, name: str = "server", env: dict | None = None):
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.log_path = folder / f"{name}.log"
        env = {
            **os.environ,
            "DIGITS_MODEL_PATH": str(model_path),
            "DIGITS_DATABASE_URL": f"sqlite:///{folder / 'drawings.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
            "DIGITS_LOG_FORMAT": "text",  # the phases read the log: which worker loaded and answered what
            "DIGITS_ACCESS_LOG": "1",
            **(env or {}),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the server makes a fresh one
        command = [sys.executable, str(REPO_ROOT / "backend" / "app.py"), "--host", HOST, "--port", str(self.port)]
        command += ["--workers", str(WORKERS), "--threads", str(THREADS)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def request(self, method: str, path: str, body: bytes | None = None, timeout: float = 30.0):
        """One request on a new connection -> (status, body)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def version(self) -> str | None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            status, body = self.request("GET", "/health", timeout=10)
            if status == 200:
                return json.loads(body)["model"]
        return None

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Seconds until every worker has loaded its model (and /health answers 200)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"The server exited ({self.process.returncode}):\n{self.log()[-3000:]}")
            workers = self.workers()
            if len(workers) == WORKERS and all(loaded(self.log(), pid) for pid in workers) and self.version():
                return time.monotonic() - started
            time.sleep(0.2)
        raise SystemExit(f"The server was not ready within {timeout:g} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def loaded(log: str, pid: int) -> bool:
    return any(int(found) == pid for found, _ in LOADED_LINE.findall(log))


def children(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (the gunicorn master's workers)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
    return found


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_connections(pid: int, port: int) -> int:
    """Established TCP connections to `port` that process `pid` holds (from /proc)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local_port = int(parts[1].rsplit(":", 1)[1], 16)
                count += parts[3] == "01" and local_port == port and parts[9] in inodes  # 01: ESTABLISHED
    return count


class RssWatch:
    """Samples the workers' resident memory (summed) every half second while a phase runs."""

    def __init__(self, server: Server):
        self.server, self.samples = server, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.5):
            self.samples.append(sum(rss_mb(pid) for pid in self.server.workers()))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max(self.samples, default=0.0)


class Proxied:
    """The production topology on loopback: nginx in front of two `Server`s sharing PostgreSQL and the models folder.

    Looks like a `Server` to the phases: requests go to nginx, `workers()` are both instances'.
    nginx and the throwaway PostgreSQL come from the test suite's helpers (tests/support/).
    """

    def __init__(self, proxy, instances: list[Server]):
        self.proxy, self.instances, self.port = proxy, instances, proxy.port

    url = Server.url
    request = Server.request

    def workers(self) -> set[int]:
        return set().union(*(instance.workers() for instance in self.instances))


@contextlib.contextmanager
def proxy_topology(folder: Path, model_path: Path):
    """Start PostgreSQL, two instances and nginx (deploy/nginx/default.conf.template); yield a Proxied; stop them."""
    from tests.support.nginx import nginx_proxy
    from tests.support.postgres import postgres_server

    with postgres_server() as postgres, contextlib.ExitStack() as stack:
        env = {"DIGITS_DATABASE_URL": postgres.create_database("soak"), "DIGITS_TRUSTED_PROXIES": "1"}
        instances = [Server(folder, model_path, name=f"instance-{n}", env=env) for n in (1, 2)]
        for instance in instances:
            stack.callback(instance.stop)
        for instance in instances:
            instance.wait_ready()
        upstreams = (f"{HOST}:{instances[0].port}", f"{HOST}:{instances[1].port}")
        proxy = stack.enter_context(nginx_proxy(folder / "nginx", upstreams))
        yield Proxied(proxy, instances)


def check_proxy_prerequisites() -> None:
    """Before anything runs: --proxy needs the test suite's helpers, nginx and PostgreSQL."""
    try:  # importable when run as a module from the repository's root
        from tests.support.nginx import find_nginx
        from tests.support.postgres import find_bin
    except ModuleNotFoundError:
        raise SystemExit("--proxy: run it from the repository's root as `python -m bench.soak --proxy`") from None
    if find_nginx() is None or find_bin() is None:
        raise SystemExit("--proxy needs nginx and PostgreSQL: `make soak` installs them with apt.")


def nginx_version() -> str:
    from tests.support.nginx import find_nginx

    output = subprocess.run([find_nginx(), "-v"], capture_output=True, text=True).stderr
    return output.strip().rpartition("/")[2]


# --- the model files -----------------------------------------------------------------------


def install_model(stem: str, folder: Path, runtime: str) -> None:
    """Copy models/<stem>.* over folder/digit_cnn.*, each file atomically; the card first, the served file last.

    The server watches only the file its runtime serves: until that one changes, a new card
    beside the old file is not read, and the new file is read with its card already in place.
    """
    target = folder / f"{SERVED}.keras"
    watched = served_file(target, runtime).suffix
    for suffix in sorted(MODEL_FILES, key=lambda s: (s != ".json", s == watched)):
        temporary = folder / f".{SERVED}{suffix}.tmp"
        shutil.copyfile(MODELS / f"{stem}{suffix}", temporary)
        os.replace(temporary, folder / f"{SERVED}{suffix}")


# --- load ----------------------------------------------------------------------------------


def request_bodies(count: int = 64) -> list[bytes]:
    """/predict bodies: MNIST test digits drawn as 280x280 canvas PNGs."""
    _, (x_test, _) = load_mnist()
    rng = np.random.default_rng(0)
    return [json.dumps({"image": data_url(canvas_png(x_test[i], rng))}).encode() for i in range(count)]


def start_wrk(server: Server, bodies_file: Path, connections: int, seconds: float) -> subprocess.Popen:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    return subprocess.Popen(
        [*command, server.url, "--", str(bodies_file)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wrk_result(process: subprocess.Popen) -> dict:
    output, _ = process.communicate()
    line = next((line for line in output.splitlines() if line.startswith("SOAK ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{output}")
    result = json.loads(line.removeprefix("SOAK "))
    result["statuses"] = {int(status): count for status, count in result["statuses"].items()}
    result["socket_errors"] = sum(result[kind] for kind in ("connect", "read", "write", "timeout"))
    result["not_200"] = sum(count for status, count in result["statuses"].items() if status != 200)
    return result


def load_row(name: str, connections: int, result: dict, rss: RssWatch) -> dict:
    return {
        "phase": name,
        "connections": connections,
        "requests": result["requests"],
        "errors": result["socket_errors"],
        "not 200": result["not_200"],
        "503": result["statuses"].get(503, 0),
        "req/s": result["requests"] / result["seconds"],
        "p50 ms": result["p50_ms"],
        "p99 ms": result["p99_ms"],
        "RSS MB": rss.peak,
    }


def phase_load(report: Report, server: Server, bodies_file: Path, connections: int, seconds: float, prefix="") -> None:
    with RssWatch(server) as rss:
        result = wrk_result(start_wrk(server, bodies_file, connections, seconds))
    name = f"{prefix}load-{connections}"
    report.rows.append(load_row(name, connections, result, rss))
    failed = result["socket_errors"] + result["not_200"]
    report.check(f"{name}: no errors", failed == 0, f"{result['requests']:,} requests, {failed} failed")


def phase_hot_reload(report: Report, server: Server, bodies_file: Path, folder: Path, seconds: float, runtime: str):
    """Replace the model files under load, back and forth; each new version must be served, with no failure."""
    swaps, served_after = 2, []
    first = server.version()
    with RssWatch(server) as rss:
        wrk = start_wrk(server, bodies_file, 32, seconds)
        for swap in range(swaps):
            time.sleep(seconds / (swaps + 2))
            before, offset = server.version(), len(server.log())
            started = time.monotonic()
            install_model(OTHER if swap % 2 == 0 else SERVED, folder, runtime)
            while time.monotonic() - started < 30:
                swapped = {int(pid) for pid, version in LOADED_LINE.findall(server.log()[offset:]) if version != before}
                if server.workers() <= swapped:  # every worker has loaded the new version
                    served_after.append(time.monotonic() - started)
                    break
                time.sleep(0.1)
        result = wrk_result(wrk)
    report.rows.append(load_row("hot-reload", 32, result, rss))
    failed = result["socket_errors"] + result["not_200"]
    times = ", ".join(f"{s:.1f} s" for s in served_after)
    report.notes.append(f"hot-reload: {len(served_after)}/{swaps} replacements served by both workers after {times}")
    report.check("hot-reload: no errors", failed == 0, f"{result['requests']:,} requests, {failed} failed")
    report.check("hot-reload: each replacement served", len(served_after) == swaps, f"{len(served_after)}/{swaps}")
    report.check("hot-reload: back to the first model", server.version() == first, f"{server.version()}")


def phase_kill(report: Report, server: Server, bodies_file: Path, bodies: list[bytes], seconds: float) -> None:
    """SIGKILL the busiest worker under load while other clients open a new connection for every request.

    Only requests in flight on the killed worker may fail (at most the connections it held).
    Its successor takes new connections once its model is loaded, and never answers 503.
    """
    before, fresh, stop = server.workers(), [], threading.Event()

    def new_connections(offset: int):  # requests on fresh connections, from the kill on
        while not stop.is_set():
            try:
                status, _ = server.request("POST", "/predict", bodies[offset % len(bodies)], timeout=30)
            except OSError as error:
                status = type(error).__name__
            fresh.append(status)
            offset += 4

    clients = [threading.Thread(target=new_connections, args=(n,), daemon=True) for n in range(4)]
    with RssWatch(server) as rss:
        wrk = start_wrk(server, bodies_file, 32, seconds)
        time.sleep(seconds / 3)
        held = {pid: open_connections(pid, server.port) for pid in before}
        victim = max(held, key=held.get)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        for client in clients:
            client.start()
        successor, ready_after = None, None
        while time.monotonic() - killed_at < 120 and ready_after is None:
            successor = next(iter(server.workers() - before), None)
            if successor is not None and loaded(server.log(), successor):
                ready_after = time.monotonic() - killed_at
            time.sleep(0.05)
        result = wrk_result(wrk)
        stop.set()
        for client in clients:
            client.join(timeout=40)
    report.rows.append(load_row("kill-9", 32, result, rss))
    answers = [(int(pid), status) for pid, _, _, status in ACCESS_LINE.findall(server.log())]
    by_successor = [status for pid, status in answers if pid == successor]
    ready = f"{ready_after:.1f} s" if ready_after is not None else "never"
    fresh_failed = sum(status != 200 for status in fresh)
    report.notes.append(
        f"kill-9: worker {victim} held {held[victim]} connections; {result['socket_errors']} requests failed; "
        f"successor {successor} loaded its model {ready} after the kill and answered "
        f"{len(by_successor):,} requests ({by_successor.count('503')} with 503); "
        f"{len(fresh):,} requests on new connections after the kill, {fresh_failed} failed"
    )
    report.check(
        "kill-9: only requests in flight on the killed worker failed",
        result["socket_errors"] <= held[victim] and result["not_200"] == 0 and fresh_failed == 0,
        f"{result['socket_errors']} failed <= {held[victim]} connections it held; "
        f"{result['not_200']} not 200; {fresh_failed} of {len(fresh):,} on new connections failed",
    )
    report.check(
        "kill-9: the successor answers, never 503",
        ready_after is not None and by_successor and "503" not in by_successor,
        f"{len(by_successor):,} answers, {by_successor.count('503')} 503",
    )


def phase_slow_clients(
    report: Report, server: Server, seconds: float, clients: int = 64, prefix: str = "", bound: float | None = None
) -> None:
    """`clients` connections trickle a byte every half second (half the headers, half a body), reconnecting when cut.

    Every /health probe must be answered within `bound` seconds: by default the client deadline
    plus 5 s (a threaded server bounds slow clients, it cannot absorb them); through nginx, 1 s.
    """
    name = f"{prefix}slow-clients"
    stop, cuts, lock = threading.Event(), [0], threading.Lock()

    def trickle(index: int):
        while not stop.is_set():
            try:
                with socket.create_connection((HOST, server.port), timeout=5) as sock:
                    head = b"POST /predict HTTP/1.1\r\nHost: soak\r\n"
                    if index % 2:
                        head += b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                    sock.sendall(head)
                    while not stop.wait(0.5):
                        sock.sendall(b"{" if index % 2 else b"X")
            except OSError:  # cut by the server's deadline, or it ran out of room
                with lock:
                    cuts[0] += 1
                stop.wait(0.1)

    probes = []  # (seconds, status): a probe every half second, each on its own connection, as a monitor would

    def probe():
        started = time.monotonic()
        try:
            status, _ = server.request("GET", "/health", timeout=PROBE_TIMEOUT)
        except OSError as error:
            status = type(error).__name__
        probes.append((time.monotonic() - started, status))

    threads = [threading.Thread(target=trickle, args=(i,), daemon=True) for i in range(clients)]
    with RssWatch(server) as rss:
        for thread in threads:
            thread.start()
        time.sleep(1)  # every slow client is connected and holds a thread
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            threads.append(threading.Thread(target=probe, daemon=True))
            threads[-1].start()
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=PROBE_TIMEOUT + 5)
    answered = [latency for latency, status in probes if status == 200]
    row = {
        "phase": name,
        "connections": clients,
        "requests": len(probes),
        "errors": len(probes) - len(answered),
    }
    row |= {"not 200": len(probes) - len(answered), "503": sum(1 for _, s in probes if s == 503), "req/s": None}
    row |= {"p50 ms": statistics.median(answered) * 1000 if answered else None}
    row |= {"p99 ms": max(answered) * 1000 if answered else None, "RSS MB": rss.peak}
    report.rows.append(row)
    latency = f"median {row['p50 ms'] / 1000:.2f} s, slowest {row['p99 ms'] / 1000:.2f} s" if answered else ""
    report.notes.append(
        f"{name}: {clients} slow clients cut {cuts[0]:,} times in {seconds:g} s; "
        f"/health answered {len(answered)}/{len(probes)} probes ({latency})"
    )
    if bound is None:  # a probe may wait for slow clients to meet their deadline, not longer
        bound = Config().CLIENT_TIMEOUT + 5
    report.check(
        f"{name}: every health probe answered within {bound:g} s",
        probes and len(answered) == len(probes) and max(answered) <= bound,
        f"{len(answered)}/{len(probes)}",
    )


def heavy_body() -> bytes:
    """A 2800x2800 PNG of a digit: about a second of decoding, to be in flight when SIGTERM comes."""
    side, scale = 2800, 10
    image = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(90 * scale, 60 * scale), (200 * scale, 60 * scale), (120 * scale, 230 * scale)],
        fill=(0, 0, 0, 255),
        width=22 * scale,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return json.dumps({"image": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()}).encode()


def phase_drain(report: Report, server: Server, count: int = 8) -> None:
    """Start `count` heavy requests, SIGTERM the master while they run: each must finish with 200."""
    body, answers = heavy_body(), []  # (status, seconds after SIGTERM)
    signalled = threading.Event()
    signalled_at = [0.0]

    def send():
        try:
            status, _ = server.request("POST", "/predict", body, timeout=60)
        except OSError as error:
            status = type(error).__name__
        answers.append((status, time.monotonic() - signalled_at[0] if signalled.is_set() else -1.0))

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # sent, accepted and being decoded
    signalled_at[0] = time.monotonic()
    signalled.set()
    os.kill(server.process.pid, signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=60)
    try:
        server.process.wait(60)
        exited = time.monotonic() - signalled_at[0]
    except subprocess.TimeoutExpired:
        exited = None
    try:
        socket.create_connection((HOST, server.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    finished = [after for status, after in answers if status == 200]
    late = sum(1 for after in finished if after > 0)
    report.notes.append(
        f"drain: {len(finished)}/{count} requests in flight at SIGTERM finished with 200 ({late} after the signal); "
        f"the server exited {server.process.returncode} "
        + (f"{exited:.1f} s after SIGTERM" if exited is not None else "(not within 60 s)")
        + ("; then new connections were refused" if refused else "")
    )
    report.check("drain: requests in flight finish", len(finished) == count and late > 0, f"{len(finished)}/{count}")
    code = server.process.returncode
    took = f"exit {code} after {exited:.1f} s" if exited is not None else "still running after 60 s"
    report.check("drain: the server exits cleanly", exited is not None and code == 0, took)


# --- the summary ---------------------------------------------------------------------------


def summary(report: Report, started: float, ready: float, server: Server) -> str:
    columns = ["phase", "connections", "requests", "errors", "not 200", "503", "req/s", "p50 ms", "p99 ms", "RSS MB"]
    lines = ["", "| " + " | ".join(columns) + " |", "|" + "|".join(" ---: " for _ in columns) + "|"]
    for row in report.rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, float):
                value = f"{value:,.1f}"
            elif isinstance(value, int):
                value = f"{value:,}"
            cells.append("" if value is None else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"server: {WORKERS} workers x {THREADS} threads, ready {ready:.1f} s after start; wrk -t1, timeout 10 s"
    )
    lines.append("slow-clients: requests = /health probes; p50/p99 = median/slowest probe; RSS = the workers' peak sum")
    lines += report.notes
    lines.append("")
    for check in report.checks:
        lines.append(f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    failed = sum(not check.passed for check in report.checks)
    lines.append(f"\n{len(report.checks) - failed} passed, {failed} failed in {time.monotonic() - started:.0f} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases (5 s of load each), to try it out")
    parser.add_argument("--seconds", type=float, help="seconds per load phase (default 60; 5 with --quick)")
    parser.add_argument("--keep-log", type=Path, metavar="PATH", help="copy the server's log here at the end")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="then load and slow clients through nginx, in front of 2 instances sharing PostgreSQL (compose.yaml)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make soak` installs it (apt-get install wrk).")
    if args.proxy:
        check_proxy_prerequisites()
    seconds = args.seconds or (5.0 if args.quick else 60.0)
    chaos_seconds = max(seconds / 2, 6.0)  # hot reload and kill: room for two swaps, or a respawn
    slow_seconds = max(seconds / 2, 2.5 * Config().CLIENT_TIMEOUT)  # slow clients must meet the deadline
    runtime = Config().RUNTIME
    started = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="digits-soak-") as temporary:
        folder = Path(temporary)
        install_model(SERVED, folder, runtime)
        bodies, bodies_file = request_bodies(), folder / "bodies.jsonl"
        bodies_file.write_bytes(b"\n".join(bodies) + b"\n")
        server = Server(folder, folder / f"{SERVED}.keras")
        try:
            ready = server.wait_ready()
            print(f"Soak: {server.url}, {runtime} runtime, load phases of {seconds:g} s", flush=True)
            wrk_result(start_wrk(server, bodies_file, 8, 2))  # warm every worker and thread
            phases = {
                "load-32": lambda: phase_load(report, server, bodies_file, 32, seconds),
                "load-64": lambda: phase_load(report, server, bodies_file, 64, seconds),
                "hot-reload": lambda: phase_hot_reload(report, server, bodies_file, folder, chaos_seconds, runtime),
                "kill-9": lambda: phase_kill(report, server, bodies_file, bodies, chaos_seconds),
                "slow-clients": lambda: phase_slow_clients(report, server, slow_seconds),
                "drain": lambda: phase_drain(report, server),  # last: it stops the server
            }
            for name, run in phases.items():
                print(f"  {name} ...", flush=True)
                run()
        finally:
            server.stop()
            if args.keep_log:
                args.keep_log.write_text(server.log())
        if args.proxy:
            print("  the production topology: nginx, 2 instances, PostgreSQL ...", flush=True)
            with proxy_topology(folder, folder / f"{SERVED}.keras") as topology:
                wrk_result(start_wrk(topology, bodies_file, 8, 2))  # warm every instance, worker and thread
                print("  proxy-load-32 ...", flush=True)
                phase_load(report, topology, bodies_file, 32, seconds, prefix="proxy-")
                print("  proxy-slow-clients ...", flush=True)
                phase_slow_clients(report, topology, slow_seconds, prefix="proxy-", bound=1.0)
            report.notes.append(
                f"proxy: nginx {nginx_version()} (deploy/nginx/default.conf.template) in front of 2 instances, "
                f"each {WORKERS} workers x {THREADS} threads, sharing one PostgreSQL database and the models folder"
            )
    print(summary(report, started, ready, server))
    return 0 if all(check.passed for check in report.checks) else 1


if __name__ == "__main__":
    sys.exit(main())
