"""Digits people wrote with a pen, as strokes to replay with the mouse in the browser (the offline e2e test).

`python -m tests.support.pen_strokes --count 200` prints JSON: `[{"label", "writer", "strokes"}, ...]`,
each stroke a list of [x, y] points from 0 to 1 of the canvas (y down). The digits are the
validation pen writers' (never trained on), as many of each digit, chosen and placed with a
fixed seed: the tablet's points, at a random size and place on the canvas.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from backend.training.drawings import place
from backend.training.handwriting import PEN_VALIDATION_WRITERS, load_pendigits

SIZE_RANGE = (0.3, 0.86)  # digit height as a fraction of the canvas: small to large, never overflowing


def pen_strokes(count: int = 200, seed: int = 11) -> list[dict]:
    """`count` validation-writer pen digits (digits 0-9 in turn), placed on the canvas as normalized strokes."""
    rng = np.random.default_rng(seed)
    held_out = [d for d in load_pendigits() if d.writer in PEN_VALIDATION_WRITERS]
    by_label = {label: [d for d in held_out if d.label == label] for label in range(10)}
    chosen = {label: rng.permutation(len(digits)) for label, digits in by_label.items()}
    drawings = []
    for i in range(count):
        label = i % 10
        digit = by_label[label][chosen[label][i // 10]]
        # The tablet's own points (one every 100 ms): the app's curves join them smoothly, and the mouse has
        # about 40 points to visit per digit rather than 140.
        placed = place([np.asarray(s, dtype=np.float64) for s in digit.strokes], rng, size_range=SIZE_RANGE)
        strokes = [[[round(float(x), 4), round(float(y), 4)] for x, y in s] for s in placed]
        drawings.append({"label": label, "writer": digit.writer, "strokes": strokes})
    return drawings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    print(json.dumps(pen_strokes(args.count, args.seed)))


if __name__ == "__main__":
    main()
