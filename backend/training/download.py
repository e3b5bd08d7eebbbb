"""Fetch and verify the data sets: MNIST into data/mnist/ and the UCI handwriting sets into
data/handwriting/, unless $MNIST_DIR / $HANDWRITING_DIR point at folders that already have them."""

from __future__ import annotations

import argparse
import sys

from backend.training import handwriting
from backend.training.mnist import MNIST_FILES, DatasetError, locate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="digits download", description=__doc__)
    parser.parse_args(argv)
    try:
        for name in MNIST_FILES:
            print(f"{name}: {locate(name)} (SHA-256 verified)")
        # locate() downloads a missing set from UCI; the loads then prove the files parse.
        pen = handwriting.locate("pendigits-orig.tra")
        print(f"pendigits-orig.tra: {pen}, {len(handwriting.load_pendigits())} pen digits (SHA-256 verified)")
        scan = handwriting.locate("optdigits-orig.tra")
        print(f"optdigits-orig.tra: {scan}, {len(handwriting.load_optdigits()[1])} scanned digits (SHA-256 verified)")
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
