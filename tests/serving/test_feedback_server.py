"""Nothing lost: POST /feedback over real HTTP to the real server (gunicorn, 2 workers), on SQLite and PostgreSQL.

32 concurrent clients x 100 posts -> exactly 3,200 rows, none lost or doubled; the server
killed with SIGKILL in the middle of a write burst -> the database opens cleanly and every
write that was answered 201 is there.
"""

import http.client
import json
import os
import signal
import threading
import time

import pytest
from sqlalchemy import func, select, text

from backend.core.database import drawings, make_engine, open_database
from tests.support.drawings import feedback_body
from tests.support.server import HOST, running_server

CLIENTS, POSTS = 32, 100


def server_env(database_url: str) -> dict:
    return {"DIGITS_DATABASE_URL": database_url, "DIGITS_FEEDBACK_RATE_LIMIT": "off", "DIGITS_ACCESS_LOG": "0"}


def post_all(port: int, client: int, count: int, answered: list, failures: list, stop=None) -> None:
    """One keep-alive connection posting `count` corrections, each told apart by its canvas size."""
    body = feedback_body()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for n in range(count):
            if stop is not None and stop.is_set():
                return
            body["canvas"] = {"width": 100 + client, "height": 100 + n}
            connection.request("POST", "/feedback", json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            content = response.read()
            if response.status != 201:
                failures.append((response.status, content[:200]))
                continue
            answered.append((json.loads(content)["id"], client, n))
    except (OSError, http.client.HTTPException) as error:  # the server was killed: expected in that test
        if stop is None or not stop.is_set():
            failures.append(repr(error))
    finally:
        connection.close()


def test_32_clients_x_100_posts_make_exactly_3200_rows(database_url, tmp_path):
    open_database(database_url).dispose()
    with running_server(tmp_path, workers=2, threads=8, env=server_env(database_url)) as server:
        answered, failures = [], []
        threads = [
            threading.Thread(target=post_all, args=(server.port, c, POSTS, answered, failures)) for c in range(CLIENTS)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        seconds = time.monotonic() - started
    print(f"{len(answered)} posts answered 201 in {seconds:.1f} s ({len(answered) / seconds:.0f}/s)")
    assert failures == []
    assert len(answered) == CLIENTS * POSTS and len({i for i, _, _ in answered}) == CLIENTS * POSTS
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(drawings)).scalar_one() == CLIENTS * POSTS
            rows = connection.execute(select(drawings.c.id, drawings.c.canvas_width, drawings.c.canvas_height)).all()
    finally:
        engine.dispose()
    assert {row.id: (row.canvas_width - 100, row.canvas_height - 100) for row in rows} == {
        i: (client, n) for i, client, n in answered
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_server_killed_during_a_write_burst_loses_no_answered_write(database_url, tmp_path):
    open_database(database_url).dispose()
    answered, failures, stop = [], [], threading.Event()
    with running_server(tmp_path, workers=2, threads=8, env=server_env(database_url)) as server:
        threads = [
            threading.Thread(target=post_all, args=(server.port, c, 10_000, answered, failures, stop))
            for c in range(16)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(answered) < 300 and time.monotonic() < deadline:  # well into the burst
            time.sleep(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)  # master and workers, mid-write
        stop.set()
        for thread in threads:
            thread.join(60)
    assert failures == [] and len(answered) >= 300
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            stored = set(connection.execute(select(drawings.c.id)).scalars())
    finally:
        engine.dispose()
    missing = {i for i, _, _ in answered} - stored
    assert missing == set(), f"{len(missing)} of {len(answered)} answered writes are gone"
    print(f"killed after {len(answered)} answered writes; {len(stored)} rows (writes in flight may land too)")
