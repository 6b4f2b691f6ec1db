"""Scoring archive messages with the chat model and writing `flags`, incrementally.

Each detector remembers the highest message id it has seen (`detector_state`); message
ids grow with every import, so a run scores only what arrived since the last one, and a
new model version starts again from the beginning. One flag per message and category
(`flags_subject_category`): a message flagged by an older version keeps that flag.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Callable

from classifiers.model import Model
from ingest.schema import CATEGORY_NAMES

TEXT_KINDS = ("text", "quote", "merge_forward", "notice")
BATCH = 20000


def now() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def watermark(conn, detector: str) -> int:
    row = conn.execute("select last_message_id from detector_state where detector = ?", [detector]).fetchone()
    return row[0] if row else 0


def set_watermark(conn, detector: str, last_id: int) -> None:
    conn.execute("insert into detector_state (detector, last_message_id, updated_at) values (?, ?, ?) "
                 "on conflict (detector) do update set last_message_id = excluded.last_message_id, "
                 "updated_at = excluded.updated_at", [detector, last_id, now()])


# Flag columns a caller may fill besides the message ones (新媒体: a post's or an account's flags).
OPTIONAL_COLUMNS = ("post_id", "account_id")


def insert_flags(conn, flags: list[dict]) -> int:
    """Insert flags, ignoring any whose subject already has that category; returns how many were new.
    `post_id` and `account_id` are written when a flag carries them."""
    # Counted by id, not total_changes: the tally triggers change rows too.
    before = conn.execute("select coalesce(max(id), 0) from flags").fetchone()[0]
    extra = [c for c in OPTIONAL_COLUMNS if any(c in f for f in flags)]
    conn.executemany(
        "insert or ignore into flags (subject, message_id, group_id, member_id, category, score, detector, article, "
        f"evidence, related_message_id, created_at, occurred_at{''.join(', ' + c for c in extra)}) values (:subject, "
        ":message_id, :group_id, :member_id, :category, :score, :detector, :article, :evidence, :related_message_id, "
        ":created_at, coalesce((select sent_at from messages where id = :message_id), "
        f"(select published_at from posts where id = :post_id), :created_at){''.join(', :' + c for c in extra)})",
        [{"message_id": None, "group_id": None, "member_id": None, "related_message_id": None, "created_at": now(),
          "post_id": None, **{c: None for c in extra}, **f} for f in flags])
    return conn.execute("select count(*) from flags where id > ?", [before]).fetchone()[0]


def explain(category: str, score: float, words: list[str]) -> str:
    basis = f"，主要依据：{'、'.join(words)}" if words else ""
    return f"模型判断为「{CATEGORY_NAMES[category]}」（置信度 {score:.2f}）{basis}"


Verdict = tuple[str, float, str]  # category, score, explanation


def judge(model: Model, texts: list[str], tokens: list[str]) -> list[list[Verdict]]:
    """Per message, a verdict for each category it is flagged for."""
    scores = model.scores(texts, tokens)
    flagged = [(i, labels) for i, labels in enumerate(model.labels(scores)) if labels]
    # Evidence only for the flagged few: it means finding their n-grams again.
    wanted = [(k, c) for k, (_, labels) in enumerate(flagged) for c in labels]
    found = iter(model.evidence([texts[i] for i, _ in flagged], [tokens[i] for i, _ in flagged], wanted))
    verdicts: list[list[Verdict]] = [[] for _ in texts]
    for i, labels in flagged:
        for category in labels:
            score = float(scores[i, model.categories.index(category)])
            verdicts[i].append((category, round(score, 4), explain(category, score, next(found))))
    return verdicts


# Worth forking judges only when there is a lot to score (a fork costs ~0.2 s).
PARALLEL_FROM = 50_000
SCORE_CHUNK = 4000
_worker_model: Model | None = None


def _judge_in_worker(texts: list[str], tokens: list[str]) -> list[list[Verdict]]:
    return judge(_worker_model, texts, tokens)


@contextmanager
def judging(model: Model, total: int):
    """submit(texts, tokens) -> a function that returns their verdicts, so the caller
    can read and write the archive while the verdicts are being worked out. Identical
    texts are judged once (short replies repeat endlessly in chat), and large runs are
    split over one forked worker per core, which inherits the loaded model."""
    global _worker_model
    workers = min(os.cpu_count() or 1, 4)
    pool = None
    if total >= PARALLEL_FROM and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _worker_model = model
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))

    def submit(texts: list[str], tokens: list[str]) -> Callable[[], list[list[Verdict]]]:
        index: dict[str, int] = {}
        unique_texts, unique_tokens, where = [], [], []
        for text, toks in zip(texts, tokens):
            if text not in index:
                index[text] = len(unique_texts)
                unique_texts.append(text)
                unique_tokens.append(toks)
            where.append(index[text])
        # Chunks of a few thousand keep the sparse feature matrices (and so RSS) small.
        chunks = [(unique_texts[a:a + SCORE_CHUNK], unique_tokens[a:a + SCORE_CHUNK])
                  for a in range(0, len(unique_texts), SCORE_CHUNK)]
        if pool is None:
            parts = [judge(model, texts, toks) for texts, toks in chunks]
        else:
            futures = [pool.submit(_judge_in_worker, *chunk) for chunk in chunks]

        def verdicts() -> list[list[Verdict]]:
            found = [v for part in (parts if pool is None else (f.result() for f in futures)) for v in part]
            return [found[i] for i in where]
        return verdicts

    try:
        yield submit
    finally:
        if pool:
            pool.shutdown()


def classify_messages(conn, model: Model, progress: Callable[[int, int], None] | None = None) -> int:
    """Score messages newer than the model's watermark; returns the number of flags added."""
    start = watermark(conn, model.detector)
    total = conn.execute("select count(*) from messages where id > ?", [start]).fetchone()[0]
    added, done, last, pending = 0, 0, start, None
    with judging(model, total) as submit:
        # While the workers judge one batch, the previous one is written and the next read.
        while True:
            batch = conn.execute(
                "select m.id, m.group_id, m.member_id, m.text, m.tokens, m.kind, g.exempt from messages m "
                "join groups g on g.id = m.group_id where m.id > ? order by m.id limit ?",
                [last, BATCH]).fetchall()
            # Exempt groups (Party-branch study groups, 群规 第二条) are archived, never flagged.
            scored = [r for r in batch if r[5] in TEXT_KINDS and not r[6] and r[3] and r[3].strip()]
            job = (batch, scored, submit([r[3] for r in scored], [r[4] or "" for r in scored])) if batch else None
            if pending:
                added += _write(conn, model, *pending)
                done += len(pending[0])
                if progress:
                    progress(done, total)
            if not batch:
                return added
            pending, last = job, batch[-1][0]


def _write(conn, model: Model, batch: list, scored: list, verdicts: Callable) -> int:
    """Flags of one batch and the watermark past it, in one transaction."""
    flags = [{"subject": f"message:{row[0]}", "message_id": row[0], "group_id": row[1], "member_id": row[2],
              "category": category, "score": score, "detector": model.detector,
              "article": model.task.articles[category], "evidence": evidence}
             for row, found in zip(scored, verdicts()) for category, score, evidence in found]
    with conn:
        added = insert_flags(conn, flags)
        set_watermark(conn, model.detector, batch[-1][0])
    return added
