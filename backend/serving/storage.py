"""The app's drawings database: opened and migrated as the app starts; `get_db()` is how handlers reach it."""

from __future__ import annotations

from flask import Flask, current_app

from backend.core.database import open_database
from backend.core.drawing_store import DrawingStore

EXTENSION = "drawings"


def init_db(app: Flask) -> DrawingStore:
    """Open `DATABASE_URL` (an SQLite file is created on first use) with its schema up to date."""
    store = DrawingStore(open_database(app.config["DATABASE_URL"]))
    app.extensions[EXTENSION] = store
    return store


def get_db() -> DrawingStore:
    """The app's drawings store, as flaskr's `get_db()` gives its database."""
    return current_app.extensions[EXTENSION]
