"""backend/training/corrections.py: what people corrected, read and drawn as training inputs (`train.py --feedback`)."""

import numpy as np
import pytest

from backend.core.database import open_database
from backend.core.drawing_export import write_export
from backend.core.drawing_store import DrawingStore
from backend.core.preprocessing import preprocess
from backend.core.strokes import strokes_png
from backend.training.corrections import TAG, Correction, correction_inputs, load_corrections
from tests.support.drawings import ONE, SEVEN, new_drawing

FOUR = [[[0.3, 0.15], [0.22, 0.6], [0.7, 0.6]], [[0.55, 0.3], [0.55, 0.9]]]


def fill(store: DrawingStore) -> list:
    """Three corrections and a plain save (which says nothing about the digit)."""
    corrected = [
        store.add(new_drawing(SEVEN, predicted=1, label=7)),
        store.add(new_drawing(FOUR, predicted=9, label=4)),
        store.add(new_drawing(ONE, predicted=1, label=1)),
    ]
    store.add(new_drawing(ONE, predicted=1, label=None, shared=True))
    return corrected


def test_corrections_are_read_from_the_database_and_from_an_export(database_url, tmp_path):
    engine = open_database(database_url)
    store = DrawingStore(engine)
    corrected = fill(store)
    path = tmp_path / "drawings.zip"
    with open(path, "wb") as file:
        write_export(store.each(), file)
    engine.dispose()

    for source in (database_url, str(path)):
        found = load_corrections(source)
        assert [(c.id, c.label) for c in found] == [(d.id, d.label) for d in corrected], source
        assert [s.tolist() for s in found[0].strokes] == SEVEN


def test_a_password_in_the_database_url_is_refused():
    # the command line, --feedback included, is recorded in the model card
    with pytest.raises(ValueError, match="PGPASSWORD"):
        load_corrections("postgresql://digits:hunter2@db.example/digits")


def test_each_correction_is_drawn_as_drawn_and_like_the_pen_digits():
    corrections = [
        Correction("a", 7, [np.asarray(s) for s in SEVEN]),
        Correction("b", 4, [np.asarray(s) for s in FOUR]),
    ]
    inputs = correction_inputs(corrections, renditions=3, rng=np.random.default_rng(0))
    assert len(inputs) == 8 and inputs.label.tolist() == [7] * 4 + [4] * 4
    assert set(inputs.tag) == {TAG} and inputs.x.shape == (8, 28, 28)
    assert np.array_equal(inputs.y[0], np.eye(10, dtype=np.float32)[7])
    # the first of each is what the server computed from the picture the app sent
    as_sent = preprocess(strokes_png([np.asarray(s) for s in SEVEN]))
    assert np.abs(inputs.x[0] - as_sent).max() < 1e-6
    # the re-drawings differ from it (size, place, pen width, point spacing) but stay a 7
    assert all(np.abs(inputs.x[i] - as_sent).mean() > 0.01 for i in (1, 2, 3))
