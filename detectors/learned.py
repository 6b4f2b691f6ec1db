"""What two rule detectors read with a model beside their wording: whether a message is a
work notice or task (after_hours, 群规 第十条) and whether it demands proof of work
(proof_demand, 第九条), each learned from messages the team labelled (`detectors/notices/`,
`detectors/proof_demands/`, a README with the labelling guide in each).

Wording rules, added one reviewed week at a time, kept missing what a new kind of office
says in its own words: on a blind week of five new kinds of office they found 59% of the
notices and 68% of the demands for proof ("周五前每人交一篇学习心得", "走访记录表后面附一张现场照片，
没照片的不算数"). Each model is the chat classifier's features and tooling with one category,
trained by `qunguan train --task notices|proof_demands` and saved to models/ with its card;
the committed models are what a run uses, nothing is trained or downloaded at run time.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from classifiers import MODELS_DIR


@dataclass(frozen=True)
class Learned:
    """One detector's model: its name (files under models/ and its corpus folder), its one
    category and the article it serves."""

    name: str
    category: str
    article: str

    @property
    def corpus_dir(self) -> Path:
        return Path(__file__).with_name(self.name)

    def task(self):
        return _task(self)

    def version(self) -> str | None:
        """The saved model's version, from its card (no model loaded), or None if there is none."""
        try:
            return json.loads((MODELS_DIR / f"{self.name}.card.json").read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            return None

    def scores(self, texts: list[str]) -> tuple[list[float], float] | None:
        """Per text, the model's score, and the threshold its card sets; None without a saved model."""
        from classifiers.tokenizer import tokens

        found = _loaded(self, MODELS_DIR)
        if found is None:
            return None
        scored = found.scores(texts, [tokens(t) for t in texts])[:, 0].tolist() if texts else []
        return scored, found.thresholds[self.category]

    def read(self, texts: list[str]) -> list[bool] | None:
        """Per text, whether its score reaches the card's threshold; None without a saved model."""
        found = self.scores(texts)
        return None if found is None else [score >= found[1] for score in found[0]]

    def train(self, directory: Path | None = None, select: bool = True, progress=print):
        """Train with the chat classifier's tooling (the same split, model comparison,
        thresholds and card); returns (model, test report)."""
        from classifiers.train import train as run_training

        return run_training(self.task(), corpus_dir=directory or self.corpus_dir, select=select, progress=progress)


@functools.cache
def _task(learned: Learned):
    from classifiers import model  # the model's libraries load slowly: only once a model is used

    return model.Task(learned.name, (learned.category,), {learned.category: learned.article}, learned.corpus_dir)


@functools.cache
def _loaded(learned: Learned, directory: Path):
    from classifiers import model

    try:
        return model.load(directory, learned.task())
    except model.NoModel:
        return None


NOTICES = Learned("notices", "notice", "群规 第十条")
PROOF_DEMANDS = Learned("proof_demands", "proof_demand", "群规 第九条")
BY_TASK = {learned.name: learned for learned in (NOTICES, PROOF_DEMANDS)}
