"""`python backend/download_dataset.py`: fetch and verify the data sets (backend/training/download.py)."""

import sys

from backend.training.download import main

if __name__ == "__main__":
    sys.exit(main())
