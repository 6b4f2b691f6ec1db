"""What rule detectors read with a model beside their wording: whether a message is a
work notice or task (after_hours, 群规 第十条; repeated_post, 第九条) and whether it demands
proof of work (proof_demand, 第九条), each learned from messages the team labelled
(`detectors/notices/`, `detectors/proof_demands/`, a README with the labelling guide in each).

Wording rules, added one reviewed week at a time, kept missing what a new kind of office
says in its own words: on a blind week of five new kinds of office they found 60% of the
notices and 68% of the demands for proof ("周五前每人交一篇学习心得", "走访记录表后面附一张现场照片，
没照片的不算数"). Each model is the chat classifier's features and tooling with one category,
trained by `qunguan train --task notices|proof_demands` and saved to models/ with its card;
the committed models are what a run uses, nothing is trained or downloaded at run time.
"""
from __future__ import annotations

import functools
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from classifiers import MODELS_DIR, read_saved
from detectors.setting_values import Problem


@dataclass(frozen=True)
class Learned:
    """A model of the rule detectors: its name (files under models/ and its corpus folder), its
    one category, the article it serves, the detectors that read with it, and what it reads
    (said in the warning without it)."""

    name: str
    category: str
    article: str
    detectors: tuple[str, ...]  # those that read with it
    reads: str
    reads_zh: str

    @property
    def corpus_dir(self) -> Path:
        return Path(__file__).with_name(self.name)

    def task(self):
        return _task(self)

    def version(self) -> str | None:
        """The saved model's version, from its card, if the model file beside it is the one
        the card describes (`read_saved`); else None. The detector's own version holds it: a
        model restored or trained anew reads the archive again."""
        try:
            saved = read_saved(MODELS_DIR, self.name)
            return saved[1]["version"] if saved else None
        except (OSError, ValueError, KeyError):
            return None

    def scores(self, texts: list[str], context: dict, archived: list[str | None] | None = None
               ) -> tuple[list[float], float] | None:
        """Per text, the model's score, and the threshold its card sets; None without a
        model it can load, which `context["warnings"]` then says once. `archived`: each
        text's tokens as the archive holds them (segmented at ingest), or None where the
        text is to be segmented here."""
        from classifiers.tokenizer import tokens

        found = _loaded(self, MODELS_DIR)
        if found is None:
            warnings = context.setdefault("warnings", [])
            if self.missing not in warnings:
                warnings.append(self.missing)
            return None
        if not texts:
            return [], found.thresholds[self.category]
        # A text the archive holds no tokens of ('' for a message added without them) is segmented here.
        segmented = [known or tokens(text) for text, known in zip(texts, archived or [None] * len(texts))]
        return found.scores(texts, segmented)[:, 0].tolist(), found.thresholds[self.category]

    def read(self, texts: list[str], context: dict, archived: list[str | None] | None = None) -> list[bool] | None:
        """Per text, whether its score reaches the card's threshold; None without a model."""
        found = self.scores(texts, context, archived)
        return None if found is None else [score >= found[1] for score in found[0]]

    def loads(self) -> bool:
        """Whether the saved model loads (tried once per process)."""
        return _loaded(self, MODELS_DIR) is not None

    @property
    def missing(self) -> Problem:
        return Problem(f"no {self.reads} model in models/ that loads ({self.name}.skops with its card): "
                       f"{' and '.join(self.detectors)} read{'s' if len(self.detectors) == 1 else ''} by wording alone; "
                       f"train one with `qunguan train --task {self.name}`",
                       f"models/ 中没有可用的{self.reads_zh}模型（{self.name}.skops 及其说明卡）：{'和'.join(self.detectors)} 只按措辞识别；"
                       f"请用 `qunguan train --task {self.name}` 训练")

    def train(self, directory: Path | None = None, select: bool = True, progress=print):
        """Train with the chat classifier's tooling (the same split, model comparison,
        thresholds and card); returns (model, test report)."""
        from classifiers.train import train as run_training

        return run_training(self.task(), corpus_dir=directory or self.corpus_dir, select=select, progress=progress)


def archived_tokens(conn, ids: list[int]) -> dict[int, str]:
    """The tokens the archive holds of these messages: segmenting them again cost a run
    more than scoring them (0.6 s of CPU per 200k messages for proof_demand alone)."""
    return dict(conn.execute("select id, tokens from messages where id in (select value from json_each(?))",
                             [json.dumps(ids)]))


@functools.cache
def _task(learned: Learned):
    from classifiers import model  # the model's libraries load slowly: only once a model is used

    return model.Task(learned.name, (learned.category,), {learned.category: learned.article}, learned.corpus_dir)


@functools.cache
def _loaded(learned: Learned, directory: Path):
    """The saved model, or None when there is none or it will not load (its card gone or of
    another training, the file damaged): the detector reads wording alone then, and its
    version says so (`version`), rather than stopping every classify and `config set`."""
    from skops.io.exceptions import UntrustedTypesFoundException

    from classifiers import model

    try:
        return model.load(directory, learned.task(), attempts=2)
    except (model.NoModel, model.MismatchedCard, OSError, ValueError, KeyError, zipfile.BadZipFile,
            UntrustedTypesFoundException):
        return None


NOTICES = Learned("notices", "notice", "群规 第十条", ("after_hours", "repeated_post"), "notice", "通知识别")
PROOF_DEMANDS = Learned("proof_demands", "proof_demand", "群规 第九条", ("proof_demand",), "proof-demand", "过度留痕识别")
BY_TASK = {learned.name: learned for learned in (NOTICES, PROOF_DEMANDS)}
