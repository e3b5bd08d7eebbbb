"""The drawings database: its one table, an engine for SQLite (WAL) or PostgreSQL, and its migrations.

Both wings use it: the server stores the drawings people correct or share, training reads the
corrections back. SQLite needs nothing installed and is the default; a `postgresql://` URL
serves several server instances from one database. The schema is Alembic's
(`backend/core/migrations/`), brought up to date by `migrate()` when the app starts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, make_url

from backend.core.paths import DATA_DIR

DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'digits.sqlite3'}"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30  # SQLite: how long a writer waits for another's lock before giving up
MIGRATION_LOCK_ID = 0x64696769  # PostgreSQL advisory lock held while migrating ("digi")
_MIGRATING = threading.Lock()
WRITE = {"sqlite_write": True}  # execution options for a transaction that will write (see _begin)

metadata = MetaData()
_json = JSON().with_variant(JSONB(), "postgresql")

drawings = Table(
    "drawings",
    metadata,
    Column("id", String(32), primary_key=True),  # secrets.token_urlsafe: unguessable, safe in a URL
    Column("created_at", DateTime(), nullable=False, index=True),  # UTC
    Column("label", SmallInteger(), nullable=True, index=True),  # what the person said it was; None: a plain save
    Column("shared", Boolean(), nullable=False),  # may be read by anyone with the link (GET /drawings/<id>)
    Column("predicted", SmallInteger(), nullable=False),
    Column("probabilities", _json, nullable=False),  # ten floats, as the model answered
    Column("model", String(64), nullable=False),  # the model's version
    Column("strokes", _json, nullable=False),  # [[[x, y], ...], ...] in 0..1 canvas coordinates, y down
    Column("canvas_width", Integer(), nullable=False),  # the drawing area on the person's screen, CSS pixels
    Column("canvas_height", Integer(), nullable=False),
    Column("png", LargeBinary(), nullable=False),  # the picture the app sent to /predict
    CheckConstraint("label IS NULL OR (label >= 0 AND label <= 9)", name="label_is_a_digit"),
    CheckConstraint("predicted >= 0 AND predicted <= 9", name="predicted_is_a_digit"),
)


def database_url(url: str | URL) -> URL:
    """The URL as SQLAlchemy should use it: `postgresql://` means psycopg 3 (the driver installed)."""
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(url: str | URL) -> Engine:
    """An engine for the URL; SQLite files (and their folder) are created on first use, in WAL mode."""
    url = database_url(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy then emits BEGIN itself (_begin), so DDL is transactional too and a writer can
    # take the write lock up front; pysqlite's own transaction handling would do neither.
    dbapi_connection.isolation_level = None
    # WAL: readers never block the writer nor it them. synchronous=FULL: a transaction answered as
    # committed survives a crash of the process and of the machine.
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=FULL")


def _begin(connection) -> None:
    # BEGIN IMMEDIATE takes the write lock at once (waiting up to the busy timeout); a deferred
    # transaction that reads and then writes could fail with "database is locked" instead of waiting.
    immediate = connection.get_execution_options().get("sqlite_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (Alembic's `upgrade head`), one process at a time.

    Every server worker calls this as it starts: the first takes the lock (SQLite's write lock,
    a PostgreSQL advisory lock) and migrates in one transaction; the others wait, then find
    nothing to do.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic keeps the migration in progress in module globals: one at a time in a process too.
    with _MIGRATING, engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | URL) -> Engine:
    """An engine for the URL with its schema up to date."""
    engine = make_engine(url)
    migrate(engine)
    return engine
