"""Recording decisions on flags: validation, the hash chain, bulk decisions."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import NamedTuple

from ingest import chain
from ingest.records import local_now, stamp
from ingest.schema import ACTION_NAMES, HANDLING_ACTIONS, HANDLING_STATUSES
from review.days import read_day

MAX_NOTE = 4000
# How the decisions no person made are signed: a check settling its own flags (its
# detector, rules@groups or rules@accounts.1, in `settle_flags`; a message check, rules@…
# or the chat model chat@…, in `Rereading`) and a command closing or
# opening again an exempt group's flags (cli:<os user>, `close_exempt`). No user is
# named so (`auth.add_user`), or their decisions would pass for these.
NOT_A_PERSON = ("rules@", "chat@", "cli:")


def signed_by_a_person(column: str) -> str:
    """SQL: the actor in `column` is a person, not a check or a command."""
    return "(" + " and ".join(f"{column} not like '{prefix}%'" for prefix in NOT_A_PERSON) + ")"


# A handling row `h` a person wrote. How long handling took counts only these: the others
# are no one taking up a case.
BY_A_PERSON = signed_by_a_person("h.actor_id")
# A flag `f` whose state `s` is a check's withdrawal (Rereading): a message's 误报 no person
# signed. (The new-media checks keep a supervisor's 误报 on an account when its finding goes:
# their row is no person's, and the decision is.)
WITHDRAWN = f"(s.status is 'dismissed' and f.message_id is not null and not {signed_by_a_person('s.actor_id')})"


class ValidationError(ValueError):
    """A decision that cannot be recorded; the message is shown to the supervisor."""


class Busy(ValidationError):
    """A decision not recorded because another program (an import, `classify`) held the
    archive's write lock for longer than a page waits; sending it again will do."""

    def __init__(self):
        super().__init__("数据库正忙：其他程序（如导入、违规识别）正在写入，本次处置未保存，请稍后重新提交")


def validate(status: str, action: str, note: str, due_date: str | None, actions: tuple[str, ...] = HANDLING_ACTIONS,
             today: date | None = None) -> dict:
    """The decision to record, or ValidationError saying in Chinese what is wrong: an
    action not among `actions` (those fitting the flag, `actions_for`), 误报 with a
    measure taken, a due date before `today` (the archive's local date by default). The
    note loses control characters (NUL …) but line breaks and tabs."""
    status, action, note = (status or "").strip(), (action or "none").strip(), clean_text(note or "").strip()
    if status not in HANDLING_STATUSES:
        raise ValidationError("请选择处置状态")
    if action not in HANDLING_ACTIONS:
        raise ValidationError("请选择处置措施")
    if action not in actions:
        raise ValidationError(f"此类标记不适用“{ACTION_NAMES[action]}”，请另选处置措施")
    if status == "dismissed" and action != "none":
        raise ValidationError(f"标记为误报时不应采取处置措施（所选：{ACTION_NAMES[action]}），措施请选“无”")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"备注不能超过 {MAX_NOTE} 字")
    if action == "refuted" and not note:
        raise ValidationError("辟谣请在备注中注明辟谣链接或信息来源")
    if action == "other" and not note:
        raise ValidationError("选择“其他”措施时请在备注中说明")
    return {"status": status, "action": action, "note": note, "due_date": _due(due_date, today or local_now().date())}


def _due(text: str | None, today: date) -> str | None:
    """The due date as YYYY-MM-DD, however the form's date field sent it (`read_day`)."""
    if not (text or "").strip():
        return None
    due = read_day(text)
    # Year 1 is no deadline.
    if due is None or not 2000 <= due.year <= 2099:
        raise ValidationError("办结期限格式应为 YYYY-MM-DD（如 2025-03-31）")
    if due < today:
        raise ValidationError(f"办结期限不能早于今天（{today.isoformat()}）")
    return due.isoformat()


# Characters a form may carry that no note means: NUL and the other controls, but the
# line breaks and tabs of the text typed (a browser sends a line break as CR LF).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def actions_for(flag: dict) -> tuple[str, ...]:
    """The actions that fit `flag` (a row with its message_id, member_id and post_id):
    移出群聊 needs a group's member (a message's sender, or the member flagged), 要求撤回
    something posted (a message or an article). A new-media account, or a group itself
    (no admin named, say), takes neither."""
    unfit = set()
    if not (flag.get("message_id") or flag.get("member_id")):
        unfit.add("removed")
    if not (flag.get("message_id") or flag.get("post_id")):
        unfit.add("recalled")
    return tuple(action for action in HANDLING_ACTIONS if action not in unfit)


def decide(conn, flag_id: int, form: dict, actor_id: str, seen: int) -> tuple[dict | None, list[dict]]:
    """A case form's decision on one flag, validated for that flag and recorded unless
    someone decided on it after `seen` (`record_current`): (the decision, []) once it is
    recorded, or (None, those newer decisions). Newer decisions are looked for before the
    form is validated: a form sent back to be corrected must not hide them, or its
    corrected copy would be recorded over them. `conn` is a write connection."""
    with conn:
        chain.begin_append(conn)
        newer = _newer(conn, [flag_id], seen)
        if newer:
            return None, newer
        cursor = conn.execute("select message_id, member_id, post_id from flags where id = ?", [flag_id])
        flag = dict(zip([d[0] for d in cursor.description], cursor.fetchone() or ()))
        decision = validate(form.get("status"), form.get("action"), form.get("note"), form.get("due_date"),
                            actions_for(flag))
        record(conn, [flag_id], decision, actor_id)
        return decision, []


def record(conn, flag_ids: list[int], decision: dict, actor_id: str) -> list[int]:
    """Append one handling row per flag, chained; `conn` is a write connection. The caller
    passes a validated decision and the actor from the login, never from the form."""
    known = {row[0] for row in conn.execute(
        "select id from flags where id in (select value from json_each(?))", [str(list(flag_ids))])}
    missing = set(flag_ids) - known
    if missing:
        raise ValidationError(f"标记不存在：{', '.join(map(str, sorted(missing)))}")
    with conn:
        chain.begin_append(conn)
        return _append(conn, [(flag_id, decision) for flag_id in flag_ids], actor_id)


def _append(conn, decisions: list[tuple[int, dict]], actor_id: str) -> list[int]:
    """Append a handling row per (flag id, decision) in the caller's transaction, which
    holds the write lock; returns the rows' ids."""
    ids = []
    prev = chain.last_hash(conn, "handling")
    next_id = conn.execute("select coalesce(max(id), 0) + 1 from handling").fetchone()[0]
    for flag_id, decision in decisions:
        fields = {"id": next_id, "flag_id": flag_id, **decision, "actor_id": actor_id, "created_at": stamp()}
        digest = chain.row_hash(prev, fields)
        conn.execute("insert into handling (id, flag_id, status, action, note, due_date, actor_id, created_at, "
                     "prev_hash, hash) values (:id, :flag_id, :status, :action, :note, :due_date, :actor_id, "
                     ":created_at, :prev_hash, :hash)", {**fields, "prev_hash": prev, "hash": digest})
        ids.append(next_id)
        prev, next_id = digest, next_id + 1
    return ids


class Standing(NamedTuple):
    """A flag as a check's settling sees it: its latest handling row, if any (status,
    note, actor and time are None for a flag nobody has handled)."""

    id: int
    subject: str
    category: str
    account_id: int | None
    status: str | None
    note: str | None
    actor: str | None
    decided_at: str | None  # YYYY-MM-DDTHH:MM:SS


def settle_flags(conn, detector: str, categories, found: list[dict], decide, opened_notes=()) -> int:
    """Keep the flags of a check's `categories` in step with what it finds now (`found`,
    flags as insert_flags takes them). `decide(standing, finding or None)` says for each
    flag what the check records, as (status, note), or None to leave it; each change is
    one handling row by `detector`, so it is traced like a supervisor's decision. The
    flags are chosen under the write lock and every row is written in that transaction:
    a decision a supervisor posts meanwhile is seen, never overwritten. Then the evidence
    of the flags found is brought up to date where nobody but the detector has handled
    them (or the latest row's note is one of `opened_notes`: openings no supervisor made).
    Returns how many flags changed."""
    findings = {(f["subject"], f["category"]): f for f in found}
    chain.begin_append(conn)
    changes = []
    for row in conn.execute(
            "select f.id, f.subject, f.category, f.account_id, s.status, h.note, h.actor_id, h.created_at "
            "from flags f left join flag_state s on s.flag_id = f.id left join handling h on h.id = "
            f"(select max(id) from handling where flag_id = f.id) where f.category in ({', '.join('?' * len(categories))}) "
            "order by f.id", list(categories)).fetchall():
        standing = Standing(*row)
        change = decide(standing, findings.get((standing.subject, standing.category)))
        if change:
            changes.append((standing.id, {"status": change[0], "action": "none", "note": change[1], "due_date": None}))
    _append(conn, changes, detector)
    # The evidence says how things stand at this check (已 58 天无消息, 已 393 天未更新), but
    # what a supervisor decided on stays as they read it while their decision stands, the
    # detector's later rows (that the finding went) notwithstanding.
    conn.executemany("update flags set evidence = :evidence where subject = :subject and category = :category "
                     "and evidence != :evidence and (coalesce((select h.note in (select value from json_each(:opened)) "
                     "from handling h where h.flag_id = flags.id order by h.id desc limit 1), 0) or not exists "
                     "(select 1 from handling h where h.flag_id = flags.id and h.actor_id != :detector))",
                     [{**f, "detector": detector, "opened": json.dumps(list(opened_notes), ensure_ascii=False)}
                      for f in found])
    conn.commit()
    return len(changes)


WITHDRAWN_NOTE = "重新检查后不再认定为违规（检测程序或其设置已更新，或消息已补全），系统自动撤销此标记；如仍认为违规，可重新处置"
REFOUND_NOTE = "此标记曾因重新检查未再认定而自动撤销，现再次认定为违规，重新进入核查"


class Rereading:
    """A message check reading messages again (a new model or detector version, a setting
    changed, a cut message completed), its earlier flags kept in step with what it finds
    now. A flag of its `categories` raised by any version of it (its `detector` name opens
    with `family`: chat@, rules@after_hours.) that it finds again, and that it withdrew
    before, is open again at once. One on a message it read that it does not find is
    withdrawn (closed as a false alarm) when the reading ends (`finish`), if it found it
    by then on no later message's account (a repeat is known as one once its copy is read)
    and nobody has decided on it meanwhile. What it doubted and found is kept in
    `reread_doubts`, so a run cut short and run again withdraws what its first part read.
    Each change is one handling row signed `detector`, traced like a supervisor's decision."""

    def __init__(self, detector: str, family: str, categories):
        self.detector, self.family, self.categories = detector, family, tuple(categories)

    def read(self, conn, judged: list[int], found: list[dict]) -> None:
        """A batch: the ids of the messages it read, in order, and its flags (as insert_flags
        takes them); in the caller's transaction, which this opens if need be."""
        if not judged and not found:
            return
        # The write lock first: a supervisor's decision posted between reading a flag's
        # latest decision and opening the flag again would be overwritten.
        chain.begin_append(conn)
        found_keys = {(f["message_id"], f["category"]) for f in found}
        reading = set(judged)
        rows = self._standing(conn, "f.message_id between ? and ?", judged[0], judged[-1]) if judged else []
        if outside := sorted({f["message_id"] for f in found} - reading):  # a repeat of a post read before
            rows += self._standing(conn, "f.message_id in (select value from json_each(?))", json.dumps(outside))
        again, seen = [], []
        for flag_id, message_id, category, note, actor in rows:
            if (message_id, category) in found_keys:
                seen.append((self.detector, flag_id, 1))
                if _by_a_check(actor) and note == WITHDRAWN_NOTE:
                    again.append((flag_id, {"status": "reviewing", "action": "none", "note": REFOUND_NOTE, "due_date": None}))
            elif message_id in reading:
                seen.append((self.detector, flag_id, 0))
        conn.executemany("insert into reread_doubts (detector, flag_id, found) values (?, ?, ?) "
                         "on conflict do update set found = max(found, excluded.found)", seen)
        if again:
            _append(conn, again, self.detector)

    def finish(self, conn, withdraw: bool = True, chunk: int = 1000) -> int:
        """Withdraw what it doubted and never found (unless not `withdraw`), a chunk per
        transaction (the web UI waits for the write lock meanwhile); returns how many."""
        withdrawn = 0
        while withdraw:
            with conn:
                chain.begin_append(conn)
                doubted = conn.execute("select d.flag_id, h.note, h.actor_id from reread_doubts d left join handling h "
                                       "on h.id = (select max(id) from handling where flag_id = d.flag_id) "
                                       "where d.detector = ? and d.found = 0 order by d.flag_id limit ?",
                                       [self.detector, chunk]).fetchall()
                closing = [(flag_id, {"status": "dismissed", "action": "none", "note": WITHDRAWN_NOTE, "due_date": None})
                           for flag_id, note, actor in doubted if actor is None or _by_a_check(actor) and note == REFOUND_NOTE]
                if closing:
                    _append(conn, closing, self.detector)
                conn.executemany("delete from reread_doubts where detector = ? and flag_id = ?",
                                 [(self.detector, flag_id) for flag_id, _, _ in doubted])
                withdrawn += len(closing)
            if len(doubted) < chunk:
                break
        # Those found, and any an older version's reading left (cut short, then replaced).
        with conn:
            conn.execute("delete from reread_doubts where substr(detector, 1, ?) = ?", [len(self.family), self.family])
        return withdrawn

    def doubts(self, conn) -> bool:
        """Whether it has doubted a flag it has not found."""
        return conn.execute("select exists (select 1 from reread_doubts where detector = ? and found = 0)",
                            [self.detector]).fetchone()[0]

    def _standing(self, conn, where: str, *params) -> list[tuple]:
        """(flag id, message id, category, latest note, latest actor) of its flags where `where`."""
        # `+f.category`: by the flags of the message ids, not every flag of the category.
        return conn.execute(
            "select f.id, f.message_id, f.category, h.note, h.actor_id from flags f left join handling h on h.id = "
            "(select max(id) from handling where flag_id = f.id) where +f.category in "
            f"({', '.join('?' * len(self.categories))}) and substr(f.detector, 1, ?) = ? and {where}",
            [*self.categories, len(self.family), self.family, *params]).fetchall()


def _by_a_check(actor: str | None) -> bool:
    return actor is not None and actor.lower().startswith(NOT_A_PERSON)


def withdrawn_since(conn, handling_id: int) -> int:
    """How many flags a `Rereading` withdrew or opened again after that handling row."""
    return conn.execute("select count(*) from handling where id > ? and note in (?, ?)",
                        [handling_id, WITHDRAWN_NOTE, REFOUND_NOTE]).fetchone()[0]


def latest_id(conn) -> int:
    """The id of the latest decision on any flag (0 before the first): a form shown now
    passes it back as `seen` to `record_current`."""
    return conn.execute("select coalesce(max(id), 0) from handling").fetchone()[0]


def record_current(conn, flag_ids: list[int], decision: dict, actor_id: str, seen: int) -> tuple[list[int], list[dict]]:
    """`record` the decision on those flags nobody has decided on since the form was shown
    (`seen`: the latest handling id it knew of; 0 for none), so that two supervisors on
    the same case do not silently override each other. The check and the append are one
    transaction. Returns the new rows' ids, and the latest decision on each flag left out."""
    with conn:
        chain.begin_append(conn)
        newer = _newer(conn, flag_ids, seen)
        decided = {row["flag_id"] for row in newer}
        fresh = [flag_id for flag_id in flag_ids if flag_id not in decided]
        return (record(conn, fresh, decision, actor_id) if fresh else []), newer


def _newer(conn, flag_ids: list[int], seen: int) -> list[dict]:
    """The latest decision on each of those flags that was made after `seen`."""
    cursor = conn.execute(
        "select h.* from handling h where h.id > ? and h.flag_id in (select value from json_each(?)) "
        "and h.id = (select max(id) from handling where flag_id = h.flag_id) order by h.flag_id",
        [seen, str(list(flag_ids))])
    return [dict(zip([d[0] for d in cursor.description], row)) for row in cursor]


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
