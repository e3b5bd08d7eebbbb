"""Export a verified .keras model for inference runtimes: ONNX (what the server runs) and TF Serving.

    python backend/export.py                      # models/digit_cnn.keras -> models/digit_cnn.onnx
    python backend/export.py --model models/digit_cnn_mnist.keras --saved-model

Keras stays the way the network is built, trained and verified; an export is a second form of
the same file. Each export is checked before it is put in place: on the first 1,000 MNIST test
digits its probabilities must equal Keras's within 1e-5. Its SHA-256 then goes into the model
card (`exports`), which the server checks before it runs the file, so model, card and export
never disagree. The card is written first and the export last (atomically), as save_model does:
a server watching the file finds the matching card already in place.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from backend.core import contract
from backend.core.artifacts import ModelFileError, load_model, onnx_session, write_card
from backend.core.card import ModelCard
from backend.core.files import atomic_path, file_sha256, tree_bytes, tree_sha256
from backend.core.paths import DEFAULT_MODEL_PATH

PARITY_DIGITS = 1000  # MNIST test digits each export is checked on
TOLERANCE = 1e-5  # the largest difference from Keras's probabilities an export may have
SAVED_MODEL_SUFFIX = ".tf_serving"  # models/digit_cnn.tf_serving/<version>/ is TF Serving's base path


class ExportMismatch(RuntimeError):
    """An export does not answer as the Keras model does; nothing was written."""


def reference_batch(count: int = PARITY_DIGITS) -> np.ndarray:
    """The first `count` MNIST test digits as the network's input, float32 (N, 28, 28, 1)."""
    from backend.training.mnist import load_mnist

    _, (x_test, _) = load_mnist()
    return contract.as_batch(contract.from_uint8(x_test[:count]))


def _checked(expected: np.ndarray, actual: np.ndarray, what: str, tolerance: float) -> float:
    """The largest difference between two sets of probabilities; raises ExportMismatch over `tolerance`."""
    difference = float(np.max(np.abs(np.asarray(actual, dtype=np.float64) - expected)))
    if not difference <= tolerance:  # also refuses NaN
        raise ExportMismatch(
            f"The {what} export differs from the Keras model by {difference:.3g} on {len(expected):,} MNIST "
            f"test digits (allowed: {tolerance:g}); nothing was written."
        )
    return difference


def _entry(checked_on: int, difference: float, **fields) -> dict:
    return {
        **fields,
        "max_difference": difference,
        "checked_on": f"{checked_on:,} MNIST test digits",
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def export_onnx(
    model, model_path: Path, card: ModelCard, batch: np.ndarray | None = None, tolerance: float = TOLERANCE
) -> ModelCard:
    """Write `model` as ONNX beside its file (`digit_cnn.onnx`), checked, and its entry into the card.

    Returns the updated card. Raises ExportMismatch (and writes nothing) when ONNX Runtime's
    probabilities differ from Keras's by more than `tolerance`.
    """
    import onnx
    import onnxruntime
    import tf2onnx

    batch = reference_batch() if batch is None else batch
    expected = np.asarray(model.predict(batch, batch_size=250, verbose=0), dtype=np.float64)
    model(batch[:1], training=False)  # Keras exports only a model that has been called
    model_path = Path(model_path)
    onnx_path = model_path.with_suffix(".onnx")
    with atomic_path(onnx_path) as tmp:
        model.export(str(tmp), format="onnx", verbose=False)
        session = onnx_session(tmp)
        inputs = {session.get_inputs()[0].name: batch}
        difference = _checked(expected, session.run(None, inputs)[0], "ONNX", tolerance)
        opset = next(o.version for o in onnx.load(str(tmp)).opset_import if o.domain in ("", "ai.onnx"))
        entry = _entry(
            len(batch),
            difference,
            file=onnx_path.name,
            bytes=tmp.stat().st_size,
            sha256=file_sha256(tmp),
            opset=int(opset),
            converter=f"tf2onnx {tf2onnx.__version__}",
            runtime=f"onnxruntime {onnxruntime.__version__}",
        )
        card = card.with_export("onnx", entry)
        write_card(model_path, card)  # the card first, the file last (the server watches the file)
    return card


def export_saved_model(
    model, model_path: Path, card: ModelCard, batch: np.ndarray | None = None, tolerance: float = TOLERANCE
) -> ModelCard:
    """Write `model` as a SavedModel for TensorFlow Serving, checked, and its entry into the card.

    TF Serving watches a base folder and serves its highest numbered version, so each export
    is a new version, `digit_cnn.tf_serving/<n>/`, renamed into place whole once it is checked
    (serve it with `--model_base_path=.../digit_cnn.tf_serving`). The signature is
    `serving_default`: float32 (N, 28, 28, 1) -> (N, 10) probabilities.
    """
    import tensorflow as tf

    batch = reference_batch() if batch is None else batch
    expected = np.asarray(model.predict(batch, batch_size=250, verbose=0), dtype=np.float64)
    model_path = Path(model_path)
    base = model_path.with_suffix(SAVED_MODEL_SUFFIX)
    base.mkdir(parents=True, exist_ok=True)
    version = 1 + max((int(p.name) for p in base.iterdir() if p.name.isdigit()), default=0)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=base))  # TF Serving ignores names that are not numbers
    try:
        model.export(str(tmp / "model"), format="tf_saved_model", verbose=False)
        reloaded = tf.saved_model.load(str(tmp / "model"))
        difference = _checked(expected, reloaded.serve(tf.constant(batch)).numpy(), "SavedModel", tolerance)
        entry = _entry(
            len(batch),
            difference,
            dir=f"{base.name}/{version}",
            bytes=tree_bytes(tmp / "model"),
            sha256=tree_sha256(tmp / "model"),
            signature="serving_default",
            tensorflow=tf.__version__,
        )
        card = card.with_export("tf_saved_model", entry)
        write_card(model_path, card)
        (tmp / "model").rename(base / str(version))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return card


def export(model_path: Path = DEFAULT_MODEL_PATH, saved_model: bool = False) -> ModelCard:
    """Export the verified model file: ONNX always, a TF Serving SavedModel on request. Returns the card."""
    model, card = load_model(model_path)
    batch = reference_batch()
    card = export_onnx(model, model_path, card, batch)
    if saved_model:
        card = export_saved_model(model, model_path, card, batch)
    return card


def describe(card: ModelCard, model_path: Path, kinds=("onnx", "tf_saved_model")) -> str:
    """One line for each of the card's exports of these kinds, for a person."""
    lines = []
    for kind in kinds:
        entry = card.export(kind)
        if entry is None:
            continue
        where = Path(model_path).parent / (entry.get("file") or entry["dir"])
        lines.append(
            f"{kind}: {where} ({entry['bytes'] / 1e6:.2f} MB, SHA-256 {entry['sha256'][:12]}...), "
            f"max difference from Keras {entry['max_difference']:.2g} on {entry['checked_on']}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="digits export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_PATH, help="the .keras model to export (default: the shipped one)"
    )
    parser.add_argument(
        "--saved-model",
        action="store_true",
        help="also write a SavedModel for TensorFlow Serving (<model>.tf_serving/)",
    )
    args = parser.parse_args(argv)
    try:
        card = export(args.model, saved_model=args.saved_model)
    except (ModelFileError, ExportMismatch, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(describe(card, args.model, ("onnx", "tf_saved_model") if args.saved_model else ("onnx",)))
    return 0
