"""What people taught the app: their corrected drawings as training inputs, drawn the way the pen digits are.

`python backend/train.py --feedback SOURCE` fine-tunes the model on them (`finetune.py`).
SOURCE is an export zip (`GET /admin/export`) or the server's database URL
(`sqlite:///data/digits.sqlite3`, `postgresql://...`), read without changing it. Only drawings
with a label are used: a plain save says nothing about what the digit is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from backend.core.drawing_export import read_export
from backend.core.drawing_store import DrawingStore, Filters
from backend.core.preprocessing import EmptyCanvas
from backend.training.drawings import draw_pen_digit, to_input
from backend.training.mixture import Inputs

TAG = "feedback"
HELD_OUT_SHARE = 0.2  # of the corrections, never trained on: the gate measures the model on them


@dataclass(frozen=True)
class Correction:
    id: str
    label: int
    strokes: list[np.ndarray]  # (n, 2) float: x, y in 0..1 of the canvas, y down


def _correction(drawing_id: str, label: int, strokes) -> Correction:
    return Correction(drawing_id, int(label), [np.asarray(stroke, dtype=np.float64) for stroke in strokes])


def load_corrections(source: str) -> list[Correction]:
    """The labelled drawings of an export zip or a database (a URL with `://`), oldest first."""
    if "://" in source:
        from backend.core.database import database_url, make_engine

        if database_url(source).password:  # the command line is recorded in the model card
            raise ValueError("Leave the password out of the database URL: set PGPASSWORD (or use ~/.pgpass) instead.")
        engine = make_engine(source)
        try:
            found = DrawingStore(engine).each(Filters(corrected=True))
            return [_correction(d.id, d.label, d.strokes) for d in found]
        finally:
            engine.dispose()
    return [_correction(d["id"], d["label"], d["strokes"]) for d in read_export(source) if d["label"] is not None]


def correction_inputs(corrections: list[Correction], renditions: int, rng: np.random.Generator) -> Inputs:
    """Each correction as drawn, plus `renditions` re-drawings as the pen digits get (size, place, pen, spacing)."""
    xs, labels = [], []
    for correction in corrections:
        try:
            drawn = [to_input(correction.strokes)]
        except EmptyCanvas:
            continue
        again = (draw_pen_digit(correction.strokes, rng) for _ in range(renditions))
        for x in [*drawn, *(x for x in again if x is not None)]:
            xs.append(x)
            labels.append(correction.label)
    return Inputs.of(np.asarray(xs, dtype=np.float32), labels, TAG)


def held_out(correction: Correction, share: float = HELD_OUT_SHARE) -> bool:
    """Whether a correction belongs to the held-out slice: decided by its content, so always the same.

    A hash of the label and the points, not the position in the list or the random id: a
    correction stays on its side as others are added or deleted, and in every fine-tuning
    run, so a later model is never measured on what an earlier one was trained on.
    """
    digest = hashlib.sha256(str(correction.label).encode())
    for stroke in correction.strokes:
        digest.update(np.ascontiguousarray(stroke, dtype=np.float64).tobytes())
        digest.update(b"|")
    return int.from_bytes(digest.digest()[:8], "big") < share * 2**64


def split_corrections(corrections: list[Correction], share: float = HELD_OUT_SHARE):
    """-> (the corrections to learn from, the held-out ones), each in the order given."""
    learn, held = [], []
    for correction in corrections:
        (held if held_out(correction, share) else learn).append(correction)
    return learn, held


def renditions_for(corrections: int, others: int, share: float, least: int, most: int = 200) -> int:
    """Re-drawings per correction so that the corrections make up about `share` of the inputs.

    A few dozen corrections among ~96,000 inputs would hardly move the network in a few epochs
    at a low learning rate; drawn many times (each time differently) they weigh as much as
    `share` of each epoch. At least `least` (what a pen digit gets), at most `most`.
    """
    if corrections == 0:
        return least
    wanted = share * others / (1 - share) / corrections - 1  # minus the one as drawn
    return int(min(max(round(wanted), least), most))
