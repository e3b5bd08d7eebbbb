"""The export data set: a zip of the drawings' PNGs with their labels and strokes (CSV and JSON), written and read.

The server writes it (`GET /admin/export`); training reads it back (`train.py --feedback
drawings.zip`), so the two wings share this one format:

    drawings.json    [{"id", "created_at", "label", "predicted", "probabilities", "model",
                       "shared", "canvas": {"width", "height"}, "strokes", "image"}, ...]
    drawings.csv     the same, one row each (probabilities and strokes as JSON text)
    images/<id>.png  the picture the app sent to /predict
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

from backend.core.drawing_store import Drawing

FORMAT = "digits-drawings/1"
CSV_FIELDS = [
    "id",
    "created_at",
    "label",
    "predicted",
    "confidence",
    "model",
    "shared",
    "canvas_width",
    "canvas_height",
    "image",
    "probabilities",
    "strokes",
]


def image_name(drawing_id: str) -> str:
    return f"images/{drawing_id}.png"


def record(drawing: Drawing) -> dict:
    """A drawing as one entry of drawings.json."""
    return {
        "id": drawing.id,
        "created_at": drawing.created,
        "label": drawing.label,
        "predicted": drawing.predicted,
        "probabilities": drawing.probabilities,
        "model": drawing.model,
        "shared": drawing.shared,
        "canvas": {"width": drawing.canvas_width, "height": drawing.canvas_height},
        "strokes": drawing.strokes,
        "image": image_name(drawing.id),
    }


def write_export(drawings: Iterable[Drawing], target: IO[bytes]) -> int:
    """Write the zip to a binary file object; the number of drawings written."""
    records = []
    text = io.StringIO()
    table = csv.DictWriter(text, CSV_FIELDS, lineterminator="\n")
    table.writeheader()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for drawing in drawings:
            entry = record(drawing)
            records.append(entry)
            archive.writestr(zipfile.ZipInfo(entry["image"], _zip_time(drawing.created_at)), drawing.png)
            table.writerow(
                {
                    **{name: entry[name] for name in ("id", "created_at", "label", "predicted", "model", "image")},
                    "confidence": drawing.probabilities[drawing.predicted],
                    "shared": str(drawing.shared).lower(),
                    "canvas_width": drawing.canvas_width,
                    "canvas_height": drawing.canvas_height,
                    "probabilities": json.dumps(drawing.probabilities),
                    "strokes": json.dumps(drawing.strokes, separators=(",", ":")),
                }
            )
        archive.writestr("drawings.json", json.dumps({"format": FORMAT, "drawings": records}, indent=1))
        archive.writestr("drawings.csv", text.getvalue())
    return len(records)


def _zip_time(moment: datetime) -> tuple:
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)


class ExportError(ValueError):
    """The file is not an export this code can read."""


def read_export(path: str | Path) -> list[dict]:
    """The drawings.json records of an export zip (each with `strokes`, `label`, ...), oldest first."""
    try:
        with zipfile.ZipFile(path) as archive:
            content = json.loads(archive.read("drawings.json"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as error:
        raise ExportError(f"{Path(path).name} is not a drawings export (a zip with drawings.json): {error}") from None
    found = content.get("format") if isinstance(content, dict) else None
    if found != FORMAT:
        raise ExportError(f"{Path(path).name}: unknown format {found!r}, expected {FORMAT!r}")
    return content["drawings"]
