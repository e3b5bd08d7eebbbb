"""Measure a model on every population it is judged on, held-out people only.

MNIST test; the held-out pen writers (overall and by drawing size); the held-out scanned-form
writers; calibration (temperature, expected calibration error before and after); and the
verdicts: how often real digits are called unsure / not a digit, and non-digits a digit.
"""

from __future__ import annotations

import numpy as np

from backend.core import confidence, contract
from backend.training import calibration
from backend.training.mixture import SIZE_BANDS, Inputs

DIGITS = range(10)


def predict(model, x: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """float (N, 28, 28) in [0, 1] -> (N, 10) probabilities (offline use only)."""
    return np.asarray(model.predict(contract.as_batch(x), batch_size=batch_size, verbose=0), np.float64)


def accuracy_block(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy, count and the most confused pairs of one population."""
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    pairs = [(t, p, int(confusion[t, p])) for t in DIGITS for p in DIGITS if t != p and confusion[t, p]]
    pairs.sort(key=lambda cell: -cell[2])
    return {
        "accuracy": round(float((predicted == labels).mean()), 5) if len(labels) else None,
        "count": len(labels),
        "errors": int((predicted != labels).sum()),
        "most_confused": [{"true": t, "predicted": p, "count": n} for t, p, n in pairs[:5]],
    }


def assess(model, mnist_test, validation: Inputs, test_negatives: Inputs) -> dict:
    """Everything the card reports about a trained model, with the fitted calibration."""
    x_test, y_test = mnist_test
    p_test = predict(model, contract.from_uint8(x_test))
    p_val = predict(model, validation.x)
    p_neg = predict(model, test_negatives.x)

    writers = (validation.tag == "pen") | (validation.tag == "scan")
    digits_val = validation.label >= 0
    temperature = calibration.fit_temperature(p_val[writers], validation.label[writers])
    cal_val = confidence.apply_temperature(p_val, temperature)
    thresholds = calibration.fit_thresholds(cal_val[writers])

    def verdict_shares(calibrated):
        v = confidence.verdicts(calibrated, thresholds)
        return {name: round(float((v == name).mean()), 5) for name in ("digit", "unsure", "not_a_digit")}

    pen = validation.tag == "pen"
    result = {
        "mnist_test": accuracy_block(y_test, p_test),
        "pen_writers": accuracy_block(validation.label[pen], p_val[pen]),
        "pen_writers_by_size": {
            band: accuracy_block(
                validation.label[pen & (validation.band == band)], p_val[pen & (validation.band == band)]
            )
            for band in SIZE_BANDS
        },
        "scan_writers": accuracy_block(validation.label[validation.tag == "scan"], p_val[validation.tag == "scan"]),
        "calibration": {
            "temperature": round(temperature, 4),
            "fitted_on": "validation writers' digits (pen and scanned forms)",
            "ece_before": round(calibration.expected_calibration_error(p_val[writers], validation.label[writers]), 5),
            "ece_after": round(calibration.expected_calibration_error(cal_val[writers], validation.label[writers]), 5),
        },
        "verdict": {
            "thresholds": {k: round(v, 5) if isinstance(v, float) else v for k, v in thresholds.items()},
            "rule": "certainty (1 - entropy / ln 10 of the calibrated probabilities) < not_a_digit -> not_a_digit; "
            "else calibrated top probability < unsure -> unsure; else digit",
            "validation_writers_digits": verdict_shares(cal_val[writers]),
            "mnist_validation_digits": verdict_shares(cal_val[(validation.tag == "mnist") & digits_val]),
            "mnist_test_digits": verdict_shares(confidence.apply_temperature(p_test, temperature)),
            "validation_negatives": verdict_shares(cal_val[~digits_val]),
            "test_negatives": verdict_shares(confidence.apply_temperature(p_neg, temperature)),
            "test_negatives_by_kind": {
                str(kind): verdict_shares(confidence.apply_temperature(p_neg[test_negatives.tag == kind], temperature))
                for kind in sorted(set(test_negatives.tag))
            },
        },
    }
    return result, {"mnist_test": p_test, "validation": p_val, "test_negatives": p_neg}


def summary(result: dict) -> str:
    """The headline figures as lines of text."""
    lines = [
        f"MNIST test:            {result['mnist_test']['accuracy']:.2%} ({result['mnist_test']['errors']} errors)",
        f"held-out pen writers:  {result['pen_writers']['accuracy']:.2%} of {result['pen_writers']['count']}",
    ]
    for band, block in result["pen_writers_by_size"].items():
        lines.append(f"  {band:<7} drawings:   {block['accuracy']:.2%} of {block['count']}")
    lines.append(
        f"held-out scan writers: {result['scan_writers']['accuracy']:.2%} of {result['scan_writers']['count']}"
    )
    for name in ("pen_writers", "scan_writers", "mnist_test"):
        pairs = ", ".join(f"{c['true']}->{c['predicted']} x{c['count']}" for c in result[name]["most_confused"])
        lines.append(f"  most confused ({name}): {pairs or 'none'}")
    cal = result["calibration"]
    lines.append(f"temperature {cal['temperature']}: ECE {cal['ece_before']:.2%} -> {cal['ece_after']:.2%}")
    verdict = result["verdict"]
    lines.append(f"thresholds: {verdict['thresholds']}")
    for key in ("validation_writers_digits", "mnist_test_digits", "validation_negatives", "test_negatives"):
        lines.append(f"  {key:<26} {verdict[key]}")
    return "\n".join(lines)
