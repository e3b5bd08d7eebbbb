"""Train the digit classifier on MNIST, other writers and non-digits: data -> model -> fit -> evaluate -> save.

With `--feedback SOURCE` the run fine-tunes the current model on what people corrected
instead (`finetune.py`).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from backend.core import contract
from backend.core.card import ModelCard
from backend.core.paths import DEFAULT_MODEL_PATH, MODELS_DIR


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="digits train", description=__doc__)
    parser.add_argument("--arch", choices=["cnn", "mlp"], default="cnn", help="network to train (default: cnn)")
    parser.add_argument(
        "--epochs", type=int, default=26, help="maximum epochs; early stopping may end sooner (default: 26)"
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3, help="initial Adam learning rate (default: 1e-3)")
    parser.add_argument("--lr-decay", type=float, default=0.88, help="learning rate factor per epoch (default: 0.88)")
    parser.add_argument("--limit", type=int, help="quick runs: N MNIST images and a proportional share of the rest")
    parser.add_argument(
        "--validation-size", type=int, default=5000, help="MNIST training images held out (default: 5000)"
    )
    parser.add_argument(
        "--patience", type=int, default=5, help="epochs without a lower validation loss before stopping (default: 5)"
    )
    parser.add_argument("--no-augment", action="store_true", help="train on the inputs as they are")
    parser.add_argument(
        "--polish-epochs",
        type=int,
        help="epochs after the main ones with lighter augmentation and a low learning rate "
        "(default: 3; with --feedback, the fine-tuning epochs: 2)",
    )
    parser.add_argument(
        "--polish-lr", type=float, default=1e-4, help="polish learning rate, halved each epoch (default: 1e-4)"
    )
    parser.add_argument(
        "--mnist-polish-epochs",
        type=int,
        default=3,
        help="last epochs, with the polish augmentation, on the mix with MNIST's images twice (default: 3)",
    )
    parser.add_argument(
        "--mnist-polish-lr",
        type=float,
        default=5e-5,
        help="their learning rate (fresh Adam), halved each epoch (default: 5e-5)",
    )
    parser.add_argument(
        "--init-from",
        type=Path,
        metavar="MODEL",
        help="start from this trained .keras model instead of a new network (with --epochs 0 and "
        "--polish-epochs 0: only the MNIST polish); its card's history opens the new card's",
    )
    parser.add_argument(
        "--out", type=Path, default=MODELS_DIR, help="folder for the model, card and plots (default: models/)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--feedback",
        metavar="SOURCE",
        help="fine-tune the current model (--model) on the usual data plus the drawings people corrected "
        "in the app, and replace it only if no population gets worse: an export zip (GET /admin/export) "
        "or the server's database URL, e.g. sqlite:///data/digits.sqlite3",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help="with --feedback: the model to fine-tune, replaced by the result if it passes the gate "
        "(default: models/digit_cnn.keras)",
    )
    args = parser.parse_args(argv)
    if args.polish_epochs is None:
        args.polish_epochs = 2 if args.feedback else 3
    phases = (args.polish_epochs, args.mnist_polish_epochs)
    if (
        args.epochs < (0 if args.init_from else 1)
        or args.batch_size < 1
        or min(phases) < 0
        or (args.limit is not None and args.limit < 20)
    ):
        parser.error(
            "--epochs (0 allowed with --init-from) and --batch-size must be positive, --polish-epochs and "
            "--mnist-polish-epochs not negative, --limit at least 20"
        )
    if args.epochs + sum(phases) < 1:
        parser.error("nothing to train: every phase has 0 epochs")
    if args.feedback and args.polish_epochs < 1:
        parser.error("--feedback fine-tunes for --polish-epochs epochs: at least 1")
    return args


def split_validation(x, y, size, seed):
    """Hold out `size` shuffled training images for validation (capped at a tenth of them)."""
    import numpy as np

    size = min(size, len(x) // 10)
    order = np.random.default_rng(seed).permutation(len(x))
    held, kept = order[:size], order[size:]
    return (x[kept], y[kept]), (x[held], y[held])


def to_dataset(inputs, batch_size, augment=None, seed=None):
    """Inputs (x (N, 28, 28), y (N, 10)) -> batched tf.data of float32 (B, 28, 28, 1) and targets.

    With an `augment` function (a batch -> a batch), the data is reshuffled every epoch and
    each batch is jittered afresh.
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((inputs.x[..., None], inputs.y))
    if augment:
        dataset = dataset.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if augment:
        dataset = dataset.map(lambda xb, yb: (augment(xb), yb), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def training_callbacks(checkpoint_path: Path, lr_decay: float, patience: int):
    """Exponential LR decay, LR cut on plateaus, early stopping (best weights back), best checkpoint.

    Early stopping watches the validation loss: it ranks epochs finely, and it includes the
    non-digits, whose accuracy is not defined.
    """
    import keras

    return [
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * lr_decay),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-6, verbose=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True, verbose=1),
        keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True, verbose=0),
    ]


def describe(model) -> list[dict]:
    """One entry per layer: name, type, output shape, parameters."""
    return [
        {
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": list(layer.output.shape[1:]),
            "params": layer.count_params(),
        }
        for layer in model.layers
    ]


def load_data(args, keep_held_out: bool = False):
    """MNIST (split), the handwriting sets, and the mix built from them (trimmed for --limit).

    `keep_held_out` keeps all of the held-out writers' digits in a --limit run (fine-tuning's
    gate measures on them); only the training share is trimmed then.
    """
    from backend.training import mixture
    from backend.training.handwriting import load_optdigits, load_pendigits
    from backend.training.mnist import load_mnist

    (x_train, y_train), mnist_test = load_mnist()
    pen, scans = load_pendigits(), load_optdigits()
    settings = mixture.MixSettings(seed=args.seed)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
        pen, scans = trim_handwriting(pen, scans, args.limit, keep_held_out)
        settings = mixture.MixSettings(
            seed=args.seed,
            negatives=args.limit // 10,
            validation_negatives=args.limit // 20,
            test_negatives=args.limit // 20,
        )
    mnist_fit, mnist_val = split_validation(x_train, y_train, args.validation_size, args.seed)
    started = time.monotonic()
    train, validation, test_negatives = mixture.build(mnist_fit, mnist_val, pen, scans, settings)
    print(
        f"Built the mix in {time.monotonic() - started:.0f} s: {len(train)} training inputs, "
        f"{len(validation)} validation inputs, {len(test_negatives)} test non-digits."
    )
    counts = {"mnist": {"train": len(mnist_fit[0]), "validation": len(mnist_val[0])}}
    for name, part in (("train", train), ("validation", validation)):
        for tag in ("pen", "scan"):
            counts.setdefault(tag, {})[name] = int((part.tag == tag).sum())
        counts.setdefault("negatives", {})[name] = int((part.label < 0).sum())
    counts["negatives"]["test"] = len(test_negatives)
    return train, validation, test_negatives, mnist_test, settings, counts


def trim_handwriting(pen, scans, limit: int, keep_held_out: bool = False):
    """A quick run's handwriting: the first limit/4 pen digits and limit/10 scans (and every held-out one if kept)."""
    import numpy as np

    from backend.training.handwriting import PEN_VALIDATION_WRITERS, SCAN_VALIDATION_WRITERS

    if not keep_held_out:
        return pen[: limit // 4], tuple(a[: limit // 10] for a in scans)
    pen = [d for i, d in enumerate(pen) if i < limit // 4 or d.writer in PEN_VALIDATION_WRITERS]
    kept = (np.arange(len(scans[0])) < limit // 10) | np.isin(scans[2], SCAN_VALIDATION_WRITERS)
    return pen, tuple(a[kept] for a in scans)


def build_model(args):
    """A new network, compiled; or with --init-from, that trained model (verified against its card) and its card."""
    from backend.training.networks import BUILDERS

    if args.init_from:
        from backend.core.artifacts import load_model

        model, card = load_model(args.init_from)
        return compile_model(model, args.lr), card
    return compile_model(BUILDERS[args.arch](), args.lr), None


def compile_model(model, lr: float):
    """Adam at `lr`, cross-entropy on the ten probabilities (soft targets for non-digits), accuracy."""
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(lr),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model


def polish_callbacks(lr: float, epochs: int):
    """Polish epochs: the learning rate halves each epoch; the epoch with the lowest validation loss is kept."""
    import keras

    return [
        keras.callbacks.LearningRateScheduler(lambda epoch, _: lr * 0.5**epoch),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True, verbose=1),
    ]


def fit(model, train, validation, args, history=None):
    """Main epochs with full augmentation, the polish epochs, then the MNIST polish.

    Returns (history dict, seconds, each phase's first epoch).

    The history runs on through the phases (after `history`, a starting model's); the card says
    where each phase began. A phase of 0 epochs is skipped.
    """
    from backend.training.augmentation import augment_batch

    checkpoint_path = args.out / "checkpoints" / f"digit_{args.arch}.best.keras"
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    validation_data = to_dataset(validation, 1000)
    history = {key: list(values) for key, values in (history or {}).items()}
    starts = {}  # phase -> its first epoch (1-based) in the whole history

    def begin(phase):
        starts[phase] = len(history.get("loss", [])) + 1

    started = time.monotonic()
    if args.epochs:
        begin("main")
        main_history = model.fit(
            to_dataset(train, args.batch_size, augment=None if args.no_augment else augment_batch, seed=args.seed),
            validation_data=validation_data,
            epochs=args.epochs,
            callbacks=training_callbacks(checkpoint_path, args.lr_decay, args.patience),
            verbose=2,
        ).history
        history = extend(history, main_history)
    if args.polish_epochs:
        begin("polish")
        history = extend(history, polish(model, train, validation_data, args))
    if args.mnist_polish_epochs:
        if starts:  # keep the model as the mix left it: the MNIST polish is a choice to measure, not a given
            model.save(checkpoint_path.with_name(f"digit_{args.arch}.before_mnist_polish.keras"))
        begin("mnist_polish")
        history = extend(history, mnist_polish(model, train, validation_data, args))
    return history, time.monotonic() - started, starts


def extend(history: dict, more: dict) -> dict:
    """`history` followed by `more`, key by key (a key only one of them has is kept as it is)."""
    return {key: [*history.get(key, []), *more.get(key, [])] for key in {**history, **more}}


def polish(model, train, validation_data, args) -> dict:
    """The polish epochs (also the whole of a fine-tuning run); returns their history."""
    from backend.training.augmentation import polish_batch

    return model.fit(
        to_dataset(train, args.batch_size, augment=None if args.no_augment else polish_batch, seed=args.seed + 1),
        validation_data=validation_data,
        epochs=args.polish_epochs,
        callbacks=polish_callbacks(args.polish_lr, args.polish_epochs),
        verbose=2,
    ).history


# How many times the MNIST polish shows each MNIST training image per epoch. The polish epochs
# leave the network fitted to the mix, where MNIST is 57% of the inputs; seen twice (73%), the
# last epochs sharpen its MNIST boundaries: from the 0.4 default, 3 epochs at 5e-5 took MNIST
# test from 99.61% to 99.67% and the validation loss from 0.4191 to 0.4184, with the held-out
# writers as they were. Fine-tuning such a model (`--feedback`) stays on this mix.
MNIST_POLISH_COPIES = 2


def with_mnist_twice(train):
    """The mix with MNIST's training images MNIST_POLISH_COPIES times: the MNIST polish's data."""
    from backend.training.mixture import Inputs

    mnist = train.where(train.tag == "mnist")
    return Inputs.concat([train] + [mnist] * (MNIST_POLISH_COPIES - 1))


def mnist_polish(model, train, validation_data, args) -> dict:
    """The MNIST polish: a fresh Adam at a lower rate, polish augmentation, MNIST twice; returns its history."""
    from backend.training.augmentation import polish_batch

    weighted = with_mnist_twice(train)
    compile_model(model, args.mnist_polish_lr)
    return model.fit(
        to_dataset(weighted, args.batch_size, augment=None if args.no_augment else polish_batch, seed=args.seed + 2),
        validation_data=validation_data,
        epochs=args.mnist_polish_epochs,
        callbacks=polish_callbacks(args.mnist_polish_lr, args.mnist_polish_epochs),
        verbose=2,
    ).history


def make_card(
    args, argv, model, history, seconds, starts, counts, settings, mnist_result, assessment, init_card=None
) -> ModelCard:
    """Everything about the run and its results, for the file beside the model."""
    import keras
    import tensorflow as tf

    from backend.training.augmentation import describe as describe_augmentation
    from backend.training.augmentation import describe_polish
    from backend.training.handwriting import CREDIT, HANDWRITING_FILES, PEN_VALIDATION_WRITERS, SCAN_VALIDATION_WRITERS
    from backend.training.mnist import MNIST_FILES

    # The weights kept are those of the best epoch of the last phase (each phase restores its best).
    first = max(starts.values()) - 1
    best_epoch = min(range(first, len(history["val_loss"])), key=lambda i: history["val_loss"][i]) + 1

    def halving(epochs, lr, phase, **more):
        return {
            "epochs": epochs,
            "lr": lr,
            "lr_schedule": "halved each epoch; the epoch with the lowest validation loss is kept",
            "augmentation": None if args.no_augment else describe_polish(),
            "from_epoch": starts[phase],
            **more,
        }

    fields = {
        "arch": args.arch,
        "name": f"digit_{args.arch}",
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "params": model.count_params(),
        "input": contract.DESCRIPTION,
        "layers": describe(model),
        **result_fields(mnist_result, assessment),
        "epochs_run": len(history["loss"]),
        "best_epoch": best_epoch,
        "best_epoch_validation": {
            "loss": history["val_loss"][best_epoch - 1],
            "accuracy": history["val_accuracy"][best_epoch - 1],
        },
        "training_seconds": round(seconds, 1),
        "training": {
            "train_images": sum(c.get("train", 0) for c in counts.values()),
            "validation_images": sum(c.get("validation", 0) for c in counts.values()),
            "inputs": counts,
            "mix": settings.describe(),
            "validation_writers": {"pen": list(PEN_VALIDATION_WRITERS), "scan": list(SCAN_VALIDATION_WRITERS)},
            "batch_size": args.batch_size,
            "initial_lr": args.lr,
            "lr_decay_per_epoch": args.lr_decay,
            "augmentation": None if args.no_augment else describe_augmentation(),
            "polish": halving(args.polish_epochs, args.polish_lr, "polish") if args.polish_epochs else None,
            "mnist_polish": halving(
                args.mnist_polish_epochs,
                args.mnist_polish_lr,
                "mnist_polish",
                mnist_copies=MNIST_POLISH_COPIES,
                optimizer="a fresh Adam",
            )
            if args.mnist_polish_epochs
            else None,
            "init_from": {
                "file": args.init_from.name,
                "sha256": init_card.sha256,
                "version": init_card.version,
                "training": init_card.training,
            }
            if init_card is not None
            else None,
            "seed": args.seed,
            "command": "python backend/train.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        },
        "data_sha256": MNIST_FILES,
        "handwriting_sha256": {k: v for k, v in HANDWRITING_FILES.items() if k.endswith(".gz")},
        "data_credit": ["MNIST: Yann LeCun, Corinna Cortes, Christopher J. C. Burges", CREDIT],
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        "history": {key: [round(float(v), 6) for v in values] for key, values in history.items()},
    }
    return ModelCard(**fields)


def result_fields(mnist_result, assessment) -> dict:
    """The card's fields that say how well the model reads: MNIST test, the held-out writers, calibration, verdicts."""
    from backend.training.evaluation import most_confused_pairs

    return {
        "test_accuracy": mnist_result["accuracy"],
        "test_loss": mnist_result["loss"],
        "per_class": mnist_result["per_class"],
        "confusion_matrix": mnist_result["confusion_matrix"],
        "most_confused": [
            {"true": t, "predicted": p, "count": n} for t, p, n in most_confused_pairs(mnist_result["confusion_matrix"])
        ],
        "handwriting": {k: assessment[k] for k in ("pen_writers", "pen_writers_by_size", "scan_writers")},
        "calibration": assessment["calibration"],
        "verdict": assessment["verdict"],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.feedback:  # not a new model: the current one, fine-tuned on what people corrected, behind a gate
        from backend.training.finetune import main as fine_tune

        return fine_tune(args, argv)
    import keras
    import numpy as np

    from backend.core.artifacts import save_model
    from backend.training.assessment import assess, summary
    from backend.training.evaluation import metrics, plot_confusion_matrix, plot_history, plot_misclassified, report
    from backend.training.export import describe as describe_exports
    from backend.training.export import export_onnx

    keras.utils.set_random_seed(args.seed)
    train, validation, test_negatives, mnist_test, settings, counts = load_data(args)
    model, init_card = build_model(args)
    model.summary()
    history, seconds, starts = fit(model, train, validation, args, history=init_card.history if init_card else None)

    assessment, probabilities = assess(model, mnist_test, validation, test_negatives)
    mnist_result = metrics(mnist_test[1], probabilities["mnist_test"])
    print(report(mnist_result))
    print(summary(assessment))

    name = f"digit_{args.arch}"
    card = make_card(args, argv, model, history, seconds, starts, counts, settings, mnist_result, assessment, init_card)
    card = save_model(model, args.out / f"{name}.keras", card)
    plot_history(history, args.out / f"{name}.history.png")
    plot_confusion_matrix(mnist_result["confusion_matrix"], args.out / f"{name}.confusion.png")
    plot_misclassified(
        mnist_test[0], mnist_test[1], probabilities["mnist_test"], args.out / f"{name}.misclassified.png"
    )
    pen = validation.tag == "pen"
    plot_misclassified(
        np.round(validation.x[pen] * 255).astype(np.uint8),
        validation.label[pen],
        probabilities["validation"][pen],
        args.out / f"{name}.misclassified_pen.png",
        title="Misread digits of the held-out pen writers",
    )
    print(
        f"\nSaved {args.out / (name + '.keras')} ({card.file_bytes / 1e6:.2f} MB, {card.params} parameters) "
        f"in {seconds:.0f} s of training."
    )
    card = export_onnx(model, args.out / f"{name}.keras", card)  # what the server runs: model, card, export agree
    print(describe_exports(card, args.out / f"{name}.keras", ("onnx",)))
    return 0
