"""File helpers shared by data and model code: SHA-256 digests and atomic replacement."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def tree_sha256(folder: Path) -> str:
    """Hex SHA-256 of a folder: every file's relative path and SHA-256, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def tree_bytes(folder: Path) -> int:
    """The total size of the files in a folder."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; if the block succeeds it replaces `path` in one rename.

    Readers (a running server, say) see either the old file or the new one, never half of one;
    if the block raises, `path` is untouched and the temporary file is removed.
    The temporary name keeps the suffix, since Keras and matplotlib pick the format from it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are meant to be shared
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data) -> None:
    """Write `data` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")
