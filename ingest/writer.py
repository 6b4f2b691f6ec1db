"""The write side of one file's ingest: one connection, one transaction, and the
operations run on it.

Operations are plain functions `op(conn, *args)` run through `Transaction.call`.
Measured and dropped: a writer thread gained nothing (`executemany` takes the GIL back
for every row it binds), and a writer process lost time (pickling every batch through a
pipe cost more than the overlap saved: 18.7k messages/s against 24.7k in-process on 1M).
"""
from __future__ import annotations

import difflib
import json
import sqlite3
import unicodedata
from typing import Any, Callable

from detectors.setting_values import Problem
from ingest import chain, roster, schema
from ingest.user_errors import Said

INSERT_MESSAGE = (
    "insert or ignore into messages (id, key, group_id, member_id, source_id, sent_at, time_precision, kind, "
    "kind_raw, text, tokens, reply_key, quote, is_self, import_id, source_line, raw) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


SORT_MB = 16  # the page cache while `reindex_messages` builds indexes


def connect(path: str, cache_mb: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    # A large page cache keeps the key index's random inserts in memory (bench/ingest.py).
    conn.execute(f"pragma cache_size = -{cache_mb * 1024}")
    conn.execute("pragma synchronous = normal")
    conn.execute(f"pragma busy_timeout = {schema.BUSY_SECONDS * 1000:.0f}")
    conn.execute("begin immediate")
    return conn


# Operations, run on the write connection.

def next_ids(conn) -> tuple[int, int]:
    """(next import id, next message id)."""
    return conn.execute("select (select coalesce(max(id), 0) + 1 from imports), "
                        "(select coalesce(max(id), 0) + 1 from messages)").fetchone()


class ChatIdClash(Said, ValueError):
    """A chat named like an archived group that has another chat id: a group of the same name."""


def resolve_group(conn, forced: str | None, chat_id: str | None, chat_name: str | None,
                  overrides: bool, longer: tuple[str, ...] = ()) -> tuple[int, str] | None:
    """(group id, name) of a chat: the group that knows its chat id, whatever --group
    says (a chat keeps its id for life); else --group where it `overrides` the file's own
    name (a file named on the command line); else the name the file gives (inside it, or
    as its file name), else --group. A chat whose id is new is not filed under a group of
    its name that came with another id: that is another group (two townships' 工作群),
    named by --group. A file whose name held what copying adds (`防汛群(2).csv`: its
    `longer` names) goes to the group of the longest of them archived: another export
    named the chat so (chatlog's 防汛群(2)); else to the name without them."""
    if chat_id:
        row = conn.execute("select id, name from groups where exists "
                           "(select 1 from json_each(groups.source_ids) where value = ?)", [chat_id]).fetchone()
        if row:
            return row
    if not (forced and overrides):
        chat_name = next((n for n in longer if group_named(conn, n) is not None), chat_name)
    name = forced if forced and overrides else chat_name or forced
    if not name:
        return None
    # A group's former name (groups rename) is how a name-only export still finds it;
    # --group and a chat with an id of its own name a group as it is called now.
    group_id, name, ids = _group_named(conn, name, former=name != forced and not chat_id)
    if chat_id and ids and chat_id not in ids and name != forced:
        if not forced:
            raise ChatIdClash(f"the archive's group {name!r} is the chat {', '.join(ids)}, and this file's chat "
                              f"{chat_id} is another of the same name; pass --group with a name of its own "
                              "(or the archived group's name, if it really is that group)",
                              f"档案中的群 {name!r} 对应聊天 {'、'.join(ids)}，而本文件的聊天 {chat_id} 是另一个同名的群；"
                              "请用 --group 给它另起一个群名（如果它确实就是档案中的那个群，就写那个群名）")
        group_id, name, ids = _group_named(conn, forced, former=False)
    if chat_id and chat_id not in ids:
        conn.execute("update groups set source_ids = ? where id = ?", [json.dumps(ids + [chat_id], ensure_ascii=False), group_id])
    return group_id, name


def group_named(conn, name: str, former: bool = True) -> int | None:
    """The group of that name, or (`former`) that had it before a rename."""
    row = conn.execute("select id from groups where name = ? union all select id from groups where ? and exists "
                       "(select 1 from json_each(other_names) where value = ?) limit 1", [name, former, name]).fetchone()
    return row[0] if row else None


def archived_group_name(conn, name: str) -> str | None:
    """The archive's name of the group `name` names: itself, or the one name it is with
    the spaces around it dropped (pasted from a chat or a spreadsheet, a full-width space
    among them, and stored so by versions that kept them); None for neither."""
    if conn.execute("select 1 from groups where name = ?", [name]).fetchone():
        return name
    around = [n for (n,) in conn.execute("select name from groups") if n.strip() == name.strip()]
    return around[0] if len(around) == 1 else None


def names_alike(name: str, names: list[str]) -> list[str]:
    """The names of `names` that `name` may be a mistyping of: those holding it (typed in
    part, or with ( ) for （ ）), else those close to it, the closest first."""
    typed = _folded(name)
    return ([n for n in names if typed and typed in _folded(n)]
            or difflib.get_close_matches(name, names, n=3, cutoff=0.75))


def _folded(name: str) -> str:
    # What typing it another way leaves alike: （）and ( ), full-width letters, spaces.
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def add_group_name(conn, group_id: int, name: str) -> None:
    """Another name the group is known by (groups.other_names)."""
    conn.execute("update groups set other_names = (select json_group_array(value) from "
                 "(select value from json_each(other_names) union select ?)) where id = ?", [name, group_id])


def _group_named(conn, name: str, former: bool) -> tuple[int, str, list[str]]:
    """(id, name, chat ids) of the group of that name (or `former` name), made if new."""
    group_id = group_named(conn, name, former)
    if group_id is None:
        group_id = conn.execute("insert into groups (name) values (?)", [name]).lastrowid
    name, ids = conn.execute("select name, source_ids from groups where id = ?", [group_id]).fetchone()
    return group_id, name, json.loads(ids)


def find_member(conn, group_id: int, key: str) -> int | None:
    row = conn.execute("select id from members where group_id = ? and sender_key = ?", [group_id, key]).fetchone()
    return row[0] if row else None


def member(conn, group_id: int, key: str, sender_id: str | None, name: str | None) -> int:
    conn.execute("insert or ignore into members (group_id, sender_key, sender_id, display_name) values (?, ?, ?, ?)",
                 [group_id, key, sender_id, name])
    return find_member(conn, group_id, key)


def insert_messages(conn, rows: list[tuple]) -> None:
    """Insert a batch (ids in order) and index its text for search at once: while the
    parsing process works on the next batch, this one would otherwise wait for it."""
    conn.executemany(INSERT_MESSAGE, rows)
    conn.execute("insert into messages_fts (rowid, tokens) select id, tokens from messages "
                 "where id between ? and ? and tokens != ''", [rows[0][0], rows[-1][0]])


def unindex_messages(conn) -> list[str]:
    """Drop the messages table's indexes, returning the statements that make them again
    (`reindex_messages`). For an import into an empty archive (a first, often large,
    file): one sorted build after it costs a third of keeping them up to date row by row
    (bench/ingest.py, 1M messages). In the file's transaction, so a file rolled back
    leaves them as they were."""
    made = conn.execute("select name, sql from sqlite_master where type = 'index' and tbl_name = 'messages' "
                        "and sql is not null order by rowid").fetchall()
    for name, _ in made:
        conn.execute(f'drop index "{name}"')
    return [sql for _, sql in made]


def reindex_messages(conn, statements: list[str], first_id: int) -> None:
    """Make the indexes `unindex_messages` dropped again. Without the unique key, a
    message the file holds twice (an overlapping paste) was stored twice: its first is
    kept, as `insert or ignore` keeps it, and the others go, from the search index too."""
    # The sort that builds an index may take as much memory as the page cache holds, on
    # top of it (1M messages: +46 MB). Built with a small cache it reuses the cache's
    # memory instead (+0 MB), for the same CPU time.
    cache = conn.execute("pragma cache_size").fetchone()[0]
    conn.execute(f"pragma cache_size = -{SORT_MB * 1024}")
    try:
        for statement in statements:
            try:
                conn.execute(statement)
            except sqlite3.IntegrityError:
                _drop_repeats(conn, first_id)
                conn.execute(statement)
    finally:
        conn.execute(f"pragma cache_size = {cache}")


def _drop_repeats(conn, first_id: int) -> None:
    # In SQL, not a list: memory must not grow with the file (a whole export pasted twice).
    conn.execute("create temp table repeats as select id from messages where id >= ? and id not in "
                 "(select min(id) from messages where id >= ? group by key)", [first_id, first_id])
    conn.execute("insert into messages_fts (messages_fts, rowid, tokens) select 'delete', id, tokens from messages "
                 "where id in (select id from temp.repeats) and tokens != ''")
    conn.execute("delete from messages where id in (select id from temp.repeats)")
    conn.execute("drop table temp.repeats")


def adopt_ids(conn, found: list[dict]) -> None:
    """Dicts of source_id, key (by it), reply_key (or None), sent_at, precision and id: a
    message archived without its exporter's id, now read with it, takes it (and the reply
    it names, if it had none), and the second its time was cut to a minute. Its sender
    stays the member it was archived under (moved, that member would be left with no
    messages, and checked against the roster for nothing). Should that key be taken
    already (the same message twice in one file, the first stored by this very import),
    the message keeps what it had: it is archived either way."""
    conn.executemany(
        "update or ignore messages set source_id = :source_id, key = :key, reply_key = coalesce(reply_key, :reply_key), "
        "sent_at = case when time_precision = 'minute' and :precision = 'second' then :sent_at else sent_at end, "
        "time_precision = case when :precision = 'second' then 'second' else time_precision end where id = :id", found)


def take_the_second(conn, found: list[dict]) -> None:
    """Dicts of key, sent_at and id: a message archived timed to the minute without an id
    (a phone share), matched by a record timed to the second (chatlog), takes that
    record's identity and second. Which of a sender's identical replies in that minute it
    is, is then settled: another export's record of the other does not take it too. Its
    sender stays the member it was archived under, as in adopt_ids; a key taken already
    (the record twice in one file) leaves the message as it was."""
    conn.executemany("update or ignore messages set key = :key, sent_at = :sent_at, time_precision = 'second' "
                     "where id = :id and time_precision = 'minute'", found)


def complete_cuts(conn, found: list[dict]) -> None:
    """Dicts of id, key, text, tokens and raw: a message stored in doubt, cut off when
    copied, takes the text and identity of the whole one, read after it. Its id stays,
    so flags and decisions on it still point at it; it is indexed for search anew, and
    the next classify judges its whole text."""
    from classifiers.classify import read_again_from  # rarely needed: the model's libraries load slowly

    if found:
        read_again_from(conn, min(one["id"] for one in found))
    for one in found:
        conn.execute("insert into messages_fts (messages_fts, rowid, tokens) select 'delete', id, tokens from messages "
                     "where id = :id and tokens != ''", one)
        conn.execute("update messages set key = :key, text = :text, tokens = :tokens, raw = :raw where id = :id", one)
        conn.execute("insert into messages_fts (rowid, tokens) select id, tokens from messages "
                     "where id = :id and tokens != ''", one)


def insert_reject(conn, row: list) -> None:
    conn.execute("insert into rejects (import_id, line, record, reason, raw) values (?, ?, ?, ?, ?)", row)


def rejects_of(conn, import_id: int) -> list[tuple[int | None, int, str]]:
    return conn.execute("select line, record, reason from rejects where import_id = ? order by id", [import_id]).fetchall()


def import_named(import_id: int, finished_at: str) -> Problem:
    """An import as the lines about a file name it: "import #N, <time>", N its id in the ledger."""
    return Problem(f"import #{import_id}, {finished_at}", f"导入记录 #{import_id}（{finished_at}）")


def read_before(conn, import_id: int, sha256: str) -> tuple[Problem | None, int]:
    """The earlier import of these very bytes (`import_named`, or None), and how many
    of this import's rejects it recorded already, which are dropped: a file with bad
    records is read again on every run, and its bad records are the same ones."""
    earlier = conn.execute("select id, finished_at from imports where sha256 = ? order by id limit 1",
                           [sha256]).fetchone()
    if earlier is None:
        return None, 0
    # A set lookup, not a search per reject: a badly damaged file has many.
    same = "coalesce(line, -1), record, reason, coalesce(raw, '')"
    dropped = conn.execute(
        f"delete from rejects where import_id = ? and ({same}) in (select {same} from rejects where import_id in "
        "(select id from imports where sha256 = ?))", [import_id, sha256]).rowcount
    return import_named(*earlier), dropped


def finish(conn, import_id: int, names: dict[int, tuple[list[str], tuple[str, str] | None]]) -> int:
    """Remember senders' names, settle replies; returns rows added. A member's display
    name is the one its latest message was sent under, whichever export came last (a
    member who took a real name, or hid behind 🌹🌹, is seen as they are now); the others
    are kept beside it."""
    for member_id, (seen, latest) in names.items():
        display, others, named_at = conn.execute("select display_name, other_names, named_at from members where id = ?",
                                                 [member_id]).fetchone()
        every = (set(json.loads(others)) | {display} | set(seen)) - {None}
        if latest and (named_at is None or latest[0] >= named_at):
            named_at, display = latest
        elif display is None:
            display = min(seen)  # messages without times: the first name, in order
        others = json.dumps(sorted(every - {display}), ensure_ascii=False)
        conn.execute("update members set display_name = ?, other_names = ?, named_at = ? where id = ? "
                     "and (display_name is not ? or other_names != ? or named_at is not ?)",
                     [display, others, named_at, member_id, display, others, named_at])
    roster.link_members(conn, list(names))
    # Replies find their original once both are archived, whichever file came first.
    conn.execute("update messages set reply_to = (select o.id from messages o where o.key = messages.reply_key) "
                 "where reply_key is not null and reply_to is null")
    return conn.execute("select count(*) from messages where import_id = ?", [import_id]).fetchone()[0]


def ledger(conn, fields: dict) -> None:
    """Append the import's row to the hash-chained ledger."""
    prev = chain.last_hash(conn, "imports")
    fields = {**fields, "prev_hash": prev, "hash": chain.row_hash(prev, fields)}
    conn.execute(f"insert into imports ({', '.join(fields)}) values ({', '.join('?' * len(fields))})",
                 list(fields.values()))


def commit(conn) -> None:
    conn.execute("commit")


class Transaction:
    """Operations run here, in order, on a connection inside one transaction."""

    def __init__(self, path: str, cache_mb: int):
        self.conn = connect(path, cache_mb)

    def call(self, op: Callable, *args) -> Any:
        return op(self.conn, *args)

    def close(self) -> None:
        """End the file: a transaction not committed by now (error, Ctrl-C) is rolled back."""
        # Asked of SQLite, not of our bookkeeping: a commit an interrupt cut short of
        # telling us is over, and "rollback" would fail then.
        if self.conn.in_transaction:
            self.conn.execute("rollback")
        self.conn.close()
