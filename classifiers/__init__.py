"""Trained classifiers and the tokenizer shared with the archive."""
from pathlib import Path

# Where the trained models and their cards are saved and loaded from (committed: nothing is
# trained at run time).
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
