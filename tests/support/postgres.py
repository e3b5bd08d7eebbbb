"""A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a cluster in a temporary folder.

`make test` installs the package (like chromium). Where it is missing, the tests that need it
are skipped with a loud reason on a developer's machine, and fail in CI (`CI` is set there),
so a CI run can never pass without having run them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import HOST, free_port

SEARCH = ("/usr/lib/postgresql/*/bin",)  # Debian's layout: one folder per major version
SUPERUSER = "postgres"
INITDB_OPTIONS = ["--auth=trust", "--encoding=UTF8", "--no-sync"]  # a throwaway cluster on 127.0.0.1


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (with initdb and pg_ctl), or None."""
    folders = [Path(p) for pattern in SEARCH for p in glob.glob(pattern) if (Path(p) / "initdb").is_file()]
    if not folders:
        initdb = shutil.which("initdb")
        return Path(initdb).resolve().parent if initdb else None
    return max(folders, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def unavailable(reason: str):
    """Fail in CI, skip (loudly) elsewhere."""
    message = f"PostgreSQL tests did not run: {reason}. `make test` installs Debian's postgresql with apt."
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class PostgresServer:
    bin: Path
    folder: Path
    port: int
    run_as: list[str]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        import psycopg

        with psycopg.connect(f"host={HOST} port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server():
    """Start a PostgreSQL server on 127.0.0.1 and a free port (trust authentication), yield it, stop it."""
    bin_folder = find_bin()
    if bin_folder is None:
        unavailable("no initdb under /usr/lib/postgresql/*/bin or on PATH")
    # initdb refuses to run as root: then the cluster belongs to the package's `postgres` user.
    run_as = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            unavailable("running as root, and no runuser to start the server as the postgres user")
        run_as = [runuser, "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="digits-postgres-"))
    if run_as:
        shutil.chown(folder, "postgres")
    server = PostgresServer(bin_folder, folder, free_port(), run_as)
    try:
        subprocess.run(
            [*run_as, str(bin_folder / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, *INITDB_OPTIONS],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-h {HOST} -p {server.port} -k {folder} -c fsync=off -c max_connections=200"
        server.pg_ctl("start", "-w", "-l", str(folder / "server.log"), "-o", options)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log = folder / "server.log"
        detail = (getattr(error, "stderr", None) or b"").decode(errors="replace")
        detail += log.read_text(errors="replace") if log.is_file() else ""
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"the server did not start ({error}): {detail[-2000:]}")
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            server.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)
