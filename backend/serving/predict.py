"""Classify image files from the command line, through the same preprocessing and model as the API.

`--number` reads each picture as a number (like POST /read-number); `--explain OUT.png` writes
why: the picture with the heatmap over it (several pictures: OUT-<picture's name>.png).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.core.artifacts import ModelFileError
from backend.core.explanation import overlay
from backend.core.numbers import read_digits
from backend.core.preprocessing import PreprocessingError, decode, ink_map, preprocess
from backend.serving.runtimes import RUNTIMES, RuntimeUnavailable
from backend.serving.settings import Config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="digits predict", description=__doc__)
    parser.add_argument("--image", nargs="+", required=True, type=Path, help="PNG, JPEG, WebP or GIF files")
    defaults = Config()
    parser.add_argument(
        "--model", type=Path, default=Path(defaults.MODEL_PATH), help="a .keras model (default: the shipped one)"
    )
    parser.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default=defaults.RUNTIME,
        help="run the model's .onnx export in ONNX Runtime, or the .keras file in TensorFlow (default: %(default)s)",
    )
    parser.add_argument("--number", action="store_true", help="read each picture as a number, digit by digit")
    parser.add_argument(
        "--explain",
        type=Path,
        metavar="OUT.png",
        help="write the picture with the heatmap of why over it (several pictures: OUT-<picture's name>.png)",
    )
    args = parser.parse_args(argv)

    from backend.serving import explain
    from backend.serving.predictor import Predictor

    predictor = Predictor(args.model, runtime=args.runtime)
    try:
        predictor.load()
    except (ModelFileError, OSError, RuntimeUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    failed = False
    for path in args.image:
        try:
            data = path.read_bytes()
            if args.number:
                picture = decode(data)
                ink = ink_map(picture)
                digits = read_digits(ink, explain.model_of(predictor))
                number = "".join(str(d.digit) for d in digits)
                each = ", ".join(f"{d.digit} {d.probabilities[d.digit]:.1%}" for d in digits)
                print(f"{path}: {number} ({each})")
                heat = explain.number_heat(ink, digits, predictor) if args.explain else None
            else:
                probabilities, _ = predictor.predict(preprocess(data))
                top = probabilities.argsort()[::-1][:3]
                runners_up = ", ".join(f"{d} ({probabilities[d]:.1%})" for d in top)
                print(f"{path}: {top[0]} (confidence {probabilities[top[0]]:.1%}); top 3: {runners_up}")
                if args.explain:
                    picture = decode(data)
                    ink = ink_map(picture)
                    heat = explain.digit_heat(ink, int(top[0]), predictor)
            if args.explain:
                out = explained_path(args.explain, path, several=len(args.image) > 1)
                overlay(picture, heat, ink).save(out, format="PNG")
                print(f"{path}: why: {out}")
        except (OSError, PreprocessingError) as error:
            print(f"{path}: error: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def explained_path(out: Path, image: Path, several: bool) -> Path:
    """Where --explain writes a picture's heatmap: OUT itself, or OUT-<picture's name> when there are several."""
    return out.with_name(f"{out.stem}-{image.stem}{out.suffix or '.png'}") if several else out
