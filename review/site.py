"""How `qunguan serve` sets Datasette up: the signing secret, file modes, metadata with
the Chinese canned queries for auditors, the plugin's settings, and the login cookie."""
from __future__ import annotations

import os
import secrets
import sqlite3
import time
from pathlib import Path

import yaml
from datasette.utils import baseconv
from itsdangerous import BadData

from detectors.group_checks import PART_WEEK_CLOSED
from ingest.records import week_of
from ingest.schema import ACTION_NAMES, CATEGORY_NAMES, STATUS_NAMES
from review.handling import BY_A_PERSON, WITHDRAWN

DATASETTE_DIR = Path(__file__).resolve().parent.parent / "datasette"

def _named(column: str, names: dict[str, str]) -> str:
    """SQL that shows `column`'s codes by their Chinese names, as the review pages do."""
    cases = " ".join(f"when '{code}' then '{name}'" for code, name in names.items())
    return f"case {column} {cases} else {column} end"


# The archive's times are Asia/Shanghai (records.local_now), whatever the server's zone.
_NOW = "'now', '+8 hours'"
_CATEGORY = _named("f.category", CATEGORY_NAMES)
_STATUS = _named("coalesce(s.status, 'open')", STATUS_NAMES)
_PLACEHOLDERS = {"$HANDLING_STATUS": _named("h.status", STATUS_NAMES), "$HANDLING_ACTION": _named("h.action", ACTION_NAMES),
                 "$CATEGORY": _CATEGORY, "$STATUS": _STATUS}

def _time_to_handle(by: str) -> str:
    """How long flags waited for their first decision by a person (BY_A_PERSON), as the
    dashboard counts (a check closing its own flags or a command closing an exempt group's
    is no one handling them), per `by`: a column of the decision `h`, or of the flag `f`'s
    group `g` or new-media account `a`."""
    return f"""select {by}, count(*) as 处置数,
  round(avg((julianday(h.created_at) - julianday(f.created_at)) * 24), 1) as 平均用时,
  round(max((julianday(h.created_at) - julianday(f.created_at)) * 24), 1) as 最长用时
from handling h join flags f on f.id = h.flag_id
  left join groups g on g.id = f.group_id left join accounts a on a.id = f.account_id
where h.id = (select min(h.id) from handling h where h.flag_id = f.id and {BY_A_PERSON})
group by 1 order by 1"""


QUERIES = {
    "stale_open_flags": {
        "title": "超过3天未处置的标记（第十三条 迅速处置）",
        "sql": f"""select f.id as 标记, {_CATEGORY} as 类别, f.article as 条款, g.name as 群, f.created_at as 标记时间,
  {_STATUS} as 状态, round(julianday({_NOW}) - julianday(f.created_at), 1) as 已过天数
from flags f left join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
where (s.status is null or s.status in ('reviewing', 'confirmed', 'escalated'))
  and f.created_at < strftime('%Y-%m-%dT%H:%M:%S', {_NOW}, '-3 days')
order by f.created_at limit 1000""",
    },
    # Counting flags as the dashboard does: a part week of New Year the check closed stands
    # for no week (PART_WEEK_CLOSED), and a flag a check withdrew for nothing (WITHDRAWN; the
    # reports count it among the 误报, saying how many).
    "flags_per_group_week": {
        "title": "各群每周标记数",
        "sql": f"""select g.name as 群, {week_of('f.occurred_at')} as 周, {_CATEGORY} as 类别, count(*) as 数量
from flags f left join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
where not {PART_WEEK_CLOSED} and not {WITHDRAWN}
group by 1, 2, 3 order by 2 desc, 1, 4 desc""",
    },
    "flags_per_article": {
        "title": "按条款统计标记",
        "sql": f"""select f.article as 条款, {_CATEGORY} as 类别, count(*) as 数量,
  sum(coalesce(s.status, 'open') in ('open', 'reviewing', 'confirmed', 'escalated')) as 未办结
from flags f left join flag_state s on s.flag_id = f.id where not {PART_WEEK_CLOSED} and not {WITHDRAWN}
group by 1, 2 order by 1, 3 desc""",
    },
    # A ranking of named colleagues: for auditors and admins only (permissions), supervisors
    # see the same figures per unit, as the dashboard shows them.
    "time_to_handle": {"title": "各核查人处置用时（小时）", "sql": _time_to_handle("h.actor_id as 核查人")},
    "time_to_handle_per_unit": {"title": "各单位处置用时（小时）",
                                "sql": _time_to_handle("coalesce(g.unit, a.unit, '（未登记单位）') as 单位")},
    # 误报 left out, a supervisor's or the check's own (withdrawn once working hours were set right).
    "after_hours_per_unit": {
        "title": "各单位非工作时间通知",
        "sql": """select coalesce(g.unit, '（未登记单位）') as 单位, g.name as 群, count(*) as 次数, max(m.sent_at) as 最近一次
from flags f join messages m on m.id = f.message_id join groups g on g.id = f.group_id
left join flag_state s on s.flag_id = f.id
where f.category = 'after_hours' and s.status is not 'dismissed' group by 1, 2 order by 3 desc""",
    },
    "group_hygiene": {
        "title": "违反群管理规范的群",
        "sql": f"""select g.name as 群, coalesce(g.unit, '') as 单位, {_CATEGORY} as 问题, f.article as 条款, f.evidence as 说明,
  {_STATUS} as 状态
from flags f join groups g on g.id = f.group_id left join flag_state s on s.flag_id = f.id
where f.category like 'group\\_%' escape '\\' order by g.name, f.category""",
    },
    "import_ledger": {
        "title": "导入台账",
        "sql": """select i.id as 序号, i.path as 文件, i.format as 格式, g.name as 群, i.new as 新增, i.duplicate as 已存在,
  i.rejected as 拒收, i.started_at as 开始, i.finished_at as 完成, i.os_user as 操作人, i.sha256
from imports i left join groups g on g.id = i.group_id order by i.id desc""",
    },
}


def canned_queries() -> dict:
    """The canned queries: those above, and every file of datasette/queries/, where
    $CATEGORY and $STATUS stand for a flag's category and status (f, s), and
    $HANDLING_STATUS and $HANDLING_ACTION for a decision's (h), by their Chinese names."""
    queries = dict(QUERIES)
    for extra in sorted((DATASETTE_DIR / "queries").glob("*.yml")):
        text = extra.read_text(encoding="utf-8")
        for placeholder, sql in _PLACEHOLDERS.items():  # $HANDLING_STATUS before $STATUS inside it
            text = text.replace(placeholder, sql)
        queries.update(yaml.safe_load(text) or {})
    return queries


def secret_for(archive: Path) -> str:
    """The archive's cookie-signing secret, created once (0600) so logins survive restarts."""
    path = archive.with_name(archive.stem + ".secret")
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def lock_down(archive: Path) -> None:
    """Chat logs are sensitive: the archive and its WAL files are readable by the owner only."""
    for path in (archive, Path(f"{archive}-wal"), Path(f"{archive}-shm")):
        if path.exists():
            path.chmod(0o600)


# The handling table keeps decisions by their codes (dismissed, removed …): its page leads
# to the canned query that names them in Chinese.
_HANDLING_TABLE = '状态、措施以代码记录；按中文名查看请用 <a href="{trail}">处置记录（工作群标记）</a>。'


def metadata(archive: Path, users_db: Path, allowed_hosts: list[str], proxied_hosts: list[str] = ()) -> dict:
    """`proxied_hosts`: the names `serve --allow-host` gave, which a reverse proxy may serve (`web.from_this_site`)."""
    trail = f"/{archive.stem}/handling_trail"
    return {
        "title": "群管 · 政务微信工作群档案",
        "plugins": {"qunguan": {"database": archive.stem, "users_db": str(users_db), "allowed_hosts": allowed_hosts,
                                "proxied_hosts": list(proxied_hosts)}},
        "databases": {archive.stem: {"queries": canned_queries(),
                                     "tables": {"handling": {"description_html": _HANDLING_TABLE.format(trail=trail)}}}},
    }


# max_csv_mb: Datasette cuts a CSV at 100 MB, writing "CSV contains more than … bytes" in
# English as the file's last line, with 200; a whole table's export (the archive's
# messages) is streamed page by page, and is meant whole.
SETTINGS = {"sql_time_limit_ms": 5000, "max_returned_rows": 2000, "allow_download": False,
            "default_page_size": 50, "suggest_facets": False, "max_csv_mb": 0}


# The longest string or blob a query of the server may build or read (SQLite's own limit is
# a gigabyte): far above any message, note or cell of an export, far below what runs the
# server out of memory when an auditor's SQL asks for randomblob(999999999), which it
# would hold, and its JSON twice over.
LONGEST_VALUE = 32 * 1024 * 1024


# The pragmas a query may read as tables (`pragma_table_info(…)`): a table's columns, keys
# and indexes, the file's page counts, and the SQL functions a query may call (their names
# and arguments: no path, no setting), which Datasette's SQL check allows too. Not the
# other one it allows, `pragma_database_list`, which gives the archive's path on the
# server (shown to admins only, /-/databases), nor any other (compile_options,
# journal_mode, busy_timeout …), which tell how the server is set up: Datasette refuses
# those by a pattern on the SQL's text, which a line starting with `--` inside a string
# gets round. Datasette reads what it needs with PRAGMA statements, not these tables.
READABLE_PRAGMAS = {"table_info", "table_xinfo", "foreign_key_list", "index_list", "index_info", "index_xinfo",
                    "page_count", "page_size", "max_page_count", "schema_version", "function_list"}


# SQLite's own tables no query may read: sqlite_stmt gives the SQL of every statement open
# on the connection, other users' queries (a search's words in them) among them.
UNREADABLE_TABLES = {"sqlite_stmt"}


def _authorizer(action, table, column, database, trigger) -> int:
    # SQLite names the table as the query first spelled it: PRAGMA_DATABASE_LIST too.
    if action == sqlite3.SQLITE_READ and table and (
            table.lower() in UNREADABLE_TABLES
            or table.lower().startswith("pragma_") and table.lower().removeprefix("pragma_") not in READABLE_PRAGMAS):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def limit_connection(conn) -> None:
    """Set the server's limits on one of Datasette's connections: the longest value, and
    no pragma read as a table but READABLE_PRAGMAS, nor UNREADABLE_TABLES."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LONGEST_VALUE)
    conn.set_authorizer(_authorizer)


SESSION_SECONDS = 12 * 3600


def actor_cookie(ds, user) -> str:
    """The signed `ds_actor` cookie value for a login as `user`: Datasette refuses it after
    SESSION_SECONDS ("e", base62 seconds), the plugin once the user's session epoch moves on."""
    expires = baseconv.base62.encode(int(time.time()) + SESSION_SECONDS)
    return ds.sign({"a": {"id": user.name, "epoch": user.epoch}, "e": expires}, "actor")


# A browser where a user has logged in is known by a signed cookie naming them (a few
# users may share an office computer), each with their session epoch then and the time:
# the address lock spares their logins there for DEVICE_SECONDS at most, and only until
# their sessions are ended (logged out on another browser, a new password, disabled).
DEVICE_COOKIE = "qg_device"
DEVICE_SECONDS = 90 * 24 * 3600
DEVICE_NAMES = 8


def device_logins(ds, cookie: str | None) -> list[list]:
    """The logins the browser that sent `cookie` remembers, [name, session epoch, time],
    from the last DEVICE_SECONDS (none for a cookie that is missing, forged, from another
    archive's secret or from before times were kept)."""
    try:
        logins = ds.unsign(cookie or "", "device")
    except BadData:
        return []
    oldest = time.time() - DEVICE_SECONDS
    return [entry for entry in logins if _is_login(entry) and entry[2] >= oldest] if isinstance(logins, list) else []


def _is_login(entry) -> bool:
    return isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str) \
        and all(isinstance(value, int) for value in entry[1:])


def device_knows(logins: list[list], user) -> bool:
    """Whether `user` (None for no such user) has logged in on the browser that remembers
    `logins` since their sessions last ended."""
    return user is not None and [user.name, user.epoch] in [entry[:2] for entry in logins]


def device_cookie(ds, user, logins: list[list]) -> str:
    """The device cookie after `user` logged in, or out, on a browser that remembered `logins`."""
    entry = [user.name, user.epoch, int(time.time())]
    return ds.sign([entry, *(other for other in logins if other[0] != user.name)][:DEVICE_NAMES], "device")


def make_datasette(archive: Path, host: str = "127.0.0.1", allow_hosts: tuple[str, ...] = ()):
    """The Datasette that `qunguan serve` runs (and the tests drive): plugin, templates,
    canned queries, a persistent secret, and users kept beside the archive; answering
    only to the names of `host`, the address it is bound to, and `allow_hosts` (`hosts`)."""
    from datasette.app import Datasette

    from review import auth, hosts

    lock_down(archive)
    users = auth.users_path(archive)
    auth.connect(users).close()
    return Datasette([str(archive)], plugins_dir=str(DATASETTE_DIR / "plugins"),
                     template_dir=str(DATASETTE_DIR / "templates"),
                     metadata=metadata(archive, users, hosts.allowed_hosts(host, allow_hosts),
                                       [hosts.host_of(name) for name in allow_hosts]),
                     secret=secret_for(archive), settings=SETTINGS)
