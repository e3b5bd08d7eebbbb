"""Written numbers of pen strokes drawn by the canvas twin (see core/samples.py), and how well a model reads them.

Drawn as the app's number pad exports them: the pen is exactly a 14th of the pad's height (the
export redraws the strokes at 500x200 with that width, whatever the screen), and no digit is
smaller than SMALLEST. With that pen a digit whose strokes are less than a fifth of the pad's
height is under three pen widths tall, its loops filled in: the digit pad's smallest digit (the
training mix's pen digits, SIZE_RANGE) is the same fifth of its side.

`python -m backend.training.written_numbers [MODEL]` reads thousands of 4-digit numbers of the
validation writers' pen digits (and of MNIST test digits): tests/core/test_numbers.py reads 150
of each, too few to tell 96.5% from 97.5% (one number in 150 is 0.67 points).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from backend.core.numbers import read_digits
from backend.core.paths import DEFAULT_MODEL_PATH
from backend.core.preprocessing import ink_map, normalize
from backend.core.samples import NUMBER_HEIGHT, WrittenNumber, compose, ink_box, mnist_number
from backend.core.strokes import STROKE_WIDTH_RATIO, render_strokes
from backend.training.drawings import SIZE_RANGE, place, respace

PEN = STROKE_WIDTH_RATIO * NUMBER_HEIGHT  # the number pad's pen in its exported picture: 14.3 px
SMALLEST = round(SIZE_RANGE[0] * NUMBER_HEIGHT + PEN)  # a digit's ink height, pixels: 54


def pen_glyph(strokes: Sequence[np.ndarray], height: int, rng: np.random.Generator) -> np.ndarray:
    """Pen strokes -> uint8 alpha drawn by the canvas twin with the number pad's pen, about `height` pixels tall."""
    jittered = [respace(np.asarray(s, dtype=np.float64), rng) for s in strokes]
    # Drawn on a square as tall as the pad, so the pen is the pad's; the strokes' height leaves room for its width.
    placed = place(jittered, rng, height=max(0.05, (height - PEN) / NUMBER_HEIGHT))
    return ink_box(render_strokes(placed, size=NUMBER_HEIGHT, width_ratio=STROKE_WIDTH_RATIO))


def pen_number(pen_digits: Sequence, count: int, rng: np.random.Generator) -> WrittenNumber:
    """A number of `count` random pen digits (`PenDigit`s, e.g. the validation writers'), none under SMALLEST."""
    picks = [pen_digits[i] for i in rng.choice(len(pen_digits), count, replace=False)]
    glyphs = [lambda h, d=d: pen_glyph(d.strokes, h, rng) for d in picks]
    return compose(glyphs, [d.label for d in picks], rng, smallest=SMALLEST)


def read(number: WrittenNumber, predict: Callable[[np.ndarray], np.ndarray]):
    """(the number as read, per true digit whether the reader got it, per true digit whether it is read alone)."""
    found = read_digits(ink_map(number.picture), predict)
    text = "".join(str(d.digit) for d in found)
    right = []
    for (_, left, _, right_edge), label in zip(number.boxes, number.labels, strict=True):
        # The digits read whose box centre lies over this digit's ink: exactly one, and the right one.
        over = [d for d in found if left <= (d.segment.box[1] + d.segment.box[3]) / 2 < right_edge]
        right.append(len(over) == 1 and over[0].digit == label)
    alone = predict(np.asarray([normalize(ink_map(picture)) for picture in number.alone])).argmax(axis=1)
    return text, right, list(alone == np.asarray(number.labels))


def measure(make: Callable[[np.random.Generator], WrittenNumber], predict, seed: int, count: int) -> tuple:
    """(numbers read exactly, digits read right in them, digits read right alone, digits) of `count` numbers."""
    rng = np.random.default_rng(seed)
    exact = in_numbers = alone = digits = 0
    for _ in range(count):
        number = make(rng)
        text, right, alone_right = read(number, predict)
        exact += text == number.text
        in_numbers, alone, digits = in_numbers + sum(right), alone + sum(alone_right), digits + len(right)
    return exact, in_numbers, alone, digits


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.training.written_numbers", description=__doc__)
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL_PATH, help="a .keras file")
    parser.add_argument("--count", type=int, default=1000, help="numbers per seed and source (default: 1000)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[31, 32, 33], help="(default: 31 32 33)")
    parser.add_argument("--digits", type=int, default=4, help="digits in each number (default: 4)")
    args = parser.parse_args(argv)

    from backend.core.artifacts import load_model
    from backend.training.evaluation import calibrated
    from backend.training.handwriting import PEN_VALIDATION_WRITERS, load_pendigits
    from backend.training.mnist import load_mnist

    model, card = load_model(args.model)
    predict = calibrated(model, card)  # as the server reads a number, calibration included
    pen = [d for d in load_pendigits() if d.writer in PEN_VALIDATION_WRITERS]
    _, (x_test, y_test) = load_mnist()
    sources = {
        "validation pen writers": lambda rng: pen_number(pen, args.digits, rng),
        "MNIST test digits": lambda rng: mnist_number(x_test, y_test, args.digits, rng),
    }
    print(f"{args.model.name} ({card.version}): {args.digits}-digit numbers, {args.count} per seed")
    for name, make in sources.items():
        totals = np.zeros(4, dtype=int)
        for seed in args.seeds:
            counts = measure(make, predict, seed, args.count)
            totals += counts
            print(f"  {name}, seed {seed}: {counts[0] / args.count:.2%} read exactly", flush=True)
        exact, in_numbers, alone, digits = totals
        numbers = args.count * len(args.seeds)
        low, high = wilson(exact, numbers)
        print(
            f"{name}: {exact / numbers:.2%} of {numbers} read exactly (95% interval {low:.2%}-{high:.2%}); "
            f"digits {in_numbers / digits:.2%} in numbers, {alone / digits:.2%} alone"
        )
    return 0


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion: how far the rate of a sample may be from the true one."""
    from scipy.stats import binomtest

    interval = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


if __name__ == "__main__":
    sys.exit(main())
