"""Model artifacts on disk: saving a model with its card, and verified, safe loading."""

from __future__ import annotations

import json
from pathlib import Path

from backend.files import atomic_path, file_sha256
from backend.paths import card_path_for


class ModelFileError(RuntimeError):
    """The model file or its card is missing, corrupt, or does not match; the message says which."""


def write_json(path: Path, data: dict) -> None:
    """Write `data` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def read_card(model_path: Path) -> dict:
    """The model card (JSON beside the model file)."""
    card_path = card_path_for(model_path)
    try:
        return json.loads(card_path.read_text())
    except FileNotFoundError as error:
        raise ModelFileError(f"No model card at {card_path}; retrain with `python backend/train.py`.") from error
    except (OSError, ValueError) as error:
        raise ModelFileError(f"Model card {card_path} is unreadable: {error}") from error


def save_model(model, model_path: Path, card: dict) -> dict:
    """Save `model` and its card atomically; the card gains the file's size and SHA-256.

    The card is replaced first and the model last, so a server that watches the model
    file finds the matching card already in place when the model changes.
    """
    model_path = Path(model_path)
    with atomic_path(model_path) as tmp:
        model.save(tmp)
        card = {**card, "file": model_path.name, "file_bytes": tmp.stat().st_size, "sha256": file_sha256(tmp)}
        card.setdefault("version", f"{card.get('arch', 'model')}-{card['sha256'][:12]}")
        write_json(card_path_for(model_path), card)
    return card


def load_model(model_path: Path, verify: bool = True):
    """Load a `.keras` model with Keras' safe mode, after checking its SHA-256 against its card.

    Returns `(model, card)`. Raises ModelFileError with a message for a person when the
    file is missing, does not match its card, or cannot be deserialized.
    """
    import keras  # deferred: importing TensorFlow takes seconds

    model_path = Path(model_path)
    if model_path.suffix != ".keras":
        raise ModelFileError(f"{model_path}: only .keras model files are loaded.")
    if not model_path.is_file():
        raise ModelFileError(f"No model file at {model_path}; train one with `python backend/train.py`.")
    card = read_card(model_path) if verify else {}
    if verify:
        actual = file_sha256(model_path)
        if actual != card.get("sha256"):
            raise ModelFileError(
                f"{model_path} does not match its model card (SHA-256 {actual[:12]}..., card says "
                f"{str(card.get('sha256'))[:12]}...). The file is corrupt or was replaced without its card."
            )
    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a bad archive
        raise ModelFileError(f"{model_path} could not be loaded: {error}") from error
    return model, card
