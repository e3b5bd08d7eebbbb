"""Alembic's migrations of the drawings database (backend/core/database.py runs them)."""
