"""The real server (gunicorn, backend/serving/server.py) on 127.0.0.1 and a free port, for tests.

Started in its own process group and always stopped (SIGTERM, then SIGKILL) with its workers.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from backend.core.paths import DEFAULT_MODEL_PATH, REPO_ROOT

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def workers(self) -> set[int]:
        return children(self.process.pid)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None, timeout: float = 30.0):
        """One request on a new connection -> (status, headers as a dict, body bytes)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The server exited ({server.process.returncode}):\n{server.log()[-4000:]}")
        try:
            status, _, body = server.request("GET", "/health", timeout=5)
            if status == 200:
                return
            last = f"{status} {body[:200]!r}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.3)
    raise RuntimeError(f"/health did not answer 200 within {timeout} s (last: {last}):\n{server.log()[-4000:]}")


@contextlib.contextmanager
def running_server(tmp_path: Path, workers: int = 1, threads: int = 2, env: dict | None = None, ready_timeout=180):
    """Start the server, wait for /health 200, yield a Server; stop it and its workers afterwards."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "DIGITS_MODEL_PATH": str(DEFAULT_MODEL_PATH),
        "DIGITS_RELOAD_INTERVAL": "0.5",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "backend.serving.server", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, port, log_path)
    try:
        wait_healthy(server, ready_timeout)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 20 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def raw_exchange(port: int, data: bytes, timeout: float = 30.0) -> bytes:
    """Send `data` on a new connection and read the answer until the server closes it (or a timeout)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def parse_answer(raw: bytes) -> tuple[int, dict, bytes]:
    """Raw HTTP/1.1 answer -> (status, lower-case headers, body as sent)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body
