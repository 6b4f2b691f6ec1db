"""The review queue and the case page, as plain queries over the archive.

The queue is ordered by severity, then newest flag first, and pages by keyset
(`before=<severity>:<id>`), so the hundredth page costs what the first does."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.schema import HANDLING_STATUSES, OPEN_STATUSES
from review.days import read_day

PAGE = 50
FILTERS = ("group", "unit", "category", "article", "status", "since", "until")

# Message flags show their group and sender; new-media flags their account (and post).
# A flag's time is when what it is about happened (`occurred_at`: a message sent, a post
# published, a week's first day for the week's chatter share), the time the date filter reads.
_SELECT = """
select f.id, f.subject, f.category, f.article, f.score, f.evidence, f.detector, f.severity, f.created_at,
       f.message_id, f.group_id, f.member_id, f.related_message_id, f.post_id, f.account_id,
       coalesce(f.occurred_at, m.sent_at, po.published_at, f.created_at) as at, coalesce(m.text, po.text) as text, m.kind,
       coalesce(g.name, a.platform || '·' || a.name) as group_name, coalesce(g.unit, a.unit) as unit,
       coalesce(p.name, mb.display_name, mb.sender_id) as sender, coalesce(s.status, 'open') as status
from flags f
left join messages m on m.id = f.message_id
left join groups g on g.id = f.group_id
left join members mb on mb.id = f.member_id
left join people p on p.id = mb.person_id
left join posts po on po.id = f.post_id
left join accounts a on a.id = f.account_id
left join flag_state s on s.flag_id = f.id
"""


@dataclass
class Page:
    rows: list[dict]
    counts: dict[str, int]
    next_cursor: str | None
    filters: dict = field(default_factory=dict)
    # The page before: "" for the first page, a cursor for another, None on the first page.
    prev_cursor: str | None = None


def typed_filters(args) -> dict:
    """The queue's filters as an address gives them (`args`: its query's values by name)."""
    return {k: (args.get(k) or "").strip() for k in FILTERS}


def read_dates(filters: dict) -> tuple[dict, list[str]]:
    """`filters` with their days (`since`, `until`) written YYYY-MM-DD where `read_day`
    reads them and left out where it cannot, and what to tell the user about those, in
    Chinese: a day left out, or a range the wrong way round, which nothing can match."""
    read, problems = dict(filters), []
    for key, label in (("since", "自"), ("until", "至")):
        if read.get(key):
            day = read_day(read[key])
            if day is None:
                problems.append(f"“{label}”的日期无法识别：{read[key]}（请写作 2025-03-05），未按此日期筛选")
            read[key] = day.isoformat() if day else ""
    if read.get("since") and read.get("until") and read["since"] > read["until"]:
        problems.append(f"“自”（{read['since']}）晚于“至”（{read['until']}），没有标记能在此期间内")
    return read, problems


def _where(filters: dict) -> tuple[list[str], list]:
    clauses, params = [], []
    status = _status(filters)
    if status == "new":  # 待核查: nobody has taken it up yet
        clauses.append("s.status is null")
    elif status == "open":  # 未办结: not yet resolved or dismissed
        clauses.append(f"(s.status is null or s.status in ({', '.join('?' * len(OPEN_STATUSES))}))")
        params += OPEN_STATUSES
    elif status != "all":
        clauses.append("s.status = ?")
        params.append(status)
    # Group and unit go through the groups/accounts tables to the indexed flag columns.
    if filters.get("group"):
        clauses.append("f.group_id in (select id from groups where name = ?)")
        params.append(filters["group"])
    if filters.get("unit"):
        clauses.append("(f.group_id in (select id from groups where unit = ?) "
                       "or f.account_id in (select id from accounts where unit = ?))")
        params += [filters["unit"], filters["unit"]]
    for key in ("category", "article"):  # each has an index in queue order
        if filters.get(key):
            clauses.append(f"f.{key} = ?")
            params.append(filters[key])
    if filters.get("since"):
        clauses.append("f.occurred_at >= ?")
        params.append(filters["since"])
    if filters.get("until"):
        clauses.append("f.occurred_at < date(?, '+1 day')")
        params.append(filters["until"])
    return clauses, params


_FILTER_JOINS = "left join flag_state s on s.flag_id = f.id"


def queue(conn, filters: dict, cursor: str | None = None, page: int = PAGE) -> Page:
    clauses, params = _where(filters)
    keyset = list(clauses)
    keyset_params = list(params)
    if position := _cursor(cursor):
        severity, last_id = position
        keyset.append("(f.severity < ? or (f.severity = ? and f.id < ?))")
        keyset_params += [severity, severity, last_id]
    where = f"where {' and '.join(keyset)}" if keyset else ""
    # Pick the page's flags with only the joins the filters need, then fetch their details.
    rows = [dict(r) for r in dict_rows(
        conn, f"with page as (select f.id from flags f {_FILTER_JOINS} {where} "
              f"order by f.severity desc, f.id desc limit ?) "
              f"{_SELECT} where f.id in (select id from page) order by f.severity desc, f.id desc",
        keyset_params + [page + 1])]
    next_cursor = None
    if len(rows) > page:
        rows = rows[:page]
        next_cursor = f"{rows[-1]['severity']}:{rows[-1]['id']}"
    prev_cursor = _before(conn, clauses, params, rows[0], page) if position and rows else None
    return Page(rows, counts(conn, filters, clauses, params), next_cursor, filters, prev_cursor)


def next_flag(conn, filters: dict, flag: dict) -> int | None:
    """The id of the flag after `flag` (a row with its severity and id) in the queue under
    `filters`, whether or not `flag` is still listed there (decided on meanwhile); None
    at the queue's end."""
    clauses, params = _where(filters)
    after = " and ".join([*clauses, "(f.severity, f.id) < (?, ?)"])
    found = conn.execute(f"select f.id from flags f {_FILTER_JOINS} where {after} order by f.severity desc, f.id desc "
                         "limit 1", [*params, flag["severity"], flag["id"]]).fetchone()
    return found[0] if found else None


def _before(conn, clauses: list[str], params: list, first: dict, page: int) -> str:
    """The cursor of the page before the one that starts at `first`: the flag just ahead
    of that page's `page` flags in queue order ("" when they are the first page's)."""
    # A row value lets SQLite seek the index to the page (the OR form it scans to it:
    # 5.5 ms against 0.5 ms at page 400 of 100k flags, bench/review.py's archive).
    ahead = " and ".join([*clauses, "(f.severity, f.id) > (?, ?)"])
    earlier = conn.execute(f"select f.severity, f.id from flags f {_FILTER_JOINS} where {ahead} "
                           "order by f.severity asc, f.id asc limit ?",
                           [*params, first["severity"], first["id"], page + 1]).fetchall()
    return f"{earlier[page][0]}:{earlier[page][1]}" if len(earlier) > page else ""


def row_id(text: str | None) -> int | None:
    """The id (of a flag, a message) or number that `text` in an address names, or None
    when no row could have it (SQLite ids are 64-bit; `isdigit` alone would take other
    scripts' digits)."""
    return int(text) if text and text.isascii() and text.isdigit() and int(text) < 2 ** 63 else None


def _cursor(text: str | None) -> tuple[int, int] | None:
    """(severity, flag id) of a "next page" link's `before`; None (the first page) for
    one that is not (edited by hand, cut short)."""
    parts = [row_id(p) for p in (text or "").split(":")]
    return (parts[0], parts[1]) if len(parts) == 2 and None not in parts else None


def _status(filters: dict) -> str:
    """The status filter: 'open' (未办结, the default, also for a status edited into the
    address), 'new' (待核查: nobody has taken it up), 'all', or one handling status."""
    status = filters.get("status") or "open"
    return status if status in ("new", "all", *HANDLING_STATUSES) else "open"


def counts(conn, filters: dict, clauses: list[str], params: list) -> dict[str, int]:
    """Flags per category under the filters. By status, category and article alone they
    are read from `flag_tallies`; filtered by group, unit or date, they are all flags per
    category (from the filter's index), less or limited to those whose latest decision has
    the wanted status."""
    status = _status(filters)
    scope, scope_params = _where({**filters, "status": "all"})
    if not any(filters.get(k) for k in ("group", "unit", "since", "until")):
        # The tallies' 'open' is a flag nobody has decided on.
        wanted = {"open": ("open", *OPEN_STATUSES), "new": ("open",),
                  "all": ("open", *HANDLING_STATUSES)}.get(status, (status,))
        narrow = [(k, filters[k]) for k in ("category", "article") if filters.get(k)]
        found = dict(conn.execute(
            f"select category, sum(n) from flag_tallies where status in ({', '.join('?' * len(wanted))}) "
            + "".join(f"and {k} = ? " for k, _ in narrow) + "group by category", [*wanted, *(v for _, v in narrow)]))
        return dict(sorted(((c, n) for c, n in found.items() if n), key=lambda kv: -kv[1]))
    where = " and ".join(scope)
    # `+f.category` makes SQLite filter through the filter's index before grouping.
    total = dict(conn.execute(f"select f.category, count(*) from flags f where {where} group by +f.category",
                              scope_params))
    if status == "all":
        found = total
    else:
        decided = {"open": [s for s in HANDLING_STATUSES if s not in OPEN_STATUSES],
                   "new": list(HANDLING_STATUSES)}.get(status, [status])
        handled = dict(conn.execute(
            f"select f.category, count(*) from flag_state s join flags f on f.id = s.flag_id "
            f"where s.status in ({', '.join('?' * len(decided))}) and {where} group by f.category",
            decided + scope_params))
        found = {c: n - handled.get(c, 0) for c, n in total.items()} if status in ("open", "new") else handled
    return dict(sorted(((c, n) for c, n in found.items() if n), key=lambda kv: -kv[1]))


def dict_rows(conn, sql: str, params: list | dict):
    """The rows of a query as dicts, by column name, one at a time."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, row)) for row in cursor)


def choices(conn) -> dict[str, list[str]]:
    """Values for the queue's filter menus."""
    return {
        "group": [r[0] for r in conn.execute("select name from groups order by name")],
        "unit": [r[0] for r in conn.execute("select unit from groups where unit is not null union "
                                            "select unit from accounts order by 1")],
        "category": [r[0] for r in conn.execute("select distinct category from flags order by category")],
        "article": [r[0] for r in conn.execute("select distinct article from flags order by article")],
    }


_MESSAGE = """
select m.id, m.sent_at, m.kind, m.text, m.quote, m.source_id, m.member_id,
       coalesce(p.name, mb.display_name, mb.sender_id) as sender, mb.display_name, p.name as person
from messages m left join members mb on mb.id = m.member_id left join people p on p.id = mb.person_id
"""


def case(conn, flag_id: int, around: int = 10) -> dict | None:
    """Everything the case page shows: the flag, its message and the conversation around
    it (`cut`: the group has more than `around` messages on a side), other flags on the
    same message, and the handling history."""
    found = list(dict_rows(conn, f"{_SELECT} where f.id = ?", [flag_id]))
    if not found:
        return None
    flag = found[0]
    result = {"flag": flag, "message": None, "before": [], "after": [], "cut": False, "others": [], "history": [],
              "related": None, "post": None, "account": None, "filings": []}
    if flag["message_id"]:
        message = next(dict_rows(conn, f"{_MESSAGE} where m.id = ?", [flag["message_id"]]), None)
        group = conn.execute("select group_id from messages where id = ?", [flag["message_id"]]).fetchone()[0]
        result["message"] = message
        # One message past `around` on each side says whether the side was cut; exactly
        # `around` there is the whole of it.
        before = list(dict_rows(
            conn, f"{_MESSAGE} where m.group_id = ? and (m.sent_at, m.id) < (?, ?) order by m.sent_at desc, m.id desc limit ?",
            [group, message["sent_at"], message["id"], around + 1]))
        after = list(dict_rows(
            conn, f"{_MESSAGE} where m.group_id = ? and (m.sent_at, m.id) > (?, ?) order by m.sent_at, m.id limit ?",
            [group, message["sent_at"], message["id"], around + 1]))
        result["cut"] = max(len(before), len(after)) > around
        result["before"], result["after"] = list(reversed(before[:around])), after[:around]
        result["others"] = list(dict_rows(conn, "select id, category, article, score, detector from flags "
                                            "where message_id = ? and id != ? order by id", [flag["message_id"], flag_id]))
    elif flag["member_id"]:
        result["before"] = list(reversed(list(dict_rows(
            conn, f"{_MESSAGE} where m.member_id = ? order by m.sent_at desc, m.id desc limit ?", [flag["member_id"], around]))))
    if flag["related_message_id"]:
        result["related"] = next(dict_rows(conn, f"{_MESSAGE} where m.id = ?", [flag["related_message_id"]]), None)
        if result["related"]:
            result["related"]["group_name"] = conn.execute(
                "select g.name from messages m join groups g on g.id = m.group_id where m.id = ?",
                [flag["related_message_id"]]).fetchone()[0]
    if flag["post_id"]:
        result["post"] = next(dict_rows(conn, "select * from posts where id = ?", [flag["post_id"]]), None)
    if flag["account_id"]:
        result["account"] = next(dict_rows(conn, "select * from accounts where id = ?", [flag["account_id"]]), None)
        result["filings"] = list(dict_rows(conn, "select action, filed_on, effective_on, details, recorded_by "
                                             "from account_filings where account_id = ? order by id", [flag["account_id"]]))
    result["history"] = list(dict_rows(conn, "select * from handling where flag_id = ? order by id", [flag_id]))
    return result


def search(conn, text: str, before: int | None = None, page: int = PAGE, sender: str = "") -> tuple[list[dict], int | None]:
    """Messages containing every word of `text` (segmented like `messages.tokens`), newest
    first, `page` at a time: FTS5 walks its rowids downwards and stops at the page, so a
    word found in a million messages costs what a rare one does. With `sender`, only the
    messages of the members it names, by real name, display name or exported id, exactly
    (all of theirs when `text` is empty). Returns (rows, cursor)."""
    from classifiers.tokenizer import fts_query, quoted_phrases

    match = fts_query(text)
    if not match and not sender:
        return [], None
    # A phrase in quotes must be in the text as written, its words in that order.
    phrases = [p.lower() for p in quoted_phrases(text)]  # the index's tokens are lower-cased too
    # No index on messages.member_id (it would slow every ingest): the walk down the rowids
    # checks each message's member, and stops at the page.
    by_sender = ("and m.member_id in (select mb.id from members mb left join people p on p.id = mb.person_id "
                 "where p.name = :sender or mb.display_name = :sender or mb.sender_id = :sender) " if sender else "")
    if match:  # FTS5's rowids walked downwards, the messages joined only when a phrase or sender asks
        key = "f.rowid"
        walked = ("from messages_fts f " + ("join messages m on m.id = f.rowid " if phrases or sender else "")
                  + "where messages_fts match :match and ")
    else:
        key, walked = "m.id", "from messages m where "
    ids = [r[0] for r in conn.execute(
        f"select {key} {walked}{key} < :before " + "".join(f"and instr(lower(m.text), :p{i}) > 0 " for i in range(len(phrases)))
        + f"{by_sender}order by {key} desc limit :limit",
        {"match": match, "before": before or (1 << 62), "sender": sender, "limit": page + 1,
         **{f"p{i}": phrase for i, phrase in enumerate(phrases)}})]
    more = ids[page] if len(ids) > page else None
    ids = ids[:page]
    rows = list(dict_rows(conn, f"{_MESSAGE_IN_GROUP} where m.id in (select value from json_each(?)) order by m.id desc",
                      [str(ids)]))
    return rows, (ids[-1] if more else None)


_MESSAGE_IN_GROUP = """
select m.id, m.sent_at, m.kind, m.text, g.name as group_name, coalesce(p.name, mb.display_name, mb.sender_id) as sender,
       (select min(f.id) from flags f where f.message_id = m.id) as flag_id
from messages m join groups g on g.id = m.group_id
left join members mb on mb.id = m.member_id left join people p on p.id = mb.person_id
"""
