"""backend/core/drawing_export.py: the zip data set, written by the server and read by training."""

import csv
import io
import json
import zipfile
from datetime import datetime

import pytest

from backend.core.drawing_export import ExportError, read_export, write_export
from backend.core.drawing_store import Drawing
from tests.support.drawings import ONE, SEVEN, new_drawing


def stored(n: int, **fields) -> Drawing:
    return Drawing(**vars(new_drawing(**fields)), id=f"id{n}", created_at=datetime(2026, 5, 20, 12, 0, n))


def test_the_zip_holds_pngs_csv_and_json_with_labels_and_strokes(tmp_path):
    drawings = [stored(1, strokes=SEVEN, label=7), stored(2, strokes=ONE, label=None, shared=True)]
    path = tmp_path / "drawings.zip"
    with open(path, "wb") as file:
        assert write_export(drawings, file) == 2
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["drawings.csv", "drawings.json", "images/id1.png", "images/id2.png"]
        assert archive.read("images/id1.png") == drawings[0].png
        rows = list(csv.DictReader(io.StringIO(archive.read("drawings.csv").decode())))
        content = json.loads(archive.read("drawings.json"))
    assert [(r["id"], r["label"], r["predicted"], r["shared"]) for r in rows] == [
        ("id1", "7", "1", "false"),
        ("id2", "", "1", "true"),
    ]
    assert json.loads(rows[0]["strokes"]) == SEVEN and float(rows[0]["confidence"]) == pytest.approx(0.9)
    first = content["drawings"][0]
    assert first["strokes"] == SEVEN and first["label"] == 7 and first["image"] == "images/id1.png"
    assert first["created_at"] == "2026-05-20T12:00:01Z" and first["canvas"] == {"width": 320, "height": 320}
    assert read_export(path) == content["drawings"]


def test_an_empty_export_is_still_a_valid_data_set(tmp_path):
    path = tmp_path / "empty.zip"
    with open(path, "wb") as file:
        assert write_export([], file) == 0
    assert read_export(path) == []


@pytest.mark.parametrize("content", [b"not a zip", None, b'{"format": "other/1", "drawings": []}'])
def test_other_files_are_refused_with_a_clear_error(tmp_path, content):
    path = tmp_path / "x.zip"
    if content is None:  # a zip without drawings.json
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hi")
    elif content.startswith(b"{"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("drawings.json", content)
    else:
        path.write_bytes(content)
    with pytest.raises(ExportError, match=r"x\.zip"):
        read_export(path)
