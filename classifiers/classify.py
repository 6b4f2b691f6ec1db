"""Scoring archive messages with the chat model and writing `flags`, incrementally.

Each detector remembers the highest message id it has seen (`detector_state`); message
ids grow with every import, so a run scores only what arrived since the last one, and a
new model version starts again from the beginning. One flag per message and category
(`flags_subject_category`): a message flagged by an older version keeps that flag, and
one the new version no longer flags is withdrawn, unless a person has decided on it.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable

from classifiers.model import Model
from ingest.records import stamp
from ingest.schema import CATEGORY_NAMES
from review.handling import Rereading

TEXT_KINDS = ("text", "quote", "merge_forward", "notice")
BATCH = 20000


def watermark(conn, detector: str) -> int:
    row = conn.execute("select last_message_id from detector_state where detector = ?", [detector]).fetchone()
    return row[0] if row else 0


def set_watermark(conn, detector: str, last_id: int) -> None:
    conn.execute("insert into detector_state (detector, last_message_id, updated_at) values (?, ?, ?) "
                 "on conflict (detector) do update set last_message_id = excluded.last_message_id, "
                 "updated_at = excluded.updated_at", [detector, last_id, stamp()])


def read_again_from(conn, message_id: int) -> None:
    """Make the next classify judge `message_id` again, and the messages after it: the
    watermarks of the chat model and of each message rule are set below it. For a message
    whose text changed after it was judged (a cut copy completed by the whole). Judging it
    again adds what is new (one flag per message and category) and withdraws what is found
    no more (`Rereading`)."""
    from detectors.run import MESSAGE_DETECTORS, detector_name  # which imports this module

    names = [detector_name(module) for module in MESSAGE_DETECTORS]
    conn.execute("update detector_state set last_message_id = ?, updated_at = ? where last_message_id >= ? and "
                 f"(detector glob 'chat@*' or detector in ({', '.join('?' * len(names))}))",
                 [message_id - 1, stamp(), message_id, *names])


# What a flag may carry, in the order of the insert's parameters (?1 … ?13; ?14 is the time
# of writing). 新媒体 flags carry post_id or account_id; occurred_at, when the caller knows
# it (a message's sent_at), spares a lookup per flag.
FLAG_FIELDS = ("subject", "message_id", "group_id", "member_id", "category", "score", "detector", "article",
               "evidence", "related_message_id", "post_id", "account_id", "occurred_at")
_INSERT_FLAG = (
    f"insert or ignore into flags ({', '.join(FLAG_FIELDS)}, created_at) values "
    f"({', '.join(f'?{i}' for i in range(1, len(FLAG_FIELDS)))}, "
    "coalesce(?13, (select sent_at from messages where id = ?2), (select published_at from posts where id = ?11), ?14), ?14)")


def insert_flags(conn, flags: list[dict]) -> int:
    """Insert flags, ignoring any whose subject already has that category; returns how many were new.
    A flag is a dict of FLAG_FIELDS; those it lacks are NULL (occurred_at: looked up)."""
    created = stamp()  # once: formatting the time for each of 40k flags showed in profiles
    # rowcount counts the rows the statements themselves inserted: not the tally triggers'
    # changes (as total_changes would), nor flags another connection committed meanwhile
    # (as counting the ids past the largest one did). Positional parameters: binding 14
    # by name cost a fifth of the insert (bench/classify.py).
    return conn.executemany(_INSERT_FLAG, [(*map(f.get, FLAG_FIELDS), created) for f in flags]).rowcount


def explain(category: str, score: float, words: list[str]) -> str:
    basis = f"，主要依据：{'、'.join(words)}" if words else ""
    return f"模型判断为「{CATEGORY_NAMES[category]}」（置信度 {score:.2f}）{basis}"


Verdict = tuple[str, float, str]  # category, score, explanation


def judge(model: Model, texts: list[str], tokens: list[str]) -> list[list[Verdict]]:
    """Per message, a verdict for each category it is flagged for."""
    scores = model.scores(texts, tokens)
    flagged = [(i, labels) for i, labels in enumerate(model.labels(scores, texts)) if labels]
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


def judge_range(conn, model: Model, after: int, upto: int) -> tuple[int, list[int], list[dict]]:
    """(messages read, the ids of those judged, flags) for the messages with ids in
    (after, upto]. Identical texts are judged once: short replies repeat endlessly in chat."""
    rows = conn.execute(
        "select m.id, m.group_id, m.member_id, m.text, m.tokens, m.kind, g.exempt, m.sent_at from messages m "
        "join groups g on g.id = m.group_id where m.id > ? and m.id <= ? order by m.id", [after, upto]).fetchall()
    # Exempt groups (Party-branch study groups, 群规 第二条) are archived, never flagged.
    scored = [r for r in rows if r[5] in TEXT_KINDS and not r[6] and r[3] and r[3].strip()]
    index: dict[str, int] = {}
    texts, tokens = [], []
    for row in scored:
        if row[3] not in index:
            index[row[3]] = len(texts)
            texts.append(row[3])
            tokens.append(row[4] or "")
    # Chunks of a few thousand keep the feature arrays (and so RSS) small.
    verdicts = [v for a in range(0, len(texts), SCORE_CHUNK)
                for v in judge(model, texts[a:a + SCORE_CHUNK], tokens[a:a + SCORE_CHUNK])]
    return len(rows), [row[0] for row in scored], [
        {"subject": f"message:{row[0]}", "message_id": row[0], "group_id": row[1], "member_id": row[2],
         "category": category, "score": score, "detector": model.detector, "article": model.task.articles[category],
         "evidence": evidence, "occurred_at": row[7]}
        for row in scored for category, score, evidence in verdicts[index[row[3]]]]


def shared_path(conn) -> str | None:
    """The archive's file, when a forked process opening it would see what `conn` sees:
    not for an in-memory or temporary database, nor while `conn` has uncommitted
    changes; and only where processes can fork."""
    path = conn.execute("pragma database_list").fetchone()[2]
    if not path or conn.in_transaction or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return path


_worker: dict = {}


def _open_worker(path: str, model: Model) -> None:
    from ingest.schema import open_archive

    _worker.update(conn=open_archive(path).conn, model=model)


def _judge_range_in_worker(after: int, upto: int) -> tuple[int, list[int], list[dict]]:
    return judge_range(_worker["conn"], _worker["model"], after, upto)


@contextmanager
def judging(conn, model: Model, total: int):
    """submit(after, upto) -> a function that returns judge_range's result for that id
    range, so the caller can write flags while later ranges are judged. Large runs are
    split over one forked worker per core, which inherits the loaded model and reads
    its messages with its own connection (sending them costs more than reading them)."""
    workers = min(os.cpu_count() or 1, 4)
    pool = None
    if total >= PARALLEL_FROM and workers > 1 and (path := shared_path(conn)):
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_open_worker, initargs=(path, model))

    def submit(after: int, upto: int) -> Callable[[], tuple[int, list[int], list[dict]]]:
        if pool is None:
            return lambda: judge_range(conn, model, after, upto)
        return pool.submit(_judge_range_in_worker, after, upto).result

    try:
        yield submit, workers if pool else 1
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def classify_messages(conn, model: Model, progress: Callable[[int, int], None] | None = None) -> int:
    """Score messages newer than the model's watermark; returns the number of flags added.
    What an earlier version flagged on messages read again and this one does not is
    withdrawn (`Rereading`)."""
    start = watermark(conn, model.detector)
    total = conn.execute("select count(*) from messages where id > ?", [start]).fetchone()[0]
    added = done = 0
    pending: deque = deque()  # (upto, its verdicts), in id order
    rereading = Rereading(model.detector, f"{model.task.name}@", model.categories)
    with judging(conn, model, total) as (submit, workers):
        last = start
        while True:
            upto = conn.execute("select max(id) from (select id from messages where id > ? order by id limit ?)",
                                [last, BATCH]).fetchone()[0]
            if upto is not None:
                pending.append((upto, submit(last, upto)))
                last = upto
            # A range in flight per worker and one more, so none waits while flags are written.
            while pending and (upto is None or len(pending) > workers):
                upto_written, judged = pending.popleft()
                read, scored, flags = judged()
                with conn:  # a range's flags and the watermark past it, in one transaction
                    rereading.read(conn, scored, flags)
                    added += insert_flags(conn, flags)
                    set_watermark(conn, model.detector, upto_written)
                done += read
                if progress:
                    progress(done, total)
            if upto is None:
                rereading.finish(conn)
                return added
