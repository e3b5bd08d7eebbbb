"""Fetch the four MNIST files into data/mnist/ (or check them where $MNIST_DIR points)."""

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python backend/download_dataset.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.data import MNIST_FILES, DatasetError, locate


def main() -> int:
    try:
        for name in MNIST_FILES:
            print(f"{name}: {locate(name)} (SHA-256 verified)")
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
