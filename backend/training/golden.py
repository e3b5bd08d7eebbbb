"""Golden fixtures for the on-device reader: pictures, and what the server makes of each.

`python -m backend.training.golden --out frontend/golden` (run by `make test-frontend` when
the fixtures are missing or older than what makes them) writes `fixtures.json` and one PNG per
fixture. The pictures are the kinds the app meets: MNIST test digits drawn as canvas pictures,
the validation writers' pen digits drawn by the canvas twin as the app draws strokes, the
validation writers' scanned-form digits as paper scans (dark ink on an opaque background),
MNIST digits as stored (light on dark), written numbers (wide) and non-digits. For each: the
28x28 field that `prepare()` makes of the PNG, the ink's extent and aspect, the shipped ONNX
model's raw probabilities and, as the server answers them, the calibrated probabilities, digit
and verdict (also under OTHER_THRESHOLDS). The TypeScript port (frontend/src/device/) must
give the same (its Vitest suite).

Derived data: the output is git-ignored and re-made, never committed.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from backend.core.artifacts import load_onnx
from backend.core.confidence import apply_temperature, judge
from backend.core.contract import as_batch
from backend.core.files import atomic_path
from backend.core.paths import DEFAULT_MODEL_PATH, REPO_ROOT
from backend.core.preprocessing import EmptyCanvas, prepare
from backend.core.samples import canvas_png, mnist_number, mnist_png
from backend.core.strokes import STROKE_WIDTH_RATIO, strokes_png
from backend.training import negatives
from backend.training.drawings import WIDTH_JITTER, place, respace
from backend.training.handwriting import (
    PEN_VALIDATION_WRITERS,
    SCAN_VALIDATION_WRITERS,
    load_optdigits,
    load_pendigits,
)
from backend.training.mnist import load_mnist

DEFAULT_OUT = REPO_ROOT / "frontend" / "golden"
FIXTURES_FILE = "fixtures.json"
# How many of each kind: 340 in all (at least 300 are wanted), about 2.5 MB on disk.
COUNTS = {"mnist": 100, "pen": 140, "scan": 40, "mnist_stored": 20, "number": 20, "non_digit": 20}
NON_DIGIT_SIZES = (0.05, 0.9)  # down to a dot too small to be a digit
SEED = 11
# Other thresholds, each on the other score than the shipped card's, set so that every verdict occurs: the
# port's certainty and top probability are held to the server's on every fixture, whichever rule a card uses.
OTHER_THRESHOLDS = {
    "not_a_digit": 0.5,
    "unsure": 0.9,
    "scores": {"not_a_digit": "top_probability", "unsure": "certainty"},
}


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pen_picture(strokes, rng: np.random.Generator) -> bytes:
    """A pen digit as the app would export it: respaced as pointer events, placed, with tremor and a pen width."""
    jittered = [respace(np.asarray(s, dtype=np.float64), rng) for s in strokes]
    placed = place(jittered, rng)
    placed = [s + (0.0015 * rng.standard_normal(s.shape)).astype(np.float32) for s in placed]
    return strokes_png(placed, width_ratio=STROKE_WIDTH_RATIO * rng.uniform(*WIDTH_JITTER))


def scan_picture(bitmap: np.ndarray, rng: np.random.Generator) -> bytes:
    """A scanned 32x32 bitmap (255 = ink) as a photo of paper: dark ink on a light, unevenly lit, opaque background.

    Grayscale, tinted RGB, or RGBA with see-through ink, so every opaque road of `ink_map` is taken. The paper
    has specks too faint to pass for ink (they keep the file small, unlike noise everywhere).
    """
    side = int(rng.integers(48, 160))
    ink = np.asarray(Image.fromarray(bitmap).resize((side, side), Image.Resampling.BILINEAR), dtype=np.float64) / 255
    margin = int(rng.integers(side // 8, side // 3))
    coverage = np.zeros((side + 2 * margin, side + 2 * margin))
    coverage[margin : margin + side, margin : margin + side] = ink
    size = coverage.shape[0]
    ramp = np.linspace(-1, 1, size)
    light = ramp[None, :] * rng.uniform(-6, 6) + ramp[:, None] * rng.uniform(-6, 6)  # lit from one side
    specks = (rng.random(coverage.shape) < 0.01) * rng.uniform(8, 18, coverage.shape)
    paper = np.array([rng.uniform(200, 245), rng.uniform(195, 240), rng.uniform(180, 235)])
    pen = np.array([rng.uniform(10, 70), rng.uniform(10, 70), rng.uniform(40, 110)])
    pixels = paper + (light - specks)[..., None] + (pen - paper) * coverage[..., None]
    pixels = np.clip(np.round(pixels), 0, 255).astype(np.uint8)
    mode = rng.choice(["L", "RGB", "RGBA"])
    if mode == "RGBA":  # see-through ink on opaque paper: composited over white, as the server does
        alpha = np.round(255 - rng.uniform(60, 160) * coverage).astype(np.uint8)
        return png_bytes(Image.fromarray(np.dstack([pixels, alpha])))
    return png_bytes(Image.fromarray(pixels).convert(str(mode)))


def non_digit_picture(strokes, rng: np.random.Generator) -> bytes:
    return strokes_png(place(strokes, rng, NON_DIGIT_SIZES))


def pictures(counts: dict[str, int], seed: int) -> Iterator[tuple[str, int | None, bytes]]:
    """(kind, label or None, PNG bytes) for every fixture, in a fixed order from `seed`."""
    rng = np.random.default_rng(seed)
    _, (mnist_images, mnist_labels) = load_mnist()
    for i in rng.choice(len(mnist_images), counts.get("mnist", 0), replace=False):
        yield "mnist", int(mnist_labels[i]), canvas_png(mnist_images[i], rng)
    pen = [d for d in load_pendigits() if d.writer in PEN_VALIDATION_WRITERS]
    for i in rng.choice(len(pen), counts.get("pen", 0), replace=False):
        yield "pen", pen[i].label, pen_picture(pen[i].strokes, rng)
    scans, scan_labels, writers = load_optdigits()
    held = np.flatnonzero(np.isin(writers, SCAN_VALIDATION_WRITERS))
    for i in rng.choice(held, counts.get("scan", 0), replace=False):
        yield "scan", int(scan_labels[i]), scan_picture(scans[i], rng)
    for i in rng.choice(len(mnist_images), counts.get("mnist_stored", 0), replace=False):
        yield "mnist_stored", int(mnist_labels[i]), mnist_png(mnist_images[i])
    for _ in range(counts.get("number", 0)):
        number = mnist_number(mnist_images, mnist_labels, int(rng.integers(2, 5)), rng)
        yield "number", None, png_bytes(number.picture)
    kinds = {**negatives.TRAIN_KINDS, **negatives.TEST_KINDS}
    digit_strokes = [d.strokes for d in pen]
    for _name, strokes in negatives.generate(counts.get("non_digit", 0), seed, kinds, digit_strokes):
        yield "non_digit", None, non_digit_picture(strokes, rng)


def field_entry(field: np.ndarray) -> dict:
    """The field as the box around its ink (zero elsewhere): where it lies, and its float32 values in base64."""
    rows, cols = np.flatnonzero(field.any(axis=1)), np.flatnonzero(field.any(axis=0))
    top, left, height, width = int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    box = np.ascontiguousarray(field[top : top + height, left : left + width], dtype="<f4")
    return {"top": top, "left": left, "height": height, "width": width, "values": base64.b64encode(box).decode()}


def calibrated(raw: np.ndarray, temperature: float) -> np.ndarray:
    """The server's calibration of the model's output (`Predictor.predict`): to a sum of 1, then the temperature."""
    probabilities = raw.astype(np.float64)
    return apply_temperature(probabilities / probabilities.sum(), temperature)


def write_fixtures(out: Path, counts: dict[str, int] = COUNTS, seed: int = SEED, model: Path = DEFAULT_MODEL_PATH):
    """Write `out`/fixtures.json and `out`/png/*.png; return how many fixtures were written."""
    session, card = load_onnx(Path(model).with_suffix(".onnx"))
    name = session.get_inputs()[0].name
    folder = out / "png"
    folder.mkdir(parents=True, exist_ok=True)
    (out / FIXTURES_FILE).unlink(missing_ok=True)  # until the new one is whole: no index to pictures that are gone
    for stale in folder.glob("*.png"):
        stale.unlink()
    fixtures = []
    for kind, label, data in pictures(counts, seed):
        try:
            prepared = prepare(data)
        except EmptyCanvas:
            continue  # a drawing that left no ink: nothing to compare
        raw = session.run(None, {name: as_batch(prepared.field)})[0][0]
        probabilities = calibrated(raw, card.temperature)
        digit = int(probabilities.argmax())
        verdict = judge(probabilities, card.thresholds, prepared.extent, prepared.aspect)
        by_other = judge(probabilities, OTHER_THRESHOLDS, prepared.extent, prepared.aspect)
        file = f"{len(fixtures):03d}-{kind}.png"
        (folder / file).write_bytes(data)
        fixtures.append(
            {
                "png": file,
                "kind": kind,
                "label": label,
                "field": field_entry(prepared.field),
                "extent": prepared.extent,
                "aspect": prepared.aspect,
                "raw": [float(p) for p in raw],
                "probabilities": [float(p) for p in probabilities],
                "digit": digit,
                "confidence": float(probabilities[digit]),
                "verdict": verdict.verdict,
                "reason": verdict.reason,
                "alternatives": verdict.alternatives,
                "by_other_thresholds": {"verdict": by_other.verdict, "reason": by_other.reason},
            }
        )
    document = {
        "made_by": "python -m backend.training.golden",
        "model": card.version,
        "card": {"temperature": card.temperature, "thresholds": card.thresholds},
        "other_thresholds": OTHER_THRESHOLDS,
        "seed": seed,
        "count": len(fixtures),
        "fixtures": fixtures,
    }
    with atomic_path(out / FIXTURES_FILE) as tmp:
        tmp.write_text(json.dumps(document, separators=(",", ":")))
    return len(fixtures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder to write (default {DEFAULT_OUT})")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="the model (its .onnx export is run)")
    parser.add_argument("--per-kind", type=int, help="this many of every kind instead of the defaults (a quick run)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    counts = COUNTS if args.per_kind is None else dict.fromkeys(COUNTS, args.per_kind)
    count = write_fixtures(args.out, counts, args.seed, args.model)
    print(f"Wrote {count} golden fixtures to {args.out / FIXTURES_FILE}")


if __name__ == "__main__":
    main()
