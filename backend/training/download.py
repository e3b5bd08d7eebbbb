"""Fetch and verify the data sets: MNIST into data/mnist/ (or check them where $MNIST_DIR points),
and check the handwriting sets where $HANDWRITING_DIR points."""

from __future__ import annotations

import argparse
import sys

from backend.training.handwriting import load_optdigits, load_pendigits
from backend.training.mnist import MNIST_FILES, DatasetError, locate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="digits download", description=__doc__)
    parser.parse_args(argv)
    try:
        for name in MNIST_FILES:
            print(f"{name}: {locate(name)} (SHA-256 verified)")
        print(f"pendigits-orig.tra: {len(load_pendigits())} pen digits (SHA-256 verified)")
        print(f"optdigits-orig.tra: {len(load_optdigits()[1])} scanned digits (SHA-256 verified)")
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
