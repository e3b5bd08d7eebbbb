"""Saved drawings in the database: add one (whole, in one transaction), get, find a page at a time, delete."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, func, insert, select

from backend.core.database import WRITE, drawings

ID_BYTES = 16  # secrets.token_urlsafe(16): 22 characters, 128 bits: unguessable
BATCH = 200  # rows fetched at a time when going through many


@dataclass(frozen=True)
class NewDrawing:
    """What a person sends: their strokes, the picture, what the model said, and what it really was."""

    strokes: list[list[list[float]]]
    canvas_width: int
    canvas_height: int
    png: bytes
    predicted: int
    probabilities: list[float]
    model: str
    label: int | None  # None: saved to be shared, not a correction
    shared: bool


@dataclass(frozen=True)
class Drawing(NewDrawing):
    """A stored drawing: a new one plus its id and when it was stored (UTC)."""

    id: str
    created_at: datetime

    @property
    def created(self) -> str:
        """`created_at` in ISO 8601, UTC, to the second: `2026-05-20T12:34:56Z`."""
        return self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def summary(self) -> dict:
        """Everything but the strokes and the picture: one line of a listing."""
        return {
            "id": self.id,
            "created_at": self.created,
            "label": self.label,
            "predicted": self.predicted,
            "confidence": self.probabilities[self.predicted],
            "model": self.model,
            "shared": self.shared,
            "strokes": len(self.strokes),
            "points": sum(len(stroke) for stroke in self.strokes),
        }


@dataclass(frozen=True)
class Filters:
    """Which drawings to list or export; every filter given must hold (None: any)."""

    label: int | None = None  # corrected to this digit
    predicted: int | None = None  # the model said this digit
    corrected: bool | None = None  # True: has a label; False: plain saves
    wrong: bool | None = None  # True: the label differs from the prediction; False: it confirms it
    shared: bool | None = None
    model: str | None = None
    since: datetime | None = None  # stored at or after (UTC)
    until: datetime | None = None  # stored before (UTC)

    def where(self):
        table, conditions = drawings.c, []
        for name in ("label", "predicted", "shared", "model"):
            value = getattr(self, name)
            if value is not None:
                conditions.append(getattr(table, name) == value)
        if self.corrected is not None:
            conditions.append(table.label.is_not(None) if self.corrected else table.label.is_(None))
        if self.wrong is not None:
            conditions.append(table.label != table.predicted if self.wrong else table.label == table.predicted)
        if self.since is not None:
            conditions.append(table.created_at >= _naive_utc(self.since))
        if self.until is not None:
            conditions.append(table.created_at < _naive_utc(self.until))
        return and_(True, *conditions)


@dataclass(frozen=True)
class Page:
    drawings: list[Drawing]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page)


def _naive_utc(moment: datetime) -> datetime:
    """The database keeps UTC without a zone (SQLite has none)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _drawing(row) -> Drawing:
    values = dict(row._mapping)
    values["png"] = bytes(values["png"])  # PostgreSQL's driver gives a memoryview
    return Drawing(**values)


class DrawingStore:
    """The drawings table behind an engine; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, new: NewDrawing) -> Drawing:
        """Store a drawing under a new unguessable id: the whole row, or (on any error) nothing."""
        drawing = Drawing(**asdict(new), id=secrets.token_urlsafe(ID_BYTES), created_at=_now())
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            connection.execute(insert(drawings).values(**asdict(drawing)))
        return drawing

    def get(self, drawing_id: str) -> Drawing | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(drawings).where(drawings.c.id == drawing_id)).first()
        return _drawing(row) if row else None

    def find(self, filters: Filters = Filters(), page: int = 1, per_page: int = 50) -> Page:
        """One page of the drawings that match, newest first."""
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(drawings).where(filters.where())).scalar_one()
            rows = connection.execute(
                select(drawings)
                .where(filters.where())
                .order_by(drawings.c.created_at.desc(), drawings.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return Page([_drawing(row) for row in rows], page, per_page, total)

    def each(self, filters: Filters = Filters()) -> Iterator[Drawing]:
        """Every drawing that matches, oldest first, fetched `BATCH` at a time (keyset pagination)."""
        after = None
        while True:
            query = select(drawings).where(filters.where())
            if after is not None:
                query = query.where(
                    (drawings.c.created_at > after[0])
                    | and_(drawings.c.created_at == after[0], drawings.c.id > after[1])
                )
            with self.engine.connect() as connection:
                rows = connection.execute(query.order_by(drawings.c.created_at, drawings.c.id).limit(BATCH)).all()
            for row in rows:
                yield _drawing(row)
            if len(rows) < BATCH:
                return
            after = (rows[-1].created_at, rows[-1].id)

    def count(self, filters: Filters = Filters()) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(drawings).where(filters.where())).scalar_one()

    def delete(self, drawing_id: str) -> bool:
        """Remove a drawing; False when there was none with that id."""
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            return connection.execute(delete(drawings).where(drawings.c.id == drawing_id)).rowcount == 1


def _now() -> datetime:
    """UTC now, without a zone and to the microsecond (what both databases keep)."""
    return datetime.now(UTC).replace(tzinfo=None)
