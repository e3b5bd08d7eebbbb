"""backend/core/drawing_store.py on SQLite and PostgreSQL: add whole or not at all, get, find, each, delete."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from backend.core import drawing_store
from backend.core.database import open_database
from backend.core.drawing_store import DrawingStore, Filters
from tests.support.drawings import ONE, SEVEN, new_drawing


@pytest.fixture
def store(database_url):
    engine = open_database(database_url)
    yield DrawingStore(engine)
    engine.dispose()


def test_a_drawing_comes_back_exactly_as_it_was_stored(store):
    sent = new_drawing(SEVEN, predicted=1, label=7, shared=True)
    stored = store.add(sent)
    back = store.get(stored.id)
    assert back == stored
    assert dataclasses.asdict(back) == {**dataclasses.asdict(sent), "id": stored.id, "created_at": stored.created_at}
    assert back.png.startswith(b"\x89PNG") and back.strokes == SEVEN
    assert abs(back.created_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_ids_are_unguessable_url_safe_tokens(store):
    ids = {store.add(new_drawing()).id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) == 22 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
    assert store.get("no-such-id") is None


def test_a_row_is_stored_whole_or_not_at_all(store):
    store.add(new_drawing())
    with pytest.raises(IntegrityError):  # the database itself refuses a label that is not a digit
        store.add(new_drawing(label=12))
    with pytest.raises(IntegrityError):
        store.add(new_drawing(predicted=-1))
    assert store.count() == 1


def test_find_filters_and_pages_newest_first(store):
    sevens = [store.add(new_drawing(SEVEN, predicted=1, label=7)) for _ in range(5)]
    confirmed = store.add(new_drawing(ONE, predicted=1, label=1))
    shared = store.add(new_drawing(ONE, predicted=1, label=None, shared=True))

    page = store.find(Filters(), page=1, per_page=3)
    assert page.total == 7 and page.pages == 3
    assert [d.id for d in page.drawings] == [shared.id, confirmed.id, sevens[-1].id]
    assert [d.id for d in store.find(Filters(), page=3, per_page=3).drawings] == [sevens[0].id]

    assert store.count(Filters(label=7)) == 5
    assert store.count(Filters(corrected=True)) == 6 and store.count(Filters(corrected=False)) == 1
    assert store.count(Filters(wrong=True)) == 5 and store.count(Filters(wrong=False)) == 1
    assert store.count(Filters(shared=True)) == 1 and store.count(Filters(predicted=7)) == 0
    assert store.count(Filters(model="cnn-test")) == 7 and store.count(Filters(model="other")) == 0
    assert store.count(Filters(since=datetime.now(UTC) + timedelta(hours=1))) == 0
    assert store.count(Filters(until=datetime.now(UTC) + timedelta(hours=1))) == 7


def test_each_goes_through_every_match_oldest_first_in_batches(store, monkeypatch):
    monkeypatch.setattr(drawing_store, "BATCH", 3)
    added = [store.add(new_drawing(label=d % 10)) for d in range(10)]
    store.add(new_drawing(label=None, shared=True))
    assert [d.id for d in store.each(Filters(corrected=True))] == [d.id for d in added]


def test_delete(store):
    kept, gone = store.add(new_drawing()), store.add(new_drawing())
    assert store.delete(gone.id) is True
    assert store.delete(gone.id) is False
    assert store.get(gone.id) is None and store.get(kept.id) == kept


def test_summary_leaves_out_the_picture_and_strokes(store):
    summary = store.add(new_drawing(SEVEN, predicted=1, label=7)).summary()
    assert summary["label"] == 7 and summary["predicted"] == 1 and summary["confidence"] == pytest.approx(0.9)
    assert summary["strokes"] == 2 and summary["points"] == 6 and summary["created_at"].endswith("Z")
    assert "png" not in summary and "probabilities" not in summary
