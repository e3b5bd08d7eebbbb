"""Measure a model: MNIST test (accuracy, per-class scores, confusion matrix) and the held-out writers, with plots."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from backend.core import contract
from backend.core.artifacts import ModelFileError
from backend.core.confidence import apply_temperature
from backend.core.files import atomic_path
from backend.core.paths import DEFAULT_MODEL_PATH

DIGITS = range(10)


def calibrated(model, card) -> Callable[[np.ndarray], np.ndarray]:
    """A Keras model as a plain function, fields -> calibrated probabilities, as the server answers.

    Compiled once for any batch size: an eager Keras call costs milliseconds of overhead each time.
    """
    import tensorflow as tf

    compiled = tf.function(lambda x: model(x, training=False), input_signature=[tf.TensorSpec([None, 28, 28, 1])])

    def predict(fields) -> np.ndarray:
        raw = np.asarray(compiled(contract.as_batch(fields)), dtype=np.float64)
        return apply_temperature(raw / raw.sum(axis=1, keepdims=True), card.temperature)

    return predict


def predict_probabilities(model, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """(N, 28, 28) uint8 images -> (N, 10) probabilities, in batches (offline use only)."""
    return model.predict(contract.as_batch(contract.from_uint8(images)), batch_size=batch_size, verbose=0)


def metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy, cross-entropy loss, per-class precision/recall/F1 and the confusion matrix.

    The matrix is indexed [true][predicted].
    """
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = {}
    for digit in DIGITS:
        true_positive = confusion[digit, digit]
        precision = true_positive / max(confusion[:, digit].sum(), 1)
        recall = true_positive / max(confusion[digit, :].sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        per_class[str(digit)] = {
            "precision": round(float(precision), 5),
            "recall": round(float(recall), 5),
            "f1": round(float(f1), 5),
            "support": int(confusion[digit, :].sum()),
        }
    picked = probabilities[np.arange(len(labels)), labels]
    return {
        "accuracy": float((predicted == labels).mean()),
        "loss": float(-np.log(np.clip(picked, 1e-7, 1.0)).mean()),
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
    }


def most_confused_pairs(confusion, top: int = 5) -> list[tuple[int, int, int]]:
    """The `top` (true, predicted, count) off-diagonal cells, largest first."""
    cells = [(t, p, int(confusion[t][p])) for t in DIGITS for p in DIGITS if t != p and confusion[t][p]]
    return sorted(cells, key=lambda cell: -cell[2])[:top]


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion_matrix(confusion, path: Path) -> None:
    """Save the confusion matrix as an annotated heat map."""
    plt = _figure()
    confusion = np.asarray(confusion)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(np.log1p(confusion), cmap="Blues")
    for t in DIGITS:
        for p in DIGITS:
            color = "white" if t == p else "black"
            ax.text(p, t, str(confusion[t, p]), ha="center", va="center", fontsize=8, color=color)
    ax.set(
        xticks=list(DIGITS), yticks=list(DIGITS), xlabel="predicted", ylabel="true", title="Confusion matrix (test set)"
    )
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def plot_history(history: dict, path: Path) -> None:
    """Save the training and validation loss/accuracy curves side by side."""
    plt = _figure()
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    epochs = range(1, len(history["loss"]) + 1)
    for key, ax in (("loss", loss_ax), ("accuracy", acc_ax)):
        ax.plot(epochs, history[key], label=f"train {key}")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label=f"validation {key}")
        ax.set(xlabel="epoch", title=key)
        ax.grid(alpha=0.3)
        ax.legend()
    acc_ax.set_ylim(0.95, 1.0)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def plot_misclassified(
    images, labels, probabilities, path: Path, limit: int = 40, title="Misclassified test digits"
) -> None:
    """Save a grid of misclassified digits titled 'true -> predicted (confidence)'."""
    plt = _figure()
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)[:limit]
    columns = 10
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong, strict=False):
        ax.imshow(images[index], cmap="gray")
        confidence = probabilities[index, predicted[index]]
        ax.set_title(f"{labels[index]}->{predicted[index]} ({confidence:.0%})", fontsize=8)
    fig.suptitle(f"{title} (first {len(wrong)} of {int((predicted != labels).sum())}): true -> predicted")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)


def report(result: dict) -> str:
    """A human-readable summary of `metrics()` output."""
    lines = [
        f"Test accuracy: {result['accuracy']:.2%} ({result['accuracy'] * 10000:.0f}/10000)",
        f"Test loss: {result['loss']:.4f}",
        "",
    ]
    lines.append("digit  precision  recall  f1      support")
    for digit, scores in result["per_class"].items():
        lines.append(
            f"{digit:>5}  {scores['precision']:.4f}     {scores['recall']:.4f}  {scores['f1']:.4f}  {scores['support']}"
        )
    lines += [
        "",
        "Confusion matrix (rows = true, columns = predicted):",
        "      " + " ".join(f"{d:>5}" for d in DIGITS),
    ]
    for digit, row in enumerate(result["confusion_matrix"]):
        lines.append(f"{digit:>5} " + " ".join(f"{n:>5}" for n in row))
    lines += ["", "Most confused pairs (true -> predicted: count):"]
    lines += [f"  {t} -> {p}: {n}" for t, p, n in most_confused_pairs(result["confusion_matrix"])]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="digits evaluate", description=__doc__)
    parser.add_argument(
        "model", nargs="?", default=str(DEFAULT_MODEL_PATH), help="a .keras file (default: the shipped model)"
    )
    parser.add_argument("--out", help="folder for the PNGs (default: beside the model)")
    parser.add_argument(
        "--mnist-only", action="store_true", help="MNIST test only (skips re-drawing the held-out writers, ~2 min)"
    )
    parser.add_argument(
        "--update-card",
        action="store_true",
        help="write what was measured (accuracy, calibration, verdict thresholds) into the model's card, "
        "e.g. after a change to the verdict rule; the model file is not touched",
    )
    args = parser.parse_args(argv)
    if args.update_card and args.mnist_only:
        parser.error("--update-card needs the held-out writers: leave out --mnist-only")

    from backend.core.artifacts import load_model
    from backend.training.mnist import DatasetError, load_mnist

    model_path = Path(args.model)
    out = Path(args.out) if args.out else model_path.parent
    try:
        model, card = load_model(model_path)
        _, (x_test, y_test) = load_mnist()
    except (ModelFileError, DatasetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    probabilities = predict_probabilities(model, x_test)
    result = metrics(y_test, probabilities)
    print(report(result))
    plot_confusion_matrix(result["confusion_matrix"], out / f"{model_path.stem}.confusion.png")
    plot_misclassified(x_test, y_test, probabilities, out / f"{model_path.stem}.misclassified.png")
    print(f"\nPlots: {out / (model_path.stem + '.confusion.png')}, {out / (model_path.stem + '.misclassified.png')}")
    if not args.mnist_only:
        try:
            assessment = assess_writers(model, card, (x_test, y_test), out / f"{model_path.stem}.misclassified_pen.png")
        except DatasetError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if args.update_card:
            update_card(model_path, card, result, assessment)
    return 0


def update_card(model_path: Path, card, mnist_result: dict, assessment: dict) -> None:
    """Replace the card's measured fields by these (the file's hash, training record and history stay)."""
    import dataclasses

    from backend.core.artifacts import write_card
    from backend.training.pipeline import result_fields

    write_card(model_path, dataclasses.replace(card, **result_fields(mnist_result, assessment)))
    print(f"Updated the card beside {model_path.name}: {assessment['verdict']['thresholds']}")


def assess_writers(model, card, mnist_test, pen_grid_path: Path) -> dict:
    """Re-draw the card's validation writers and non-digits (same seed, same mix) and measure them."""
    from backend.training.assessment import assess, summary
    from backend.training.pipeline import load_data, parse_args

    training = (card.training if card else None) or {}
    argv = ["--seed", str(training.get("seed", 42))]
    if "inputs" in training:
        argv += ["--validation-size", str(training["inputs"]["mnist"]["validation"])]
    _, validation, test_negatives, _, _, _ = load_data(parse_args(argv))
    result, probabilities = assess(model, mnist_test, validation, test_negatives)
    print("\n" + summary(result))
    pen = validation.tag == "pen"
    images = np.round(validation.x[pen] * 255).astype(np.uint8)
    plot_misclassified(
        images, validation.label[pen], probabilities["validation"][pen], pen_grid_path, title="Misread pen digits"
    )
    print(f"Misread pen digits: {pen_grid_path}")
    return result
