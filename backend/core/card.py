"""The model card: one type that training fills, artifacts save and verify, and the server shows."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ModelCard:
    """What a model is, how it was made and how well it reads each population of writers.

    Saved as JSON beside the model file (`digit_cnn.json` for `digit_cnn.keras`). Sections
    that older models lack are None; keys this version does not know are kept in `extra`.
    """

    name: str
    arch: str
    params: int
    input: str
    trained_at: str | None = None
    layers: list[dict] = field(default_factory=list)
    # MNIST test set
    test_accuracy: float | None = None
    test_loss: float | None = None
    per_class: dict[str, dict] | None = None
    confusion_matrix: list[list[int]] | None = None
    most_confused: list[dict] | None = None
    # held-out writers, calibration and the verdict thresholds (the server reads the last two)
    handwriting: dict | None = None
    calibration: dict | None = None
    verdict: dict | None = None
    # the run
    epochs_run: int | None = None
    best_epoch: int | None = None
    best_epoch_validation: dict | None = None
    training_seconds: float | None = None
    training: dict | None = None
    data_sha256: dict[str, str] | None = None
    handwriting_sha256: dict[str, str] | None = None
    data_credit: list[str] | None = None
    versions: dict[str, str] | None = None
    history: dict[str, list[float]] | None = None
    # the last `train.py --feedback` run that made this file from an earlier model: what it learnt from,
    # how, and the gate's verdict (each population before and after); None for a model trained from scratch
    fine_tune: dict | None = None
    # the file, filled in when the model is saved
    file: str | None = None
    file_bytes: int | None = None
    sha256: str | None = None
    version: str | None = None
    # exports of that file for inference runtimes, by format ("onnx", "tf_saved_model"): each
    # {file, bytes, sha256, max_difference, checked_on, ...}, filled in by backend/training/export.py
    exports: dict[str, dict] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def temperature(self) -> float:
        """The calibration temperature (1.0 for a model that was never calibrated)."""
        return float((self.calibration or {}).get("temperature", 1.0))

    @property
    def thresholds(self) -> dict | None:
        """The verdict thresholds, if the model has them: `not_a_digit` and `unsure`, and the `score`
        they apply to (`certainty`; a card without one has thresholds on the top probability)."""
        return (self.verdict or {}).get("thresholds")

    def with_file(self, name: str, size: int, sha256: str) -> ModelCard:
        """A copy describing the saved file; the version (unless set) is the arch and the file's hash.

        Exports of an earlier file are dropped: they no longer describe this one.
        """
        return dataclasses.replace(
            self,
            file=name,
            file_bytes=size,
            sha256=sha256,
            version=self.version or f"{self.arch}-{sha256[:12]}",
            exports=None,
        )

    def export(self, kind: str) -> dict | None:
        """The card's entry for one export of the model file ("onnx", "tf_saved_model"), if it has one."""
        return (self.exports or {}).get(kind)

    def with_export(self, kind: str, entry: dict) -> ModelCard:
        """A copy with the entry for one export of the model file added (or replaced)."""
        return dataclasses.replace(self, exports={**(self.exports or {}), kind: entry})

    def to_dict(self, history: bool = True) -> dict[str, Any]:
        """The JSON object (None sections left out; `history` optional, it is long)."""
        data = {k: v for k, v in dataclasses.asdict(self).items() if v is not None and k != "extra"}
        if not history:
            data.pop("history", None)
        return {**data, **self.extra}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        missing = [name for name in ("name", "arch", "params", "input") if name not in data]
        if missing:
            raise ValueError(f"the model card lacks {', '.join(missing)}")
        return cls(
            **{k: v for k, v in data.items() if k in known}, extra={k: v for k, v in data.items() if k not in known}
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> ModelCard:
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """A JSON Schema of the card's top level, made from the fields' types.

        Written to `schemas/model-card.schema.json`, which the frontend's tests check the
        shipped card and its TypeScript type against; a test keeps the file in step.
        """
        hints = typing.get_type_hints(cls)
        properties = {f.name: _schema_of(hints[f.name]) for f in dataclasses.fields(cls) if f.name != "extra"}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "ModelCard",
            "description": (cls.__doc__ or "").strip().splitlines()[0],
            "type": "object",
            "required": [
                f.name
                for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ],
            "properties": properties,
            "additionalProperties": True,
        }


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}


def _schema_of(hint) -> dict[str, Any]:
    """The JSON Schema type of one field's annotation (`X | None` allows null)."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    names = []
    for option in options:
        origin = typing.get_origin(option) or option
        names.append("null" if option is type(None) else _JSON_TYPES[origin])
    return {"type": names[0] if len(names) == 1 else names}


if __name__ == "__main__":  # `python -m backend.core.card` rewrites schemas/model-card.schema.json
    from backend.core.paths import REPO_ROOT

    (REPO_ROOT / "schemas" / "model-card.schema.json").write_text(json.dumps(ModelCard.json_schema(), indent=2) + "\n")
