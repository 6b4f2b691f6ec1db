"""The registry checks of 《党务政务新媒体管理办法》 and `run_newmedia`, which runs them,
settles their flags and scores new posts. Account flags have the subject `account:<id>`
(a late filing `account:<id>:filing:<filing id>`, so each late filing is its own case)
and carry `account_id`, which routes them to the account's supervising body (第五条)."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from classifiers.classify import insert_flags
from classifiers.model import MODELS_DIR
from detectors.after_hours import Calendar
from detectors.base import load_config
from ingest.records import local_now
from ingest.registry import setting_warnings
from newmedia.classify import classify_posts
from newmedia.names import division_tail, name_stems, names_unit
from newmedia.registry import WHILE_CLOSED, apply_filings, closed_spells, is_closed
from newmedia.settings import PREFIX, load_settings
from review.handling import Standing, settle_flags

DETECTOR = "rules@accounts.1"
_HOLIDAY = re.compile(r"法定节假日（(.+)）")
ARTICLES = {
    "account_duplicate_platform": "新媒体 第四条", "account_dormant": "新媒体 第四条",
    "account_late_filing": "新媒体 第六条", "account_closed_posting": "新媒体 第六条",
    "account_name_unclear": "新媒体 第七条",
    "account_internal_division": "新媒体 第八条", "account_personal": "新媒体 第八条",
}


def _flag(account: dict, category: str, evidence: str, subject: str | None = None) -> dict:
    return {"subject": subject or f"account:{account['id']}", "account_id": account["id"], "category": category,
            "score": 1.0, "detector": DETECTOR, "article": ARTICLES[category], "evidence": evidence}


def _label(a: dict) -> str:
    return f"{a['platform']}「{a['name']}」"


def _accounts(conn, today: date) -> list[dict]:
    cursor = conn.execute("select a.*, (select max(published_at) from posts p where p.account_id = a.id) as last_post "
                          "from accounts a order by a.id")
    names = [d[0] for d in cursor.description]
    return [a for a in (dict(zip(names, r)) for r in cursor) if not is_closed(a, today)]


def closed_accounts(conn, today: date) -> set[int]:
    return {row[0] for row in conn.execute("select id, status, closed_on from accounts")
            if is_closed({"status": row[1], "closed_on": row[2]}, today)}


def duplicate_platform(accounts: list[dict]) -> list[dict]:
    """第四条: one account per platform per unit. The first account opened on a platform
    is the unit's; each further one is flagged once, naming the others."""
    by_place: dict[tuple, list[dict]] = {}
    for a in accounts:
        by_place.setdefault((a["unit"], a["platform"]), []).append(a)
    flags = []
    for (unit, platform), group in by_place.items():
        group.sort(key=lambda a: (a["opened_on"] or "9999", a["id"]))
        listed = "、".join(f"「{a['name']}」" for a in group)
        for extra in group[1:]:
            flags.append(_flag(extra, "account_duplicate_platform",
                               f"「{unit}」在{platform}有 {len(group)} 个账号：{listed}；原则上同一平台只开设一个账号，"
                               f"应将「{extra['name']}」整合到「{group[0]['name']}」"))
    return flags


def _last_day(value: str) -> date:
    if len(value) == 7:  # a month from the ledger: its last day, so nothing is called dormant early
        year, month = int(value[:4]), int(value[5:7])
        return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return date.fromisoformat(value[:10])


def dormant(accounts: list[dict], days: int, today: date) -> list[dict]:
    """第四条: no post for more than `days` days. Accounts with no post on record anywhere
    (neither imported posts nor the ledger's 最近更新) are not judged."""
    flags = []
    for a in accounts:
        known = [_last_day(v) for v in (a["last_post"], a["last_post_on"]) if v]
        if not known:
            continue
        last = max(known)
        idle = (today - last).days
        if idle > days:
            flags.append(_flag(a, "account_dormant",
                               f"{_label(a)}最近一次发布在 {last}，已 {idle} 天未更新（超过 {days} 天），"
                               "属低效/僵尸账号，应整合或关停") | {"last_active": last})
    return flags


def working_days_ahead(filed: date, effective: date, calendar: Calendar) -> tuple[int, Counter]:
    """Working days after the filing day up to and including the effective day (weekends,
    statutory holidays and 调休 as in the after-hours detector), and the days off between."""
    count, off = 0, Counter()
    for n in range(1, (effective - filed).days + 1):
        reason = calendar.day_type(filed + timedelta(days=n))
        if reason is None:
            count += 1
        else:
            off[reason] += 1
    return count, off


def late_filings(conn, required: int, calendar: Calendar) -> list[dict]:
    """第六条: opening, changing or closing is filed `required` working days ahead."""
    flags = []
    for filing_id, action, filed_on, effective_on, *account in conn.execute(
            "select f.id, f.action, f.filed_on, f.effective_on, a.id, a.platform, a.name from account_filings f "
            "join accounts a on a.id = f.account_id order by f.id"):
        a = dict(zip(("id", "platform", "name"), account))
        count, off = working_days_ahead(date.fromisoformat(filed_on), date.fromisoformat(effective_on), calendar)
        if count >= required:
            continue
        days_off = "、".join(f"{_HOLIDAY.sub(lambda m: m[1], reason)} {n} 天" for reason, n in off.items())
        flags.append(_flag(a, "account_late_filing",
                           f"{_label(a)}{action}于 {effective_on} 生效，{filed_on} 才备案，其间仅 {count} 个工作日"
                           f"{'（' + days_off + '不计）' if days_off else ''}；应提前 {required} 个工作日向监管部门备案",
                           subject=f"account:{a['id']}:filing:{filing_id}"))
    return flags


def posting_after_closing(conn, today: date, required: int) -> list[dict]:
    """第六条: a closed account publishes nothing; one that does was opened again without
    a filing. One flag per account and closing day that has come by `today`, on the first
    post published while closed (registry.WHILE_CLOSED), naming how many: the spells come
    from the filings, so posts published before a later opening's day still count."""
    labels = {row[0]: {"id": row[0], "platform": row[1], "name": row[2]}
              for row in conn.execute("select id, platform, name from accounts")}
    flags = []
    for account_id, spells in sorted(closed_spells(conn).items()):
        for closed_on, reopened_on in spells:
            if closed_on > today.isoformat():
                continue
            posts = conn.execute(
                "select p.id, p.published_at, p.title, i.finished_at from posts p left join imports i "
                f"on i.id = p.import_id where {WHILE_CLOSED} order by p.published_at, p.id",
                [account_id, closed_on, reopened_on]).fetchall()
            if posts:
                flags.append(_closed_posting(labels[account_id], closed_on, reopened_on, posts, required))
    return flags


def _closed_posting(account: dict, closed_on: str, reopened_on: str | None, posts: list[tuple], required: int) -> dict:
    """The flag on `posts` (id, published_at, title, import finished_at; in order of publication)."""
    (first_id, first, *_), (_, last, title, _) = posts[0], posts[-1]
    latest = f"，最近一篇「{title}」" if title else ""
    if reopened_on is None:
        told = (f"{_label(account)}已于 {closed_on} 关停，此后仍发布 {len(posts)} 篇（{first[:10]} 至 {last[:10]}）{latest}；"
                f"关停的账号不应再发布，如已重新启用，应提前 {required} 个工作日向监管部门备案开设")
    else:
        told = (f"{_label(account)}于 {closed_on} 关停，{reopened_on} 才重新开设，其间仍发布 {len(posts)} 篇"
                f"（{first[:10]} 至 {last[:10]}）{latest}；关停的账号在重新开设生效前不应发布，"
                f"重新启用应提前 {required} 个工作日向监管部门备案开设")
    renewed = max((p[3] for p in posts if p[3]), default="")
    return _flag(account, "account_closed_posting", told, subject=f"account:{account['id']}:closed:{closed_on}") \
        | {"post_id": first_id, "renewed_at": renewed}


def naming(accounts: list[dict], settings: dict) -> list[dict]:
    """第七条 (name tied to the unit's duties) and 第八条 (internal divisions)."""
    flags = []
    for a in accounts:
        stems = name_stems(a["unit"], a["unit_short"], settings["unit_names"].get(a["unit"], []))
        if not names_unit(a["name"], stems):
            flags.append(_flag(a, "account_name_unclear",
                               f"{_label(a)}的名称未体现单位「{a['unit']}」或其职责（已比对：{'、'.join(stems)}）；"
                               "名称应与单位职责明确关联。若为规范简称，请在台账“单位简称”栏或 newmedia.unit_names 中登记"))
        tail = division_tail(a["name"], a["unit"], a["unit_short"], settings["division_suffixes"])
        if a["division"] or tail:
            shown = f"登记为内设机构「{a['division']}」的账号" if a["division"] else f"名称显示为内设机构「{tail}」"
            flags.append(_flag(a, "account_internal_division",
                               f"{_label(a)}{shown}；原则上不得以单位内设机构名义开设新媒体账号，应整合到单位账号"))
    return flags


def personal(conn, accounts: list[dict], settings: dict) -> list[dict]:
    """第八条: no individual opens an account in a unit's name. Evidence only: a person
    registrant type, or a registrant who is the account's leader or editor or is on the roster."""
    people = {r[0] for r in conn.execute("select name from people")}
    flags = []
    for a in accounts:
        registrant, kind = (a["registrant"] or "").strip(), a["registrant_type"] or ""
        reason = None
        if any(word in kind for word in settings["personal_registrant_types"]):
            reason = f"主体类型为「{kind}」"
        elif registrant and registrant in {a["leader"], a["editor"]}:
            reason = f"注册主体「{registrant}」是该账号的{'分管领导' if registrant == a['leader'] else '主要编辑'}本人"
        elif registrant and registrant in people:
            reason = f"注册主体「{registrant}」是实名花名册上的个人"
        if reason:
            flags.append(_flag(a, "account_personal",
                               f"{_label(a)}{reason}；禁止任何个人以单位名义开设党务、政务新媒体账号，应由单位注册认证"))
    return flags


def account_flags(conn, settings: dict, calendar: Calendar, today: date) -> list[dict]:
    """Every registry check's flags (closed accounts are left alone, their filings and
    their posts after closing are not)."""
    accounts = _accounts(conn, today)
    return (duplicate_platform(accounts) + dormant(accounts, settings["dormant_days"], today)
            + late_filings(conn, settings["filing_working_days"], calendar)
            + posting_after_closing(conn, today, settings["filing_working_days"]) + naming(accounts, settings)
            + personal(conn, accounts, settings))


# What an account check finds holds only while the registry, the posts and the settings
# say so. A supervisor's closing decision stands until the problem comes back after it;
# the checks only record it when the finding goes, and open the flag again when that
# finding is back. What counts as back depends on the finding (`_back_after`).
SETTLED_NOTE = "台账、发布记录或检查设置已更新，此项已不成立"
CLOSED_NOTE = "账号已关停，此项不再核查"
RECUR_NOTE = "此项曾因台账、发布记录或检查设置更新而不成立，现再次出现，重新进入核查"
DORMANT_AGAIN_NOTE = "处置后账号仍未更新，又已超过未更新天数上限，重新进入核查"
POSTED_AGAIN_NOTE = "处置后又导入了该账号关停后的发布，重新进入核查"
_SETTLERS = (SETTLED_NOTE, CLOSED_NOTE)
_OPENED_AGAIN = (RECUR_NOTE, DORMANT_AGAIN_NOTE, POSTED_AGAIN_NOTE)
_DECIDED = ("resolved", "dismissed")  # a supervisor's closing decisions


def _standing_decision(conn, flag_id: int) -> tuple[str, str] | None:
    """(status, time) of the supervisor's closing decision a flag still rests on: their
    latest row, when it closed the flag and the checks have since only recorded that the
    finding went (not opened it again). None when the flag rests on the checks' own closing."""
    for status, note, actor, at in conn.execute(
            "select status, note, actor_id, created_at from handling where flag_id = ? order by id desc", [flag_id]):
        if actor != DETECTOR:
            return (status, at) if status in _DECIDED else None
        if note not in _SETTLERS:
            return None
    return None


def _back_after(finding: dict, status: str, decided_at: str, lapsed: bool, dormant_days: int,
                today: date) -> str | None:
    """The note opening a flag a supervisor closed (`status` at `decided_at`) again, when the
    finding shows the problem came back after their decision, else None. Idle time: idle
    `dormant_days` counted from the decision or a later post. Posts after a closing: more of
    them imported after the decision. Any other finding (the registry's facts, the names):
    the checks saw it go after the decision (`lapsed`) and it is back; a false alarm
    (dismissed) stays one however often the same finding comes and goes."""
    if "last_active" in finding:
        idle = (today - max(finding["last_active"], date.fromisoformat(decided_at[:10]))).days
        return DORMANT_AGAIN_NOTE if idle > dormant_days else None
    if "renewed_at" in finding:
        return POSTED_AGAIN_NOTE if finding["renewed_at"] > decided_at else None
    return RECUR_NOTE if lapsed and status == "resolved" else None


def settle(conn, found: list[dict], closed: set[int], dormant_days: int, today: date) -> int:
    """Keep the account flags in step with what the checks find now, one handling row by
    the checks per change: close what no longer holds (a post after a dormant spell, a
    short name registered, the account closed) when nobody but the checks has handled it;
    on a flag a supervisor closed, record that it no longer holds, their status kept; open
    again what the checks closed and now find once more, and what a supervisor closed only
    when the problem came back after their decision (`_back_after`). Returns how many
    flags changed."""
    def decide(flag: Standing, finding: dict | None) -> tuple[str, str] | None:
        if finding is not None:
            if flag.actor == DETECTOR and flag.note in _SETTLERS:
                decision = _standing_decision(conn, flag.id)
                if decision is None:
                    return "reviewing", RECUR_NOTE
                note = _back_after(finding, *decision, True, dormant_days, today)
            elif flag.actor not in (None, DETECTOR) and flag.status in _DECIDED:
                note = _back_after(finding, flag.status, flag.decided_at, False, dormant_days, today)
            else:
                return None
            return ("reviewing", note) if note else None
        note = CLOSED_NOTE if flag.account_id in closed else SETTLED_NOTE
        if flag.actor is None or (flag.actor == DETECTOR and flag.note in _OPENED_AGAIN):
            return "resolved", note
        if flag.actor != DETECTOR and flag.status in _DECIDED:
            return flag.status, note
        return None

    return settle_flags(conn, DETECTOR, ARTICLES, found, decide, _OPENED_AGAIN)


def run_newmedia(conn, today: date | None = None, *, models_dir: Path | None = MODELS_DIR
                 ) -> tuple[int, list[str], int | None]:
    """Run the account checks and settle their flags, then score posts not yet seen by
    each post detector (`models_dir` None: the shop-link rule only, no models). Safe to
    run again and again: one flag per subject and category. Returns (flags added,
    warnings for the user, account flags closed or opened again). Judged as of another
    day than the archive's own (`today`: trying a day), the checks add what they find
    but settle nothing, and the count is None: what holds on that day says nothing of
    what holds now, nor of what a supervisor decided."""
    # The registry follows the filings due by the archive's own day, not the day judged as of.
    own_day = local_now().date()
    apply_filings(conn, own_day)
    today = today or own_day
    settings = load_settings(conn)
    calendar = Calendar(load_config(conn)["after_hours"])
    found = account_flags(conn, settings, calendar, today)
    with conn:
        added = insert_flags(conn, found)
    settled = settle(conn, found, closed_accounts(conn, today), settings["dormant_days"], today) \
        if today == own_day else None
    by_posts, warnings = classify_posts(conn, settings, models_dir)
    # A stored setting the checks left out for its default is said where they run.
    return added + by_posts, calendar.warnings + warnings + setting_warnings(conn, PREFIX, once=True), settled
