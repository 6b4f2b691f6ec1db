"""Recording decisions on flags: validation, the hash chain, bulk decisions."""
from __future__ import annotations

import re
from datetime import date

from ingest import chain
from ingest.records import stamp
from ingest.schema import HANDLING_ACTIONS, HANDLING_STATUSES

MAX_NOTE = 4000
_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)


class ValidationError(ValueError):
    """A decision that cannot be recorded; the message is shown to the supervisor."""


def validate(status: str, action: str, note: str, due_date: str | None) -> dict:
    status, action, note = (status or "").strip(), (action or "none").strip(), (note or "").strip()
    if status not in HANDLING_STATUSES:
        raise ValidationError("请选择处置状态")
    if action not in HANDLING_ACTIONS:
        raise ValidationError("请选择处置措施")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"备注不能超过 {MAX_NOTE} 字")
    if action == "refuted" and not note:
        raise ValidationError("辟谣请在备注中注明辟谣链接或信息来源")
    if action == "other" and not note:
        raise ValidationError("选择“其他”措施时请在备注中说明")
    due = (due_date or "").strip() or None
    if due:
        # fromisoformat alone also takes 20240101 and week dates (2024-W01-1), which would
        # be stored as typed; year 1 is no deadline either.
        try:
            if not _DAY.fullmatch(due) or not 2000 <= date.fromisoformat(due).year <= 2099:
                raise ValueError(due)
        except ValueError:
            raise ValidationError("办结期限格式应为 YYYY-MM-DD") from None
    return {"status": status, "action": action, "note": note, "due_date": due}


def record(conn, flag_ids: list[int], decision: dict, actor_id: str) -> list[int]:
    """Append one handling row per flag, chained; `conn` is a write connection. The caller
    passes a validated decision and the actor from the login, never from the form."""
    known = {row[0] for row in conn.execute(
        "select id from flags where id in (select value from json_each(?))", [str(list(flag_ids))])}
    missing = set(flag_ids) - known
    if missing:
        raise ValidationError(f"标记不存在：{', '.join(map(str, sorted(missing)))}")
    ids = []
    with conn:
        chain.begin_append(conn)
        prev = chain.last_hash(conn, "handling")
        next_id = conn.execute("select coalesce(max(id), 0) + 1 from handling").fetchone()[0]
        for flag_id in flag_ids:
            fields = {"id": next_id, "flag_id": flag_id, **decision, "actor_id": actor_id,
                      "created_at": stamp()}
            digest = chain.row_hash(prev, fields)
            conn.execute("insert into handling (id, flag_id, status, action, note, due_date, actor_id, created_at, "
                         "prev_hash, hash) values (:id, :flag_id, :status, :action, :note, :due_date, :actor_id, "
                         ":created_at, :prev_hash, :hash)", {**fields, "prev_hash": prev, "hash": digest})
            ids.append(next_id)
            prev, next_id = digest, next_id + 1
    return ids


EXEMPT_NOTE = "该群已登记为豁免群（群规第二条：党支部学习群等只归档、不标记），此标记不再核查"
REOPEN_NOTE = "该群已取消豁免，因豁免关闭的标记重新进入核查"


def close_exempt(conn, group_id: int, actor_id: str) -> int:
    """Close the flags nobody has handled yet of a group just marked exempt: such groups
    are archived, never flagged (群规 第二条), but flags raised before the exemption was
    recorded would wait in the queue for ever. One attributed handling row each, so the
    closing is traced like any decision; flags a supervisor has taken up stay theirs.
    Returns how many were closed."""
    untouched = [row[0] for row in conn.execute(
        "select f.id from flags f where f.group_id = ? and not exists "
        "(select 1 from flag_state s where s.flag_id = f.id) order by f.id", [group_id])]
    if untouched:
        record(conn, untouched, {"status": "resolved", "action": "none", "note": EXEMPT_NOTE, "due_date": None},
               actor_id)
    return len(untouched)


def reopen_exempt(conn, group_id: int, actor_id: str) -> int:
    """Undo `close_exempt` for a group no longer exempt: its flags closed for the exemption
    (and not decided since) are open again, one attributed handling row each; detectors
    raise a flag once, so they would not come back otherwise. Returns how many."""
    closed = [row[0] for row in conn.execute(
        "select f.id from flags f join handling h on h.id = (select max(id) from handling where flag_id = f.id) "
        "where f.group_id = ? and h.note = ? order by f.id", [group_id, EXEMPT_NOTE])]
    if closed:
        record(conn, closed, {"status": "reviewing", "action": "none", "note": REOPEN_NOTE, "due_date": None}, actor_id)
    return len(closed)
