"""backend/data.py: reading, verifying and downloading the MNIST IDX files."""

import gzip
import hashlib
import http.server
import shutil
import threading

import numpy as np
import pytest

from backend.training import mnist as data
from backend.training.mnist import IMAGES_MAGIC, LABELS_MAGIC, DatasetError, load_mnist, locate, parse_idx


def test_load_mnist_shapes_dtypes_and_labels(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))
    assert x_train.max() == 255 and x_train.min() == 0
    assert list(y_train[:5]) == [5, 0, 4, 1, 9]  # the first labels of the original file
    # MNIST polarity: background 0, so the corners are dark.
    assert x_test[:, 0, 0].max() == 0


def _copy_real_files(tmp_path):
    source = locate("t10k-labels-idx1-ubyte.gz").parent
    for name in data.MNIST_FILES:
        shutil.copy(source / name, tmp_path / name)
    return tmp_path


def test_checksum_mismatch_names_the_file_and_the_fix(tmp_path):
    folder = _copy_real_files(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte\.gz.*corrupt.*download_dataset\.py"):
        load_mnist(directory=folder, mirrors=[])


def test_truncated_file_gives_clear_error(tmp_path):
    folder = _copy_real_files(tmp_path)
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte\.gz"):
        load_mnist(directory=folder, mirrors=[])


def _idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_parse_idx_rejects_truncated_and_wrong_kind(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    good = tmp_path / "good.gz"
    good.write_bytes(_idx_bytes(images, IMAGES_MAGIC))
    np.testing.assert_array_equal(parse_idx(good, IMAGES_MAGIC), images)

    truncated = tmp_path / "short.gz"
    truncated.write_bytes(gzip.compress(gzip.decompress(good.read_bytes())[:-10]))
    with pytest.raises(DatasetError, match="truncated"):
        parse_idx(truncated, IMAGES_MAGIC)
    with pytest.raises(DatasetError, match="bad header"):
        parse_idx(good, LABELS_MAGIC)
    not_gzip = tmp_path / "plain.gz"
    not_gzip.write_bytes(b"this is not gzip at all")
    with pytest.raises(DatasetError, match="not a readable gzip"):
        parse_idx(not_gzip, IMAGES_MAGIC)


@pytest.fixture
def tiny_mnist_server(tmp_path, monkeypatch):
    """A local HTTP server with two mirrors: /broken/ (404s) and /good/ (tiny IDX files).

    The code's checksum table is pointed at the tiny files, so the real verification runs.
    """
    rng = np.random.default_rng(0)
    served = tmp_path / "served" / "good"
    served.mkdir(parents=True)
    arrays = {}
    for prefix, count in (("train", 12), ("t10k", 5)):
        arrays[prefix] = (
            rng.integers(0, 256, (count, 28, 28)).astype(np.uint8),
            rng.integers(0, 10, count).astype(np.uint8),
        )
        (served / f"{prefix}-images-idx3-ubyte.gz").write_bytes(_idx_bytes(arrays[prefix][0], IMAGES_MAGIC))
        (served / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(_idx_bytes(arrays[prefix][1], LABELS_MAGIC))
    checksums = {name: hashlib.sha256((served / name).read_bytes()).hexdigest() for name in data.MNIST_FILES}
    monkeypatch.setattr(data, "MNIST_FILES", checksums)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path / "served"), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, arrays, served
    server.shutdown()
    server.server_close()


def test_download_falls_back_to_next_mirror_and_verifies(tiny_mnist_server, tmp_path, capsys):
    base, arrays, _ = tiny_mnist_server
    target = tmp_path / "downloaded"
    (x_train, _y_train), (_x_test, y_test) = load_mnist(directory=target, mirrors=[f"{base}/broken/", f"{base}/good/"])
    np.testing.assert_array_equal(x_train, arrays["train"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])
    assert sorted(p.name for p in target.iterdir()) == sorted(data.MNIST_FILES)  # no .part files left
    assert "train-images-idx3-ubyte.gz [" in capsys.readouterr().err  # a progress bar was drawn
    # A second load uses the verified local copies and needs no server.
    (again, _), _ = load_mnist(directory=target, mirrors=[])
    np.testing.assert_array_equal(again, arrays["train"][0])


def test_download_with_wrong_bytes_leaves_nothing_behind(tiny_mnist_server, tmp_path):
    base, _, served = tiny_mnist_server
    name = "t10k-labels-idx1-ubyte.gz"
    (served / name).write_bytes(b"tampered")
    target = tmp_path / "downloaded"
    with pytest.raises(DatasetError, match=f"(?s)Could not download {name}.*checksum mismatch"):
        locate(name, directory=target, mirrors=[f"{base}/good/"])
    assert list(target.iterdir()) == []


def test_no_mirror_reachable_says_what_to_do(tmp_path):
    with pytest.raises(DatasetError, match=r"(?s)Could not download train-images-idx3-ubyte\.gz.*MNIST_DIR"):
        locate("train-images-idx3-ubyte.gz", directory=tmp_path, mirrors=["http://127.0.0.1:9/"])
