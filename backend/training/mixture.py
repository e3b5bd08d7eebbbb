"""The training mix: MNIST, other writers' pen strokes and scanned forms, and non-digits.

Every picture is made into a model input by the server's own preprocessing. Targets are
ten probabilities: one-hot for a digit, uniform for a non-digit (outlier exposure: Hendrycks
et al., 2019), so the network keeps its ten-probability contract and learns to be unsure.

Default mix per epoch (`MixSettings`), about 96,000 inputs:

| source | inputs | how |
| --- | ---: | --- |
| MNIST training images | 55,000 | as published (5,000 more are held out for validation) |
| pen strokes, 24 writers | ~24,000 | each digit drawn 4 times: size 20-95%, position, pen width, point spacing |
| scanned forms, 24 writers | ~4,600 | each bitmap 3 times (the augmentation differs per copy and epoch) |
| non-digits | 12,000 | `negatives.generate`, with several digits side by side from the 24 pen writers |

Validation (early stopping, temperature, thresholds) uses only held-out people: 5,000 MNIST
training images, the 6 validation pen writers (every digit drawn small, medium and large),
the 6 validation scanned-form writers, and 2,000 non-digits from another seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backend.core import contract
from backend.core.preprocessing import EmptyCanvas, normalize
from backend.training import negatives
from backend.training.drawings import SIZE_RANGE, digit_height, draw_pen_digit, place, to_input
from backend.training.handwriting import PEN_VALIDATION_WRITERS, SCAN_VALIDATION_WRITERS, PenDigit

SIZE_BANDS = {"small": (0.20, 0.35), "medium": (0.35, 0.65), "large": (0.65, 0.95)}
NEGATIVE_SIZE_RANGE = (0.3, 0.95)  # smaller shapes turn into blobs a fat pen also makes of a 0


@dataclass(frozen=True)
class MixSettings:
    """How much of each source goes into one epoch, and the seeds that fix every random choice."""

    pen_renditions: int = 4
    scan_copies: int = 3
    negatives: int = 12_000
    validation_negatives: int = 2_000
    test_negatives: int = 2_000
    seed: int = 42

    def describe(self) -> dict:
        return {
            "mnist": "all training images but the validation ones",
            "pen_renditions_per_digit": self.pen_renditions,
            "pen_digit_height": list(SIZE_RANGE),
            "scan_copies_per_digit": self.scan_copies,
            "negatives": self.negatives,
            "negative_kinds": [*sorted(negatives.TRAIN_KINDS), "several_digits"],
            "negative_target": "uniform over the ten digits (outlier exposure)",
            "seed": self.seed,
        }


@dataclass
class Inputs:
    """Model inputs with their targets: x float32 (N, 28, 28), y float32 (N, 10), and tags.

    `label` is the digit (-1 for a non-digit); `tag` says where an input came from
    (e.g. "mnist", "pen", "scan", "negative:heart") and `band` the pen drawing's size band.
    """

    x: np.ndarray
    y: np.ndarray
    label: np.ndarray
    tag: np.ndarray
    band: np.ndarray = field(default=None)

    @staticmethod
    def of(x, labels, tag, band=None) -> Inputs:
        x = np.asarray(x, dtype=np.float32).reshape(-1, contract.SIDE, contract.SIDE)
        labels = np.asarray(labels, dtype=np.int64)
        y = np.full((len(labels), contract.NUM_CLASSES), 1.0 / contract.NUM_CLASSES, dtype=np.float32)
        digits = labels >= 0
        y[digits] = np.eye(contract.NUM_CLASSES, dtype=np.float32)[labels[digits]]
        tags = np.asarray(tag if isinstance(tag, (list, np.ndarray)) else [tag] * len(labels), dtype=object)
        bands = np.asarray(band if band is not None else [""] * len(labels), dtype=object)
        return Inputs(x, y, labels, tags, bands)

    def __len__(self) -> int:
        return len(self.label)

    def where(self, mask) -> Inputs:
        return Inputs(self.x[mask], self.y[mask], self.label[mask], self.tag[mask], self.band[mask])

    @staticmethod
    def concat(parts: list[Inputs]) -> Inputs:
        return Inputs(
            *(np.concatenate([getattr(p, name) for p in parts]) for name in ("x", "y", "label", "tag", "band"))
        )


def pen_inputs(digits: list[PenDigit], renditions: int, rng, bands=None) -> Inputs:
    """Draw each pen digit `renditions` times (random size), or once per size band in `bands`."""
    xs, labels, band_names = [], [], []
    for digit in digits:
        for band in bands or [None] * renditions:
            height = rng.uniform(*SIZE_BANDS[band]) if band else None
            x = draw_pen_digit(digit.strokes, rng, height=height)
            if x is not None:
                xs.append(x)
                labels.append(digit.label)
                band_names.append(band or "")
    return Inputs.of(xs, labels, "pen", band_names)


def scan_inputs(images: np.ndarray, labels: np.ndarray, copies: int = 1) -> Inputs:
    """Scanned 32x32 bitmaps through the same normalization as every picture."""
    xs = [normalize(contract.from_uint8(image)) for image in images]
    return Inputs.of(np.repeat(np.asarray(xs), copies, axis=0), np.repeat(labels, copies), "scan")


def negative_inputs(count: int, seed: int, kinds=negatives.TRAIN_KINDS, digit_strokes=None) -> Inputs:
    """`count` non-digits from `negatives.generate`, placed on a canvas and preprocessed."""
    rng = np.random.default_rng(seed + 1)
    xs, tags = [], []
    for name, strokes in negatives.generate(count, seed, kinds, digit_strokes):
        try:
            xs.append(to_input(place(strokes, rng, NEGATIVE_SIZE_RANGE)))
            tags.append(f"negative:{name}")
        except EmptyCanvas:
            continue
    return Inputs.of(xs, [-1] * len(xs), tags)


def split_writers(pen: list[PenDigit], scans: tuple[np.ndarray, np.ndarray, np.ndarray]):
    """(training pen digits, validation pen digits, training scans, validation scans), by writer."""
    pen_train = [d for d in pen if d.writer not in PEN_VALIDATION_WRITERS]
    pen_val = [d for d in pen if d.writer in PEN_VALIDATION_WRITERS]
    images, labels, writers = scans
    held = np.isin(writers, SCAN_VALIDATION_WRITERS)
    return pen_train, pen_val, (images[~held], labels[~held]), (images[held], labels[held])


def build(mnist_fit, mnist_val, pen: list[PenDigit], scans, settings: MixSettings = MixSettings()):
    """-> (training Inputs, validation Inputs, test negatives Inputs), all from held-apart people."""
    rng = np.random.default_rng(settings.seed)
    pen_train, pen_val, scan_train, scan_val = split_writers(pen, scans)
    train = Inputs.concat(
        [
            Inputs.of(contract.from_uint8(mnist_fit[0]), mnist_fit[1], "mnist"),
            pen_inputs(pen_train, settings.pen_renditions, rng),
            scan_inputs(*scan_train, copies=settings.scan_copies),
            negative_inputs(settings.negatives, settings.seed, digit_strokes=[d.strokes for d in pen_train]),
        ]
    )
    validation = Inputs.concat(
        [
            Inputs.of(contract.from_uint8(mnist_val[0]), mnist_val[1], "mnist"),
            pen_inputs(pen_val, 1, rng, bands=list(SIZE_BANDS)),
            scan_inputs(*scan_val),
            negative_inputs(settings.validation_negatives, settings.seed + 1000),
        ]
    )
    test_negatives = negative_inputs(
        settings.test_negatives,
        settings.seed + 2000,
        {**negatives.TRAIN_KINDS, **negatives.TEST_KINDS},
        digit_strokes=[d.strokes for d in pen_val],
    )
    return train, validation, test_negatives


__all__ = ["SIZE_BANDS", "Inputs", "MixSettings", "build", "digit_height", "split_writers"]
