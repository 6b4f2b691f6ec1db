"""Group-level rules, checked against the registry (`qunguan groups set`), the roster and
the flags already raised. Their subject is a group, a group's week, or a member; exempt
groups (Party-branch study groups, 群规 第二条) are never flagged."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta
from typing import NamedTuple

from classifiers.classify import set_watermark, watermark
from detectors.group_checks import DETECTOR
from ingest.records import local_now, week_days, week_label
from review.handling import REOPEN_NOTE, Standing, settle_flags

ARTICLES = {
    "group_duplicate_unit": "群规 第一条", "group_no_admin": "群规 第四条",
    "group_temporary_expired": "群规 第五条", "group_idle": "群规 第五条",
    "group_member_unverified": "群规 第六条", "group_member_hidden_name": "群规 第六条",
    "group_chatter_share": "群规 第十二条",
}


def _flag(subject: str, category: str, evidence: str, group_id: int | None, member_id: int | None = None) -> dict:
    return {"subject": subject, "category": category, "group_id": group_id, "member_id": member_id,
            "score": 1.0, "detector": DETECTOR, "article": ARTICLES[category], "evidence": evidence}


def _groups(conn, today: date) -> list[dict]:
    """The work groups as they stand `today`: not exempt, not dissolved."""
    cursor = conn.execute("select g.id, g.name, g.unit, g.admin, g.temporary_until, g.purpose, "
                          "(select max(sent_at) from messages m where m.group_id = g.id) from groups g where not g.exempt "
                          "and (g.dissolved_on is null or g.dissolved_on > ?)", [today.isoformat()])
    return [dict(zip(("id", "name", "unit", "admin", "until", "purpose", "last"), row)) for row in cursor]


def registry_flags(conn, config: dict, today: date) -> list[dict]:
    """One work group per unit (第一条), a named admin (第四条), temporary groups ended or idle (第五条)."""
    groups = _groups(conn, today)
    flags = []
    by_unit: dict[str, list[dict]] = {}
    for g in groups:
        # An extra group with an approved purpose (专班, 第三条) is not a second work group.
        if g["unit"] and not g["purpose"] and not (g["until"] and date.fromisoformat(g["until"]) < today):
            by_unit.setdefault(g["unit"], []).append(g)
        if not g["admin"]:
            flags.append(_flag(f"group:{g['id']}", "group_no_admin", f"「{g['name']}」未登记群管理员", g["id"]))
        if g["until"]:
            until = date.fromisoformat(g["until"])
            if until < today:
                flags.append(_flag(f"group:{g['id']}", "group_temporary_expired",
                                   f"临时工作群「{g['name']}」已于 {until} 到期，应及时解散", g["id"]))
            elif g["last"] and (today - datetime.fromisoformat(g["last"]).date()).days > config["idle_days"]:
                flags.append(_flag(f"group:{g['id']}", "group_idle",
                                   f"临时工作群「{g['name']}」已 {(today - datetime.fromisoformat(g['last']).date()).days} 天无消息，"
                                   "工作结束应及时解散", g["id"]))
    for unit, members in by_unit.items():
        if len(members) > 1:
            names = "、".join(f"「{g['name']}」" for g in members)
            for g in members:
                flags.append(_flag(f"group:{g['id']}", "group_duplicate_unit",
                                   f"单位「{unit}」有 {len(members)} 个工作群：{names}，原则上一个单位只建一个工作群", g["id"]))
    return flags


def member_flags(conn, config: dict) -> list[dict]:
    """Members not on the roster, and display names that hide who they are (第六条)."""
    patterns = [re.compile(p) for p in config["hidden_name_patterns"]]
    real_name = re.compile(f"^[{re.escape(config['real_name_surnames'])}][\u4e00-\u9fff]{{1,2}}$")
    flags = []
    # A text export names its exporter "我", without an id: whoever exported it, not a
    # member anyone can put on the roster under that name.
    rows = conn.execute("select m.id, m.group_id, m.display_name, m.sender_id, p.name, g.name, "
                        "(select count(*) from people o where o.name = trim(m.display_name) and o.left_on is null) "
                        "from members m join groups g on g.id = m.group_id left join people p on p.id = m.person_id "
                        "where not g.exempt and not (m.display_name = '我' and m.sender_id is null) "
                        "order by m.group_id, m.sender_id is null, m.id")
    # One sender archived twice in a group, by id from one exporter and by name alone from
    # another (PyWxDump's wxid, MemoTrace 2025's name), is one person: said once, of the
    # member with the id.
    said: set[tuple[int, str]] = set()
    for member, group_id, display, sender, person, group, namesakes in rows:
        shown = display or sender or ""
        if person is None and display:
            if (group_id, display.strip()) in said:
                continue
            said.add((group_id, display.strip()))
        if person is None:
            flags.append(_flag(f"member:{member}", "group_member_unverified",
                               f"「{group}」成员「{shown}」在实名花名册中有 {namesakes} 人同名，无法确定是哪一位，"
                               "请在花名册中登记其群昵称或微信号" if namesakes > 1 else
                               f"「{group}」成员「{shown}」不在实名花名册中", group_id, member))
        # 李平安 is a surname and a given name; 阳光 opens with the nickname word itself.
        if display and any(p.search(display) for p in patterns) and (person is None or person not in display) \
                and not (real_name.match(display.strip()) and not any(p.match(display.strip()) for p in patterns)):
            flags.append(_flag(f"member:{member}", "group_member_hidden_name",
                               f"「{group}」成员群昵称「{display}」看不出真实身份" + (f"（花名册：{person}）" if person else ""),
                               group_id, member))
    return flags


# What the weekly chatter check has counted (messages and flags up to these ids) is kept
# in detector_state under names that carry a digest of what the counting depends on: a
# change of thresholds or of exempt groups starts again from a full recount.
CHATTER_STATE = "rules@group_chatter"
# 2: flags dismissed as false alarms are not chatter; 3: the week of New Year is one week
CHATTER_VERSION = 3
_TEXT = "kind in ('text', 'quote')"
_CHATTER = ("f.category in ('offtopic', 'flattery') and not exists "
            "(select 1 from flag_state s where s.flag_id = f.id and s.status = 'dismissed')")


def chatter_flags(conn, config: dict) -> tuple[list[dict], set[str]]:
    """Weeks in which off-topic or flattery messages pass the configured share (第十二条),
    and the subjects of every week counted this time, passing or not."""
    flags, counted = [], set()
    for group_id, name, week, total, chatter in _weekly_counts(conn, config):
        counted.add(f"group:{group_id}:{week}")
        if total >= config["weekly_min_messages"] and chatter / total > config["weekly_share"]:
            first, last = week_days(week)
            # Dated by its week, not by the run that found it: the period reports count it there.
            flags.append({**_flag(f"group:{group_id}:{week}", "group_chatter_share",
                                  f"「{name}」{first} 至 {last} 这一周共 {total} 条消息，"
                                  f"闲聊/吹捧 {chatter} 条（{chatter / total:.0%}），群聊有变成聊天群、夸夸群的倾向", group_id),
                          "occurred_at": f"{first}T00:00:00"})
    return flags, counted


def _weekly_counts(conn, config: dict) -> list[tuple]:
    """(group id, name, week, text messages, chatter messages) of the weeks that may have
    changed since the last check: those with messages archived since, or with chatter
    flags raised (a new model version flags old weeks anew) or decided since (a false
    alarm dismissed is not chatter). The first check counts
    every week in one pass over the archive (1.1 s at 1M messages, and some 0.1 s
    more for labelling each by its Monday); later ones read, for
    each group, the stretch of weeks from its earliest change to its latest through its
    time index: for a weekly run, a week or two."""
    exempt = [row[0] for row in conn.execute("select id from groups where exempt order by id")]
    digest = hashlib.sha256(json.dumps([CHATTER_VERSION, config["weekly_share"], config["weekly_min_messages"], exempt]
                                       ).encode()).hexdigest()[:12]
    # The flags' and decisions' watermarks sit in detector_state's last_message_id column too.
    names = [f"{CHATTER_STATE}.{digest}.{table}" for table in ("messages", "flags", "handling")]
    seen = [watermark(conn, name) for name in names]
    newest = conn.execute("select (select coalesce(max(id), 0) from messages), (select coalesce(max(id), 0) from flags), "
                          "(select coalesce(max(id), 0) from handling)").fetchone()
    conn.execute("delete from detector_state where detector like ? and detector not in (?, ?, ?)",
                 [f"{CHATTER_STATE}.%", *names])
    for name, last_id in zip(names, newest):
        set_watermark(conn, name, last_id)
    if not any(seen):
        # Messages and chatter flags counted apart: a join of every message with its flags
        # cost 1.8 s at 1M messages, the two counts 1.1 s.
        return conn.execute(
            f"with totals as (select group_id, {week_label('sent_at')} as week, count(*) as total from messages "
            f"where {_TEXT} group by 1, 2), chatter as (select m.group_id, {week_label('m.sent_at')} as week, "
            f"count(distinct m.id) as chatter from flags f join messages m on m.id = f.message_id where {_CHATTER} "
            f"and m.{_TEXT} group by 1, 2) select t.group_id, g.name, t.week, t.total, coalesce(c.chatter, 0) "
            "from totals t join groups g on g.id = t.group_id left join chatter c using (group_id, week) "
            "where not g.exempt").fetchall()
    changed = conn.execute(
        f"select group_id, g.name, min(sent_at), max(sent_at) from (select group_id, sent_at from messages where id > ? "
        f"and {_TEXT} union all select m.group_id, m.sent_at from flags f join messages m on m.id = f.message_id "
        f"where f.id > ? and f.category in ('offtopic', 'flattery') and m.{_TEXT} union all select m.group_id, m.sent_at "
        "from handling h join flags f on f.id = h.flag_id join messages m on m.id = f.message_id where h.id > ? "
        f"and f.category in ('offtopic', 'flattery') and m.{_TEXT}) join groups g on g.id = group_id "
        "where not g.exempt group by group_id", seen).fetchall()
    counts = []
    for group_id, name, first, last in changed:
        # The changed weeks whole, Monday 00:00 to the Monday after the last: a week cut
        # short at either end would be judged on part of its messages.
        first_day, last_day = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
        span = [group_id, (first_day - timedelta(days=first_day.weekday())).isoformat(),
                (last_day + timedelta(days=7 - last_day.weekday())).isoformat()]
        chatter = dict(conn.execute(
            f"select {week_label('m.sent_at')}, count(distinct m.id) from flags f join messages m "
            f"on m.id = f.message_id where m.group_id = ? and m.sent_at between ? and ? and m.{_TEXT} "
            f"and {_CHATTER} group by 1", span))
        counts += [(group_id, name, week, total, chatter.get(week, 0)) for week, total in conn.execute(
            f"select {week_label('sent_at')}, count(*) from messages where group_id = ? and sent_at between ? and ? "
            f"and {_TEXT} group by 1", span)]
    return counts


# What a group check finds holds only while the registry and roster say so, and the
# weekly chatter share only while the week's messages and verdicts say so.
SETTLED_NOTE = "登记信息或花名册已更新，此项已不成立"
RECOUNTED_NOTE = "该周消息或核查结论已更新，闲聊/吹捧占比已不超过阈值"
RECUR_NOTE = "此项曾因登记信息或花名册更新而自动关闭，现再次出现，重新进入核查"
RECOUNTED_AGAIN_NOTE = "该周重新统计后闲聊/吹捧占比再次超过阈值，重新进入核查"
# Weeks were once cut at New Year (2025-W00 from 1 January): such a part week's flag is
# no week the check counts any more, and would else stay open for good beside its week's.
# Closed so, no count takes it in (`group_checks.PART_WEEK_CLOSED`).
NEW_YEAR_NOTE = "元旦所在的一周现按周一至周日整周统计，此项为按年份拆开的部分周，已不再单独核查"
_SETTLERS = (SETTLED_NOTE, RECOUNTED_NOTE)
# Openings no supervisor made: the detector's own, and taking an exemption back.
_OPENED_AGAIN = (RECUR_NOTE, RECOUNTED_AGAIN_NOTE, REOPEN_NOTE)


class GroupFindings(NamedTuple):
    flags: list[dict]
    counted: set[str]  # subjects of the weeks whose chatter share was counted this time


def settle(conn, found: GroupFindings) -> int:
    """Keep the group flags in step with what the checks find now (review.handling.settle_flags):
    close the flags that nobody has handled yet (or that were only opened again by the
    detector, or by taking an exemption back) and that the checks no longer find (an
    admin named, a member put on the roster, a 专班 approved, a week whose chatter share
    fell, a part week of New Year as weeks were once cut), and open again the flags the
    detector closed that the checks find once more (the admin's name taken off again),
    which would else stay closed for good: a flag is raised once. A supervisor's decisions
    stay theirs. The evidence of the flags still found is brought up to date. Returns how
    many flags changed status."""
    def decide(flag: Standing, finding: dict | None) -> tuple[str, str] | None:
        chatter = flag.category == "group_chatter_share"
        if finding is not None:
            if flag.actor == DETECTOR and flag.note in _SETTLERS:
                return "reviewing", RECOUNTED_AGAIN_NOTE if chatter else RECUR_NOTE
        elif flag.actor is None or flag.note in _OPENED_AGAIN:
            if not chatter:
                return "resolved", SETTLED_NOTE
            if flag.subject in found.counted:
                return "resolved", RECOUNTED_NOTE
            if not _a_week_counted(flag.subject):
                return "resolved", NEW_YEAR_NOTE
        return None

    return settle_flags(conn, DETECTOR, ARTICLES, found.flags, decide, _OPENED_AGAIN)


def _a_week_counted(subject: str) -> bool:
    """Whether the week of a chatter flag's subject (group:N:2025-W09) is one the check
    labels so: not a part week of New Year as labelled before the week was made whole."""
    week = subject.rsplit(":", 1)[1]
    return week_days(week)[0].strftime("%Y-W%W") == week


def detect_groups(conn, config: dict, today: date | None = None) -> GroupFindings:
    today = today or local_now().date()
    settings = config["group"]
    chatter, counted = chatter_flags(conn, settings)
    return GroupFindings(registry_flags(conn, settings, today) + member_flags(conn, settings) + chatter, counted)
