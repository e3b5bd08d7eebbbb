"""Model artifacts on disk: saving a model with its card, and verified, safe loading (Keras or ONNX)."""

from __future__ import annotations

from pathlib import Path

from backend.core.card import ModelCard
from backend.core.files import atomic_path, file_sha256
from backend.core.paths import card_path_for


class ModelFileError(RuntimeError):
    """The model file or its card is missing, corrupt, or does not match; the message says which."""


def read_card(model_path: Path) -> ModelCard:
    """The model card (JSON beside the model file)."""
    card_path = card_path_for(model_path)
    try:
        return ModelCard.read(card_path)
    except FileNotFoundError as error:
        raise ModelFileError(f"No model card at {card_path}; retrain with `python backend/train.py`.") from error
    except (OSError, ValueError, TypeError) as error:
        raise ModelFileError(f"Model card {card_path} is unreadable: {error}") from error


def write_card(model_path: Path, card: ModelCard) -> None:
    """Write the card beside the model file, atomically."""
    with atomic_path(card_path_for(model_path)) as tmp:
        tmp.write_text(card.to_json())


def save_model(model, model_path: Path, card: ModelCard) -> ModelCard:
    """Save `model` and its card atomically; returns the card with the file's size and SHA-256.

    The card is replaced first and the model last, so a server that watches the model
    file finds the matching card already in place when the model changes.
    """
    model_path = Path(model_path)
    with atomic_path(model_path) as tmp:
        model.save(tmp)
        card = card.with_file(model_path.name, tmp.stat().st_size, file_sha256(tmp))
        write_card(model_path, card)
    return card


def load_model(model_path: Path, verify: bool = True):
    """Load a `.keras` model with Keras' safe mode, after checking its SHA-256 against its card.

    Returns `(model, card)` (card None when `verify` is off). Raises ModelFileError with a
    message for a person when the file is missing, does not match its card, or cannot be
    deserialized.
    """
    import keras  # deferred: importing TensorFlow takes seconds

    model_path = Path(model_path)
    if model_path.suffix != ".keras":
        raise ModelFileError(f"{model_path}: only .keras model files are loaded.")
    if not model_path.is_file():
        raise ModelFileError(f"No model file at {model_path}; train one with `python backend/train.py`.")
    card = read_card(model_path) if verify else None
    if card is not None:
        check_sha256(model_path, card.sha256)
    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a bad archive
        raise ModelFileError(f"{model_path} could not be loaded: {error}") from error
    return model, card


def load_onnx(onnx_path: Path, threads: int = 1):
    """Open an `.onnx` export in ONNX Runtime, after checking its SHA-256 against the card's ONNX entry.

    Returns `(session, card)`; the card is the model's own (`digit_cnn.json` for `digit_cnn.onnx`).
    Imports neither TensorFlow nor Keras. Raises ModelFileError with a message for a person
    when the file is missing, the card records no ONNX export, the hash differs, or ONNX
    Runtime cannot read the file.
    """
    onnx_path = Path(onnx_path)
    if onnx_path.suffix != ".onnx":
        raise ModelFileError(f"{onnx_path}: only .onnx files are run by ONNX Runtime.")
    if not onnx_path.is_file():
        raise ModelFileError(f"No ONNX file at {onnx_path}; export one with `python backend/export.py`.")
    card = read_card(onnx_path)
    entry = card.export("onnx")
    if entry is None:
        raise ModelFileError(
            f"The model card of {onnx_path} records no ONNX export; export one with `python backend/export.py`."
        )
    check_sha256(onnx_path, entry.get("sha256"))
    try:
        session = onnx_session(onnx_path, threads)
    except Exception as error:  # ONNX Runtime raises its own types for a bad graph
        raise ModelFileError(f"{onnx_path} could not be loaded: {error}") from error
    return session, card


def onnx_session(onnx_path: Path, threads: int = 1):
    """An ONNX Runtime session on the CPU, running each call on `threads` threads.

    One 28x28 image gains nothing from intra-op parallelism, and with several server workers
    on a few cores, extra threads only fight each other (and spin while they wait).
    """
    import onnxruntime  # deferred: only the server's ONNX runtime and the export need it

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    return onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


def check_sha256(path: Path, expected: str | None) -> None:
    """Raise ModelFileError unless the file's SHA-256 is the one its card records."""
    actual = file_sha256(path)
    if actual != expected:
        raise ModelFileError(
            f"{path} does not match its model card (SHA-256 {actual[:12]}..., card says "
            f"{str(expected)[:12]}...). The file is corrupt or was replaced without its card."
        )
