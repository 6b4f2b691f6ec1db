"""The chat classifier: a saved scikit-learn pipeline plus per-category thresholds.

Input rows are (tokens, text): `tokens` is the archive's space-joined segmentation, read
by a word TF-IDF; `text` feeds a character n-gram TF-IDF, which carries words the
segmenter splits oddly and words no one wrote in training (classifiers/features.py).
One soft vote of linear models per category (multi-label). Saved with skops and loaded
only against `TRUSTED`; for scoring, the fitted vote is compiled into one weight matrix
(`Linear`), which classifiers/scoring.py multiplies straight from text and tokens.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import VotingClassifier
from sklearn.multiclass import OneVsRestClassifier, _ConstantPredictor
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from scipy.special import expit
from sklearn.svm import LinearSVC

from classifiers import MODELS_DIR, read_saved
from classifiers.corpus import CATEGORIES, CORPUS_DIR
from classifiers.features import NgramHasher
from classifiers.scoring import products
from classifiers.tokenizer import cut_words, tokens as segment
from detectors.privacy import masked

# One 👍 (赞, [强], 🙏 …) on its own answers a notice: the labelling guide calls a single
# acknowledgement work and only a chain flattery. The model meets 👍 mostly in chains and
# scores a lone one as flattery (0.99), which also pushed whole groups over the weekly
# 夸夸群 share; the verdict on these few exact forms is settled by rule instead.
LONE_ACKNOWLEDGEMENT = re.compile(r"\s*(?:(?:👍|👌|🙏|✅|✔)[\U0001F3FB-\U0001F3FF\uFE0F]*|赞|点赞|\[强\]|\[OK\]|"
                                  r"\[抱拳\]|\[握手\]|\[胜利\])\s*[!！。.~～]*\s*")


@dataclass(frozen=True)
class Task:
    """What one classifier learns: its name (file names under models/), categories,
    the article each category enforces, and the corpus it is trained on."""

    name: str
    categories: tuple[str, ...]
    articles: dict
    corpus_dir: Path
    other_labels: tuple[str, ...] = ()  # labels its corpus carries that this task does not learn


CHAT = Task("chat", CATEGORIES, {"offtopic": "群规 第八条", "flattery": "群规 第十二条",
                                 "rumour": "群规 第十一条", "sensitive": "群规 第十一条"}, CORPUS_DIR)
ARTICLES = CHAT.articles
# Types a saved model may contain; anything else makes loading fail (skops allow-list).
TRUSTED = [
    "builtins.slice", "numpy.dtype", "numpy.ndarray", "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV", "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration", "classifiers.features.NgramHasher",
    "sklearn.linear_model._logistic.LogisticRegression", "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.naive_bayes.ComplementNB", "sklearn.pipeline.Pipeline", "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC", "sklearn.ensemble._voting.VotingClassifier", "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.utils._bunch.Bunch", "numpy.float64", "numpy.int64", "numpy.bool",
]

DEFAULT_PARAMS = {"model": "ensemble", "C": 32.0, "word_ngrams": 2, "char_ngrams": [1, 3], "hash_bits": 18}


def build_pipeline(params: dict) -> Pipeline:
    """A fresh, unfitted pipeline for `params` (see DEFAULT_PARAMS)."""
    features = NgramHasher(word_ngrams=(1, params["word_ngrams"]), char_ngrams=tuple(params["char_ngrams"]),
                           hash_bits=params["hash_bits"])
    return Pipeline([("features", features), ("clf", OneVsRestClassifier(_estimator(params)))])


def _estimator(params: dict):
    if params["model"] == "ensemble":
        # Soft vote of the three linear models: each errs on different hard cases.
        return VotingClassifier([(name, _estimator({**params, "model": name})) for name in ("logreg", "svm", "cnb")],
                                voting="soft")
    if params["model"] == "logreg":
        return LogisticRegression(C=params["C"], class_weight="balanced", max_iter=2000, solver="liblinear",
                                  random_state=0)
    if params["model"] == "svm":
        return CalibratedClassifierCV(LinearSVC(C=params["C"] / 8, class_weight="balanced", random_state=0), cv=3, ensemble=False)
    if params["model"] == "cnb":
        return ComplementNB(alpha=1 / params["C"])
    raise ValueError(f"unknown model {params['model']!r}")


def rows(texts: list[str], tokens: list[str] | None = None) -> np.ndarray:
    """The pipeline's input: one (tokens, text) row per message."""
    tokens = tokens if tokens is not None else [segment(t) for t in texts]
    return np.array([tokens, texts], dtype=object).T.reshape(len(texts), 2)


@dataclass(eq=False)  # hashable by identity: explanations are cached per model
class Model:
    pipeline: Pipeline
    thresholds: dict[str, float]
    card: dict = field(default_factory=dict)
    task: Task = CHAT

    @property
    def categories(self) -> tuple[str, ...]:
        return self.task.categories

    @property
    def version(self) -> str:
        return self.card.get("version", "unsaved")

    @property
    def detector(self) -> str:
        return f"{self.task.name}@{self.version}"

    def scores(self, texts: list[str], tokens: list[str] | None = None) -> np.ndarray:
        """Probabilities, one column per category in the task's order (what the pipeline's
        predict_proba gives, computed by the compiled vote)."""
        if not texts:
            return np.zeros((0, len(self.categories)))
        tokens = tokens if tokens is not None else [segment(t) for t in texts]
        linear = self._linear
        return linear.probabilities(products(self._features, linear.weights, tokens, texts))

    def labels(self, scores: np.ndarray, texts: list[str] | None = None) -> list[list[str]]:
        """The categories each message is flagged for: those scored at or over their
        threshold, but never flattery for a lone acknowledgement (given `texts`)."""
        hits = scores >= np.array([self.thresholds[c] for c in self.categories])
        found: list[list[str]] = [[] for _ in range(len(scores))]
        for i in np.flatnonzero(hits.any(axis=1)).tolist():  # most messages are work: no label to spell out
            found[i] = [c for c, hit in zip(self.categories, hits[i].tolist()) if hit
                        and not (c == "flattery" and texts is not None and LONE_ACKNOWLEDGEMENT.fullmatch(texts[i]))]
        return found

    def predict(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]:
        scores = self.scores(texts)
        return [(labels, {c: round(float(s), 4) for c, s in zip(self.categories, row)})
                for labels, row in zip(self.labels(scores, texts), scores)]

    def evidence(self, texts: list[str], tokens: list[str], wanted: list[tuple[int, str]], top: int = 4) -> list[list[str]]:
        """For each (message index, category) in `wanted`: the words of that message in
        the n-grams that pushed the category's score up the most, words before single
        characters. A character n-gram is shown as the whole words it touches (今天大家
        rather than 天大, 晚安 and 今天 rather than 安，今): a supervisor reads these."""
        if not wanted:
            return []
        hasher = self._features
        blocks = hasher.grams(tokens, texts)
        doc = np.concatenate([b[0] for b in blocks])
        column = np.concatenate([b[1] for b in blocks])
        start = np.concatenate([b[2] for b in blocks])
        size = np.concatenate([b[3] for b in blocks])
        is_word = np.arange(len(doc)) < len(blocks[0][0])
        order = np.argsort(doc, kind="stable")
        bounds = np.searchsorted(doc[order], np.arange(len(texts) + 1))
        # Split as word_ngrams does (on spaces only), so token positions line up.
        words = [w for t in tokens for w in t.split(" ") if w]
        offsets = np.cumsum([0, *map(len, texts)]).tolist()
        # An n-gram training never saw has no evidence to give (its bucket's weights are
        # whatever the models give an empty column).
        idf = hasher.idf_[column]
        idf[idf == hasher.idf_.max()] = 0
        pushes = {c: self._weights(c)[column] * idf for c in {c for _, c in wanted}}
        found, cut = [], {}
        for index, category in wanted:
            mine = order[bounds[index]: bounds[index + 1]]
            push = pushes[category][mine]
            best = np.argsort(-push)[:3 * top]
            strongest = mine[best]
            grams = {}
            for weight, a, n, word in zip(push[best].tolist(), start[strongest].tolist(), size[strongest].tolist(),
                                          is_word[strongest].tolist()):
                if weight <= 0:
                    break
                if word:
                    touched = words[a: a + n]
                else:
                    if index not in cut:
                        cut[index] = _word_ends(texts[index])
                    text_words, ends = cut[index]
                    lo = a - offsets[index]
                    touched = text_words[bisect.bisect_right(ends, lo): bisect.bisect_right(ends, lo + n - 1) + 1]
                for form in map(_evidence_form, touched):
                    if form:
                        grams.setdefault(form, weight)
            found.append(_pick(grams, top))
        return found

    def weights_digest(self) -> str:
        """sha256 of what the model computes with: idf and compiled weights."""
        linear = self._linear
        digest = hashlib.sha256(self._features.idf_.tobytes())
        for part in (linear.weights, linear.scale, linear.shift, linear.share):
            digest.update(np.ascontiguousarray(part).tobytes())
        return digest.hexdigest()

    @property
    def _features(self) -> NgramHasher:
        return self.pipeline.named_steps["features"]

    @property
    def _linear(self) -> "Linear":
        if "_compiled" not in self.__dict__:
            self.__dict__["_compiled"] = Linear.of(self.pipeline.named_steps["clf"])
        return self.__dict__["_compiled"]

    def _weights(self, category: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_leaning", {})
        if category not in cache:
            cache[category] = self._linear.leaning(self.categories.index(category))
        return cache[category]


EVIDENCE_WORD_CHARS = 20
_NUMBER = re.compile(r"\d+[Xx]?")  # an ID number's last group may end in its check digit X


def _word_ends(text: str) -> tuple[list[str], list[int]]:
    """The default-mode words of `text` (as tokenizer.word_spans cuts them) and where
    each ends: the words a character n-gram touches are found by bisection."""
    words = cut_words(text)
    return words, list(itertools.accumulate(map(len, words)))


@functools.lru_cache(maxsize=1 << 16)
def _evidence_form(word: str) -> tuple[str, bool] | None:
    """A word as evidence shows it (`_shown`) and whether it reads as a word (not a lone
    Chinese character, which _pick puts last); None for one that means nothing alone
    (punctuation, spaces) or a number: a number written in groups (6228 4800 1234 5671)
    is a word a group, too short to mask, and shown they would spell it out. Cached:
    flags of one archive keep citing the same words."""
    if _NUMBER.fullmatch(word.strip()):
        return None
    gram = _shown(word)
    return (gram, len(gram) > 1 or not _is_cjk(gram)) if _meaningful(gram) else None


def _shown(word: str) -> str:
    """A word as evidence shows it: each run of 7 or more digits (an ID, mobile or
    bank-card number, "tel13907951234" too) masked as the privacy flag masks it, so a
    flag does not spread what it flags; a word longer than a reader needs cut short."""
    word = masked(word.strip())
    return word if len(word) <= EVIDENCE_WORD_CHARS else word[:EVIDENCE_WORD_CHARS] + "…"


def _pick(grams: dict[tuple[str, bool], float], top: int) -> list[str]:
    # Words before single characters, and no gram inside one already picked: a supervisor reads these.
    ranked = sorted(((word_like, w, g) for (g, word_like), w in grams.items()), reverse=True)
    picked: list[str] = []
    for _, _, gram in ranked:
        if not any(gram in p or p in gram for p in picked):
            picked.append(gram)
        if len(picked) == top:
            break
    return picked


@dataclass(frozen=True)
class Linear:
    """A fitted one-vs-rest vote as one matrix. Every voter (logistic regression, a
    calibrated SVM, complement NB) gives sigmoid(scale · (x·w) + shift); a category's
    probability is its voters' weighted mean. Equal to the pipeline's predict_proba
    (tests/test_features.py), for the cost of one product."""

    weights: np.ndarray  # (features, voters)
    scale: np.ndarray    # (voters,)
    shift: np.ndarray    # (voters,)
    share: np.ndarray    # (voters, categories): each voter's weight in its category's mean

    def probabilities(self, products: np.ndarray) -> np.ndarray:
        """Per category, from the products of feature rows and `weights`."""
        return expit(products * self.scale + self.shift) @ self.share

    def leaning(self, category: int) -> np.ndarray:
        """Per feature, how much it pushes `category` up: its voters' weights, each
        scaled to a common range, averaged."""
        voters = np.flatnonzero(self.share[:, category])
        parts = [self.weights[:, v] * self.scale[v] for v in voters]
        return np.mean([p / (np.abs(p).max() or 1.0) for p in parts], axis=0)

    @classmethod
    def of(cls, ovr: OneVsRestClassifier) -> "Linear":
        voters = [(k, *v) for k, estimator in enumerate(ovr.estimators_) for v in _voters(estimator, 1.0)]
        share = np.zeros((len(voters), len(ovr.estimators_)))
        for row, (k, *_, weight) in enumerate(voters):
            share[row, k] = weight
        return cls(np.column_stack([v[1] for v in voters]).astype(np.float32),
                   np.array([v[2] for v in voters], dtype=np.float32),
                   np.array([v[3] for v in voters], dtype=np.float32), share)


def _voters(estimator, weight: float):
    """(w, scale, shift, weight) of each sigmoid-of-linear voter inside `estimator`."""
    if isinstance(estimator, VotingClassifier):  # soft vote: the plain mean of its members
        for member in estimator.estimators_:
            yield from _voters(member, weight / len(estimator.estimators_))
    elif isinstance(estimator, CalibratedClassifierCV):
        for calibrated in estimator.calibrated_classifiers_:
            svm, (sigmoid,) = calibrated.estimator, calibrated.calibrators
            # _SigmoidCalibration: expit(-(a · decision + b)).
            yield (svm.coef_.ravel(), -sigmoid.a_, -(sigmoid.a_ * svm.intercept_[0] + sigmoid.b_),
                   weight / len(estimator.calibrated_classifiers_))
    elif isinstance(estimator, ComplementNB):  # two classes: no prior, p = sigmoid(jll1 - jll0)
        yield estimator.feature_log_prob_[1] - estimator.feature_log_prob_[0], 1.0, 0.0, weight
    elif isinstance(estimator, LogisticRegression):
        yield estimator.coef_.ravel(), 1.0, float(estimator.intercept_[0]), weight
    elif isinstance(estimator, _ConstantPredictor):  # a category with no examples in training
        yield np.zeros(estimator.n_features_in_), 0.0, np.inf if estimator.y_[0] else -np.inf, weight
    else:
        raise TypeError(f"cannot compile {type(estimator).__name__}")


def compact(pipeline: Pipeline) -> Pipeline:
    """Shrink a fitted pipeline for shipping: weights as float32, and without the counts
    ComplementNB keeps only for partial_fit. Predictions move in the 7th digit at most."""
    for voter in pipeline.named_steps["clf"].estimators_:
        for estimator in getattr(voter, "estimators_", [voter]):
            if isinstance(estimator, ComplementNB):
                estimator.feature_log_prob_ = estimator.feature_log_prob_.astype(np.float32)
                del estimator.feature_count_, estimator.feature_all_
            elif isinstance(estimator, CalibratedClassifierCV):
                for calibrated in estimator.calibrated_classifiers_:
                    calibrated.estimator.coef_ = calibrated.estimator.coef_.astype(np.float32)
            elif hasattr(estimator, "coef_"):
                estimator.coef_ = estimator.coef_.astype(np.float32)
    return pipeline


def _meaningful(feature: str) -> bool:
    # A letter or digit first (most n-grams) settles it without the Unicode database.
    return feature[:1].isalnum() or any(unicodedata.category(ch)[0] in "LNS" for ch in feature)


def _is_cjk(feature: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in feature)


def save(model: Model, directory: Path = MODELS_DIR) -> Path:
    """Write `<task>.skops` and `<task>.card.json` (the card carries version and thresholds,
    and the model file's hash, by which `load` knows the card is that model's)."""
    directory.mkdir(parents=True, exist_ok=True)
    path, card = directory / f"{model.task.name}.skops", directory / f"{model.task.name}.card.json"
    model.card["thresholds"] = model.thresholds
    # Each written beside its place and moved in whole: a train stopped while writing (the
    # model takes seconds) leaves the saved model as it was, and a classify that loads it
    # meanwhile reads the old one or the new, never half of one.
    parts = [path.with_name(f".{path.name}.part"), card.with_name(f".{card.name}.part")]
    try:
        sio.dump(model.pipeline, parts[0], compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        model.card["skops_sha256"] = hashlib.sha256(parts[0].read_bytes()).hexdigest()
        parts[1].write_text(json.dumps(model.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        # The card first: a load between the two moves reads the old model with the new
        # card, whose hash says so (`load`), never the new model with the old card, which
        # may carry no hash (saved before cards did).
        parts[1].replace(card)
        parts[0].replace(path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return path


class NoModel(FileNotFoundError):
    """No trained model where it is looked for; `zh` says so for the admins."""

    def __init__(self, path: Path):
        super().__init__(f"no trained model at {path}; run `qunguan train`")
        self.zh = f"{path} 没有训练好的模型；请先运行 `qunguan train` 训练"


class MismatchedCard(Exception):
    """The model file and its card are of two trainings: a train saving to the folder is
    between its two files, or was stopped there. `zh` says so for the admins."""

    zh = ("模型文件与其说明卡（card）不是同一次训练的：可能正有 `qunguan train` 在保存模型，或保存时被中断；"
          "请等训练结束后重新运行，或重新训练")


def load(directory: Path = MODELS_DIR, task: Task = CHAT, attempts: int = 5) -> Model:
    """The saved model of `task`, with its own card; skops refuses any type outside TRUSTED.
    A card of another model (a train replacing them meanwhile) is read again, a moment
    later, up to `attempts` times; then MismatchedCard."""
    path = directory / f"{task.name}.skops"
    for attempt in range(attempts):
        if not path.exists():
            raise NoModel(path)
        if saved := read_saved(directory, task.name):
            data, card = saved
            break
        time.sleep(0.2 * (attempt + 1))
    else:
        raise MismatchedCard(f"{path} and {path.with_name(task.name + '.card.json')} are of two trainings (a train "
                             "saving there is between them, or was stopped); run classify again when it is done, or "
                             "train again")
    pipeline = sio.loads(data, trusted=TRUSTED)
    return Model(pipeline, {c: float(card["thresholds"][c]) for c in task.categories}, card, task)
