"""`python backend/evaluate.py`: measure the shipped model (the work is in backend/training/evaluation.py)."""

import sys

from backend.training.evaluation import main

if __name__ == "__main__":
    sys.exit(main())
