"""Running every rule detector over the archive, incrementally, into `flags`."""
from __future__ import annotations

import importlib
import itertools
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from typing import Callable

from classifiers.classify import insert_flags, set_watermark, shared_path, watermark
from detectors import after_hours, credential_leak, privacy, proof_demand, red_packet, repeated_post, secret
from detectors.base import Message, load_config
from detectors.groups import detect_groups, settle
from detectors.learned import BY_TASK
from review.handling import Rereading

MESSAGE_DETECTORS = [after_hours, repeated_post, proof_demand, privacy, secret, credential_leak, red_packet]
BATCH = 20000
# From this many new messages, repeated_post (the costliest detector) runs in a forked
# process beside the others, on the second core (bench/classify.py).
BESIDE_FROM = 50_000


def detector_name(module) -> str:
    """The name on a detector's flags and watermark. A new VERSION of a detector reads the
    whole archive again: what its rules now find in old messages is flagged (one flag per
    subject and category), and what it finds no more is withdrawn (`Rereading`)."""
    return f"{detector_prefix(module)}{module.VERSION}"


def detector_prefix(module) -> str:
    """What the name of every version of a detector opens with (a version may hold a dot:
    after_hours' holds its notice model's)."""
    return f"rules@{module.NAME}."


def run_rules(conn, progress: Callable[[int, int], None] | None = None,
              today: date | None = None) -> tuple[int, list[str], int]:
    """Run message detectors on what each has not seen, then the group checks.
    Returns (flags added, warnings for the user, group flags closed or opened again)."""
    config = load_config(conn)
    context = {"conn": conn}
    marks = {m: watermark(conn, detector_name(m)) for m in MESSAGE_DETECTORS}
    last = min(marks.values())
    total = conn.execute("select count(*) from messages where id > ?", [last]).fetchone()[0]
    added = done = 0
    rereadings = {m: Rereading(detector_name(m), detector_prefix(m), (m.CATEGORY,)) for m in MESSAGE_DETECTORS}
    with _Beside(repeated_post, conn, config, total >= BESIDE_FROM) as beside:
        pending: tuple[list[Message], dict] | None = None  # a batch whose detector beside is still at work
        while True:
            messages = read_messages(conn, last, limit=BATCH)
            if messages:
                # The detector beside reads its messages itself: handing it 20k tuples costs
                # more in pickling than the reading does.
                aside = {m: beside.submit(max(last, marks[m]), messages[-1].id) for m in MESSAGE_DETECTORS
                         if beside.takes(m)}
                try:
                    found = [(module, module.detect(messages if marks[module] < messages[0].id else [
                        x for x in messages if x.id > marks[module]], config, context))
                        for module in MESSAGE_DETECTORS if module not in aside]
                except BaseException:
                    conn.rollback()  # what a detector wrote (repeated_post's band keys) goes with its flags
                    raise
                # Written after every detector has run: the process beside waits for the archive's
                # write lock (in sleeps of up to 100 ms) as long as this transaction is open.
                with conn:
                    for module, flags in found:
                        added += _record(conn, module, flags, marks, messages, rereadings[module])
            # The previous batch's flags from beside, written after this batch's others commit:
            # it works on the next batch meanwhile, and writes its own rows between.
            if pending:
                for module, flags in pending[1].items():
                    with conn:
                        added += _record(conn, module, flags.result(), marks, pending[0], rereadings[module])
            if not messages:
                break
            pending = (messages, aside)
            last = messages[-1].id
            done += len(messages)
            if progress:
                progress(done, total)
    for module, rereading in rereadings.items():
        rereading.finish(conn, withdraw=rereading.doubts(conn) and _reads_with_its_models(module))
    # Messages of exempt groups are skipped above; move every watermark past them too.
    newest = conn.execute("select coalesce(max(id), 0) from messages").fetchone()[0]
    with conn:
        for module in MESSAGE_DETECTORS:
            set_watermark(conn, detector_name(module), max(marks[module], newest))
            # An earlier version's watermark is of no use any more.
            conn.execute("delete from detector_state where detector like ? and detector != ?",
                         [f"{detector_prefix(module)}%", detector_name(module)])
        found = detect_groups(conn, config, today)
        added += insert_flags(conn, found.flags)
    settled = settle(conn, found)
    calendar = context.get("calendar")
    return added, (calendar.warnings if calendar else []) + context.get("warnings", []), settled


def read_messages(conn, after: int, upto: int = 2**63 - 1, limit: int = -1, where: tuple[str, list] = ("1", [])
                  ) -> list[Message]:
    """Messages with ids in (after, upto] that meet the SQL condition `where` (with its
    parameters), in id order, but those of exempt groups (Party-branch study groups,
    群规 第二条: archived, never flagged)."""
    # Not a join with groups: that costs ~0.6 s per 1M messages, the list of exempt groups nothing.
    # Each row, a tuple of Message's fields, becomes one without NamedTuple's call per row
    # (0.2 s of CPU per 1M messages; bench/classify.py reads 1.7M).
    return list(map(tuple.__new__, itertools.repeat(Message), conn.execute(
        "select id, group_id, member_id, sent_at, kind, coalesce(text, '') from messages where id > ? and id <= ? "
        f"and group_id not in (select id from groups where exempt) and ({where[0]}) order by id limit ?",
        [after, upto, *where[1], limit])))


def _record(conn, module, flags: list[dict], marks: dict, messages: list[Message], rereading: Rereading) -> int:
    """A detector's flags for a batch and its watermark past it (inside the caller's
    transaction), told to its `rereading`."""
    for f in flags:
        f["detector"] = detector_name(module)
    rereading.read(conn, [m.id for m in messages if m.id > marks[module]], flags)
    added = insert_flags(conn, flags)
    # Never back: a detector ahead of this batch (the others re-reading for a new version) stays ahead.
    marks[module] = max(marks[module], messages[-1].id)
    set_watermark(conn, detector_name(module), marks[module])
    return added


def _reads_with_its_models(module) -> bool:
    """Whether a detector reads with each model it is made for. Without one that loads it
    reads by wording alone, and withdraws nothing: what the model found is not wrong for
    that (its file damaged, say), and the next run with the model reads it all again."""
    return all(learned.loads() for learned in BY_TASK.values() if module.NAME in learned.detectors)


_side_context: dict = {}


def _open_side(path: str, module_name: str) -> None:
    from ingest.schema import open_archive

    _side_context.update(conn=open_archive(path).conn, module=importlib.import_module(module_name))


def _detect_side(after: int, upto: int, config: dict) -> list[dict]:
    conn, module = _side_context["conn"], _side_context["module"]
    # Only what the detector can flag: it reads every message otherwise, short replies and all.
    messages = read_messages(conn, after, upto, where=module.candidates(config))
    with conn:  # its own rows (repeated_post's band keys) in its own transaction
        return module.detect(messages, config, _side_context)


class _Beside:
    """One detector worked out in a forked process with its own connection, while this
    one runs the others: `submit(after, upto)` returns a future of its flags. The process
    keeps the detector's state between batches (repeated_post's window of posts).
    Without a second core or fork, for an archive the process could not open as `conn`
    sees it (classify.shared_path), or when not `wanted`, it takes no detector."""

    def __init__(self, module, conn, config: dict, wanted: bool):
        self.module, self.config, self.pool = module, config, None
        if wanted and multiprocessing.cpu_count() > 1 and (path := shared_path(conn)):
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_open_side, initargs=(path, module.__name__))

    def takes(self, module) -> bool:
        return self.pool is not None and module is self.module

    def submit(self, after: int, upto: int) -> Future:
        """Its flags for the messages with ids in (after, upto]."""
        return self.pool.submit(_detect_side, after, upto, self.config)

    def __enter__(self) -> _Beside:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
