"""Load the UCI handwriting sets: pen strokes (pendigits) and scanned forms (optdigits), by writer.

Both come from E. Alpaydin and co-authors (Bogazici University), UCI Machine Learning
Repository, CC BY 4.0. They are looked up in `$HANDWRITING_DIR`, then `data/handwriting/`,
and verified against the SHA-256 values below before they are parsed. When no folder has them,
they are taken from UCI's own archives (zips of `.Z` files) and saved, uncompressed, in the last.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from unlzw3 import unlzw

from backend.core.files import atomic_path, file_sha256
from backend.core.paths import DATA_DIR
from backend.training.mnist import DatasetError, _fetch

# SHA-256 of the files as shared (gzip) and of their contents (what UCI's archives hold).
HANDWRITING_FILES: dict[str, str] = {
    "pendigits-orig.tra.gz": "d6a5f33f75b481a5bdbfc64a3429574ad21d54c258767f2c31aca6e47b9159fc",
    "optdigits-orig.tra.gz": "701f876787b1943c2b1d8f1f6445b82a706f1a1434c7a9c057952d94bf97c832",
    "pendigits-orig.tra": "a66225d68d7d68591e62944df1ad33b3f5aa608e2df2505844b41f5568a80da4",
    "optdigits-orig.tra": "b0649058daf39b41da11827b6f9d784333e85e7362539fe7afd26fef517b4a3f",
}
# UCI's download of each data set: a zip holding, among others, the original file as `<stem>.Z`.
ARCHIVES: dict[str, str] = {
    "pendigits-orig.tra": "https://archive.ics.uci.edu/static/public/81/pen+based+recognition+of+handwritten+digits.zip",
    "optdigits-orig.tra": "https://archive.ics.uci.edu/static/public/80/optical+recognition+of+handwritten+digits.zip",
}
DEFAULT_DIR = DATA_DIR / "handwriting"
CREDIT = (
    "UCI Machine Learning Repository, E. Alpaydin, F. Alimoglu, C. Kaynak (Bogazici University): "
    "'Pen-Based Recognition of Handwritten Digits' (dataset 81) and 'Optical Recognition of "
    "Handwritten Digits' (dataset 80), CC BY 4.0"
)

# The writers never trained on: every choice (early stopping, temperature, thresholds) is made
# on them. Fixed here, spread over the range, so every run validates on the same people.
PEN_VALIDATION_WRITERS = (3, 8, 13, 18, 23, 28)
SCAN_VALIDATION_WRITERS = (2, 7, 12, 17, 22, 27)
SCAN_WRITERS = 30
OPTDIGITS_HEADER_LINES = 21


@dataclass(frozen=True)
class PenDigit:
    """One digit written on a tablet: its label, its writer (1-30) and its strokes.

    `strokes` are float arrays of (x, y) tablet points, y pointing down (screen convention).
    """

    label: int
    writer: int
    strokes: tuple[np.ndarray, ...]


def search_dirs() -> list[Path]:
    """Folders searched for the files: `$HANDWRITING_DIR` (if set), then `data/handwriting/`."""
    dirs = [Path(os.environ["HANDWRITING_DIR"]).expanduser()] if os.environ.get("HANDWRITING_DIR") else []
    return [*dirs, DEFAULT_DIR]


def locate(stem: str, directory: Path | None = None, archives: Iterable[str] | None = None) -> Path:
    """A verified copy of `stem` (`pendigits-orig.tra`), gzipped or not, downloaded if no folder has one.

    With `directory`, only that folder is searched and downloaded into; otherwise `search_dirs()`
    are searched and the download goes to the last, `data/handwriting/`. `archives` are the zip
    URLs tried in turn (UCI's by default; tests point them at a local server, `[]` downloads nothing).
    """
    dirs = [Path(directory)] if directory is not None else search_dirs()
    for folder in dirs:
        for name in (f"{stem}.gz", stem):
            candidate = folder / name
            if candidate.is_file():
                actual = file_sha256(candidate)
                if actual != HANDWRITING_FILES[name]:
                    raise DatasetError(
                        f"{candidate} is corrupt or incomplete (SHA-256 {actual[:16]}..., expected "
                        f"{HANDWRITING_FILES[name][:16]}...). Delete it and run `python backend/download_dataset.py` "
                        f"to fetch a fresh copy from the UCI archive."
                    )
                return candidate
    return download(stem, dirs[-1], (ARCHIVES[stem],) if archives is None else archives)


def download(stem: str, target_dir: Path, archives: Iterable[str], timeout: float = 30.0) -> Path:
    """Fetch `stem` from the first archive that yields it, verified, into `target_dir` (uncompressed).

    The zip goes to a temporary folder and the file appears under its real name in one rename,
    only once its SHA-256 matches, so a failed or corrupt download leaves nothing behind.
    """
    destination = Path(target_dir) / stem
    failures = []
    for url in archives:
        try:
            with tempfile.TemporaryDirectory(prefix="handwriting-") as scratch:
                archive = Path(scratch) / "archive.zip"
                _fetch(url, archive, f"{stem} archive", timeout)
                content = _extract(archive, stem)
            actual = hashlib.sha256(content).hexdigest()
            if actual != HANDWRITING_FILES[stem]:
                raise DatasetError(
                    f"checksum mismatch: its {stem} has SHA-256 {actual[:16]}..., "
                    f"expected {HANDWRITING_FILES[stem][:16]}..."
                )
            with atomic_path(destination) as tmp:
                tmp.write_bytes(content)
            return destination
        except (OSError, urllib.error.URLError, http.client.HTTPException, DatasetError) as error:
            failures.append(f"{url}: {error}")
    raise DatasetError(
        f"{stem} not found and could not be downloaded. Tried:\n  "
        + ("\n  ".join(failures) or "no archive (none given)")
        + f"\nPut {stem}.gz (or {stem}) in {target_dir} by hand, or set HANDWRITING_DIR to a folder "
        f"that has it (the repository's CI uses ../shared/handwriting)."
    )


def _extract(archive: Path, stem: str) -> bytes:
    """The contents of `stem` from a UCI zip, where it is a `.Z` (Unix compress) member, maybe in a sub-folder."""
    member_name = f"{stem}.Z"
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.namelist() if PurePosixPath(m).name == member_name]
            if not members:
                held = ", ".join(sorted(PurePosixPath(m).name for m in bundle.namelist())[:12])
                raise DatasetError(f"the archive has no {member_name} (it holds {held or 'nothing'})")
            compressed = bundle.read(members[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise DatasetError(f"not a readable zip archive ({error})") from error
    try:
        return unlzw(compressed)
    except (ValueError, TypeError, IndexError) as error:  # unlzw3 reports bad data as ValueError
        raise DatasetError(f"its {member_name} is not valid compress(1) data ({error})") from error


def _read_text(path: Path) -> str:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="ascii") as handle:
                return handle.read()
        return path.read_text(encoding="ascii")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path} is not readable ({error}). Replace it with a fresh copy.") from error


def parse_pendigits(text: str, source: str = "pendigits") -> list[PenDigit]:
    """UNIPEN text -> PenDigit list. The tablet's y points up; it is flipped to point down."""
    digits: list[PenDigit] = []
    label = writer = None
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None

    def finish():
        if label is not None and strokes:
            digits.append(PenDigit(label, writer, tuple(strokes)))

    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == ".SEGMENT":
                finish()
                label, writer, strokes = int(parts[-1].strip('"')), None, []
            elif parts[0] == ".COMMENT" and label is not None:
                writer = int(parts[2])
            elif parts[0] == ".PEN_DOWN":
                points = []
            elif parts[0] == ".PEN_UP" and points is not None:
                if points:
                    stroke = np.asarray(points, dtype=np.float32)
                    stroke[:, 1] = -stroke[:, 1]  # y up on the tablet, down on a screen
                    strokes.append(stroke)
                points = None
            elif points is not None and not parts[0].startswith("."):
                points.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError) as error:
            raise DatasetError(f"{source}, line {number}: cannot parse {line!r} ({error}).") from error
    finish()
    if not digits or any(d.writer is None for d in digits):
        raise DatasetError(f"{source} holds no digits with writers: is it the UNIPEN pendigits-orig file?")
    return digits


def parse_optdigits(text: str, source: str = "optdigits") -> tuple[np.ndarray, np.ndarray]:
    """32x32 '0'/'1' bitmaps -> (uint8 (N, 32, 32) with 255 = ink, int (N,) labels)."""
    lines = text.splitlines()[OPTDIGITS_HEADER_LINES:]
    if len(lines) % 33:
        raise DatasetError(f"{source}: {len(lines)} lines after the header, not a multiple of 33 (32 rows + label).")
    images, labels = [], []
    for start in range(0, len(lines), 33):
        rows, label = lines[start : start + 32], lines[start + 32].strip()
        if any(len(row) != 32 or set(row) - {"0", "1"} for row in rows) or not label.isdigit():
            raise DatasetError(f"{source}: the sample at line {OPTDIGITS_HEADER_LINES + start + 1} is malformed.")
        images.append([[c == "1" for c in row] for row in rows])
        labels.append(int(label))
    return np.asarray(images, dtype=np.uint8) * 255, np.asarray(labels)


def load_pendigits(directory: Path | None = None, archives: Iterable[str] | None = None) -> list[PenDigit]:
    """The 7,494 pen-stroke digits of 30 writers (see `locate` for `directory` and `archives`)."""
    path = locate("pendigits-orig.tra", directory, archives)
    return parse_pendigits(_read_text(path), str(path))


def load_optdigits(
    directory: Path | None = None, archives: Iterable[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 1,934 scanned digits of 30 writers: (images, labels, writers); `locate` explains the arguments.

    The file names no writers. It appears grouped by writer (neighbouring samples share stroke
    weight more than distant ones), so the writer of a sample is taken to be its block when the
    file is cut into 30 equal runs: the best split available, and only approximately by writer.
    """
    path = locate("optdigits-orig.tra", directory, archives)
    images, labels = parse_optdigits(_read_text(path), str(path))
    writers = np.arange(len(labels)) * SCAN_WRITERS // len(labels) + 1
    return images, labels, writers
