"""Load MNIST from its original IDX files: find them, download if missing, verify, parse."""

from __future__ import annotations

import gzip
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from backend.core.files import atomic_path, file_sha256
from backend.core.paths import DATA_DIR

# SHA-256 of the gzip files as published (same values as shared/mnist/SHA256SUMS).
MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

# Tried in order; each serves the four files under their original names.
MIRRORS: tuple[str, ...] = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

DEFAULT_DOWNLOAD_DIR = DATA_DIR / "mnist"
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


class DatasetError(RuntimeError):
    """A data file is missing, corrupt, or could not be downloaded; the message says what to do."""


def search_dirs() -> list[Path]:
    """Folders searched for the IDX files: `$MNIST_DIR` (if set), then `data/mnist/`."""
    dirs = []
    if os.environ.get("MNIST_DIR"):
        dirs.append(Path(os.environ["MNIST_DIR"]).expanduser())
    dirs.append(DEFAULT_DOWNLOAD_DIR)
    return dirs


def verify(path: Path) -> None:
    """Raise DatasetError unless `path` has the published SHA-256 for its name."""
    expected = MNIST_FILES[path.name]
    actual = file_sha256(path)
    if actual != expected:
        raise DatasetError(
            f"{path} is corrupt or incomplete (SHA-256 {actual[:16]}..., expected {expected[:16]}...). "
            f"Delete it and run `python backend/download_dataset.py` to fetch a fresh copy."
        )


def _progress(name: str, done: int, total: int | None, started: float) -> None:
    """Draw a one-line download progress bar on stderr."""
    rate = done / max(time.monotonic() - started, 1e-6) / 1e6
    if total:
        filled = int(30 * done / total)
        bar = "#" * filled + "." * (30 - filled)
        line = f"\r{name} [{bar}] {done / 1e6:6.2f}/{total / 1e6:.2f} MB {rate:5.1f} MB/s"
    else:
        line = f"\r{name} {done / 1e6:6.2f} MB {rate:5.1f} MB/s"
    sys.stderr.write(line)
    sys.stderr.flush()


def download(name: str, target_dir: Path, mirrors: Iterable[str] = MIRRORS, timeout: float = 30.0) -> Path:
    """Fetch one MNIST file into `target_dir`, trying each mirror; verified, then renamed into place.

    The bytes go to a temporary file in the same folder, so an interrupted or corrupt
    download never leaves a file under the real name.
    """
    destination = Path(target_dir) / name
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            with atomic_path(destination) as tmp:
                _fetch(url, tmp, name, timeout)
                actual = file_sha256(tmp)
                if actual != MNIST_FILES[name]:
                    raise DatasetError(f"checksum mismatch (got {actual[:16]}...)")
            return destination
        except (OSError, urllib.error.URLError, DatasetError) as error:
            failures.append(f"{url}: {error}")
    raise DatasetError(
        f"Could not download {name}. Tried:\n  "
        + "\n  ".join(failures)
        + f"\nPut the file in {target_dir} by hand, or set MNIST_DIR to a folder that has it."
    )


def _fetch(url: str, path: Path, name: str, timeout: float) -> None:
    """Stream `url` into `path`, drawing a progress bar."""
    with open(path, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        done, started = 0, time.monotonic()
        while chunk := response.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            _progress(name, done, total, started)
    sys.stderr.write("\n")


def locate(name: str, directory: Path | None = None, mirrors: Iterable[str] = MIRRORS) -> Path:
    """Path of a verified copy of one MNIST file, downloading it if no searched folder has it.

    With `directory`, only that folder is searched and downloaded into; otherwise
    `search_dirs()` are searched and downloads go to `data/mnist/`.
    """
    dirs = [Path(directory)] if directory is not None else search_dirs()
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            verify(candidate)
            return candidate
    return download(name, dirs[-1], mirrors)  # the last folder searched is where downloads go


def parse_idx(path: Path, magic: int) -> np.ndarray:
    """Decode a gzip IDX file into a uint8 array: (count, 28, 28) images or (count,) labels."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DatasetError(f"{path} is not a readable gzip file ({error}). Delete it and download it again.") from error
    dims = 3 if magic == IMAGES_MAGIC else 1
    header_size = 4 * (1 + dims)
    if len(raw) < header_size or int.from_bytes(raw[:4], "big") != magic:
        raise DatasetError(f"{path} is not an MNIST IDX file of the expected kind (bad header).")
    shape = tuple(int.from_bytes(raw[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(dims))
    expected = header_size + int(np.prod(shape))
    if len(raw) != expected:
        raise DatasetError(f"{path} holds {len(raw)} bytes, its header promises {expected}: the file is truncated.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def load_mnist(directory: Path | None = None, mirrors: Iterable[str] = MIRRORS):
    """Return `(x_train, y_train), (x_test, y_test)` as uint8 arrays from the original IDX files.

    Images are (N, 28, 28) with 0 = background and 255 = ink; labels are (N,) in 0..9.
    Files are looked up, verified and, if missing, downloaded by `locate`.
    """

    def read(prefix: str):
        images = parse_idx(locate(f"{prefix}-images-idx3-ubyte.gz", directory, mirrors), IMAGES_MAGIC)
        labels = parse_idx(locate(f"{prefix}-labels-idx1-ubyte.gz", directory, mirrors), LABELS_MAGIC)
        if len(images) != len(labels):
            raise DatasetError(f"{prefix}: {len(images)} images but {len(labels)} labels.")
        return images, labels

    return read("train"), read("t10k")
