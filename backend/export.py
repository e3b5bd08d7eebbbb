"""`python backend/export.py`: export the model for ONNX Runtime and TF Serving (backend/training/export.py)."""

import sys

from backend.training.export import main

if __name__ == "__main__":
    sys.exit(main())
