"""Alembic's entry point: migrate the connection `database.migrate()` hands over, or the URL in the environment.

`alembic revision --autogenerate -m "..."` (with alembic.ini at the repository root) compares
`database.metadata` with the database at `DIGITS_DATABASE_URL` (default data/digits.sqlite3).
"""

from __future__ import annotations

import os

from alembic import context

from backend.core.database import DEFAULT_DATABASE_URL, make_engine, metadata


def run(connection) -> None:
    # render_as_batch: SQLite can alter a table only by copying it; Alembic does that for us.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(os.environ.get("DIGITS_DATABASE_URL") or DEFAULT_DATABASE_URL)
    with engine.connect() as fresh:
        run(fresh)
        fresh.commit()
