"""The one save path every format shares: identity, groups, members, batches, the ledger.

Identity: a message's `id` is a 63-bit hash of what identifies it, so the same message
from any file or encoding maps to the same row and re-imports add only what is new.
Where the exporter gives a message id, identity is (group, source id); otherwise it is
(group, time, sender, kind, text, position within a run of identical records), which
keeps two "收到" sent in the same second apart.

Atomicity: each file is one `BEGIN IMMEDIATE` transaction, rolled back on any error or
Ctrl-C, so a failed file leaves the archive exactly as it was.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

import sqlite_utils

from classifiers.tokenizer import tokens
from ingest import chain, roster
from ingest.formats import by_name, detect
from ingest.records import Context, FormatError, Record, Reject, Skipped
from ingest.sources import SNIFF_BYTES, HashingReader, Source, detect_encoding, expand, os_user, text_lines

BATCH = 5000
Progress = Callable[[int, int], None]


class GroupUnknown(FormatError):
    pass


@dataclass
class FileResult:
    """What happened to one file; `refused`/`skipped` carry the reason when it was not read."""

    name: str
    format: str | None = None
    group: str | None = None
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejects: list[tuple[int | None, int, str]] = field(default_factory=list)
    refused: str | None = None
    skipped: str | None = None


def message_id(*parts) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def ingest_paths(db: sqlite_utils.Database, paths: list[str], group: str | None = None,
                 fmt: str | None = None, progress: Progress | None = None) -> Iterable[FileResult]:
    """Ingest every file under `paths`, one transaction each, yielding a result per file."""
    for source in expand(paths):
        yield ingest_source(db, source, group=group, fmt=fmt, progress=progress)


def ingest_source(db: sqlite_utils.Database, source: Source, group: str | None = None,
                  fmt: str | None = None, progress: Progress | None = None) -> FileResult:
    result = FileResult(source.name)
    reader = HashingReader(source.open())
    try:
        head_bytes = reader.read(SNIFF_BYTES)
        encoding = detect_encoding(head_bytes)
        head = head_bytes.decode(encoding, errors="replace")
        try:
            format_ = by_name(fmt) if fmt else detect(head, head_bytes, source.filename)
        except Skipped as e:
            result.skipped = str(e)
            return result
        result.format = format_.NAME
        ctx = Context(source.name, source.filename, source.siblings)
        items = format_.parse(text_lines(reader, head_bytes, encoding), ctx)
        _save(db, source, reader, items, result, group, progress)
    except FormatError as e:
        result.refused = str(e)
    except (OSError, UnicodeError) as e:
        result.refused = f"cannot read: {e}"
    finally:
        reader.close()
    return result


def _save(db, source, reader, items, result, group_name, progress) -> None:
    conn = db.conn
    started = _now()
    saved_isolation = conn.isolation_level
    conn.isolation_level = None
    conn.execute("begin immediate")
    try:
        import_id = conn.execute("select coalesce(max(id), 0) + 1 from imports").fetchone()[0]
        writer = _Writer(conn, import_id, group_name)
        batch: list[Record] = []
        for number, item in enumerate(items, start=1):
            if isinstance(item, Reject):
                writer.reject(number, item)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
                if progress:
                    progress(reader.bytes_read, source.size)
        writer.write(batch)
        _drain(reader)
        writer.finish()
        result.group = writer.groups.first_name
        result.new, result.duplicate = writer.new, writer.duplicate
        result.rejected, result.rejects = len(writer.rejects), writer.rejects
        _ledger(conn, import_id, source, reader, result, writer.groups.first_id, started)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        conn.isolation_level = saved_isolation
    if progress:
        progress(source.size, source.size)


def _drain(reader: HashingReader) -> None:
    """Read what a parser left unread so the ledger's sha256 covers the whole file."""
    while reader.read(1 << 20):
        pass


def _ledger(conn, import_id, source, reader, result, group_id, started) -> None:
    fields = {
        "id": import_id, "path": source.name, "sha256": reader.sha256.hexdigest(),
        "size": reader.bytes_read, "format": result.format, "group_id": group_id,
        "new": result.new, "duplicate": result.duplicate, "rejected": result.rejected,
        "started_at": started, "finished_at": _now(), "os_user": os_user(),
    }
    prev = chain.last_hash(conn, "imports")
    fields["prev_hash"], fields["hash"] = prev, chain.row_hash(prev, fields)
    conn.execute(
        f"insert into imports ({', '.join(fields)}) values ({', '.join('?' * len(fields))})",
        list(fields.values()),
    )


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


class _Groups:
    """Finds the group of each record: --group, else a known chat id, else the chat name."""

    def __init__(self, conn, forced: str | None):
        self.conn, self.forced = conn, forced
        self.cache: dict[tuple, int] = {}
        self.first_id: int | None = None
        self.first_name: str | None = None

    def id_for(self, record: Record) -> int:
        key = (record.chat_id, record.chat_name)
        if key not in self.cache:
            self.cache[key] = self._resolve(record)
            if self.first_id is None:
                self.first_id = self.cache[key]
                self.first_name = self.conn.execute(
                    "select name from groups where id = ?", [self.first_id]).fetchone()[0]
        return self.cache[key]

    def _resolve(self, record: Record) -> int:
        if not self.forced and record.chat_id:
            row = self.conn.execute(
                "select id from groups where exists (select 1 from json_each(groups.source_ids) where value = ?)",
                [record.chat_id]).fetchone()
            if row:
                return row[0]
        name = self.forced or record.chat_name
        if not name:
            raise GroupUnknown("the file does not say which group it is"
                               + (f" (chat id {record.chat_id} is not in the archive yet)" if record.chat_id else "")
                               + "; pass --group NAME")
        self.conn.execute("insert or ignore into groups (name) values (?)", [name])
        group_id, ids = self.conn.execute("select id, source_ids from groups where name = ?", [name]).fetchone()
        if record.chat_id and record.chat_id not in json.loads(ids):
            self.conn.execute("update groups set source_ids = ? where id = ?",
                              [json.dumps(json.loads(ids) + [record.chat_id], ensure_ascii=False), group_id])
        return group_id


class _Members:
    """Members per (group, sender): keyed on the exporter's sender id, else the name."""

    def __init__(self, conn):
        self.conn = conn
        self.cache: dict[tuple[int, str], int] = {}
        self.names: dict[int, set[str]] = {}

    def id_for(self, group_id: int, record: Record) -> int | None:
        if not record.sender_id and not record.sender_name:
            return None
        key = record.sender_id or "name:" + record.sender_name
        member = self.cache.get((group_id, key))
        if member is None:
            self.conn.execute(
                "insert or ignore into members (group_id, sender_key, sender_id, display_name) values (?, ?, ?, ?)",
                [group_id, key, record.sender_id, record.sender_name])
            member = self.conn.execute("select id from members where group_id = ? and sender_key = ?",
                                       [group_id, key]).fetchone()[0]
            self.cache[(group_id, key)] = member
        if record.sender_name:
            self.names.setdefault(member, set()).add(record.sender_name)
        return member

    def finish(self) -> None:
        """Remember every name a sender was exported under, then link them to the roster."""
        for member, names in self.names.items():
            display, others = self.conn.execute(
                "select display_name, other_names from members where id = ?", [member]).fetchone()
            known = set(json.loads(others)) | {display}
            fresh = sorted(names - known)
            if display is None and fresh:
                display, fresh = fresh[0], fresh[1:]
            if fresh:
                self.conn.execute("update members set display_name = ?, other_names = ? where id = ?",
                                  [display, json.dumps(sorted(set(json.loads(others)) | set(fresh)), ensure_ascii=False), member])
        roster.link_members(self.conn, list(self.names))


_INSERT = (
    "insert into messages (id, group_id, member_id, source_id, sent_at, time_precision, kind, "
    "kind_raw, text, tokens, reply_to, quote, is_self, import_id, source_line, raw) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Writer:
    """Turns parsed records into message rows, batch by batch, inside one transaction."""

    def __init__(self, conn, import_id: int, group_name: str | None):
        self.conn, self.import_id = conn, import_id
        self.groups = _Groups(conn, group_name)
        self.members = _Members(conn)
        self.new = self.duplicate = 0
        self.rejects: list[tuple[int | None, int, str]] = []
        self.previous_key: tuple | None = None
        self.run = 0

    def reject(self, number: int, item: Reject) -> None:
        self.rejects.append((item.line, number, item.reason))
        self.conn.execute("insert into rejects (import_id, line, record, reason, raw) values (?, ?, ?, ?, ?)",
                          [self.import_id, item.line, number, item.reason, item.raw])

    def _identity(self, group_id: int, record: Record) -> int:
        if record.source_id:
            return message_id("s", group_id, record.source_id)
        key = (group_id, record.sent_at, record.sender_id or record.sender_name or "", record.kind,
               (record.text or "").strip())
        self.run = self.run + 1 if key == self.previous_key else 0
        self.previous_key = key
        return message_id("c", *key, self.run)

    def write(self, batch: list[Record]) -> None:
        if not batch:
            return
        keyed = {}
        for record in batch:
            group_id = self.groups.id_for(record)
            keyed.setdefault(self._identity(group_id, record), (group_id, record))
        existing = {row[0] for row in self.conn.execute(
            "select id from messages where id in (select value from json_each(?))", [json.dumps(list(keyed))])}
        rows, fts = [], []
        for id_, (group_id, record) in keyed.items():
            if id_ in existing:
                continue
            toks = tokens(record.text) if record.text else ""
            reply = message_id("s", group_id, record.reply_to_source_id) if record.reply_to_source_id else None
            rows.append((id_, group_id, self.members.id_for(group_id, record), record.source_id, record.sent_at,
                         record.precision, record.kind, record.kind_raw, record.text, toks, reply, record.quote,
                         record.is_self, self.import_id, record.line,
                         json.dumps(record.raw, ensure_ascii=False, default=str)))
            if toks:
                fts.append((id_, toks))
        self.conn.executemany(_INSERT, rows)
        self.conn.executemany("insert into messages_fts (rowid, tokens) values (?, ?)", fts)
        self.new += len(rows)
        self.duplicate += len(batch) - len(rows)

    def finish(self) -> None:
        self.members.finish()
