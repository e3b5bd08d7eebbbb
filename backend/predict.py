"""`python backend/predict.py --image a.png`: classify image files (the work is in backend/serving/predict.py)."""

import sys

from backend.serving.predict import main

if __name__ == "__main__":
    sys.exit(main())
