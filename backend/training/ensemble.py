"""Average trained networks into one model file, then measure it as training measures a model.

    python -m backend.training.ensemble models/digit_cnn.keras run1/digit_cnn.keras run2/digit_cnn.keras

One Keras model holds every member and averages their probabilities, so the server loads,
verifies and calls it like any other model (one compiled call per drawing). Its card is fitted
anew: calibration and verdict thresholds on the same validation writers, the members listed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path


def average(models, name: str = "digit_cnn"):
    """A model whose output is the mean of `models`' probabilities (members renamed to be unique)."""
    import keras

    from backend.core.contract import INPUT_SHAPE

    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    for index, model in enumerate(models, 1):
        model.name = f"member_{index}"
    outputs = keras.layers.Average(name="probabilities")([model(inputs) for model in models])
    return keras.Model(inputs, outputs, name=name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.training.ensemble", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the ensemble's .keras file (its card and plots go beside it)")
    parser.add_argument("members", type=Path, nargs="+", help="trained .keras files, each with its card")
    args = parser.parse_args(argv)

    import numpy as np

    from backend.core.artifacts import ModelFileError, load_model, save_model
    from backend.training.assessment import assess, summary
    from backend.training.evaluation import metrics, most_confused_pairs, plot_confusion_matrix, plot_misclassified
    from backend.training.pipeline import load_data, parse_args

    try:
        loaded = [load_model(path) for path in args.members]
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    models, cards = [m for m, _ in loaded], [c for _, c in loaded]
    ensemble = average(models, name=args.out.stem)
    first = cards[0]
    seed = (first.training or {}).get("seed", 42)
    _, validation, test_negatives, mnist_test, _, _ = load_data(parse_args(["--seed", str(seed)]))
    assessment, probabilities = assess(ensemble, mnist_test, validation, test_negatives)
    mnist = metrics(mnist_test[1], probabilities["mnist_test"])
    print(summary(assessment))

    members = [
        {"version": c.version, "sha256": c.sha256, "test_accuracy": c.test_accuracy,
         "pen_writers": (c.handwriting or {}).get("pen_writers", {}).get("accuracy"),
         "command": (c.training or {}).get("command"), "epochs_run": c.epochs_run, "best_epoch": c.best_epoch}
        for c in cards
    ]  # fmt: skip
    card = dataclasses.replace(
        first,
        name=args.out.stem,
        arch=f"{first.arch}x{len(models)}",
        params=ensemble.count_params(),
        layers=[{"name": m.name, "type": "Functional", "params": m.count_params()} for m in models],
        test_accuracy=mnist["accuracy"],
        test_loss=mnist["loss"],
        per_class=mnist["per_class"],
        confusion_matrix=mnist["confusion_matrix"],
        most_confused=[
            {"true": t, "predicted": p, "count": n} for t, p, n in most_confused_pairs(mnist["confusion_matrix"])
        ],
        handwriting={k: assessment[k] for k in ("pen_writers", "pen_writers_by_size", "scan_writers")},
        calibration=assessment["calibration"],
        verdict=assessment["verdict"],
        training={
            **(first.training or {}),
            "ensemble_of": members,
            "command": " ".join(["python -m backend.training.ensemble", *(sys.argv[1:] if argv is None else argv)]),
        },
        history=None,
        file=None,
        file_bytes=None,
        sha256=None,
        version=None,
    )
    card = save_model(ensemble, args.out, card)
    stem = args.out.with_suffix("")
    plot_confusion_matrix(mnist["confusion_matrix"], Path(f"{stem}.confusion.png"))
    plot_misclassified(mnist_test[0], mnist_test[1], probabilities["mnist_test"], Path(f"{stem}.misclassified.png"))
    pen = validation.tag == "pen"
    plot_misclassified(
        np.round(validation.x[pen] * 255).astype(np.uint8),
        validation.label[pen],
        probabilities["validation"][pen],
        Path(f"{stem}.misclassified_pen.png"),
        title="Misread digits of the held-out pen writers",
    )
    print(f"\nSaved {args.out} ({card.params} parameters, {len(models)} members), version {card.version}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
