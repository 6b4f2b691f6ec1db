"""The notice model: whether a message reads as a work notice or task (群规 第十条), learned
from messages the team labelled (detectors/notices/, its README the labelling guide).

after_hours reads notices by wording (config `directives`), which a notice said in words no
pattern foresaw slips past ("通知：本周六上午8:30…培训会，每人必须参加", "回执收齐后拍照发群里");
on a blind week of five new kinds of office the patterns found 59% of the notices. The model
stands beside them: a message it reads as a notice is one, unless what after_hours passes
over for any notice says otherwise (a reply, a report of work done, a leave request …).
Trained and saved with the chat classifier's tooling (`qunguan train --task notices`), to
models/notices.skops and its card; the committed model is what a run uses, nothing is
trained or downloaded at run time.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from classifiers import MODELS_DIR

CORPUS_DIR = Path(__file__).with_name("notices")
NAME, CATEGORY = "notices", "notice"


@functools.cache
def task():
    from classifiers import model  # the model's libraries load slowly: only once a notice is read

    return model.Task(NAME, (CATEGORY,), {CATEGORY: "群规 第十条"}, CORPUS_DIR)


def version() -> str | None:
    """The saved model's version, from its card (no model loaded), or None if there is none."""
    try:
        return json.loads((MODELS_DIR / f"{NAME}.card.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


@functools.cache
def _loaded(directory: Path):
    from classifiers import model

    try:
        return model.load(directory, task())
    except model.NoModel:
        return None


def notices(texts: list[str]) -> list[bool] | None:
    """Per text, whether the model reads it as a notice (its score at its card's threshold
    or over); None without a saved model."""
    from classifiers.tokenizer import tokens

    found = _loaded(MODELS_DIR)
    if found is None:
        return None
    if not texts:
        return []
    scores = found.scores(texts, [tokens(t) for t in texts])[:, 0]
    return (scores >= found.thresholds[CATEGORY]).tolist()


def train(directory: Path = CORPUS_DIR, select: bool = True, progress=print):
    """Train the notice model with the chat classifier's tooling (the same split, model
    comparison, thresholds and card); returns (model, test report)."""
    from classifiers.train import train as run_training

    return run_training(task(), corpus_dir=directory, select=select, progress=progress)
