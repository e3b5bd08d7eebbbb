"""nginx on loopback with the shipped proxy config (deploy/nginx/default.conf.template), for tests and `make soak`.

The template is rendered as the nginx image renders it (its `${DIGITS_*}` variables filled in)
and included in a minimal main config that keeps everything (pid, temp files, logs) in one
folder, so nginx runs in the foreground without touching /etc or /var. `make test` installs
Debian's nginx (like chromium); where it is missing, the tests that need it are skipped with a
loud reason on a developer's machine and fail in CI (`CI` is set there).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backend.core.paths import REPO_ROOT
from tests.support.server import HOST, free_port

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "default.conf.template"
VARIABLE = re.compile(r"\$\{(DIGITS_[A-Z0-9_]+)\}")

# The main config around the template: the nginx image's own is the same plus its paths and mime types.
MAIN_CONFIG = """\
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{
    worker_connections 1024;
}}
http {{
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/default.conf;
}}
"""


def find_nginx() -> str | None:
    """The nginx binary (Debian puts it in /usr/sbin, which a user's PATH may lack), or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def unavailable(reason: str):
    """Fail in CI, skip (loudly) elsewhere."""
    import pytest

    message = f"nginx tests did not run: {reason}. `make test` installs Debian's nginx with apt."
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def render(template: str, values: dict[str, str]) -> str:
    """Fill in `${DIGITS_*}` as envsubst does in the nginx image; a variable left without a value is an error."""
    missing = sorted(set(VARIABLE.findall(template)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)} in {TEMPLATE.name}")
    return VARIABLE.sub(lambda match: values[match.group(1)], template)


@dataclass
class Proxy:
    process: subprocess.Popen
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def access_log(self) -> str:
        """nginx's access log (the template logs to stdout, which is this file)."""
        return (self.folder / "access.log").read_text(errors="replace")

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.is_file() else ""


@contextlib.contextmanager
def nginx_proxy(folder: Path, upstreams: tuple[str, str], nginx: str | None = None) -> Iterator[Proxy]:
    """Run nginx with the shipped config in front of two `host:port` upstreams; yield a Proxy once it listens."""
    nginx = nginx or find_nginx()
    if nginx is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    values = {"DIGITS_PROXY_LISTEN": f"{HOST}:{port}", "DIGITS_APP_1": upstreams[0], "DIGITS_APP_2": upstreams[1]}
    (folder / "default.conf").write_text(render(TEMPLATE.read_text(), values))
    # As root, nginx's workers would switch to `nobody`, which may not enter this folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(MAIN_CONFIG.format(folder=folder, user=user))
    command = [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log"), "-g", "daemon off;"]
    checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused the config:\n{checked.stderr}")
    with open(folder / "access.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proxy = Proxy(process, port, folder)
    try:
        wait_listening(proxy, timeout=20)
        yield proxy
    finally:
        stop(process)


def wait_listening(proxy: Proxy, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise RuntimeError(f"nginx exited ({proxy.process.returncode}):\n{proxy.error_log()[-3000:]}")
        with contextlib.suppress(OSError):
            socket.create_connection((HOST, proxy.port), timeout=1).close()
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on {proxy.port} within {timeout:g} s:\n{proxy.error_log()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (nginx's fast stop: open connections are closed), SIGKILL to its process group after 10 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
