"""Running every rule detector over the archive, incrementally, into `flags`."""
from __future__ import annotations

from datetime import date
from typing import Callable

from classifiers.classify import insert_flags, set_watermark, watermark
from detectors import after_hours, credential_leak, privacy, proof_demand, red_packet, repeated_post, secret
from detectors.base import Message, load_config
from detectors.groups import detect_groups

MESSAGE_DETECTORS = [after_hours, repeated_post, proof_demand, privacy, secret, credential_leak, red_packet]
VERSION = "1"
BATCH = 20000


def detector_name(module) -> str:
    return f"rules@{module.NAME}.{VERSION}"


def run_rules(conn, progress: Callable[[int, int], None] | None = None, today: date | None = None) -> tuple[int, list[str]]:
    """Run message detectors on what each has not seen, then the group checks.
    Returns (flags added, warnings for the user)."""
    config = load_config(conn)
    context = {"conn": conn}
    marks = {m: watermark(conn, detector_name(m)) for m in MESSAGE_DETECTORS}
    last = min(marks.values())
    total = conn.execute("select count(*) from messages where id > ?", [last]).fetchone()[0]
    added = done = 0
    while True:
        rows = conn.execute(
            "select m.id, m.group_id, m.member_id, m.sent_at, m.kind, coalesce(m.text, '') from messages m "
            "join groups g on g.id = m.group_id where m.id > ? and not g.exempt order by m.id limit ?",
            [last, BATCH]).fetchall()
        if not rows:
            break
        messages = [Message(*row) for row in rows]
        with conn:
            for module in MESSAGE_DETECTORS:
                fresh = messages if marks[module] < messages[0].id else [m for m in messages if m.id > marks[module]]
                flags = [{**f, "detector": detector_name(module)} for f in module.detect(fresh, config, context)]
                added += insert_flags(conn, flags)
                marks[module] = messages[-1].id
                set_watermark(conn, detector_name(module), marks[module])
        last = messages[-1].id
        done += len(rows)
        if progress:
            progress(done, total)
    # Messages of exempt groups are skipped above; move every watermark past them too.
    newest = conn.execute("select coalesce(max(id), 0) from messages").fetchone()[0]
    with conn:
        for module in MESSAGE_DETECTORS:
            set_watermark(conn, detector_name(module), max(marks[module], newest))
        added += insert_flags(conn, detect_groups(conn, config, today))
    calendar = context.get("calendar")
    return added, calendar.warnings if calendar else []
