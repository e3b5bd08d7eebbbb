"""Read a written number: its digits segmented, each normalized by the one preprocessing, all read in one batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backend.core.confidence import Verdict, judge
from backend.core.preprocessing import EmptyCanvas, Placement, PreprocessingError, normalize_placed
from backend.core.segmentation import Segment, segment

# A piece read as several digits (cut apart) must be surer than read whole by this factor per extra
# digit: one piece of ink is one digit more often than digits that touch. Without it, a slanted 0 or
# a 1 with a foot was read "10" or "21" when the parts' product beat the whole by a hair (0.981
# against 0.979). Over two seed sets (6,000 4-digit numbers of each source, 760 touching pairs),
# 0.95 read more numbers exactly (pen 96.94 -> 97.00%, MNIST 98.28 -> 98.47%) and no fewer
# touching pairs (81.3 -> 81.6%); stronger priors won a few numbers more and lost touching pairs
# (0.8: 81.2%, 0.6: 80.0%).
CUT_PRIOR = 0.95


class TooManyDigits(PreprocessingError):
    """More separate marks than a number has digits: a page of writing, or a noisy photo."""

    code = "too_many_digits"


@dataclass(frozen=True)
class ReadDigit:
    """One digit of a number: its segment of the ink map, the field the model read, where the ink went in it,
    and the model's probabilities."""

    segment: Segment
    field: np.ndarray
    placement: Placement
    probabilities: np.ndarray

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))


def read_digits(ink: np.ndarray, predict: Callable[[np.ndarray], np.ndarray], limit: int = 30) -> list[ReadDigit]:
    """An ink map -> its digits, left to right, each normalized as a single drawing would be.

    `predict`: float32 (N, 28, 28) -> (N, 10) probabilities; called once, with every field. A
    piece wide enough to be digits that touch is read whole and cut each proposed way; the
    reading the model is surest of wins, the whole piece on a tie: the product of its digits'
    top probabilities (the chance that every one is what it is read as), times CUT_PRIOR for each
    digit more than one. A product, not a mean:
    cut into parts, a wide digit must beat itself whole on all its parts together, so it is not
    cut into two halves that each look like some digit. Raises EmptyCanvas when no digit is
    found, TooManyDigits when there are more than `limit` separate marks (each costs a model
    input; they are not read).
    """
    parts = segment(ink)
    if len(parts) > limit:
        raise TooManyDigits(f"There are {len(parts)} separate marks: write a number of at most {limit} digits.")
    fields: list[np.ndarray] = []
    placements: list[Placement] = []
    options = []  # per segment: the ways to read it, each a list of (segment, index into fields)
    for part in parts:
        ways = []
        for pieces in ((part,), *part.cuts):
            way = []
            for piece in pieces:
                try:
                    field, placement = normalize_placed(piece.ink)
                except EmptyCanvas:
                    break  # too faint to be a digit: this way of reading it is not one
                way.append((piece, len(fields)))
                fields.append(field)
                placements.append(placement)
            else:
                ways.append(way)
        if ways:
            options.append(ways)
    if not options:
        raise EmptyCanvas("Nothing is drawn: write a number first.")
    probabilities = np.asarray(predict(np.asarray(fields, dtype=np.float32)))
    sureness = np.log(np.maximum(probabilities.max(axis=1), 1e-12))
    digits = []
    for ways in options:
        # The first way is the whole piece: it wins ties, and more digits pay CUT_PRIOR each.
        best = max(ways, key=lambda way: sum(sureness[i] for _, i in way) + (len(way) - 1) * np.log(CUT_PRIOR))
        digits += [ReadDigit(piece, fields[i], placements[i], probabilities[i]) for piece, i in best]
    return digits


def box_in_picture(part: Segment, scale: tuple[float, float] = (1.0, 1.0)) -> list[int]:
    """A segment's box as [x, y, width, height] in the picture's pixels.

    `scale`: the picture's size over the ink map's, (x, y): the ink map of a large picture is smaller.
    """
    top, left, bottom, right = part.box
    sx, sy = scale
    x, y = int(np.floor(left * sx)), int(np.floor(top * sy))
    return [x, y, int(np.ceil(right * sx)) - x, int(np.ceil(bottom * sy)) - y]


def judge_digit(calibrated: np.ndarray, thresholds: dict | None, part: Segment, line_height: int) -> Verdict:
    """The verdict on one digit of a number: its size is measured against the number's tallest digit."""
    extent = max(part.height, part.width) / max(1, line_height)
    return judge(calibrated, thresholds, extent, part.width / max(1, part.height))
