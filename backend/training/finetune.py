"""Fine-tune the current model on what people corrected, and keep the result only if nothing got worse.

`python backend/train.py --feedback SOURCE [--model PATH]` (`pipeline.main` sends it here):

```
load the verified model -> the usual data (as a full run builds it) + the corrections -> measure
-> the polish epochs (light augmentation, a low learning rate) -> measure again -> the gate
-> passed: save_model + ONNX export over the old files (a running server reloads them); refused: nothing written
```

The corrections are split by their content (`corrections.split_corrections`): a fifth are held
out, never trained on, and measured like the held-out writers. The gate compares the model
before and after on MNIST test, the held-out pen and scanned-form writers and those held-out
corrections: if any falls by more than 0.1 point, the new weights are thrown away. The card of
a model that passed records the verdict (`fine_tune.gate`), with the calibration and the
verdict thresholds fitted again on the held-out writers.
"""

from __future__ import annotations

import dataclasses
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from backend.core.artifacts import ModelFileError, load_model, save_model
from backend.core.card import ModelCard
from backend.training.assessment import accuracy_block, assess, predict, summary
from backend.training.corrections import (
    HELD_OUT_SHARE,
    Correction,
    correction_inputs,
    load_corrections,
    renditions_for,
    split_corrections,
)
from backend.training.evaluation import metrics
from backend.training.mixture import Inputs
from backend.training.pipeline import (
    MNIST_POLISH_COPIES,
    compile_model,
    load_data,
    polish,
    result_fields,
    to_dataset,
    with_mnist_twice,
)

TOLERANCE_POINTS = 0.1  # the most any population may fall (percentage points of accuracy)
FEEDBACK_SHARE = 0.05  # of each epoch's inputs: the corrections, re-drawn as often as it takes
# What the gate compares, and how it names each population to a person.
POPULATIONS = {
    "mnist_test": "MNIST test",
    "pen_writers": "held-out pen writers",
    "scan_writers": "held-out scan writers",
    "corrections": "held-out corrections",
}


@dataclass
class Measurement:
    """One model measured: what the card reports, and the populations the gate compares."""

    assessment: dict  # assess(): the held-out writers, calibration, verdicts (fitted afresh)
    mnist: dict  # evaluation.metrics() on MNIST test
    populations: dict[str, dict]  # POPULATIONS -> accuracy_block()
    learnt: dict  # the corrections trained on, as drawn (not gated: the model saw them)


def measure(model, mnist_test, validation: Inputs, test_negatives: Inputs, held: Inputs, learnt: Inputs):
    """Assess the model as a full run does, and read the corrections (held-out and trained-on) as drawn."""
    assessment, probabilities = assess(model, mnist_test, validation, test_negatives)
    populations = {name: assessment[name] for name in ("mnist_test", "pen_writers", "scan_writers")}
    populations["corrections"] = read(model, held)
    return Measurement(
        assessment, metrics(mnist_test[1], probabilities["mnist_test"]), populations, read(model, learnt)
    )


def read(model, inputs: Inputs) -> dict:
    """The accuracy block of some inputs (accuracy None when there are none)."""
    probabilities = predict(model, inputs.x) if len(inputs) else np.zeros((0, 10))
    return accuracy_block(inputs.label, probabilities)


def gate(before: dict[str, dict], after: dict[str, dict], tolerance: float = TOLERANCE_POINTS) -> dict:
    """The verdict: passed unless some population's accuracy fell by more than `tolerance` points.

    `before` and `after` map a population to an accuracy block (`accuracy` in 0..1 or None when
    it is empty, `count`). An empty population is reported, and cannot fail.
    """
    populations, fallen = {}, []
    for name in before:
        was, now = before[name]["accuracy"], after[name]["accuracy"]
        entry = {"before": was, "after": now, "count": after[name]["count"]}
        if was is None or now is None:
            entry.update(change_points=None, passed=True, note="nothing to measure")
        else:
            change = round((now - was) * 100, 4)
            entry.update(change_points=change, passed=change >= -tolerance)
            if not entry["passed"]:
                fallen.append(f"{POPULATIONS.get(name, name)} fell by {-change:.2f} points ({was:.2%} -> {now:.2%})")
        populations[name] = entry
    return {
        "passed": not fallen,
        "tolerance_points": tolerance,
        "rule": f"every population's accuracy after >= before - {tolerance} point",
        "reason": "; ".join(fallen) + f", more than the {tolerance} allowed"
        if fallen
        else f"no population fell by more than {tolerance} point",
        "populations": populations,
    }


def describe_gate(verdict: dict) -> str:
    """The verdict as a table for a person."""
    lines = [f"{'population':<24}{'before':>9}{'after':>9}{'change':>9}{'count':>8}"]
    for name, entry in verdict["populations"].items():
        if entry["change_points"] is None:
            numbers = f"{'-':>9}{'-':>9}{'-':>9}"
        else:
            numbers = f"{entry['before']:>9.2%}{entry['after']:>9.2%}{entry['change_points']:>+9.2f}"
        mark = "ok" if entry["passed"] else "WORSE"
        lines.append(f"{POPULATIONS.get(name, name):<24}{numbers}{entry['count']:>8}  {mark}")
    lines.append(f"Gate {'passed' if verdict['passed'] else 'refused'}: {verdict['reason']}.")
    return "\n".join(lines)


def feedback_inputs(learn: list[Correction], held: list[Correction], others: int, renditions: int, seed: int):
    """-> (inputs to train on, the held-out corrections as drawn, the trained-on ones as drawn, the split)."""
    rng = np.random.default_rng(seed + 3000)
    each = renditions_for(len(learn), others, FEEDBACK_SHARE, renditions)
    split = {
        "total": len(learn) + len(held),
        "trained_on": len(learn),
        "held_out": len(held),
        "held_out_rule": f"{HELD_OUT_SHARE:.0%} of them, chosen by a hash of the label and points",
        "redrawings_each": each,
    }
    return correction_inputs(learn, each, rng), correction_inputs(held, 0, rng), correction_inputs(learn, 0, rng), split


def make_card(card: ModelCard, after: Measurement, run: dict) -> ModelCard:
    """The old card with the new results, calibration and thresholds, and the fine-tuning run."""
    import keras
    import tensorflow as tf

    return dataclasses.replace(
        card,
        **result_fields(after.mnist, after.assessment),
        trained_at=run["at"],
        versions={"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        version=None,  # a new file, a new version (save_model derives it from the hash)
        fine_tune=run,
    )


def make_deterministic(seed: int) -> None:
    """Seed everything and make TensorFlow's ops and tf.data deterministic: the same corrections, the same model.

    The gate compares small populations (one scanned digit is 0.26 point), so a run that could
    come out otherwise when repeated would pass or fail by chance. It holds for the rest of the
    process: TensorFlow has no public way back (a training run is a process of its own).
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def main(args, argv=None) -> int:
    """The fine-tuning run for `pipeline.main`'s parsed `args`; 0 when a better-or-equal model was written."""
    make_deterministic(args.seed)
    return fine_tune(args, argv)


def fine_tune(args, argv) -> int:
    """Load, measure, fine-tune, measure, judge; write the model only if the gate passed."""
    from backend.training.augmentation import describe_polish
    from backend.training.export import describe as describe_exports
    from backend.training.export import export_onnx

    try:
        model, card = load_model(args.model)
        learn, held = split_corrections(load_corrections(args.feedback))
    except (ModelFileError, ValueError, OSError, SQLAlchemyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not learn:
        print(
            f"error: {args.feedback} holds no corrections to learn from ({len(held)} held out, only ever measured); "
            f"{args.model} was left as it was.",
            file=sys.stderr,
        )
        return 1
    train, validation, test_negatives, mnist_test, settings, counts = load_data(args, keep_held_out=True)
    mnist_copies = MNIST_POLISH_COPIES if (card.training or {}).get("mnist_polish") else 1
    if mnist_copies > 1:  # it was last trained with MNIST twice: stay on that mix
        train = with_mnist_twice(train)
    added, held_out, learnt, split = feedback_inputs(learn, held, len(train), settings.pen_renditions, args.seed)
    print(
        f"Fine-tuning {args.model} ({card.version}): {split['trained_on']} corrections, each as drawn and "
        f"re-drawn {split['redrawings_each']} times ({len(added)} inputs), with {len(train)} of the usual inputs"
        f"{' (MNIST twice, as in its MNIST polish)' if mnist_copies > 1 else ''}; "
        f"{split['held_out']} corrections held out."
    )
    train = Inputs.concat([train, added])

    before = measure(model, mnist_test, validation, test_negatives, held_out, learnt)
    started = time.monotonic()
    compile_model(model, args.polish_lr)
    history = polish(model, train, to_dataset(validation, 1000), args)
    seconds = time.monotonic() - started
    after = measure(model, mnist_test, validation, test_negatives, held_out, learnt)
    print(summary(after.assessment))
    print(f"Corrections trained on, as drawn: {before.learnt['accuracy']:.2%} -> {after.learnt['accuracy']:.2%}")

    verdict = gate(before.populations, after.populations)
    print(describe_gate(verdict))
    if not verdict["passed"]:
        print(f"{args.model} was left as it was.")
        return 1
    run = {
        "from_version": card.version,
        "from_sha256": card.sha256,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corrections": {
            **split,
            "inputs": len(added),
            "trained_on_as_drawn": {"before": before.learnt["accuracy"], "after": after.learnt["accuracy"]},
        },
        "usual_inputs": counts,
        "mnist_copies": mnist_copies,
        "epochs": args.polish_epochs,
        "lr": args.polish_lr,
        "lr_schedule": "halved each epoch; the epoch with the lowest validation loss is kept",
        "augmentation": None if args.no_augment else describe_polish(),
        "batch_size": args.batch_size,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "history": {key: [round(float(v), 6) for v in values] for key, values in history.items()},
        "command": "python backend/train.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "gate": verdict,
    }
    card = save_model(model, args.model, make_card(card, after, run))
    card = export_onnx(model, args.model, card)  # what the server runs: model, card, export agree
    print(f"Saved {args.model} ({card.version}), fine-tuned in {seconds:.0f} s.")
    print(describe_exports(card, args.model, ("onnx",)))
    return 0
