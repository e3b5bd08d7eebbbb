"""Classify image files from the command line, through the same preprocessing and model as the API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.core.artifacts import ModelFileError
from backend.core.preprocessing import PreprocessingError, preprocess
from backend.serving.settings import Config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="digits predict", description=__doc__)
    parser.add_argument("--image", nargs="+", required=True, type=Path, help="PNG, JPEG, WebP or GIF files")
    parser.add_argument(
        "--model", type=Path, default=Path(Config().MODEL_PATH), help="a .keras model (default: the shipped one)"
    )
    args = parser.parse_args(argv)

    from backend.serving.predictor import Predictor

    predictor = Predictor(args.model)
    try:
        predictor.load()
    except (ModelFileError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    failed = False
    for path in args.image:
        try:
            probabilities, _ = predictor.predict(preprocess(path.read_bytes()))
        except (OSError, PreprocessingError) as error:
            print(f"{path}: error: {error}", file=sys.stderr)
            failed = True
            continue
        top = probabilities.argsort()[::-1][:3]
        runners_up = ", ".join(f"{d} ({probabilities[d]:.1%})" for d in top)
        print(f"{path}: {top[0]} (confidence {probabilities[top[0]]:.1%}); top 3: {runners_up}")
    return 1 if failed else 0
