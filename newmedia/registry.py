"""The account registry (台账): reading the ledger offices keep, storing it, and the
append-only filing log (新媒体 第六条).

An account is identified by its platform and its id (in any case: gh_ab and GH_AB are one
WeChat account) or URL on that platform when the ledger gives one; a row without one is the account with its platform and name, whether
that account has a ref or not; so a re-import updates the row it imported before and
never adds a second one. Columns the ledger has and this module does
not know are kept in `accounts.extra` (JSON), never dropped.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest import chain
from ingest.records import local_now, stamp
from ingest.schema import FILING_ACTIONS, SUPERVISING_BODIES, UNROUTED
from ingest.changes import log_change
from ingest.sources import os_user
from ingest.user_errors import UserError
from newmedia.table import TypedQuote, cell_text, column_map, parse_day, read_table, stray_quote, whole_row

# Accepted headers for each field (the field's own name is accepted too).
HEADERS = {
    "unit": ("单位", "单位名称", "主办单位", "开设单位", "所属单位", "责任单位"),
    "unit_short": ("单位简称", "简称"),
    "division": ("内设机构", "内设机构名称", "所属科室", "科室", "股室"),
    "platform": ("平台", "平台名称", "平台类型", "发布平台", "所在平台", "账号平台"),
    "name": ("账号名称", "新媒体名称", "公众号名称", "账号昵称", "名称"),
    "account_ref": ("账号ID", "账号id", "账号", "ID", "微信号", "原始ID", "账号链接", "主页链接", "链接", "网址", "URL"),
    "kind": ("类别", "账号类别", "党务/政务", "党务政务", "性质"),
    "supervisor": ("监管部门", "主管部门", "备案部门"),
    "leader": ("分管领导", "责任领导", "负责领导", "主要负责人"),
    "editor": ("主要编辑", "主编", "总编辑", "责任编辑", "编辑人员"),
    "registrant": ("注册主体", "认证主体", "主体名称", "运营主体"),
    "registrant_type": ("主体类型", "注册主体类型", "认证类型"),
    "opened_on": ("开设时间", "开设日期", "开通时间", "开通日期", "注册时间"),
    "status": ("状态", "运行状态", "账号状态"),
    "closed_on": ("关停时间", "关停日期", "注销时间"),
    "last_post_on": ("最近更新", "最近更新时间", "最后更新时间", "最近发布时间", "最后发布时间"),
    "filed_on": ("备案时间", "备案日期"),
}
REQUIRED = ("unit", "platform", "name")
MONTH_DATES = ("opened_on", "closed_on", "last_post_on")  # ledgers often know only the month
STORED = [f for f in HEADERS if f != "filed_on"]
PLATFORMS = {
    "微信公众号": ("微信公众号", "公众号", "微信", "微信公众平台", "微信服务号", "微信订阅号", "wechat"),
    "视频号": ("视频号", "微信视频号"),
    "微博": ("微博", "新浪微博", "weibo"),
    "抖音": ("抖音", "抖音号", "douyin"),
    "快手": ("快手", "快手号", "kuaishou"),
    "今日头条": ("今日头条", "头条", "头条号", "今日头条号"),
    "客户端": ("客户端", "移动客户端", "app", "APP", "App"),
}
# 第五条 names four kinds of body: Party bodies, administrative bodies, state-owned
# enterprises and public institutions, people's organisations.
KINDS = {"党务": ("党务", "党委", "党务新媒体", "党", "党委部门", "党的机关"),
         "政务": ("政务", "政府", "政务新媒体", "政", "政府部门", "行政机关", "政府机关"),
         "国有企事业单位": ("国有企事业单位", "企事业单位", "事业单位", "国有企业", "国企", "国有企业单位", "国有事业单位"),
         "人民团体": ("人民团体", "群团组织", "群团", "群众团体")}
STATUSES = {"运行": ("运行", "正常", "在用", "运营", "正常运行", "正常更新", "正常运营", "在运营", "正常使用", "使用",
                    "在运行", "启用"),
            "停更": ("停更", "停止更新", "暂停", "暂停更新", "停止运营", "暂停运营"),
            "关停": ("关停", "注销", "关闭", "停用")}


class RegistryError(UserError):
    pass


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    filings: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows stored, with something to say


def _normalise(value: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The canonical value `value` spells, also after a leading 已 or a trailing 中 or 类
    (已停更, 运行中, 政务类); None when it spells none."""
    for form in dict.fromkeys((value, value.removeprefix("已"), value.removesuffix("中"), value.removesuffix("类"))):
        for canonical, spellings in table.items():
            if form in spellings or form.lower() in (s.lower() for s in spellings):
                return canonical
    return None


def platform_name(value: str) -> str:
    """The canonical platform name (微信公众号, 视频号, 微博, 抖音, 快手, 今日头条, 客户端), else as
    given. A note in brackets is not part of it: 微信公众号（订阅号） and 微信公众号（服务号）
    are two accounts on one platform (新媒体 第四条)."""
    value = value.strip()
    bare = _NOTE.sub("", value).strip() or value
    return _normalise(bare, PLATFORMS) or _normalise(value, PLATFORMS) or value


_NOTE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def supervising_body(kind: str | None) -> str:
    """新媒体 第五条: where an account of this kind is supervised."""
    return SUPERVISING_BODIES.get(kind or "", UNROUTED)


# What clerks write in a cell that does not apply: no division, no person.
PLACEHOLDERS = {"无", "暂无", "没有", "空", "/", "／", "\\", "-", "--", "—", "——", "－", "–", "×", "x", "X", "N/A", "n/a", "NA",
                "na", "不适用", "未设", "未定"}


# The cells that tell which account a row is: a quote typed by hand (in Notepad) in one
# would make an account nobody keeps, flagged at every check.
_IDENTITY = ("unit", "platform", "name", "account_ref")


def _account(cells: list, columns: dict[str, int], header: list[str]) -> dict:
    """One ledger row as account fields (raises ValueError naming the bad cell). A cell
    holding a placeholder (无, /, —) is empty."""
    raw = {f: (cells[i] if i < len(cells) else None) for f, i in columns.items()}
    raw = {f: (None if cell_text(v) in PLACEHOLDERS else v) for f, v in raw.items()}
    row = {f: cell_text(v) or None for f, v in raw.items()}
    missing = [HEADERS[f][0] for f in REQUIRED if not row.get(f)]
    if missing:
        raise ValueError(f"缺少{'、'.join(missing)}")
    typed = isinstance(cells, TypedQuote)
    if stray := next((row[f] for f in _IDENTITY if row.get(f) and stray_quote(row[f], typed)), None):
        raise ValueError(f"「{stray}」中有手工输入的引号（\"），此行未导入（会多出一个不存在的账号）：请删去引号后重新导入")
    row["platform"] = platform_name(row["platform"])
    row["notes"] = []
    # In another cell it is left out, and said: a 分管领导 "王强 is nobody, 正常" no status.
    for f in columns.keys() - set(_IDENTITY):
        if row.get(f) and stray_quote(row[f], typed):
            row["notes"].append(f"{HEADERS[f][0]}「{row[f]}」中手工输入的引号（\"）已去掉")
            raw[f] = row[f] = row[f].strip('"')
    # An unknown 类别 or 状态 is not worth the account: left out, and said.
    for f, title, table in (("kind", "类别", KINDS), ("status", "状态", STATUSES)):
        if not row.get(f):
            continue
        canonical = _normalise(row[f], table)
        if canonical is None:
            row["notes"].append(f"{title}「{row[f]}」不可识别（可填：{'、'.join(table)}），此项未导入")
        row[f] = canonical
    for f in ("opened_on", "closed_on", "last_post_on", "filed_on"):
        if f in columns:
            try:
                row[f] = parse_day(raw[f], allow_month=f in MONTH_DATES)
            except ValueError as e:
                raise ValueError(f"{HEADERS[f][0]}：{e}") from None
    known = set(columns.values())
    # Cells past the header's last title are kept too, named by their column.
    row["extra"] = {(header[i] if i < len(header) and header[i] else f"列{i + 1}"): cell_text(v)
                    for i, v in enumerate(cells) if i not in known and cell_text(v)}
    return row


def read_accounts(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    """(row number, account fields) for each good row of the ledger, and one error per bad row."""
    table = read_table(path, HEADERS, typed_dates=True)  # a 台账 is typed by hand
    columns = column_map(table.header, HEADERS)
    absent = [HEADERS[f][0] for f in REQUIRED if f not in columns]
    if absent:
        raise RegistryError(f"{path}: no {'/'.join(absent)} column (accepted headers are listed in the README)",
                            f"{path}：没有 {'/'.join(absent)} 列（可用的列名见 README）")
    accounts, errors, seen = [], [], _SeenRows()
    for number, cells in table.rows:
        try:
            whole_row(number, cells, table, columns)
            row = _account(cells, columns, table.header)
        except ValueError as e:
            errors.append(f"{path.name} 第 {number} 行：{e}")
            continue
        earlier = seen.same_account(number, row)
        if earlier:
            errors.append(f"{path.name} 第 {number} 行：与第 {earlier} 行是同一账号，未重复导入")
            continue
        accounts.append((number, row))
    return accounts, errors


class _SeenRows:
    """The rows of one file so far, to tell when a row repeats an account: the same
    platform and account_ref, or the same platform and name when either row has no ref
    (two refs that differ are two accounts)."""

    def __init__(self):
        self.by_ref: dict[tuple, int] = {}
        self.by_name: dict[tuple, list[tuple[int, str | None]]] = {}

    def same_account(self, number: int, row: dict) -> int | None:
        """The earlier row number holding the same account, else None (and remember this row)."""
        ref, named = row.get("account_ref"), (row["platform"], row["name"])
        key = (row["platform"], ref_key(ref)) if ref else None
        if key in self.by_ref:
            return self.by_ref[key]
        earlier = next((n for n, r in self.by_name.get(named, []) if not ref or not r), None)
        if earlier is None:
            if ref:
                self.by_ref[key] = number
            self.by_name.setdefault(named, []).append((number, ref))
        return earlier


def ref_key(ref: str) -> str:
    """What tells account ids apart: an id (gh_yc_jy01, a 微信号, a 抖音号) whatever its case,
    as the platforms treat it; a link as written (a short link's path is case-sensitive)."""
    return ref if "/" in ref else ref.lower()


def _same_ref(column: str, ref: str) -> str:
    """An SQL condition: `column` holds `ref` by `ref_key` (NOCASE folds ASCII, all an id holds)."""
    return f"{column} = ?" if "/" in ref else f"{column} = ? collate nocase"


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor]


def _existing(conn, row: dict) -> dict | None:
    """The stored account this ledger row is: same platform and account_ref; else, for a
    row without a ref, the one account with its platform and name (ref or not); for a row
    with a ref, an account of that name still without one. ValueError when a row without a
    ref names several accounts."""
    platform, name, ref = row["platform"], row["name"], row.get("account_ref")
    if ref:
        found = _rows(conn.execute(f"select * from accounts where platform = ? and {_same_ref('account_ref', ref)}",
                                   [platform, ref]))
        found = found or _rows(conn.execute("select * from accounts where platform = ? and name = ? "
                                            "and account_ref is null order by id limit 1", [platform, name]))
        return found[0] if found else None
    found = _rows(conn.execute("select * from accounts where platform = ? and name = ? order by id", [platform, name]))
    if len(found) > 1:
        refs = "、".join(a["account_ref"] or f"#{a['id']}" for a in found)
        raise ValueError(f"{platform}「{name}」有 {len(found)} 个账号（{refs}），请填账号ID以区分")
    return found[0] if found else None


def _save_account(conn, row: dict, now: str, notes: list[str]) -> tuple[str, int]:
    """Insert or update one account; returns ('added'|'updated'|'unchanged', id). Adds to
    `notes` where the register contradicts a filing, which prevails."""
    existing = _existing(conn, row)
    values = {f: row[f] for f in STORED if f in row and f != "extra"}
    if existing is not None:
        # An empty cell keeps what is known (a date a filing recorded, the status); an id
        # written in other case is the same id, kept as first written.
        values = {f: v for f, v in values.items() if v is not None}
        if values.get("account_ref") and existing["account_ref"] \
                and ref_key(values["account_ref"]) == ref_key(existing["account_ref"]):
            values["account_ref"] = existing["account_ref"]
        # The last opening or closing filed says whether the account is closed (one may
        # be opened again, and filed as such, after a closing).
        last = conn.execute("select action, filed_on, effective_on from account_filings where account_id = ? "
                            "and action in ('开设', '关停') order by id desc limit 1", [existing["id"]]).fetchone()
        closing = last[1:] if last and last[0] == "关停" else None
        if closing and values.get("status", "关停") != "关停" and closing[1] <= local_now().date().isoformat():
            # A register updated from an old copy must not reopen what was closed and filed.
            notes.append(f"台账状态为「{values['status']}」，但该账号已于 {closing[0]} 备案关停（{closing[1]} 起），以备案为准")
            values["status"], values["closed_on"] = "关停", closing[1]
    for known in ("status", "account_ref"):
        if known in values and values[known] is None:
            del values[known]  # a new account starts 运行
    if existing is None:
        values.update(extra=json.dumps(row["extra"], ensure_ascii=False), created_at=now, updated_at=now)
        cursor = conn.execute(f"insert into accounts ({', '.join(values)}) values ({', '.join('?' * len(values))})",
                              list(values.values()))
        log_change(conn, "account", cursor.lastrowid, values.get("name") or "", None,
                   {k: v for k, v in values.items() if k not in ("created_at", "updated_at")})
        return "added", cursor.lastrowid
    extra = {**json.loads(existing["extra"]), **row["extra"]}
    values["extra"] = json.dumps(extra, ensure_ascii=False)
    changed = {k: v for k, v in values.items() if existing[k] != v}
    if not changed:
        return "unchanged", existing["id"]
    log_change(conn, "account", existing["id"], existing["name"], existing, changed)
    conn.execute(f"update accounts set {', '.join(f'{k} = ?' for k in changed)}, updated_at = ? where id = ?",
                 [*changed.values(), now, existing["id"]])
    return "updated", existing["id"]


def import_accounts(conn, accounts: list[tuple[int, dict]], errors: list[str] = ()) -> ImportResult:
    """Store the ledger's accounts in one transaction. A row with 备案时间 and a full
    开设时间 also records the opening's filing (once). A row that cannot be told apart
    from several stored accounts is skipped and added to `errors` as "第 N 行：…"."""
    result = ImportResult(errors=list(errors))
    now = stamp()
    with conn:
        for number, row in accounts:
            notes: list[str] = []
            try:
                outcome, account_id = _save_account(conn, row, now, notes)
            except ValueError as e:
                result.errors.append(f"第 {number} 行：{e}")
                continue
            result.notes += [f"第 {number} 行：{note}" for note in row.get("notes", []) + notes]
            setattr(result, outcome, getattr(result, outcome) + 1)
            opened = row.get("opened_on")
            if row.get("filed_on") and opened and len(opened) == 10 and not conn.execute(
                    "select 1 from account_filings where account_id = ? and action = '开设' and filed_on = ?",
                    [account_id, row["filed_on"]]).fetchone():
                _append_filing(conn, account_id, "开设", row["filed_on"], opened, "台账导入")
                result.filings += 1
    return result


def matching_accounts(conn, ref: str, platform: str | None = None) -> list[dict]:
    """The accounts named `ref`, or with this id/URL (on `platform` when given), or `#<id>`;
    failing those, the accounts that were named `ref` before a 台账 renamed them (an export
    made before the rename still finds its account)."""
    ref = ref.strip()
    on_platform, params = (" and platform = ?", [platform_name(platform)]) if platform else ("", [])
    found = _rows(conn.execute(f"select * from accounts where ({_same_ref('account_ref', ref)} or name = ?){on_platform} "
                               "order by id", [ref, ref, *params]))
    if not found and ref.lstrip("#").isdigit():
        found = _rows(conn.execute("select * from accounts where id = ?", [int(ref.lstrip("#"))]))
    if not found:
        found = _rows(conn.execute(
            "select * from accounts where id in (select entity_id from registry_log where entity = 'account' "
            f"and json_extract(change, '$.name[0]') = ?){on_platform} order by id", [ref, *params]))
    return found


def find_account(conn, ref: str, platform: str | None = None) -> dict:
    """The one account `matching_accounts` finds; RegistryError when none or several match
    (several: say which platform)."""
    found = matching_accounts(conn, ref, platform)
    if not found:
        raise RegistryError(f"no account {ref!r}{' on ' + platform if platform else ''} in the registry; "
                            "import the 台账 first (qunguan accounts import)",
                            f"台账中没有{platform + ' 上的' if platform else ''}账号 {ref!r}；请先导入台账（qunguan accounts import）")
    if len(found) > 1:
        listed = ", ".join(f"#{a['id']} {a['platform']}「{a['name']}」" for a in found)
        raise RegistryError(f"{ref!r} matches several accounts ({listed}); give --platform or #id",
                            f"{ref!r} 对应多个账号（{listed}）；请加 --platform 平台，或写 #编号")
    return found[0]


def _day(value: str, option: str) -> str:
    try:
        day = parse_day(value)
    except ValueError:
        day = None
    if not day:
        raise RegistryError(f"{option} must be a date (YYYY-MM-DD), got {value!r}",
                            f"{option} {value!r} 不是日期；请写成 年-月-日，如 2025-06-01")
    return day


def _append_filing(conn, account_id: int, action: str, filed_on: str, effective_on: str, details: str) -> dict:
    return chain.append(conn, "account_filings", {
        "account_id": account_id, "action": action, "filed_on": filed_on, "effective_on": effective_on,
        "details": details, "recorded_by": os_user(), "recorded_at": stamp()})


def record_filing(conn, account: str, action: str, filed_on: str, effective_on: str, details: str = "",
                  platform: str | None = None) -> dict:
    """Append a filing (开设/变更/关停) for an account of the registry and return it.
    A closing records the closing date; an opening fills in an unknown opening date; the
    status follows what is due today (`apply_filings`)."""
    if action not in FILING_ACTIONS:
        raise RegistryError(f"--action must be one of {'/'.join(FILING_ACTIONS)}, got {action!r}",
                            f"--action {action!r} 不可用；请写 {'、'.join(FILING_ACTIONS)} 之一")
    filed, effective = _day(filed_on, "--filed-on"), _day(effective_on, "--effective-on")
    target = find_account(conn, account, platform)
    with conn:
        filing = _append_filing(conn, target["id"], action, filed, effective, details)
        if action == "关停":
            conn.execute("update accounts set closed_on = ?, updated_at = ? where id = ?", [effective, stamp(), target["id"]])
        elif action == "开设" and not target["opened_on"]:
            conn.execute("update accounts set opened_on = ?, updated_at = ? where id = ?", [effective, stamp(), target["id"]])
        _apply(conn, local_now().date(), target["id"])
    return {**filing, "account": target["name"], "platform": target["platform"], "unit": target["unit"]}


def apply_filings(conn, today: date) -> int:
    """Bring each account's status in line with the closings and openings that have come
    into effect by `today`, the archive's own day (never a day a check is judged as of):
    a closing filed ahead makes the account 关停 on its day, an opening filed after a
    closing makes it 运行 again on its day (its 关停时间 cleared: the filings keep the
    history). Each change goes to registry_log. Returns how many accounts changed."""
    with conn:
        return sum(_apply(conn, today, account_id) for (account_id,) in conn.execute(
            "select id from accounts where closed_on is not null or status = '关停' "
            "or id in (select account_id from account_filings where action = '开设')").fetchall())


def _apply(conn, today: date, account_id: int) -> bool:
    """`apply_filings` for one account, in the caller's transaction."""
    account = _rows(conn.execute("select * from accounts where id = ?", [account_id]))[0]
    last = conn.execute("select action, effective_on from account_filings where account_id = ? "
                        "and action in ('开设', '关停') order by id desc limit 1", [account_id]).fetchone()
    reopened = bool(last and last[0] == "开设" and conn.execute(
        "select 1 from account_filings where account_id = ? and action = '关停'", [account_id]).fetchone())
    if reopened:
        wanted = {"status": "运行", "closed_on": None} if last[1] <= today.isoformat() else {}
    else:
        wanted = {"status": "关停"} if is_closed(account, today) else {}
    changed = {k: v for k, v in wanted.items() if account[k] != v}
    if not changed:
        return False
    log_change(conn, "account", account_id, account["name"], account, changed)
    conn.execute(f"update accounts set {', '.join(f'{k} = ?' for k in changed)}, updated_at = ? where id = ?",
                 [*changed.values(), stamp(), account_id])
    return True


def closed_spells(conn) -> dict[int, list[tuple[str, str | None]]]:
    """Per account, the spells it was closed, in order: (its closing day, the day an opening
    filed after that closing took effect, or None while it stays closed). From the closings
    and openings filed, by the day each takes effect, and the 台账's 关停时间 where no closing
    was filed for that day: an opening clears 关停时间, the filings keep the spell."""
    events: dict[int, list[tuple[str, int, str]]] = {}
    for account_id, action, day, filing_id in conn.execute(
            "select account_id, action, effective_on, id from account_filings where action in ('开设', '关停')"):
        events.setdefault(account_id, []).append((day, filing_id, action))
    for account_id, closed_on in conn.execute("select id, closed_on from accounts where length(closed_on) = 10"):
        if (closed_on, "关停") not in {(day, action) for day, _, action in events.get(account_id, [])}:
            events.setdefault(account_id, []).append((closed_on, 0, "关停"))
    spells: dict[int, list[tuple[str, str | None]]] = {}
    for account_id, timeline in events.items():
        since = None
        for day, _, action in sorted(timeline):
            if action == "关停" and since is None:
                since = day
            elif action == "开设" and since is not None:
                spells.setdefault(account_id, []).append((since, day))
                since = None
        if since is not None:
            spells.setdefault(account_id, []).append((since, None))
    return spells


# The posts an account published while closed (parameters: account id, closing day, the
# day it was opened again or None): from the day after the closing (a farewell post on the
# day is none) to the day before the opening.
WHILE_CLOSED = "p.account_id = ?1 and p.published_at >= date(?2, '+1 day') and (?3 is null or p.published_at < ?3)"


def is_closed(account: dict, today: date) -> bool:
    """Whether the account is closed on `today`: its status, or a closing day that has come."""
    closed_on = account.get("closed_on")
    return account.get("status") == "关停" or bool(closed_on and len(closed_on) == 10
                                                  and date.fromisoformat(closed_on) <= today)
