"""backend/training/handwriting.py: the UCI pen and scan sets: loading, parse errors, verification, download.

Downloads are tested against a local HTTP server serving zips built like UCI's (the original file
as a `.Z` member in a sub-folder), compressed by tests/support/lzw.py. Nothing here goes online:
every load passes `archives` explicitly.
"""

import gzip
import hashlib
import http.server
import io
import re
import shutil
import subprocess
import threading
import zipfile
from collections import Counter

import numpy as np
import pytest
from unlzw3 import unlzw

from backend.training import download as download_command
from backend.training import handwriting
from backend.training.handwriting import (
    HANDWRITING_FILES,
    DatasetError,
    load_optdigits,
    load_pendigits,
    locate,
    parse_optdigits,
    parse_pendigits,
)
from tests.support.lzw import compress

PEN, SCAN = "pendigits-orig.tra", "optdigits-orig.tra"
LOADERS = {PEN: load_pendigits, SCAN: load_optdigits}
OFFLINE = "http://127.0.0.1:9/nothing-listens-here.zip"  # the discard port: connection refused


@pytest.fixture(scope="module")
def pendigits():
    return load_pendigits(archives=[])


@pytest.fixture(scope="module")
def contents():
    """The real files' uncompressed bytes (from $HANDWRITING_DIR, as CI shares them), by stem."""

    def read(stem):
        path = locate(stem, archives=[])
        return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()

    return {stem: read(stem) for stem in (PEN, SCAN)}


@pytest.fixture(scope="module")
def compressed(contents):
    """The real files as compress(1) writes them: what UCI's zips hold (compressing takes a second)."""
    return {stem: compress(data) for stem, data in contents.items()}


# --- the real files -------------------------------------------------------------------------


def test_pendigits_real_file_has_30_writers_and_strokes_in_screen_coordinates(pendigits):
    assert len(pendigits) == 7494
    per_writer = Counter(digit.writer for digit in pendigits)
    assert sorted(per_writer) == list(range(1, 31))
    assert all(240 <= count <= 260 for count in per_writer.values())  # about 250 digits each
    assert set(Counter(digit.label for digit in pendigits)) == set(range(10))
    for digit in pendigits:
        assert digit.strokes
        for stroke in digit.strokes:
            assert stroke.ndim == 2 and stroke.shape[1] == 2 and len(stroke) >= 1
            assert stroke.dtype.kind == "f"
    points = np.concatenate([np.concatenate(digit.strokes) for digit in pendigits])
    assert points[:, 0].min() >= 0 and points[:, 0].max() <= 500  # the 500x500 tablet box
    assert points[:, 1].min() >= -500 and points[:, 1].max() <= 0  # y flipped: it points down


def test_pendigits_sevens_start_at_the_top_with_y_pointing_down(pendigits):
    """A 7 starts with its top bar: after the flip its first point has about the smallest y."""

    def height_of_first_point(digit):  # 0 = top of the digit, 1 = bottom
        ys = np.concatenate(digit.strokes)[:, 1]
        return (digit.strokes[0][0, 1] - ys.min()) / max(ys.max() - ys.min(), 1)

    heights = np.array([height_of_first_point(d) for d in pendigits if d.label == 7])
    assert len(heights) > 700
    assert (heights < 0.5).mean() > 0.95  # unflipped, nearly all would start at the bottom


def test_optdigits_real_file_has_1934_bitmaps_in_30_writer_blocks():
    images, labels, writers = load_optdigits(archives=[])
    assert images.shape == (1934, 32, 32) and images.dtype == np.uint8
    assert set(np.unique(images)) == {0, 255}
    assert images.reshape(len(images), -1).max(axis=1).min() == 255  # every sample has ink
    assert labels.shape == (1934,) and set(labels.tolist()) == set(range(10))
    assert writers.shape == (1934,) and np.all(np.diff(writers) >= 0)
    assert sorted(set(writers.tolist())) == list(range(1, 31))
    assert set(np.bincount(writers)[1:].tolist()) <= {64, 65}  # 30 near-equal runs


# --- parse errors name the file and line -------------------------------------------------------

PEN_TEXT = """.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 4 1
.PEN_DOWN
 10 400
 {second}
.PEN_UP
"""


def test_parse_pendigits_flips_y_and_names_file_and_line_of_a_bad_point():
    (digit,) = parse_pendigits(PEN_TEXT.format(second="90 380"), "pen.tra")
    assert (digit.label, digit.writer) == (7, 4)
    np.testing.assert_array_equal(digit.strokes[0], [[10, -400], [90, -380]])

    with pytest.raises(DatasetError, match=r"pen\.tra, line 5: cannot parse ' 90 up'"):
        parse_pendigits(PEN_TEXT.format(second="90 up"), "pen.tra")
    with pytest.raises(DatasetError, match=r"pen\.tra holds no digits with writers"):
        parse_pendigits(PEN_TEXT.replace(".COMMENT 7 4 1\n", "").format(second="90 380"), "pen.tra")


def _optdigits_text(samples: int, bad_row: str | None = None) -> str:
    header = [f"header line {i}" for i in range(handwriting.OPTDIGITS_HEADER_LINES)]
    body = []
    for index in range(samples):
        rows = ["0" * 16 + "1" * 16] * 32
        if bad_row is not None and index == samples - 1:
            rows[0] = bad_row
        body += [*rows, f" {index % 10}"]
    return "\n".join(header + body) + "\n"


def test_parse_optdigits_rejects_a_bad_line_count_and_names_the_malformed_sample():
    images, labels = parse_optdigits(_optdigits_text(2), "scan.tra")
    assert images.shape == (2, 32, 32) and images[0, 0, 0] == 0 and images[0, 0, 31] == 255
    assert labels.tolist() == [0, 1]

    truncated = "\n".join(_optdigits_text(2).splitlines()[:-1])  # the last label is missing
    with pytest.raises(DatasetError, match=r"scan\.tra: 65 lines after the header, not a multiple of 33"):
        parse_optdigits(truncated, "scan.tra")
    with pytest.raises(DatasetError, match=r"scan\.tra: the sample at line 55 is malformed"):
        parse_optdigits(_optdigits_text(2, bad_row="2" * 32), "scan.tra")


# --- verification of local copies -----------------------------------------------------------


@pytest.mark.parametrize("name", [f"{PEN}.gz", SCAN])
def test_corrupt_copy_is_an_error_naming_the_file(name, contents, tmp_path):
    stem = name.removesuffix(".gz")
    raw = bytearray(gzip.compress(contents[stem], compresslevel=1) if name.endswith(".gz") else contents[stem])
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / name).write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match=rf"{re.escape(str(tmp_path / name))} is corrupt.*download_dataset\.py"):
        LOADERS[stem](directory=tmp_path, archives=[])


def test_shared_gzip_copy_is_preferred_and_verified(tmp_path):
    shutil.copy(locate(SCAN, archives=[]), tmp_path / f"{SCAN}.gz")
    assert locate(SCAN, directory=tmp_path, archives=[OFFLINE]) == tmp_path / f"{SCAN}.gz"


@pytest.mark.parametrize("archives", [[], [OFFLINE]], ids=["no-archive", "unreachable"])
def test_missing_file_and_no_archive_says_what_to_do(archives, tmp_path):
    target = tmp_path / "absent"
    with pytest.raises(DatasetError, match=rf"(?s){PEN} not found.*Put {PEN}\.gz .* by hand.*HANDWRITING_DIR") as error:
        load_pendigits(directory=target, archives=archives)
    for url in archives:
        assert url in str(error.value)
    assert not target.exists()


# --- download from a UCI-like server ----------------------------------------------------------

UCI_NAMES = {stem: url.rsplit("/", 1)[1] for stem, url in handwriting.ARCHIVES.items()}  # served as UCI names them


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def _uci_zip(stem: str, member: bytes) -> bytes:
    """A zip like UCI's: the `.Z` original in a sub-folder, beside other files."""
    folder = stem.split("-")[0]
    return _zip({f"{folder}/{folder}.names": b"description\n", f"{folder}/{stem}.Z": member})


@pytest.fixture
def uci_server(tmp_path):
    """A local HTTP server for the files put in the folder it yields (anything else is a 404)."""
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    server.server_close()


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("stem", [PEN, SCAN])
def test_download_takes_the_z_member_verifies_it_and_saves_it_uncompressed(
    stem, compressed, uci_server, tmp_path, capsys
):
    base, served = uci_server
    (served / UCI_NAMES[stem]).write_bytes(_uci_zip(stem, compressed[stem]))
    target = tmp_path / "handwriting"

    loaded = LOADERS[stem](directory=target, archives=[f"{base}/moved.zip", f"{base}/{UCI_NAMES[stem]}"])

    assert len(loaded if stem == PEN else loaded[1]) == (7494 if stem == PEN else 1934)
    assert [p.name for p in target.iterdir()] == [stem]  # uncompressed, no temporary files left
    assert _sha256(target / stem) == HANDWRITING_FILES[stem]
    err = capsys.readouterr().err
    assert f"{stem} archive [" in err  # a progress bar was drawn
    # A second load uses the verified copy and needs no server.
    assert locate(stem, directory=target, archives=[]) == target / stem


def test_download_with_a_corrupted_member_is_a_checksum_error_and_leaves_nothing(contents, uci_server, tmp_path):
    base, served = uci_server
    tampered = bytearray(contents[SCAN])
    tampered[-40] ^= 1  # one flipped bit in a late bitmap
    (served / "uci.zip").write_bytes(_uci_zip(SCAN, compress(bytes(tampered))))
    target = tmp_path / "handwriting"
    with pytest.raises(DatasetError, match=rf"(?s){SCAN} not found and could not be downloaded.*checksum mismatch"):
        load_optdigits(directory=target, archives=[f"{base}/uci.zip"])
    assert not target.exists() or list(target.iterdir()) == []


@pytest.mark.parametrize(
    ("served_bytes", "message"),
    [
        (_zip({"optdigits/readme.txt": b"hello"}), rf"the archive has no {SCAN}\.Z \(it holds readme\.txt\)"),
        (b"<html>Moved</html>", r"not a readable zip archive"),
        (_zip({f"{SCAN}.Z": b"\x1f\x9d\x90garbage"}), rf"its {SCAN}\.Z is not valid compress\(1\) data"),
    ],
    ids=["no-member", "not-a-zip", "not-lzw"],
)
def test_a_wrong_archive_is_a_clear_error(served_bytes, message, uci_server, tmp_path):
    base, served = uci_server
    (served / "uci.zip").write_bytes(served_bytes)
    with pytest.raises(DatasetError, match=rf"(?s)/uci\.zip: {message}.*by hand"):
        locate(SCAN, directory=tmp_path / "handwriting", archives=[f"{base}/uci.zip"])
    assert not (tmp_path / "handwriting").exists()


def test_download_command_fetches_missing_sets_into_data_handwriting(
    compressed, uci_server, tmp_path, monkeypatch, capsys
):
    """`python backend/download_dataset.py`: a set found in no folder lands in the last searched."""
    base, served = uci_server
    empty, default = tmp_path / "empty", tmp_path / "data" / "handwriting"
    empty.mkdir()
    for stem in (PEN, SCAN):
        (served / UCI_NAMES[stem]).write_bytes(_uci_zip(stem, compressed[stem]))
    monkeypatch.setenv("HANDWRITING_DIR", str(empty))
    monkeypatch.setattr(handwriting, "DEFAULT_DIR", default)
    monkeypatch.setattr(handwriting, "ARCHIVES", {stem: f"{base}/{UCI_NAMES[stem]}" for stem in (PEN, SCAN)})
    monkeypatch.setattr(download_command, "MNIST_FILES", {})  # MNIST's download is test_mnist.py's

    assert download_command.main([]) == 0
    out = capsys.readouterr().out
    assert f"{default / PEN}, 7494 pen digits" in out and f"{default / SCAN}, 1934 scanned digits" in out
    assert sorted(p.name for p in default.iterdir()) == [SCAN, PEN]
    assert list(empty.iterdir()) == []

    monkeypatch.setattr(handwriting, "ARCHIVES", {PEN: OFFLINE, SCAN: OFFLINE})  # the copies suffice now
    assert download_command.main([]) == 0


# --- the test's own compress(1) writer ----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"a", b"abababababababab", bytes(range(256)) * 40, np.random.default_rng(0).bytes(150_000)],
    ids=["empty", "one-byte", "repeats", "all-bytes", "random-fills-the-table"],
)
def test_lzw_writer_round_trips_through_unlzw3_and_gzip(data):
    packed = compress(data)
    assert packed[:3] == b"\x1f\x9d\x90"
    assert unlzw(packed) == data
    if shutil.which("gzip"):  # an independent reader of compress(1) data, where there is one
        assert subprocess.run(["gzip", "-dc"], input=packed, capture_output=True, check=True).stdout == data
