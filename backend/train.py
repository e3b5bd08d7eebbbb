"""Train a digit classifier on MNIST: data -> augment -> model -> fit -> evaluate -> save."""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as `python backend/train.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.paths import MODELS_DIR


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", choices=["cnn", "mlp"], default="cnn", help="network to train (default: cnn)")
    parser.add_argument("--epochs", type=int, default=40, help="maximum epochs; early stopping may end sooner (default: 40)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-4, help="initial Adam learning rate (default: 5e-4)")
    parser.add_argument("--lr-decay", type=float, default=0.92, help="learning rate factor per epoch (default: 0.92)")
    parser.add_argument("--limit", type=int, help="train on the first N training images only (quick runs)")
    parser.add_argument("--validation-size", type=int, default=5000, help="images held out of the training set")
    parser.add_argument("--patience", type=int, default=10, help="epochs without a lower validation loss before stopping (default: 10)")
    parser.add_argument("--no-augment", action="store_true", help="train on the images as they are")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="folder for the model, card and plots (default: models/)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or (args.limit is not None and args.limit < 20):
        parser.error("--epochs and --batch-size must be positive, --limit at least 20")
    return args


def split_validation(x, y, size, seed):
    """Hold out `size` shuffled training images for validation (capped at a tenth of them)."""
    import numpy as np

    size = min(size, len(x) // 10)
    order = np.random.default_rng(seed).permutation(len(x))
    held, kept = order[:size], order[size:]
    return (x[kept], y[kept]), (x[held], y[held])


def to_dataset(images, labels, batch_size, augment=False, seed=None):
    """uint8 (N, 28, 28) images -> batched tf.data of float32 (B, 28, 28, 1) in [0, 1].

    With `augment`, the data is reshuffled every epoch and each batch is jittered afresh.
    """
    import tensorflow as tf

    from backend.augmentation import augment_batch

    x = images.astype("float32")[..., None] / 255.0
    dataset = tf.data.Dataset.from_tensor_slices((x, labels))
    if augment:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if augment:
        dataset = dataset.map(lambda xb, yb: (augment_batch(xb), yb), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def training_callbacks(checkpoint_path: Path, lr_decay: float, patience: int):
    """Exponential LR decay, LR cut on plateaus, early stopping (best weights back), best checkpoint.

    Early stopping watches the validation loss: on 5,000 images accuracy moves in steps of
    0.02% and ties often, while the loss still ranks the epochs.
    """
    import keras

    return [
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * lr_decay),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-6, verbose=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True, verbose=1),
        keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_accuracy", save_best_only=True, verbose=0),
    ]


def describe(model) -> list[dict]:
    """One entry per layer: name, type, output shape, parameters."""
    return [
        {"name": layer.name, "type": type(layer).__name__, "output_shape": list(layer.output.shape[1:]), "params": layer.count_params()}
        for layer in model.layers
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    import keras
    import tensorflow as tf

    from backend.artifacts import save_model
    from backend.data import MNIST_FILES, load_mnist
    from backend.evaluate import metrics, most_confused_pairs, plot_confusion_matrix, plot_history, plot_misclassified, predict_probabilities, report
    from backend.model import BUILDERS

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    (x_fit, y_fit), (x_val, y_val) = split_validation(x_train, y_train, args.validation_size, args.seed)
    print(f"Training on {len(x_fit)} images, validating on {len(x_val)}, testing on {len(x_test)}.")

    train_data = to_dataset(x_fit, y_fit, args.batch_size, augment=not args.no_augment, seed=args.seed)
    val_data = to_dataset(x_val, y_val, 1000)

    model = BUILDERS[args.arch]()
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()

    name = f"digit_{args.arch}"
    checkpoint_path = args.out / "checkpoints" / f"{name}.best.keras"
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    history = model.fit(
        train_data,
        validation_data=val_data,
        epochs=args.epochs,
        callbacks=training_callbacks(checkpoint_path, args.lr_decay, args.patience),
        verbose=1,
    )
    training_seconds = time.monotonic() - started

    probabilities = predict_probabilities(model, x_test)
    result = metrics(y_test, probabilities)
    print(report(result))

    best_epoch = int(min(range(len(history.history["val_loss"])), key=lambda i: history.history["val_loss"][i])) + 1
    card = {
        "arch": args.arch,
        "name": name,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "params": model.count_params(),
        "input": "28x28x1 float32 in [0, 1], bright ink on a dark background, MNIST-normalized (20x20 box, centred by mass)",
        "layers": describe(model),
        "test_accuracy": result["accuracy"],
        "test_loss": result["loss"],
        "per_class": result["per_class"],
        "confusion_matrix": result["confusion_matrix"],
        "most_confused": [{"true": t, "predicted": p, "count": n} for t, p, n in most_confused_pairs(result["confusion_matrix"])],
        "epochs_run": len(history.history["loss"]),
        "best_epoch": best_epoch,
        "best_epoch_validation": {"loss": history.history["val_loss"][best_epoch - 1], "accuracy": history.history["val_accuracy"][best_epoch - 1]},
        "training_seconds": round(training_seconds, 1),
        "training": {
            "train_images": len(x_fit),
            "validation_images": len(x_val),
            "batch_size": args.batch_size,
            "initial_lr": args.lr,
            "lr_decay_per_epoch": args.lr_decay,
            "augmentation": None if args.no_augment else "stroke thickness (15% 2x2 dilate, 10% 2x2 erode), then one affine per image: rotation +-10 deg, shear +-0.1, zoom +-10%, shift +-10%",
            "seed": args.seed,
            "command": "python backend/train.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        },
        "data_sha256": MNIST_FILES,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        "history": {key: [round(float(v), 6) for v in values] for key, values in history.history.items()},
    }
    model_path = args.out / f"{name}.keras"
    card = save_model(model, model_path, card)
    plot_history(history.history, args.out / f"{name}.history.png")
    plot_confusion_matrix(result["confusion_matrix"], args.out / f"{name}.confusion.png")
    plot_misclassified(x_test, y_test, probabilities, args.out / f"{name}.misclassified.png")
    print(f"\nSaved {model_path} ({card['file_bytes'] / 1e6:.2f} MB, {card['params']} parameters, "
          f"test accuracy {result['accuracy']:.2%}) in {training_seconds:.0f} s of training.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
