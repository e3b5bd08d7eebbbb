"""Where things live on disk: the repository's folders and the shipped model."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # backend/core/paths.py -> the repository
MODELS_DIR = REPO_ROOT / "models"
DATA_DIR = REPO_ROOT / "data"
DEFAULT_MODEL_PATH = MODELS_DIR / "digit_cnn.keras"
FRONTEND_DIST = REPO_ROOT / "frontend" / "dist"


def card_path_for(model_path: Path) -> Path:
    """The model card that belongs to a model file: same name, `.json` suffix."""
    return Path(model_path).with_suffix(".json")
