"""`python backend/train.py`: train the model (the work is in backend/training/pipeline.py)."""

import sys

from backend.training.pipeline import main

if __name__ == "__main__":
    sys.exit(main())
