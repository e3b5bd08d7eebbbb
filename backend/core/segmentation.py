"""Split the ink of a written number into its digits, left to right.

1. Connected strokes (8-connected components of the ink map).
2. Pieces that overlap horizontally are one digit: the two strokes of a 4, or a 5 or a 7
   whose bar was drawn apart. Pieces overlap when most of the narrower one lies over the
   other, or when a flat piece (a bar) lies at least partly over a taller one. A fragment
   (a piece less than half as tall as the number: the tail of a 2 lifted off, a broken
   stroke) joins the nearest digit when it is close to one. Specks that join no digit are
   dropped.
3. A piece wider than a digit may be digits that touch: cuts into 2, 3, ... digits are
   proposed near where digits of the number's usual width would meet, at the column with the
   least ink, or crossing the fewest strokes, or just there. Some single digits are as wide
   (a flat 5, a round 0), so the reader lets the model decide between the piece and its parts
   (`backend/core/numbers.py`).

Each segment keeps its own ink only: a neighbour's stroke reaching into its box is left out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

# The narrower piece must lie this much (share of its width) over the other to be the same digit.
OVERLAP = 0.5
# A piece lower than this share of the line's height is flat (a bar, a dash): any overlap joins it.
FLAT = 0.4
# A piece less tall than this share of the line's height is a fragment of a digit, not a digit, and
# joins the nearest digit no farther away than REACH times the line's height.
FRAGMENT = 0.5
REACH = 0.15
# Pieces whose longer side is under this share of the line's height are specks unless they join a digit.
SPECK = 0.12
# Smaller ones are noise (paper grain, JPEG blocks), dropped before anything is joined; and at most
# this many of the largest pieces are considered, so a noisy photo cannot make the joining slow.
NOISE = 0.03
MAX_PIECES = 120
# A piece wider than this many times its height may be digits that touch. Single digits can be
# as wide (a tenth of MNIST's digits are as wide as tall, 1% 1.25 times), so this only proposes
# cuts, which the model then judges; two digits that touch are mostly 1.0 to 1.7 times as wide,
# less when one is a 1. Measured on tests/core/test_numbers.py's touching pairs: at 1.0, 90% are
# read right (78% at 1.1) and no more single digits are cut; at 0.9 single digits start to be cut.
WIDE = 1.0
# ... or, in a number with other digits, this many times their usual width (and WIDE times its height).
WIDER_THAN_USUAL = 1.7
# Without other digits to go by, a digit is taken to be this many times as wide as tall (MNIST's median).
DIGIT_ASPECT = 0.75
# A piece is cut into at most this many digits.
MAX_TOUCHING = 6

_EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class Segment:
    """One digit's ink: its box in the ink map and the ink inside it (other segments' ink removed)."""

    box: tuple[int, int, int, int]  # (top, left, bottom, right), bottom and right exclusive
    ink: np.ndarray  # float32 (bottom - top, right - left)
    # A wide piece may be digits that touch: the ways to cut it (into 2, 3, ... digits), for the model to judge.
    cuts: tuple[tuple[Segment, ...], ...] = ()

    @property
    def height(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def width(self) -> int:
        return self.box[3] - self.box[1]


@dataclass
class _Piece:
    """A group of connected components, while they are being merged."""

    labels: list[int]
    top: int
    left: int
    bottom: int
    right: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def overlap(self, other: _Piece) -> int:
        return max(0, min(self.right, other.right) - max(self.left, other.left))

    def gap(self, other: _Piece) -> int:
        """The horizontal distance between the two (0 when they overlap)."""
        return max(0, max(self.left, other.left) - min(self.right, other.right))

    def absorb(self, other: _Piece) -> None:
        self.labels += other.labels
        self.top, self.left = min(self.top, other.top), min(self.left, other.left)
        self.bottom, self.right = max(self.bottom, other.bottom), max(self.right, other.right)


def segment(ink: np.ndarray) -> list[Segment]:
    """An ink map (H, W), ink bright -> the digits' segments, left to right (empty when there is no ink)."""
    labels, count = ndimage.label(ink > 0, structure=_EIGHT_CONNECTED)
    if count == 0:
        return []
    pieces = [
        _Piece([label], rows.start, cols.start, rows.stop, cols.stop)
        for label, (rows, cols) in enumerate(ndimage.find_objects(labels), start=1)
    ]
    line = max(piece.height for piece in pieces)
    pieces = [p for p in pieces if max(p.width, p.height) >= NOISE * line]
    pieces = sorted(pieces, key=lambda p: p.width * p.height, reverse=True)[:MAX_PIECES]
    pieces = _merge(sorted(pieces, key=lambda p: p.left), line)
    pieces = [p for p in pieces if max(p.width, p.height) >= SPECK * line]
    segments = []
    for piece in pieces:
        mask = np.isin(labels[piece.top : piece.bottom, piece.left : piece.right], piece.labels)
        own = np.where(mask, ink[piece.top : piece.bottom, piece.left : piece.right], 0).astype(np.float32)
        others = [p for p in pieces if p is not piece]
        whole = _tight(own, (piece.top, piece.left))
        cuts = {}  # the proposed cuts by their parts' boxes (two ways of scoring may cut alike)
        for count in _counts(own, _usual_width(others, line))[1:]:
            for scores in _cut_scores(own):
                parts = _cut(own, (piece.top, piece.left), count, scores)
                if len(parts) > 1:
                    cuts.setdefault(tuple(part.box for part in parts), parts)
        segments.append(Segment(whole.box, whole.ink, tuple(cuts.values())))
    return segments


def _joins(a: _Piece, b: _Piece, line: int) -> bool:
    """Whether two pieces are parts of one digit (see the module's docstring)."""
    overlap = a.overlap(b)
    if overlap == 0:
        return False
    if overlap >= OVERLAP * min(a.width, b.width):
        return True
    return min(a.height, b.height) < FLAT * line


def _merge(pieces: list[_Piece], line: int) -> list[_Piece]:
    """Join the pieces of each digit: fragments to the digit nearby, overlapping pieces, until nothing changes.

    Fragments go first: two fragments of one digit, joined to each other, might look as tall as a digit.
    """
    while _attach_fragment(pieces, line) or _join_overlapping(pieces, line):
        pass
    return sorted(pieces, key=lambda p: p.left)


def _join_overlapping(pieces: list[_Piece], line: int) -> bool:
    """Join overlapping pieces until no two overlap (a join widens a piece, which may reach the next one)."""
    changed, merged = False, True
    while merged:
        merged = False
        for i, piece in enumerate(pieces):
            partners = [other for other in pieces[i + 1 :] if _joins(piece, other, line)]
            if partners:
                best = max(partners, key=piece.overlap)
                piece.absorb(best)
                pieces.remove(best)
                merged = changed = True
                break
    return changed


def _attach_fragment(pieces: list[_Piece], line: int) -> bool:
    """Join one fragment to the nearest digit within reach; False when there is none to join."""
    tall = [p for p in pieces if p.height >= FRAGMENT * line]
    for fragment in sorted((p for p in pieces if p.height < FRAGMENT * line), key=lambda p: p.width * p.height):
        near = min(tall, key=lambda p: (fragment.gap(p), -fragment.overlap(p)), default=None)
        if near is not None and fragment.gap(near) <= REACH * line:
            near.absorb(fragment)
            pieces.remove(fragment)
            return True
    return False


def _usual_width(pieces: list[_Piece], line: int) -> float | None:
    """The median width of digit-like pieces (tall ones), or None when there are none."""
    tall = [p.width for p in pieces if p.height >= FLAT * line]
    return float(np.median(tall)) if tall else None


def _counts(ink: np.ndarray, usual: float | None) -> range:
    """How many touching digits a piece might be: none but itself unless it is much wider than a digit.

    `usual`: the usual width of the number's other digits, when it has any.
    """
    height, width = ink.shape
    if width <= WIDE * height:
        return range(1, 2)
    if usual is not None and width > WIDER_THAN_USUAL * usual:
        expected = width / usual
    else:
        expected = width / (DIGIT_ASPECT * height)
    return range(1, min(MAX_TOUCHING, max(2, round(expected)) + 1) + 1)  # one more than expected, too


def _cut_scores(ink: np.ndarray) -> list[np.ndarray]:
    """Ways to score the columns of a piece as places to cut it (lower is better), one cut proposed per way.

    The emptiest columns (digits that touch at a point), the columns crossing the fewest strokes
    (two rings side by side touch along a stroke: the join is dense, but it is one stroke, where
    the rings' insides cross two), and no preference (equal widths).
    """
    inked = ink > 0
    strokes = inked[0].astype(int) + np.count_nonzero(inked[1:] & ~inked[:-1], axis=0)  # runs of ink down each column
    return [ink.sum(axis=0), strokes + ink.sum(axis=0) / (ink.sum() + 1.0), np.zeros(ink.shape[1])]


def _cut(ink: np.ndarray, origin: tuple[int, int], count: int, scores: np.ndarray) -> tuple[Segment, ...]:
    """A piece's ink cut into `count` digits: near each place equal widths would meet, at the best-scored column."""
    width = ink.shape[1]
    cuts, start = [], 0
    for k in range(1, count):
        ideal = width * k / count
        reach = max(1, round(0.3 * width / count))
        low, high = max(start + 1, round(ideal - reach)), min(width - 1, round(ideal + reach))
        if low >= high:
            continue
        window = np.arange(low, high)
        # The best score wins; among equals, the column nearest the ideal cut.
        cut = int(window[np.lexsort((np.abs(window - ideal), scores[low:high]))[0]])
        cuts.append(cut)
        start = cut
    edges = [0, *cuts, width]
    parts = [_tight(ink[:, a:b], (origin[0], origin[1] + a)) for a, b in itertools.pairwise(edges)]
    return tuple(part for part in parts if part.ink.any())


def _tight(ink: np.ndarray, origin: tuple[int, int]) -> Segment:
    """A segment whose box is cut to its ink."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return Segment((origin[0], origin[1], origin[0], origin[1]), ink[:0, :0])
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    box = (origin[0] + int(top), origin[1] + int(left), origin[0] + int(bottom), origin[1] + int(right))
    return Segment(box, np.ascontiguousarray(ink[top:bottom, left:right]))
