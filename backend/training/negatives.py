"""Drawings that are not digits, for teaching the network to be unsure (outlier exposure).

Every example is a list of strokes in normalized canvas coordinates, drawn by the same canvas
twin and preprocessing as the digits. Kinds: scribbles, dots, short dashes, flat lines,
squares, triangles, stars, hearts, smileys, crosses, pluses, spirals, zigzags, letters from
single-stroke Hershey fonts (letters that people also write as digits are left out: O, I, Z,
S, b, g, q, ...) and several digits side by side. Plain circles, ellipses and hexagons are
not made: a circle *is* how many people write 0. `TEST_KINDS` only appear in the held-out test set.
Everything is drawn from a seeded `numpy.random.Generator`, so a seed fixes the set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

Strokes = list[np.ndarray]

# Letters that read as digits in someone's hand (0 O o Q D, 1 I l i j J, 2 Z z, 5 S s, 6 b G,
# 7 T, 9 g q) stay out: calling them "not a digit" would teach the model to doubt real digits.
LETTERS = "ABCEFHKMNPRUVWXYaefhkmnprtuvwxy"
TRAIN_FONTS = ("futural", "futuram", "scripts")
TEST_FONTS = ("rowmans", "timesr", "cursive")


def _polyline(*points) -> np.ndarray:
    return np.asarray(points, dtype=np.float64)


def _circle(cx, cy, r, start=0.0, end=2 * math.pi, n=40, rx=None) -> np.ndarray:
    t = np.linspace(start, end, n)
    return np.stack([cx + (rx or r) * np.cos(t), cy + r * np.sin(t)], axis=1)


def scribble(rng) -> Strokes:
    steps = rng.normal(0, 1, (int(rng.integers(8, 30)), 2))
    return [np.cumsum(steps, axis=0)]


def dots(rng) -> Strokes:
    return [rng.uniform(0, 1, (1, 2)) for _ in range(int(rng.integers(1, 5)))]


def dash(rng) -> Strokes:
    # short and flat: a tick or a hyphen (a long steep line is a 1, so none of those)
    angle = rng.uniform(-0.5, 0.5)
    length = rng.uniform(0.05, 0.4)
    return [_polyline((0, 0), (length * math.cos(angle), length * math.sin(angle)))]


def polygon(rng, sides=None) -> Strokes:
    sides = sides or int(rng.choice([3, 4]))
    t = rng.uniform(0, 2 * math.pi) + np.linspace(0, 2 * math.pi, sides + 1)
    return [np.stack([np.cos(t) * rng.uniform(0.7, 1.3), np.sin(t)], axis=1)]


def star(rng) -> Strokes:
    t = np.linspace(0, 4 * math.pi, 6) + rng.uniform(0, 2 * math.pi)  # a pentagram in one stroke
    return [np.stack([np.cos(t), np.sin(t)], axis=1)]


def heart(rng) -> Strokes:
    t = np.linspace(0, 2 * math.pi, 60)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.stack([x, y], axis=1)]


def smiley(rng) -> Strokes:
    face = _circle(0, 0, 1, n=60)
    eyes = [np.array([[-0.35, -0.3]]), np.array([[0.35, -0.3]])]
    mouth = _circle(0, 0.05, 0.5, 0.2 * math.pi, 0.8 * math.pi, n=20)
    parts = [face, *eyes, mouth]
    return parts if rng.random() < 0.7 else [face, mouth]  # some draw no eyes


def cross(rng) -> Strokes:
    a = rng.uniform(0.6, 1.4)
    return [_polyline((-1, -a), (1, a)), _polyline((1, -a), (-1, a))]


def plus(rng) -> Strokes:
    return [_polyline((0, -1), (0, 1)), _polyline((-1, 0), (1, 0))]


def spiral(rng) -> Strokes:
    t = np.linspace(0, rng.uniform(5, 8) * math.pi, 100)  # 2.5-4 turns: fewer is a 6 or a 0
    return [np.stack([t * np.cos(t), t * np.sin(t)], axis=1)]


def zigzag(rng) -> Strokes:
    n = int(rng.integers(4, 9))
    return [np.stack([np.arange(n), (np.arange(n) % 2) * rng.uniform(0.5, 2)], axis=1)]


def house(rng) -> Strokes:  # test only
    return [_polyline((0, 1), (0, 0.4), (0.5, 0), (1, 0.4), (1, 1), (0, 1), (1, 0.4), (0, 0.4), (1, 1))]


def crescent(rng) -> Strokes:  # test only
    outer = _circle(0, 0, 1, 0.5 * math.pi, 1.5 * math.pi, n=30)
    inner = _circle(-0.3, 0, 1, 1.5 * math.pi, 0.5 * math.pi, n=30, rx=0.5)[::-1]
    return [np.vstack([outer, inner[::-1]])]


def arrow(rng) -> Strokes:  # test only
    return [_polyline((0, 0), (1, 0)), _polyline((0.75, -0.2), (1, 0), (0.75, 0.2))]


@cache
def _font(name: str):
    from HersheyFonts import HersheyFonts

    font = HersheyFonts()
    font.load_default_font(name)
    font.normalize_rendering(1.0)
    return font


def letter(rng, fonts: Sequence[str] = TRAIN_FONTS, letters: str = LETTERS) -> Strokes:
    font = _font(str(rng.choice(fonts)))
    glyph = str(rng.choice(list(letters)))
    strokes = [np.asarray(s, dtype=np.float64) for s in font.strokes_for_text(glyph)]
    for s in strokes:
        s[:, 1] = -s[:, 1]  # font y points up
    return strokes


def several_digits(rng, digit_strokes: Sequence[Sequence[np.ndarray]]) -> Strokes:
    """2-3 pen digits side by side, each scaled to the same height."""
    out: Strokes = []
    x = 0.0
    for index in rng.choice(len(digit_strokes), int(rng.integers(2, 4)), replace=False):
        strokes = digit_strokes[index]
        points = np.vstack(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        scale = 1.0 / max(high[1] - low[1], 1e-6)
        out += [(s - low) * scale + [x, 0] for s in strokes]
        x += (high[0] - low[0]) * scale + rng.uniform(0.1, 0.4)
    return out


TRAIN_KINDS: dict[str, Callable] = {
    "scribble": scribble,
    "dots": dots,
    "dash": dash,
    "polygon": polygon,
    "star": star,
    "heart": heart,
    "smiley": smiley,
    "cross": cross,
    "plus": plus,
    "spiral": spiral,
    "zigzag": zigzag,
    "letter": letter,
}
TEST_KINDS: dict[str, Callable] = {
    "house": house,
    "crescent": crescent,
    "arrow": arrow,
    "letter_other_font": lambda rng: letter(rng, fonts=TEST_FONTS),
}


def jitter(strokes: Strokes, rng) -> Strokes:
    """A random affine distortion (rotation, shear, aspect) and a little per-point noise."""
    angle, shear, aspect = rng.uniform(-0.4, 0.4), rng.uniform(-0.3, 0.3), math.exp(rng.uniform(-0.3, 0.3))
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]) @ np.array(
        [[aspect, shear], [0, 1 / aspect]]
    )
    centre = np.vstack(strokes).mean(axis=0)
    span = float(np.ptp(np.vstack(strokes), axis=0).max()) or 1.0
    return [(s - centre) @ matrix.T + rng.normal(0, 0.01 * span, s.shape) for s in strokes]


def generate(
    count: int, seed: int, kinds: dict[str, Callable] = TRAIN_KINDS, digit_strokes=None
) -> list[tuple[str, Strokes]]:
    """`count` (kind, strokes) pairs, strokes still in their own units (place them on a canvas).

    With `digit_strokes` (a list of pen digits' strokes), "several digits" examples are added too.
    """
    rng = np.random.default_rng(seed)
    names = list(kinds) + (["several_digits"] if digit_strokes is not None else [])
    out = []
    for _ in range(count):
        name = str(rng.choice(names))
        strokes = several_digits(rng, digit_strokes) if name == "several_digits" else kinds[name](rng)
        out.append((name, strokes if name in ("dots", "several_digits") else jitter(strokes, rng)))
    return out
