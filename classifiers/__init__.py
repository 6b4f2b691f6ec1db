"""Trained classifiers and the tokenizer shared with the archive."""
import hashlib
import json
from pathlib import Path

# Where the trained models and their cards are saved and loaded from (committed: nothing is
# trained at run time).
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def read_saved(directory: Path, name: str) -> tuple[bytes, dict] | None:
    """A saved model's bytes and its card, or None when the card is of another training (a
    train saving there is between the two, or was stopped). The card holds its model's
    SHA-256; a card saved before cards held it is its model's. Here, not in classifiers.model:
    the detectors ask a model's version without loading scikit-learn."""
    # The model read first, then its card: `save` moves them in the other order.
    data = (directory / f"{name}.skops").read_bytes()
    card = json.loads((directory / f"{name}.card.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(data).hexdigest()
    # A card that is no object is damaged, as good as another training's.
    return (data, card) if isinstance(card, dict) and card.get("skops_sha256", digest) == digest else None
