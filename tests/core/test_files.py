"""backend/core/files.py: digests and atomic replacement."""

import hashlib
import json

import pytest

from backend.core.files import atomic_path, file_sha256, write_json


def test_atomic_path_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "card.json"
    write_json(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a fi")
        raise RuntimeError("crash mid-write")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_file_sha256_matches_hashlib(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 5000)
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_atomic_files_are_readable_by_others(tmp_path):
    target = tmp_path / "model.json"
    write_json(target, {"v": 1})
    assert target.stat().st_mode & 0o777 == 0o644
