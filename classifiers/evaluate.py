"""Scores of predicted label sets against true ones, as one plain dict."""
from __future__ import annotations

from classifiers.corpus import CATEGORIES


def metrics(truth: list[tuple[str, ...]], predicted: list[list[str]], categories: tuple[str, ...] = CATEGORIES) -> dict:
    """Per-category precision/recall/F1, macro-F1, the share of work messages flagged,
    and a confusion summary (for each true class, what was predicted). A category the
    messages neither hold nor were predicted has no F1 to speak of (None): a small file
    without it must not read as a model that fails it; the macro-F1 is over the others."""
    report: dict = {"n": len(truth), "categories": {}}
    for c in categories:
        tp = sum(c in t and c in p for t, p in zip(truth, predicted))
        fp = sum(c not in t and c in p for t, p in zip(truth, predicted))
        fn = sum(c in t and c not in p for t, p in zip(truth, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report["categories"][c] = {"precision": precision, "recall": recall, "f1": f1 if tp + fp + fn else None,
                                   "support": tp + fn}
    scored = [v["f1"] for v in report["categories"].values() if v["f1"] is not None]
    report["macro_f1"] = sum(scored) / len(scored) if scored else 0.0
    work = [p for t, p in zip(truth, predicted) if not t]
    report["work_support"] = len(work)
    report["work_flagged"] = sum(bool(p) for p in work) / len(work) if work else 0.0
    confusion: dict = {}
    for t, p in zip(truth, predicted):
        for true_class in t or ("work",):
            row = confusion.setdefault(true_class, {})
            for got in p or ["work"]:
                row[got] = row.get(got, 0) + 1
    report["confusion"] = confusion
    return report


def table(report: dict) -> list[list[str]]:
    """Rows for printing: category, precision, recall, F1, support."""
    rows = [[c, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"])]
            if v["f1"] is not None else [c, "", "", "n/a", "0"] for c, v in report["categories"].items()]
    rows.append(["macro", "", "", f"{report['macro_f1']:.3f}", str(report["n"])])
    rows.append(["work flagged", "", "", f"{report['work_flagged']:.3%}", str(report["work_support"])])
    return rows
