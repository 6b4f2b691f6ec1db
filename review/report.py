"""The report for the unit's leaders on a period (群规 第七条: the group's owner records
what matters and reports it; 第十三条: the Party group supervises and sees breaches
handled quickly): the groups' activity, what was flagged, how much of it is handled, and
what is still waiting; and the same for the new-media accounts (《党务政务新媒体管理办法》).
Chinese Markdown, to paste into a document or print.

Breaches in messages are named by their flag number (the case page
`/-/qunguan/flags/<n>`), group and time, never by who posted them: like the dashboard,
the report ranks no individuals. (A member off the roster is named: that member is the case.)"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from classifiers.classify import watermark
from detectors.group_checks import DETECTOR as GROUP_CHECKS, PART_WEEK_CLOSED
from detectors.run import MESSAGE_DETECTORS, detector_name, detector_prefix
from ingest.records import local_now
from ingest.schema import ACCOUNT_STATUSES, CATEGORY_NAMES, OPEN_STATUSES
from ingest.user_errors import UserError
from review.audit import chains
from review.handling import WITHDRAWN
from review.queue import dict_rows

OVERDUE_DAYS = 3  # 第十三条 "迅速处置": the auditors' canned query uses the same
SERIOUS = 4  # severity from which an open case is listed on its own
LISTED = 30  # cases listed per section; the rest are counted
_OPEN = f"(s.status is null or s.status in ({', '.join(repr(s) for s in OPEN_STATUSES)}))"
# Not found to be a false alarm: dismissed by a supervisor (or withdrawn by its check), or a week's chatter share that
# the detector itself closed once the whole week was counted (a part week of New Year it
# closed is no week's flag: counted nowhere, PART_WEEK_CLOSED). `is`, never `=`: a flag
# nobody has decided on has no status, and NULL here would leave it out of every count.
_REAL = ("(s.status is not 'dismissed' and not (f.category = 'group_chatter_share' and s.status is 'resolved' "
         f"and s.actor_id is '{GROUP_CHECKS}'))")
# A category's flags (n): the false alarms, the cases handled and the cases waiting, each
# flag in one of them.
_COUNTS = (f"count(*) as n, sum(not {_REAL}) as dismissed, sum(s.status is 'resolved' and {_REAL}) as resolved, "
           f"sum({_OPEN}) as waiting, sum({WITHDRAWN}) as withdrawn")


def last_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the last whole week before `today`."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The days a report is on: from `since` to `until`; from `since` for a week, or the
    week ending `until`, when one is missing; last week (`last_week`) when both are.
    ValueError when the period runs backwards or off the calendar (the report reads up
    to the day after its last)."""
    try:
        if since:
            start, end = since, until or since + timedelta(days=6)
        elif until:
            start, end = until - timedelta(days=6), until
        else:
            start, end = last_week(today)
    except OverflowError:
        start = end = date.max
    if end == date.max:
        raise UserError(f"the period must end before {date.max.isoformat()} and start after {date.min.isoformat()}",
                        f"报告期须在 {date.max.isoformat()} 之前结束、{date.min.isoformat()} 之后开始")
    if end < start:
        raise UserError(f"--to {end} is before --from {start}", f"--to {end} 早于 --from {start}；结束日不能在开始日之前")
    return start, end


def report(conn, start: date, end: date, unit: str | None = None, now: datetime | None = None) -> str:
    """The report on messages sent and breaches that happened from `start` to `end`
    (whole days), for one unit's groups or all; waiting cases as they stand `now`."""
    now = now or local_now()
    since, until = start.isoformat(), (end + timedelta(days=1)).isoformat()
    params = {"since": since, "until": until, "unit": unit, "now": now.strftime("%Y-%m-%dT%H:%M:%S"),
              "overdue": (now - timedelta(days=OVERDUE_DAYS)).strftime("%Y-%m-%dT%H:%M:%S")}
    groups = list(dict_rows(conn, f"""
        select g.id, g.name, coalesce(g.unit, '（未登记单位）') as unit,
            (select count(*) from messages m where m.group_id = g.id and m.sent_at >= :since and m.sent_at < :until) as messages,
            (select count(*) from messages m where m.group_id = g.id and m.kind in ('text', 'quote')
                and m.sent_at >= :since and m.sent_at < :until) as texts,
            -- People: senders linked to one roster person (a wxid in one export, a name in
            -- another) are one speaker.
            (select count(distinct coalesce('p' || b.person_id, 'm' || b.id)) from messages m
                join members b on b.id = m.member_id where m.group_id = g.id
                and m.sent_at >= :since and m.sent_at < :until) as speakers,
            (select count(*) from flags f left join flag_state s on s.flag_id = f.id where f.group_id = g.id
                and f.occurred_at >= :since and f.occurred_at < :until and {_REAL}) as flags,
            (select count(distinct f.message_id) from flags f join messages m on m.id = f.message_id
                left join flag_state s on s.flag_id = f.id where f.group_id = g.id and m.kind in ('text', 'quote')
                and f.category in ('offtopic', 'flattery') and f.occurred_at >= :since and f.occurred_at < :until
                and {_REAL}) as chatter,
            (select count(*) from flags f left join flag_state s on s.flag_id = f.id where f.group_id = g.id
                and f.occurred_at >= :since and f.occurred_at < :until and {_OPEN}) as waiting
        from groups g where {_GROUPS} order by unit, g.name""", params))
    in_scope = f"f.group_id in (select g.id from groups g where {_GROUPS})"
    period = f"f.occurred_at >= :since and f.occurred_at < :until and {in_scope} and not {PART_WEEK_CLOSED}"
    categories = list(dict_rows(conn, f"""
        select f.category, f.article, {_COUNTS} from flags f
        left join flag_state s on s.flag_id = f.id where {period}
        group by 1, 2 order by max(f.severity) desc, n desc""", params))
    # New-media posts too: an ID number or a secret document published is as serious.
    serious = list(dict_rows(conn, f"""
        select f.id, f.occurred_at, g.name as grp, f.category, f.evidence, f.severity from flags f
        join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
        where {period} and f.severity >= {SERIOUS} and {_OPEN}
        union all
        select f.id, f.occurred_at, a.platform || '「' || a.name || '」', f.category, f.evidence, f.severity from flags f
        join accounts a on a.id = f.account_id left join flag_state s on s.flag_id = f.id
        where f.occurred_at >= :since and f.occurred_at < :until and {_ACCOUNT_SCOPE} and f.severity >= {SERIOUS}
            and {_OPEN}
        order by 6 desc, 2""", params))
    overdue = list(dict_rows(conn, f"""
        select f.id, f.occurred_at, f.created_at, g.name as grp, f.category, coalesce(s.status, 'open') as status
        from flags f join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
        where {in_scope} and {_OPEN} and f.created_at < :overdue order by f.created_at""", params))
    hygiene = list(dict_rows(conn, f"""
        select f.id, g.name as grp, f.category, f.article, f.evidence from flags f
        join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
        where f.message_id is null and {in_scope} and {_OPEN} order by f.severity desc, f.id""", params))

    active = [g for g in groups if g["messages"]]
    lines = [
        "# 政务微信工作群及党务政务新媒体管理情况报告", "",
        f"统计时段：{start.isoformat()} 至 {end.isoformat()}　范围：{unit or '全部单位'}　"
        f"生成时间：{now:%Y-%m-%d %H:%M}（处置情况截至生成时间）", "",
        "## 一、总体情况", "",
        f"在册工作群 {len(groups)} 个，本期有消息的 {len(active)} 个；消息 {sum(g['messages'] for g in groups)} 条。"
        f"{_tally(categories)}（含待核查、核查中、属实待处置、已上报）。", "",
    ]
    # Printed where the leaders read the figures: the same numbers with a week's breaches
    # still undetected would read as a clean week.
    imported, older_rules = unchecked(conn, start, end, unit)
    if imported:
        lines += [f"**注意：本期有 {imported} 条消息尚未经过违规识别（导入后未运行 qunguan classify），"
                  "以上问题数不含其中的问题。请运行 qunguan classify 后重新生成本报告。**", ""]
    if older_rules:
        lines += [f"**注意：本期有 {older_rules} 条消息尚未按本版识别规则重新检查（qunguan 升级后未运行 qunguan classify），"
                  "以上问题数只含旧版规则发现的问题。请运行 qunguan classify 后重新生成本报告。**", ""]
    lines += _category_table(categories)
    lines += ["## 二、各群情况", ""]
    if groups:
        lines += ["| 工作群 | 单位 | 消息 | 发言人数 | 问题 | 闲聊/夸夸占比 | 待处置 |", "|---|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {_cell(g['name'])} | {_cell(g['unit'])} | {g['messages']} | {g['speakers']} | {g['flags']} | "
                  f"{_share(g['chatter'], g['texts'])} | {g['waiting']} |" for g in groups]
    else:
        lines.append("无。")
    lines += ["", f"## 三、超过{OVERDUE_DAYS}天未处置的问题（群规 第十三条 迅速处置）", ""]
    lines += _listed(overdue, lambda f: f"#{f['id']}　{_cell(f['grp'])}　{_when(f['occurred_at'] or f['created_at'])}　"
                                        f"{CATEGORY_NAMES.get(f['category'], f['category'])}（发现于 {_when(f['created_at'])}）")
    lines += ["", "## 四、本期需重点关注的问题（涉密、泄露个人信息、传言等，待处置）", ""]
    lines += _listed(serious, lambda f: f"#{f['id']}　{_cell(f['grp'])}　{_when(f['occurred_at'])}　"
                                        f"{CATEGORY_NAMES.get(f['category'], f['category'])}：{_cell(f['evidence'])}")
    lines += ["", "## 五、群管理规范问题（待处置）", ""]
    lines += _listed(hygiene, lambda f: f"#{f['id']}　{_cell(f['grp'])}　{CATEGORY_NAMES.get(f['category'], f['category'])}"
                                        f"（{f['article']}）：{_cell(f['evidence'])}")
    lines += ["", "## 六、党务政务新媒体情况（《宜春市党务政务新媒体管理办法》）", ""] + _newmedia(conn, params)
    lines += ["", "问题编号即审核页面地址 /-/qunguan/flags/编号。问题数不含误报；闲聊/夸夸占比按文字消息计。",
              "", "留痕校验（与今后 qunguan verify 的输出对照，条数变少或末行摘要不同即留痕被删改）：" + "；".join(
                  f"{check.subject} {check.detail[0].replace(' rows', ' 条')}，末行摘要 {check.detail[1][5:]}"
                  for check in chains(conn)) + "。"]
    return "\n".join(lines) + "\n"


_ACCOUNT_SCOPE = "(:unit is null or a.unit = :unit)"
# The groups a report is on. Exempt groups (Party-branch study groups, 第二条) are archived,
# never flagged: left out. Groups dissolved before the period began are gone from it.
_GROUPS = "g.exempt = 0 and (g.dissolved_on is null or g.dissolved_on >= :since) and (:unit is null or g.unit = :unit)"


def unchecked(conn, start: date, end: date, unit: str | None = None) -> tuple[int, int]:
    """The period's messages in the report's groups that `classify` has not judged with the
    rules installed: (imported since its last run, read only by an older version of a rule).
    None of the first's breaches is flagged; of the second's, those the older rules found
    (a new version of a rule reads every message again: detectors/run.py)."""
    # classify runs the model, then the rule detectors, which end past every message.
    now = min(watermark(conn, detector_name(module)) for module in MESSAGE_DETECTORS)
    ever = max(now, min(_any_version_watermark(conn, module) for module in MESSAGE_DETECTORS))
    return conn.execute(
        "select count(*) filter (where m.id > :ever), count(*) filter (where m.id <= :ever) "
        "from messages m join groups g on g.id = m.group_id where m.id > :now "
        f"and m.sent_at >= :since and m.sent_at < :until and {_GROUPS}",
        {"now": now, "ever": ever, "since": start.isoformat(), "until": (end + timedelta(days=1)).isoformat(),
         "unit": unit},
    ).fetchone()


def _any_version_watermark(conn, module) -> int:
    """How far any version of a rule detector has read."""
    prefix = detector_prefix(module)
    return conn.execute("select coalesce(max(last_message_id), 0) from detector_state where substr(detector, 1, ?) = ?",
                        [len(prefix), prefix]).fetchone()[0]


def _newmedia(conn, params: dict) -> list[str]:
    """The new-media accounts in scope: the registry, the period's posts and flags by
    category and article (handled, waiting), and the account problems still waiting."""
    # A closing that has come counts, whether or not a check has applied it yet.
    statuses = dict(conn.execute(
        "select case when a.status = '关停' or (length(a.closed_on) = 10 and a.closed_on <= substr(:now, 1, 10)) "
        f"then '关停' else a.status end, count(*) from accounts a where {_ACCOUNT_SCOPE} group by 1", params))
    if not statuses:
        return ["台账中没有新媒体账号。"]
    posts = conn.execute(f"select count(*) from posts p join accounts a on a.id = p.account_id where {_ACCOUNT_SCOPE} "
                         "and p.published_at >= :since and p.published_at < :until", params).fetchone()[0]
    categories = list(dict_rows(conn, f"""
        select f.category, f.article, {_COUNTS} from flags f
        join accounts a on a.id = f.account_id left join flag_state s on s.flag_id = f.id
        where f.occurred_at >= :since and f.occurred_at < :until and {_ACCOUNT_SCOPE}
        group by 1, 2 order by max(f.severity) desc, n desc""", params))
    categories.sort(key=lambda c: _article_number(c["article"]))  # 第四条 before 第十条: stable, by severity within
    waiting = list(dict_rows(conn, f"""
        select f.id, a.platform || '「' || a.name || '」' as account, f.category, f.article, f.evidence,
            f.created_at < :overdue as overdue from flags f
        join accounts a on a.id = f.account_id left join flag_state s on s.flag_id = f.id
        where f.subject like 'account:%' and {_ACCOUNT_SCOPE} and {_OPEN} order by f.severity desc, f.id""", params))
    lines = [f"在册账号 {sum(statuses.values())} 个（" + "，".join(f"{k} {statuses.get(k, 0)}" for k in ACCOUNT_STATUSES)
             + f"）；本期发布 {posts} 篇（据已导入的发布记录）。{_tally(categories)}。", ""] + _category_table(categories)
    lines += [f"账号问题（待处置，不限本期；其中超过{OVERDUE_DAYS}天未处置 {sum(w['overdue'] for w in waiting)} 条）：", ""]
    return lines + _listed(waiting, lambda f: f"#{f['id']}　{_cell(f['account'])}　"
                                              f"{CATEGORY_NAMES.get(f['category'], f['category'])}（{f['article']}）："
                                              f"{_cell(f['evidence'])}")


def _tally(categories: list[dict]) -> str:
    """The period's flags in one sentence: flagged, false alarms, found, handled, waiting."""
    flagged, dismissed, resolved, waiting, withdrawn = (
        sum(c[key] for c in categories) for key in ("n", "dismissed", "resolved", "waiting", "withdrawn"))
    among = f"（其中检测程序重新检查后自动撤销 {withdrawn} 条）" if withdrawn else ""
    return (f"本期标记 {flagged} 条，经核查为误报 {dismissed} 条{among}；发现问题 {flagged - dismissed} 条，"
            f"已处置 {resolved} 条，待处置 {waiting} 条")


def _category_table(categories: list[dict]) -> list[str]:
    if not categories:
        return []
    return (["| 问题类别 | 条款 | 标记 | 误报 | 已处置 | 待处置 |", "|---|---|---:|---:|---:|---:|"]
            + [f"| {CATEGORY_NAMES.get(c['category'], c['category'])} | {c['article']} | {c['n']} | {c['dismissed']} | "
               f"{c['resolved']} | {c['waiting']} |" for c in categories] + [""])


_NUMERALS = "一二三四五六七八九"


def _article_number(article: str) -> int:
    """新媒体 第十二条 -> 12 (articles run to 十四)."""
    match = re.search(r"第([一二三四五六七八九十]+)条", article)
    if not match:
        return 0
    tens, ten, units = match[1].rpartition("十")
    return (10 * (_NUMERALS.find(tens) + 1 if tens else 1) if ten else 0) + (_NUMERALS.find(units) + 1 if units else 0)


def _listed(rows: list[dict], line) -> list[str]:
    if not rows:
        return ["无。"]
    shown = [f"{i}. {line(row)}" for i, row in enumerate(rows[:LISTED], start=1)]
    return shown + ([f"另有 {len(rows) - LISTED} 条，见审核队列。"] if len(rows) > LISTED else [])


def _cell(text: str | None) -> str:
    """Text as one Markdown table cell or list line: no line breaks, no column bars."""
    return " ".join(str(text or "").split()).replace("|", "｜")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _when(moment: str | None) -> str:
    return (moment or "")[:16].replace("T", " ")
