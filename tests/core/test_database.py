"""backend/core/database.py: the schema, its migrations, SQLite in WAL mode and PostgreSQL."""

import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from backend.core.database import MIGRATIONS_DIR, database_url, make_engine, metadata, migrate, open_database
from tests.support.postgres import unavailable


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_migrations_build_the_schema_the_code_declares(database_url):
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
            # Alembic's autogenerate finds nothing to add: the migrations and `metadata` agree.
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        assert {"id", "label", "strokes", "png"} <= {c["name"] for c in inspect(engine).get_columns("drawings")}
    finally:
        engine.dispose()


def test_migrating_again_changes_nothing(database_url):
    engine = open_database(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


MIGRATE_AT = """
import sys, time
from backend.core.database import make_engine, migrate
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
migrate(engine)
"""


def test_workers_starting_together_migrate_once(database_url):
    """Four processes (as four server workers would) migrate a fresh database at the same moment."""
    at = str(time.time() + 4)  # after every process has started and imported
    runs = [
        subprocess.Popen([sys.executable, "-c", MIGRATE_AT, database_url, at], stderr=subprocess.PIPE) for _ in range(4)
    ]
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, "\n".join(errors)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
    finally:
        engine.dispose()


def test_sqlite_file_and_folder_are_created_on_first_use_in_wal_mode(tmp_path):
    path = tmp_path / "not" / "yet" / "digits.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    try:
        assert path.is_file()
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
    finally:
        engine.dispose()


def test_a_plain_postgresql_url_uses_psycopg_3():
    assert database_url("postgresql://u:p@db.example/digits").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.sqlite3").drivername == "sqlite"


def test_postgresql_is_a_real_server(postgres):
    """The PostgreSQL runs of these tests talk to a real server, not a stand-in."""
    engine = make_engine(postgres.url())
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW server_version")).scalar_one()[:2].isdigit()
    finally:
        engine.dispose()


def test_without_postgresql_ci_fails_and_a_developer_is_told(monkeypatch):
    """CI can never pass without having run the PostgreSQL tests; elsewhere they are skipped with the reason."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL tests did not run: no initdb"):
        unavailable("no initdb")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="make test` installs Debian's postgresql"):
        unavailable("no initdb")
