"""The chat classifier: a saved scikit-learn pipeline plus per-category thresholds.

Input rows are (tokens, text): `tokens` is the archive's space-joined segmentation, read
by a word TF-IDF; `text` feeds a character n-gram TF-IDF, which carries words the
segmenter splits oddly and words no one wrote in training. One linear model per
category (multi-label). Saved with skops and loaded only against `TRUSTED`.
"""
from __future__ import annotations

import json
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import VotingClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils import murmurhash3_32

from classifiers.corpus import CATEGORIES, CORPUS_DIR
from classifiers.tokenizer import tokens as segment

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


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
    "sklearn.calibration._SigmoidCalibration", "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer", "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression", "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.naive_bayes.ComplementNB", "sklearn.pipeline.Pipeline", "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC", "sklearn.ensemble._voting.VotingClassifier", "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.utils._bunch.Bunch", "numpy.float64", "numpy.int64", "numpy.bool",
]

DEFAULT_PARAMS = {"model": "ensemble", "C": 16.0, "word_ngrams": 2, "char_ngrams": [1, 3], "hash_bits": 16}


def build_pipeline(params: dict) -> Pipeline:
    """A fresh, unfitted pipeline for `params` (see DEFAULT_PARAMS).

    Hashed features: no vocabulary to look up per n-gram (the slow part of TfidfVectorizer)
    and none to store, so the model is fast to apply and small to ship."""
    def hashed(**kwargs) -> Pipeline:
        return Pipeline([
            ("hash", HashingVectorizer(n_features=2 ** params["hash_bits"], alternate_sign=False, norm=None,
                                       lowercase=False, dtype=np.float32, **kwargs)),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ])

    features = ColumnTransformer([
        ("words", hashed(token_pattern=r"\S+", ngram_range=(1, params["word_ngrams"])), 0),
        ("chars", hashed(analyzer="char", ngram_range=tuple(params["char_ngrams"])), 1),
    ])
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
        """Probabilities, one column per category in the task's order."""
        if not texts:
            return np.zeros((0, len(self.categories)))
        return self.pipeline.predict_proba(rows(texts, tokens))

    def labels(self, scores: np.ndarray) -> list[list[str]]:
        cut = np.array([self.thresholds[c] for c in self.categories])
        return [[c for c, hit in zip(self.categories, row) if hit] for row in scores >= cut]

    def predict(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]:
        scores = self.scores(texts)
        return [(labels, {c: round(float(s), 4) for c, s in zip(self.categories, row)})
                for labels, row in zip(self.labels(scores), scores)]

    def evidence(self, text: str, tokens: str, category: str, top: int = 4) -> list[str]:
        """The n-grams of this message that pushed `category`'s score up the most."""
        weights = self._weights(category)
        grams, pushes = [], []
        for (_, steps, column), width in zip(self._features.transformers_, self._features.output_indices_.values()):
            vectorizer, tfidf = steps.named_steps["hash"], steps.named_steps["tfidf"]
            found = list(set(vectorizer.build_analyzer()((tokens, text)[column])))
            # The bucket HashingVectorizer itself puts each n-gram in.
            buckets = np.array([abs(murmurhash3_32(g, seed=0)) % vectorizer.n_features for g in found], dtype=np.int64)
            grams += found
            pushes.append(weights[width.start + buckets] * tfidf.idf_[buckets] if len(found) else np.zeros(0))
        pushes = np.concatenate(pushes) if pushes else np.zeros(0)
        strongest = [(grams[i].strip(), pushes[i]) for i in np.argsort(-pushes)[:40] if pushes[i] > 0]
        # Words before single characters, and never bare punctuation: a supervisor reads these.
        ranked = sorted(((len(g) > 1 or not _is_cjk(g), w, g) for g, w in strongest if _meaningful(g)), reverse=True)
        picked: list[str] = []
        for _, _, gram in ranked:
            if not any(gram in p or p in gram for p in picked):
                picked.append(gram)
            if len(picked) == top:
                break
        return picked

    @property
    def _features(self) -> ColumnTransformer:
        return self.pipeline.named_steps["features"]

    def _weights(self, category: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_weight_cache", {})
        if category not in cache:
            cache[category] = _coefficients(self.pipeline.named_steps["clf"].estimators_[self.categories.index(category)])
        return cache[category]


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
            else:
                estimator.coef_ = estimator.coef_.astype(np.float32)
    return pipeline


def _meaningful(feature: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNS" for ch in feature)


def _is_cjk(feature: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in feature)


def _coefficients(estimator) -> np.ndarray:
    if isinstance(estimator, VotingClassifier):
        # Each member's weights on a common scale, averaged: which n-grams the vote leans on.
        parts = [_coefficients(e) for e in estimator.estimators_]
        return np.mean([p / (np.abs(p).max() or 1.0) for p in parts], axis=0)
    if isinstance(estimator, CalibratedClassifierCV):
        return np.mean([c.estimator.coef_.ravel() for c in estimator.calibrated_classifiers_], axis=0)
    if isinstance(estimator, ComplementNB):
        return estimator.feature_log_prob_[1] - estimator.feature_log_prob_[0]
    return estimator.coef_.ravel()


def save(model: Model, directory: Path = MODELS_DIR) -> Path:
    """Write `<task>.skops` and `<task>.card.json` (the card carries version and thresholds)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{model.task.name}.skops"
    sio.dump(model.pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    model.card["thresholds"] = model.thresholds
    (directory / f"{model.task.name}.card.json").write_text(json.dumps(model.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load(directory: Path = MODELS_DIR, task: Task = CHAT) -> Model:
    """The saved model of `task`; skops refuses any type outside TRUSTED."""
    path = directory / f"{task.name}.skops"
    if not path.exists():
        raise FileNotFoundError(f"no trained model at {path}; run `qunguan train`")
    pipeline = sio.load(path, trusted=TRUSTED)
    card = json.loads((directory / f"{task.name}.card.json").read_text(encoding="utf-8"))
    return Model(pipeline, {c: float(card["thresholds"][c]) for c in task.categories}, card, task)
