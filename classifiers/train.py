"""Training: compare a few linear models by cross-validation on the training part only,
pick per-category thresholds on out-of-fold predictions, fit the winner, and score it
once on the held-out test split."""
from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.model_selection import KFold

from classifiers import model as chat_model
from classifiers.corpus import SEED, Example, data_hash, load_corpus, split
from classifiers.evaluate import metrics
from classifiers.tokenizer import tokens as segment

# The soft vote and, for comparison, each of its members alone (same parameters).
MEMBERS = ("logreg", "svm", "cnb")
FOLDS = 4
# Work messages wrongly flagged cost supervisors' time and trust: thresholds are raised
# (uniformly) until out-of-fold predictions stay within this share.
WORK_FLAG_BUDGET = 0.025
# A reviewed flag is a real mistake (or a real catch) on real data: it counts this many times.
REVIEW_WEIGHT = 3


def _matrix(examples: list[Example], categories) -> tuple[np.ndarray, np.ndarray]:
    texts = [e.text for e in examples]
    X = chat_model.rows(texts, [segment(t) for t in texts])
    Y = np.array([[c in e.labels for c in categories] for e in examples], dtype=int)
    return X, Y


def _thresholds(Y: np.ndarray, P: np.ndarray, categories) -> dict[str, float]:
    """Per category, the cut on out-of-fold probabilities with the best F1."""
    chosen = {}
    for k, c in enumerate(categories):
        best = (0.0, 0.5)
        for cut in np.arange(0.10, 0.91, 0.02):
            hit = P[:, k] >= cut
            tp = int((hit & (Y[:, k] == 1)).sum())
            precision = tp / hit.sum() if hit.sum() else 0.0
            recall = tp / Y[:, k].sum() if Y[:, k].sum() else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if f1 > best[0] + 1e-9:
                best = (f1, round(float(cut), 2))
        chosen[c] = best[1]
    return chosen


def _within_budget(Y: np.ndarray, P: np.ndarray, thresholds: dict[str, float], categories) -> dict[str, float]:
    """The F1-best thresholds, raised together just enough to flag at most
    WORK_FLAG_BUDGET of the work messages."""
    work = Y.sum(axis=1) == 0
    for bump in np.arange(0.0, 0.5, 0.01):
        raised = {c: round(min(0.98, t + bump), 2) for c, t in thresholds.items()}
        cut = np.array([raised[c] for c in categories])
        if (P[work] >= cut).any(axis=1).mean() <= WORK_FLAG_BUDGET:
            return raised
    return raised


def _out_of_fold(X, Y) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of the soft vote and of each member alone. The vote fits
    every member on each fold, so one fit per fold (folds in parallel, one per core)
    serves all four: the same predictions as fitting each candidate separately."""
    def fold(train, test):
        fitted = chat_model.build_pipeline(chat_model.DEFAULT_PARAMS).fit(X[train], Y[train])
        features, ovr = fitted.named_steps["features"].transform(X[test]), fitted.named_steps["clf"]
        # Of one category (the notice model's), the vote answers as for two classes: its last column.
        found = {"ensemble": ovr.predict_proba(features)[:, -Y.shape[1]:]}
        for name in MEMBERS:
            # A category with no examples in the fold is one constant predictor, not a vote.
            found[name] = np.column_stack([
                (vote.named_estimators_[name] if hasattr(vote, "named_estimators_") else vote).predict_proba(features)[:, -1]
                for vote in ovr.estimators_])
        return test, found

    folds = KFold(FOLDS, shuffle=True, random_state=SEED).split(X)
    predictions = {name: np.zeros(Y.shape) for name in ("ensemble", *MEMBERS)}
    for test, found in Parallel(n_jobs=-1)(delayed(fold)(train, test) for train, test in folds):
        for name, P in found.items():
            predictions[name][test] = P
    return predictions


def _labels(P: np.ndarray, thresholds: dict[str, float], categories) -> list[list[str]]:
    cut = np.array([thresholds[c] for c in categories])
    return [[c for c, hit in zip(categories, row) if hit] for row in P >= cut]


def train(task: chat_model.Task = chat_model.CHAT, corpus_dir: Path | None = None, extra: list[Example] = (),
          select: bool = True, progress=print) -> tuple[chat_model.Model, dict]:
    """Train `task` on its corpus (plus `extra`, e.g. reviewed flags, training part only).
    Returns the fitted model (card filled) and the test-split report printed by the CLI."""
    started = time.perf_counter()
    categories = task.categories
    examples = load_corpus(corpus_dir or task.corpus_dir, categories, task.other_labels)
    train_part, test_part = split(examples)
    test_texts = {e.text for e in test_part}
    reviewed = [e for e in extra if e.text not in test_texts]
    train_part = train_part + reviewed * REVIEW_WEIGHT
    X, Y = _matrix(train_part, categories)
    comparison = {}
    best = None
    for name, P in _out_of_fold(X, Y).items():
        if not select and name != "ensemble":
            continue
        params = {**chat_model.DEFAULT_PARAMS, "model": name}
        thresholds = _within_budget(Y, P, _thresholds(Y, P, categories), categories)
        score = metrics([e.labels for e in train_part], _labels(P, thresholds, categories), categories)
        comparison[params["model"]] = {"cv_macro_f1": round(score["macro_f1"], 4),
                                       "cv_work_flagged": round(score["work_flagged"], 4)}
        progress(f"  {params['model']}: cross-validated macro-F1 {score['macro_f1']:.3f}, work flagged {score['work_flagged']:.2%}")
        if best is None or score["macro_f1"] > best[0]:
            best = (score["macro_f1"], params, thresholds)
    _, params, thresholds = best
    pipeline = chat_model.compact(chat_model.build_pipeline(params).fit(X, Y))
    fitted = chat_model.Model(pipeline, thresholds, task=task)
    X_test, _ = _matrix(test_part, categories)
    test_texts = [e.text for e in test_part]
    test_report = metrics([e.labels for e in test_part], fitted.labels(fitted.scores(test_texts, list(X_test[:, 0])), test_texts),
                          categories)
    fitted.card = _card(task, examples, train_part, test_part, extra, params, thresholds, comparison, test_report,
                        time.perf_counter() - started, fitted.weights_digest())
    return fitted, test_report


def _card(task, examples, train_part, test_part, extra, params, thresholds, comparison, test_report, seconds,
          weights: str) -> dict:
    versions = {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__}
    # The weights too: a change in how features are computed is a new model, even on the same data.
    identity = json.dumps([data_hash(train_part), params, thresholds, versions, weights], sort_keys=True)
    return {
        "name": task.name,
        "version": hashlib.sha256(identity.encode()).hexdigest()[:12],
        "labels": list(task.categories),
        "articles": task.articles,
        "params": params,
        "thresholds": thresholds,
        "seed": SEED,
        "data": {"hash": data_hash(examples), "examples": len(examples), "train": len(train_part),
                 "test": len(test_part), "reviewed_examples": len(extra), "review_weight": REVIEW_WEIGHT},
        "model_selection": comparison,
        "test_metrics": test_report,
        "training_seconds": round(seconds, 1),
        "versions": versions,
    }
