"""The one save path every format shares: identity, groups, members, batches, the ledger.

Identity: a message's `key` is a 63-bit hash of what identifies it (unique index), so
the same message from any file or encoding maps to the same row and re-imports add only
what is new; `id` is assigned in arrival order, which keeps the big table append-only.
Where the exporter gives a message id, identity is (group, source id); otherwise it is
(group, time, sender, kind, text, position within a run of identical records), which
keeps two "收到" sent in the same second apart.

Atomicity: each file is one `BEGIN IMMEDIATE` transaction, rolled back on any error or
Ctrl-C, so a failed file leaves the archive exactly as it was.
"""
from __future__ import annotations

import hashlib
import io
import json
import marshal
import multiprocessing
import os
import sqlite3
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Iterable, Iterator

import sqlite_utils

from classifiers.tokenizer import tokens
from detectors.setting_values import Problem
from ingest import copies, roster
from ingest import writer as ops
from ingest.formats import NAMED_BY_FILE, ONE_CHAT, by_name, detect
from ingest.formats.memotrace import chat_named_so, named_like_a_copy
from ingest.records import (UNENDED, Context, Doubt, FormatError, NotChat, Record, Reject, Skipped, raw_json, stamp,
                             time_problem)
from ingest.user_errors import said, unreadable_zh
from ingest.schema import BUSY_SECONDS, is_busy, is_damaged, is_full
from ingest.sources import SNIFF_BYTES, UNREADABLE, HashingReader, Source, detect_encoding, expand, fast_lines, os_user, text_lines

BATCH = 5000
CACHE_MB = 128
Progress = Callable[[int, int], None]


# Not the file's fault: say so, and that trying again later is all it takes.
DISK_FULL = Problem("the disk holding the archive is full: nothing of this file was saved; free some space and "
                    "ingest it again", "档案所在的磁盘已满：该文件没有保存任何内容；请清理出空间后重新导入")
BUSY = Problem(f"the archive is busy: another qunguan command (a long ingest or classify) has been writing to it for "
               f"over {BUSY_SECONDS} s; nothing of this file was saved, ingest it again once that command is done",
               f"档案正忙：另一个 qunguan 命令（较长的导入或识别）写入已超过 {BUSY_SECONDS} 秒；该文件没有保存任何内容，"
               "请等那个命令结束后重新导入")


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
    # (line, record number, what) of messages kept with characters no encoding read (�)
    garbled: list[tuple[int | None, int, str]] = field(default_factory=list)
    doubts: list[tuple[int | None, int, str]] = field(default_factory=list)  # (line, record, why) of messages kept in doubt
    # Why, said in English and (a Problem's `zh`) in Chinese where a reason has it.
    refused: str | None = None
    group_unknown: bool = False  # refused for want of a group (--group missing or mistyped)
    skipped: str | None = None
    unchanged_since: str | None = None  # ops.import_named when this very file was read before
    not_forced: list[str] = field(default_factory=list)  # groups it named itself, though --group was given
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (archived name, name in the file) of its chats
    # (group, name the file's name gives with its copy mark) of a file named like a copy
    # (防汛群(2).csv) that made the group of the name without the mark: no group of either
    # name was archived, and the chat may be called by the longer one.
    copy_named: list[tuple[str, str]] = field(default_factory=list)
    # ops.import_named when these very bytes were read before (a file with rejects is read
    # again), and how many of its rejects that import recorded: reported then, not again.
    read_before: str | None = None
    rejects_known: int = 0
    # The earlier import of the chat whose group this file went to, though it names none
    # (without --group): the same export again under another name, or the next week's.
    copy_of: copies.Earlier | None = None
    import_id: int | None = None  # its row in the ledger, which is there once the file is committed


def message_key(*parts) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


def ingest_paths(db: sqlite_utils.Database, paths: list[str], group: str | None = None,
                 fmt: str | None = None, progress: Progress | None = None,
                 day: str | None = None) -> Iterable[FileResult]:
    """Ingest every file under `paths`, one transaction each, yielding a result per file.
    `day` (YYYY-MM-DD) dates the messages of exports that do not say their day or year.
    The archive's own files are passed over when the archive lies in a folder being read."""
    # A name pasted from a spreadsheet or a chat brings the spaces around it (a full-width
    # one too): the group is the name without them, or the group an earlier version
    # stored with them, as `groups set` finds it.
    group = (group or "").strip() or None
    if group:
        group = ops.archived_group_name(db.conn, group) or group
    own = _own_files(_path_of(db))
    for source in _copies_last(expand(paths)):
        if os.path.realpath(source.name) in own:
            continue
        result = FileResult(source.name)
        try:
            result, stopped = ingest_source(db, source, result, group=group, fmt=fmt, progress=progress, day=day), False
        except KeyboardInterrupt:
            # Python raises Ctrl-C at the next step it takes, which may come after the
            # commit (closing the file, the progress bar): the archive says whether the
            # file is saved, not where the interrupt landed.
            if not _saved(_path_of(db), result):
                raise Interrupted(source.name) from None  # rolled back: the user is told which file
            stopped = True
        yield result
        if stopped:
            raise Interrupted(None)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while `name` was being read: that file was rolled back, those before it kept.
    `name` None: Ctrl-C came as a file was committed or after, so every file read is kept."""

    def __init__(self, name: str | None):
        super().__init__(name)
        self.name = name


def _saved(archive: str, result: FileResult) -> bool:
    """Whether the file of `result` was committed: the ledger holds its row, written in
    its transaction. Asked on a connection of its own, which sees the archive as it is."""
    if result.import_id is None:
        return False
    conn = sqlite3.connect(archive)
    try:
        return conn.execute("select 1 from imports where id = ? and path = ?", [result.import_id, result.name]).fetchone() is not None
    finally:
        conn.close()


def _copies_last(sources: Iterator[Source]) -> Iterator[Source]:
    """`sources` in their order, but for the files named like a copy, after the others: a
    MemoTrace 防汛群(2).csv then finds the group a chatlog export of the same run archived as
    防汛群(2), whichever name sorts first. The others are handed on as they are found: a
    source knows the files beside it, and a list of them all, of a folder of thousands of
    pictures, held each picture's thousands of neighbours at once."""
    copies = []
    for source in sources:
        if named_like_a_copy(source.filename):
            copies.append(source)
        else:
            yield source
    yield from copies


def _own_files(archive: str) -> set[str]:
    archive = os.path.realpath(archive)
    base = os.path.splitext(archive)[0]
    return {archive, f"{archive}-wal", f"{archive}-shm", f"{archive}-journal", f"{base}.users.db",
            f"{base}.users.db-wal", f"{base}.users.db-shm", f"{base}.secret"}


def ingest_source(db: sqlite_utils.Database, source: Source, result: FileResult, group: str | None = None,
                  fmt: str | None = None, progress: Progress | None = None, day: str | None = None) -> FileResult:
    """Read `source` into the archive, filling `result` (the caller keeps it should Ctrl-C
    come), or say how an earlier import of these very bytes went."""
    # A file read with a --date is read again: the day given may differ from last time.
    earlier = None if day else _earlier_import(db.conn, source, group, fmt)
    if earlier and not earlier.rejected:
        return earlier
    if earlier and group is None and earlier.format in ONE_CHAT:
        # Read again for its rejects (a newer reader may read more of them), into the group
        # it was filed under, maybe by --group: one named after the file (or by a share's
        # title) would hold every message of it a second time. As if named alone with that
        # --group, which then wins over the name inside it, found in a folder or not.
        group, source = earlier.group, replace(source, walked=False)
        result.copy_of = earlier.copy_of
    try:
        # Decoding in C is fast; a line the file's encoding cannot read sends the whole
        # file (rolled back) through the tolerant line-by-line decoder instead.
        return _ingest(db, source, result, group, fmt, progress, day, fast_lines)
    except UnicodeDecodeError:
        return _ingest(db, source, result, group, fmt, progress, day, text_lines)


def _earlier_import(conn, source: Source, group: str | None, fmt: str | None) -> FileResult | None:
    """The result of an earlier import of these very bytes under the same name (into
    whichever group, --group or not), or into the same --group, or without --group of an
    export of one chat under any name (a colleague's renamed copy: `copy_of` says which),
    one read without rejects first: reading them again could add nothing, or file the
    same messages under another group. Admins re-run the whole export folder every week;
    old files cost a hash, not a parse. One that had rejects (`rejected`) is read again,
    in case this version reads more of it. Only a file with a candidate in the ledger
    (same size, and same name, group or chat) is hashed."""
    candidates = conn.execute(
        "select i.id, i.finished_at, i.format, g.name, i.new + i.duplicate, i.sha256, i.rejected, i.path from imports i "
        "left join groups g on g.id = i.group_id where i.size = ? and (? is null or i.format = ?) "
        "and (g.name = ? or i.path = ? or ? is null and i.format in (select value from json_each(?))) "
        "order by (? is null and i.path = ?) desc, i.id desc",
        [source.size, fmt, fmt, group, source.name, group, json.dumps(ONE_CHAT), group, source.name]).fetchall()
    if not candidates:
        return None
    digest = hashlib.sha256()
    try:
        with source.open() as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except UNREADABLE:
        return None  # _ingest reports it
    same = [c for c in candidates if c[5] == digest.hexdigest()]
    row = next((c for c in same if not c[6]), same[0] if same else None)
    if row is None:
        return None
    copy_of = copies.Earlier(row[0], row[7], whole=True) if group is None and row[7] != source.name else None
    return FileResult(source.name, format=row[2], group=row[3], duplicate=row[4], rejected=row[6],
                      unchanged_since=ops.import_named(row[0], row[1]), copy_of=copy_of)


def _ingest(db, source, result, group, fmt, progress, day, decode) -> FileResult:
    try:
        reader = HashingReader(source.open())
    except UNREADABLE as e:
        result.refused = _cannot_read(e)
        return result
    try:
        head_bytes = reader.read(SNIFF_BYTES)
        encoding = detect_encoding(head_bytes)
        head = head_bytes.decode(encoding, errors="replace")
        try:
            format_ = by_name(fmt) if fmt else detect(head, head_bytes, source.filename, source.siblings)
            result.format = format_.NAME
            ctx = Context(source.name, source.filename, source.siblings, day)
            # A workbook is read whole (openpyxl seeks in it), through the reader for its
            # sha256, and opened here: one that turns out to be a roster is passed over.
            items = format_.parse(io.BytesIO(head_bytes + reader.read()) if getattr(format_, "BINARY", False)
                                  else decode(reader, head_bytes, encoding), ctx)
        except Skipped as e:
            result.format, result.skipped = None, said(e)
            return result
        prepare = _prepared_in_worker if source.size >= WORKER_FROM and _can_fork() else _prepared
        _save(db, source, prepare(items, reader), result, group, progress, _excel_gbk(result.format, encoding))
    except NotChat as e:
        # A picture or an attachment the export kept beside the chat: nothing went wrong.
        if source.walked:
            result.format, result.skipped = None, said(e)
        else:
            result.refused = said(e)
    except FormatError as e:
        result.refused, result.group_unknown = said(e), isinstance(e, GroupUnknown)
    except UNREADABLE as e:
        result.refused = _cannot_read(e)
    except Exception as e:  # a reader's bug must not stop the other files (rolled back like any refusal)
        if isinstance(e, UnicodeDecodeError) and decode is fast_lines:
            raise  # ingest_source reads the file again with the tolerant decoder
        if is_damaged(e):
            raise  # not the file's fault, and no other file can be saved either
        result.refused = BUSY if is_busy(e) else DISK_FULL if is_full(e) else Problem(
            f"could not be read ({type(e).__name__}: {e}); please report this file",
            f"读取时出错（{type(e).__name__}），是群管自身的问题；请把这个文件报告给维护人员")
    finally:
        reader.close()
    return result


def _cannot_read(error: Exception) -> Problem:
    return Problem(f"cannot read: {error}", unreadable_zh(error))


def _save(db, source, batches: Iterator[Batch], result, group_name, progress, excel_gbk: bool = False) -> None:
    started = stamp()
    writer = ops.Transaction(_path_of(db), CACHE_MB)
    try:
        # --group names a file given alone, whatever it says; among others (a folder, a
        # zip, week/*), only the files that do not name their group.
        plan = _Planner(db.conn, writer, group_name, result.format, given=not source.walked, excel_gbk=excel_gbk)
        result.import_id, garbled, doubts = plan.import_id, [], []
        for batch in batches:
            plan.groups.first_rows(batch.rows)
            for number, reject in batch.rejects:
                plan.reject(number, reject)
            garbled += batch.garbled
            doubts += plan.doubted(batch)
            plan.write(batch.rows)
            if progress and batch.bytes_read is not None:
                progress(batch.bytes_read, source.size)
        writer.call(ops.reindex_messages, plan.unindexed, plan.first_id)
        result.new = writer.call(ops.finish, plan.import_id, plan.members.seen_names())
        result.group, result.not_forced, result.renamed = plan.groups.first_name, plan.groups.not_forced, plan.groups.renamed
        result.copy_named = plan.groups.copy_named
        result.copy_of = plan.groups.copy_of or result.copy_of
        result.duplicate = plan.seen - result.new
        # Set once the batches are read: a file read again with the tolerant decoder
        # (ingest_source) fills the same result.
        result.rejected, result.rejects, result.garbled, result.doubts = len(plan.rejects), plan.rejects, garbled, doubts
        result.read_before, result.rejects_known = writer.call(ops.read_before, plan.import_id, batch.sha256)
        if result.read_before:
            # Listed when that import read them; what this one finds anew (a newer reader's
            # reasons) is listed, as read, with its Chinese. Messages kept with a � were named then too.
            anew = set(writer.call(ops.rejects_of, plan.import_id))
            result.rejects = [reject for reject in plan.rejects if reject in anew]
            result.garbled = result.doubts = []
        writer.call(ops.ledger, {
            "id": plan.import_id, "path": source.name, "sha256": batch.sha256, "size": batch.bytes_read,
            "format": result.format, "group_id": plan.groups.first_id,
            "new": result.new, "duplicate": result.duplicate, "rejected": result.rejected,
            "started_at": started, "finished_at": stamp(), "os_user": os_user(),
        })
        writer.call(ops.commit)
    finally:
        writer.close()
    if progress:
        progress(source.size, source.size)


@dataclass
class Batch:
    """Parsed records ready to save, as plain tuples made by `_row` (cheap to send
    between processes), and the rejects with their record numbers. The last batch of a
    file carries its sha256."""

    rows: list[tuple] = field(default_factory=list)
    rejects: list[tuple[int, Reject]] = field(default_factory=list)
    garbled: list[tuple[int | None, int, str]] = field(default_factory=list)  # FileResult.garbled
    doubts: list[tuple[int | None, int, str]] = field(default_factory=list)  # FileResult.doubts
    doubted: list[int] = field(default_factory=list)  # the index in `rows` of each doubt's record
    bytes_read: int | None = None
    sha256: str | None = None


def _row(r: Record, segment: bool) -> tuple:
    """A record as the parsing side hands it over, its raw record as JSON; segmented when
    `segment` (else None: the writing side segments what turns out to be new)."""
    raw = raw_json(r.raw)
    if not _utf8(raw):  # the raw record holds every value the others are read from
        # A lone UTF-16 surrogate (an emoji cut in half in a JSON export) cannot be stored:
        # it becomes "?", and the message is kept.
        r = replace(r, **{f.name: _repaired(getattr(r, f.name)) for f in fields(r)})
        raw = _repaired(raw)
    return (r.line, r.sent_at, r.precision, r.kind, r.kind_raw, r.text,
            (tokens(r.text) if r.text else "") if segment else None,
            r.source_id, r.sender_id, r.sender_name, r.chat_id, r.chat_name, r.reply_to_source_id, r.quote,
            r.is_self, r.key_text, raw, r.chat_name_longer)


_GARBLED_ZH = {"sender's name": "发送人名字", "chat's name": "群名", "text": "消息文字"}


def _garbled(r: Record) -> str | None:
    """Which of a record's names or text holds U+FFFD: a byte the decoder could not read
    (GBK with a byte lost, a character cut in half)."""
    # A loop, not next() over a generator: asked of every record, it costs a third.
    for where, value in (("sender's name", r.sender_name), ("chat's name", r.chat_name), ("text", r.text)):
        if value and "\ufffd" in value:
            return where
    return None


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _repaired(value):
    if isinstance(value, Problem):  # a reason: both its parts
        return Problem(_repaired(str(value)), _repaired(value.zh))
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value


def _prepared(items: Iterable[Record | Reject], reader: HashingReader,
              segment: Callable[[], bool] = lambda: False) -> Iterator[Batch]:
    """Batches of `items`; each segmented if `segment()` says so as it is begun."""
    batch, segmenting = Batch(), segment()
    for number, item in enumerate(items, start=1):
        if isinstance(item, Reject):
            if not isinstance(item, Doubt):
                # Its raw text too may hold half an emoji (a JSON record rejected whole).
                batch.rejects.append((number, Reject(item.line, _repaired(item.reason), _repaired(item.raw))))
                continue
            # Its record is read on as any other, at the index in rows noted here.
            if not time_problem(item.record.sent_at):
                batch.doubts.append((item.line, number, item.reason))
                batch.doubted.append(len(batch.rows))
            item = item.record
        if problem := time_problem(item.sent_at):
            batch.rejects.append((number, Reject(item.line, problem, _repaired(raw_json(item.raw)))))
            continue
        batch.rows.append(_row(item, segmenting))
        if where := _garbled(item):
            # Kept as read, and said: a name with a lost byte is a member nobody is.
            batch.garbled.append((item.line, number, Problem(
                f"bytes no encoding reads, shown as �, in the {where}; the message is kept as read: check the file there",
                f"{_GARBLED_ZH[where]}中有无法识别的字节，显示为 �；消息已按读到的保存：请到原文件该处核对")))
        if len(batch.rows) >= BATCH:
            batch.bytes_read = reader.bytes_read
            yield batch
            batch, segmenting = Batch(), segment()
    _drain(reader)
    batch.bytes_read, batch.sha256 = reader.bytes_read, reader.sha256.hexdigest()
    yield batch


# From this size a file is parsed and segmented in a forked process while this one
# writes (bench/ingest.py); below it, a fork is not worth it.
WORKER_FROM = 4 << 20


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _prepared_in_worker(items: Iterable[Record | Reject], reader: HashingReader) -> Iterator[Batch]:
    """`_prepared`, run in a forked process that inherits the open file and the parser.
    Its errors (a refused format, an undecodable byte) are raised here, in order."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    fork = multiprocessing.get_context("fork")
    waited = fork.RawValue("b", 0)  # whether this process had to wait for the last batch
    worker = fork.Process(target=_produce, args=(items, reader, sending, receiving, waited), daemon=True)
    worker.start()
    sending.close()
    try:
        while True:
            try:
                waited.value = not receiving.poll()
                kind, payload = receiving.recv()
            except EOFError:  # it died without a word (killed, out of memory)
                worker.join()
                raise OSError(f"the parsing process stopped (exit code {worker.exitcode})") from None
            if kind == "error":
                raise payload
            payload.rows = marshal.loads(payload.rows)
            yield payload
            if payload.sha256 is not None:
                return
    finally:
        receiving.close()
        worker.terminate()
        worker.join()


def _produce(items, reader: HashingReader, sending, receiving, waited) -> None:
    # Only this process's end: when the writer goes (even killed), the pipe breaks here.
    receiving.close()
    try:
        # Segmented here, beside the writing process: most of a large file is new. Unless
        # the writer had to wait for the last batch: then it has time to segment the next
        # one itself (the new rows of it), and the two processes share the work.
        for batch in _prepared(items, reader, segment=lambda: not waited.value):
            # Rows are tuples of str, int and None: marshal writes them in under a third of
            # pickle's time and reads them in four fifths, and both sides of the pipe are busy.
            sending.send(("batch", replace(batch, rows=marshal.dumps(batch.rows))))
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the writer has gone (interrupted, killed, or it refused the file)
    except Exception as e:  # raised in the writer, as if it had parsed the file itself
        try:
            sending.send(("error", e))
        except BrokenPipeError:
            return
        except Exception:  # an exception that does not pickle
            sending.send(("error", FormatError(f"{type(e).__name__}: {e}", f"读取时出错（{type(e).__name__}）")))


def _path_of(db: sqlite_utils.Database) -> str:
    return db.conn.execute("pragma database_list").fetchone()[2]


def _drain(reader: HashingReader) -> None:
    """Read what a parser left unread so the ledger's sha256 covers the whole file."""
    while reader.read(1 << 20):
        pass


class _Groups:
    """Finds the group of each record (`ops.resolve_group`), and which groups the file
    names itself in place of --group."""

    def __init__(self, writer, forced: str | None, overrides: bool, named_inside: bool, one_chat: bool):
        self.writer, self.forced, self.overrides, self.named_inside = writer, forced, overrides, named_inside
        # A file of one chat that names no archived group is looked for by its first
        # messages (`copies`); --group is the admin's word, and no file is looked for then.
        self.by_content = one_chat and not forced
        # A --group naming no archived group for such a file may be the chat's group
        # mistyped (工作君 for 工作群): its messages would all be archived a second time.
        self.forced_new = one_chat and bool(forced) and writer.call(ops.group_named, forced) is None
        self.sample: list[tuple] | None = None
        self.copy_of: copies.Earlier | None = None
        self.cache: dict[tuple, int] = {}
        self.first_id: int | None = None
        self.first_name: str | None = None
        self.not_forced: list[str] = []  # groups the file named, though --group was given
        self.renamed: list[tuple[str, str]] = []  # (group, name the file gives its chat) where they differ
        self.forced_chats: set[str] = set()  # chat ids this file put in the --group group
        self.copy_named: list[tuple[str, str]] = []  # (group, longer name) as FileResult.copy_named

    def id_for(self, chat_id: str | None, chat_name: str | None, longer: tuple[str, ...] = ()) -> int:
        key = (chat_id, chat_name, longer)
        if key not in self.cache:
            named = chat_named_so(longer)
            made = named is not None and self.writer.call(ops.group_named, chat_name) is None
            try:
                found = (self._group_of_copy(chat_id, chat_name, longer)
                         or self.writer.call(ops.resolve_group, self.forced, chat_id, chat_name, self.overrides, longer))
            except ops.ChatIdClash as e:
                raise GroupUnknown(str(e), e.zh) from None
            if found is None:
                raise GroupUnknown("the file does not say which group it is"
                                   + (f" (chat id {chat_id} is not in the archive yet)" if chat_id else "")
                                   + "; pass --group NAME",
                                   "文件没有写明是哪个群" + (f"（聊天 {chat_id} 还不在档案中）" if chat_id else "")
                                   + "；请加 --group 群名")
            if self.forced_new and found[1] == self.forced and not chat_id:
                self._not_mistyped()
            self.cache[key] = found[0]
            if self.forced and found[1] != self.forced and found[1] not in self.not_forced:
                self.not_forced.append(found[1])
            if chat_id and found[1] == self.forced:
                self.forced_chats.add(chat_id)
                if len(self.forced_chats) > 1:  # a WeCom or chatlog file of several rooms
                    raise GroupUnknown(f"the file holds several chats ({', '.join(sorted(self.forced_chats))}), and "
                                       f"--group {self.forced} would make them one group; ingest each chat's own "
                                       "export with a --group of its own",
                                       f"文件中有多个聊天（{'、'.join(sorted(self.forced_chats))}），按 --group {self.forced} "
                                       "会并成一个群；请分别导入各个聊天自己的导出文件，各用自己的 --group")
            elif self.named_inside and chat_id and chat_name and chat_name != found[1] \
                    and not self.writer.call(ops.group_named, chat_name):
                # A chat renamed since (its id is what counts), and no other group has the
                # name: the name is the group's too from now on, so a share titled with it
                # (no chat id) finds the group.
                self.writer.call(ops.add_group_name, found[0], chat_name)
                self.renamed.append((found[1], chat_name))
            if made and found[1] == chat_name and not (self.forced and self.overrides):
                self.copy_named.append((found[1], named))
            if self.first_id is None:
                self.first_id, self.first_name = found
        return self.cache[key]

    def first_rows(self, rows: list[tuple]) -> None:
        """Keep what `_group_of_copy` compares of the file's first rows: given each batch's
        rows, it takes the first batch's that has any."""
        if (self.by_content or self.forced_new) and self.sample is None and rows:
            self.sample = copies.sampled((row[1], row[2], _Members.key(row[8], row[9]), row[9], row[5]) for row in rows)

    def _not_mistyped(self) -> None:
        """Refuse the file when the group holding its chat (`copies.group_of_copy`) has a
        name the new --group may be a mistyping of; a chat of a new group that only shares a
        name's likeness, or an archived chat the admin files under a name of its own, is taken."""
        found = self.writer.call(copies.group_of_copy, self.sample or [])
        # A slip changes or drops characters; a name longer than the group's (财政局工作群（新）)
        # is a new group's, or a renamed one's, given on purpose.
        if found is None or len(self.forced) > len(found[1]) or not ops.names_alike(self.forced, [found[1]]):
            return
        _, name, earlier = found
        raise GroupUnknown(f"--group {self.forced!r} names no group of the archive, but this chat is archived in the "
                           f"group {name!r} (import #{earlier.import_id} of {earlier.path}): if that group is meant, "
                           f"pass --group {name!r}; if the chat is now called {self.forced!r}, rename the group first "
                           "(qunguan groups rename)",
                           f"档案中没有名为 {self.forced!r} 的群，而这个聊天已归档在群 {name!r}（第 {earlier.import_id} 号导入的 "
                           f"{earlier.path}）：如是笔误，请改用 --group {name!r}；如该群确已改名为 {self.forced!r}，"
                           "请先用 qunguan groups rename 改名再导入")

    def _group_of_copy(self, chat_id: str | None, chat_name: str | None, longer: tuple[str, ...]) -> tuple[int, str] | None:
        """The group a chat without an id that no archived group is named for (it would make
        a new one) is a copy of, by its first messages; None else."""
        if not self.by_content or chat_id or any(self.writer.call(ops.group_named, name) is not None
                                                 for name in (*longer, chat_name) if name):
            return None
        found = self.writer.call(copies.group_of_copy, self.sample or [])
        if found is None:
            return None
        *found, self.copy_of = found
        return tuple(found)


class _Members:
    """Members per (group, sender): keyed on the exporter's sender id, else the name; and
    the names each was exported under, the last one used (by time) too."""

    def __init__(self, writer):
        self.writer = writer
        self.cache: dict[tuple[int, str], int] = {}
        self.names: dict[int, set[str]] = {}
        self.latest: dict[int, tuple[str, str]] = {}  # member -> (sent_at, name) of its last message here

    @staticmethod
    def key(sender_id: str | None, sender_name: str | None) -> str | None:
        """A member's key within its group: the sender id, else the name; None for neither."""
        return sender_id or ("name:" + sender_name if sender_name else None)

    def id_for(self, group_id: int, sender_id: str | None, sender_name: str | None,
               sent_at: str | None = None) -> int | None:
        key = self.key(sender_id, sender_name)
        if key is None:
            return None
        member = self.cache.get((group_id, key))
        if member is None:
            member = self.cache[(group_id, key)] = self.writer.call(ops.member, group_id, key, sender_id, sender_name)
        if sender_name:
            self.names.setdefault(member, set()).add(sender_name)
            if sent_at and sent_at >= self.latest.get(member, ("",))[0]:
                self.latest[member] = (sent_at, sender_name)
        return member

    def existing(self, group_id: int, sender_id: str | None, sender_name: str | None) -> int | None:
        """The member `id_for` would give, if it is archived already; None else."""
        key = self.key(sender_id, sender_name)
        if key is None:
            return None
        if (group_id, key) not in self.cache:
            found = self.writer.call(ops.find_member, group_id, key)
            if found is None:
                return None
            self.cache[(group_id, key)] = found
        return self.cache[(group_id, key)]

    def seen_names(self) -> dict[int, tuple[list[str], tuple[str, str] | None]]:
        """Per member: the names it was exported under, and (time, name) of the last used."""
        return {member: (sorted(names), self.latest.get(member)) for member, names in self.names.items()}


_UNKNOWN = ((), None, None)  # a member not archived: no names, no person, no sender id


def _as_excel_saves(text: str) -> str:
    """`text` as Excel on a Chinese Windows saves it in a CSV: in GBK, every character GBK
    lacks (the space closing an @mention, U+2005; an emoji) written as "?"."""
    return text.encode("gbk", "replace").decode("gbk")


def _excel_gbk(format_name: str | None, encoding: str) -> bool:
    """Whether a file may be a CSV Excel saved in GBK, its "?" standing for what GBK lacks:
    elsewhere (a phone share, JSON, a UTF-8 CSV) a "?" is one the sender typed."""
    return bool(format_name) and format_name.endswith("-csv") and encoding == "gb18030"


def _text_key(text: str) -> str:
    """What two texts `_same_text` may take for one have in common (a trailing U+2005 is
    stripped as space on one side, written "?" on the other)."""
    return _as_excel_saves(text.strip()).rstrip("?")


def _same_text(text: str, theirs: str, excel_here: bool, excel_there: bool) -> bool:
    """The same text, but for spaces around it; or one is the other as Excel saved it, where
    that one may be Excel's GBK save (`excel_here` for `text`, `excel_there` for `theirs`):
    "收到?" typed in a phone share is not "收到👍"."""
    return (text.strip() == theirs.strip() or excel_there and _as_excel_saves(text).strip() == theirs.strip()
            or excel_here and text.strip() == _as_excel_saves(theirs).strip())
# A reply quoting a message is its words in an export that does not mark quotes (the
# phone share): for matching, a quote is text.
_MATCHED_AS = {"quote": "text"}


def _sender_and_minute(row: tuple) -> tuple:
    return row[1][:16], row[3], *row[8:12]  # minute, kind, sender id and name, chat id and name


def _goes_on_from(row: tuple, cut: tuple) -> bool:
    """Whether a message row is of the sender, chat, kind and minute of the row `cut`, its
    text going on from that one's (收到，马上办 from 收到)."""
    text = cut[5]
    return _sender_and_minute(row) == _sender_and_minute(cut) and len(row[5] or "") > len(text) \
        and row[5].startswith(text)


def _same_words(row: tuple, other: tuple) -> bool:
    """Whether two message rows are of one sender, chat, kind and minute, and say the same."""
    return _sender_and_minute(row) == _sender_and_minute(other) and row[5] == other[5]


# The message before message m in its group, by time and arrival, as `_Planner._previous_of`
# gives a row: [member, kind, minute, text] in JSON (null for none).
_PREVIOUS = ("(select json_array(p.member_id, p.kind, substr(p.sent_at, 1, 16), coalesce(p.text, '')) from messages p "
             "where p.group_id = m.group_id and (p.sent_at, p.id) < (m.sent_at, m.id) "
             "order by p.sent_at desc, p.id desc limit 1)")


def _rising(keyed: list[tuple], indexes: list[int], found_by_key: dict[int, int]) -> bool:
    """Whether the messages found for the records at `indexes` rise, per sender, in file order."""
    last: dict[tuple, int] = {}
    for index in indexes:
        key, _, row = keyed[index]
        if found_by_key[key] <= last.get(row[8:10], 0):
            return False
        last[row[8:10]] = found_by_key[key]
    return True


class _Planner:
    """Turns parsed records into message rows and hands them to the writer. Messages
    already archived by earlier imports are found through the caller's connection and
    not written again; duplicates within the file are left to the unique key."""

    def __init__(self, read_conn, writer, group_name: str | None, format_name: str, given: bool,
                 excel_gbk: bool = False):
        self.read, self.writer = read_conn, writer
        self.excel_gbk = excel_gbk  # the file may be a CSV Excel saved in GBK (_excel_gbk)
        self.groups = _Groups(writer, group_name, given, format_name not in NAMED_BY_FILE, format_name in ONE_CHAT)
        self.members = _Members(writer)
        self.import_id, self.first_id = writer.call(ops.next_ids)
        self.next_id = self.first_id
        # Into an empty archive (a first, often large, import) there is nothing to look up.
        self.archive_empty = self.first_id == 1
        self.unindexed = writer.call(ops.unindex_messages) if self.archive_empty else []
        self.seen = 0
        self.rejects: list[tuple[int | None, int, str]] = []
        # Identical records (same time, sender, kind, text) seen so far at the current time,
        # adjacent or not: the n-th of them is the n-th message, not a repeat of the first.
        self.moment: str | None = None
        self.identical: dict[tuple, int] = {}
        self.claimed: set[int] = set()  # archived messages matched by content (_archived_by_content)
        # Archived messages recent records are by their own identity (write), this batch's and the last's.
        self.by_identity: set[int] = set()
        self.last_by_identity: set[int] = set()
        self.without_ids: dict[int, bool] = {}  # per group: _without_ids_archived
        self.adopted: set[int] = set()  # keys archived messages took in this import (adopt_ids, take_the_second)
        self.to_the_second: list[dict] = []  # minute-timed messages records timed to the second matched
        self.roster = None  # roster.person_finder, once needed
        self.last_minute: list[tuple] = []  # the previous batch's rows of its last minute (doubted)
        self.issued: set[int] = set()  # keys given to records out of order (_in_order)
        self.last_row: tuple | None = None  # the previous batch's last row (doubted, _cuts_completed)

    def reject(self, number: int, item: Reject) -> None:
        self.rejects.append((item.line, number, item.reason))
        self.writer.call(ops.insert_reject, [self.import_id, item.line, number, item.reason, item.raw])

    def _key(self, group_id: int, source_id, sent_at, sender_id, sender_name, kind, text) -> int:
        if source_id:
            return message_key("s", group_id, source_id)
        key = (group_id, sent_at, sender_id or sender_name or "", kind, (text or "").strip())
        if sent_at != self.moment:
            self.moment, self.identical = sent_at, {}
        position = self.identical[key] = self.identical.get(key, -1) + 1
        found = message_key("c", *key, position)
        while found in self.issued:  # taken by a record out of order (_in_order)
            position = self.identical[key] = position + 1
            found = message_key("c", *key, position)
        return found

    def _in_order(self, keyed: list[tuple], found_by_key: dict[int, int]) -> list[tuple]:
        """`keyed` ((key, group id, row), in file order), where a record timed to the minute
        without an id, found by its identity, is not the message found: one the file holds
        in another order, relative to its sender's other messages of that minute, than the
        export that brought them wrote them in (each export writes a chat in its order).
        Monday's share holds 李明's 收到 then 好的 of 09:01, Tuesday's 好的 then 收到: the chat
        has three (收到, 好的, 收到). Such a record is found by another message of the same
        words that keeps the order, else it takes a key of its own and is new; either way it
        is dropped from `found_by_key`."""
        minutes: dict[tuple, list[int]] = {}
        for index, (key, group_id, row) in enumerate(keyed):
            if key in found_by_key and row[2] == "minute" and not row[7]:
                minutes.setdefault((group_id, row[1]), []).append(index)
        # Found in rising order, a sender's records break no import's order: the usual case
        # (a file read again, shares overlapping in order) costs no look-up.
        minutes = {minute: indexes for minute, indexes in minutes.items() if not _rising(keyed, indexes, found_by_key)}
        if not minutes:
            return keyed
        archived: dict[tuple, list[tuple]] = {}
        for group_id, sent_at, *entry in self.read.execute(
                "select m.group_id, m.sent_at, m.id, m.import_id, m.member_id, m.kind, coalesce(m.text, ''), "
                "m.time_precision = 'minute' and m.source_id is null from json_each(?) j join messages m on "
                "m.group_id = j.value ->> 0 and m.sent_at = j.value ->> 1 order by m.id", [json.dumps(list(minutes))]):
            archived.setdefault((group_id, sent_at), []).append(entry)
        keyed = list(keyed)
        for minute, indexes in minutes.items():
            for index in self._out_of_order([keyed[index] for index in indexes], found_by_key, archived.get(minute, [])):
                key, group_id, row = keyed[indexes[index]]
                del found_by_key[key]
                keyed[indexes[index]] = (self._free_key(group_id, row, {k[0] for k in keyed}), group_id, row)
        return keyed

    def _out_of_order(self, records: list[tuple], found_by_key: dict[int, int], archived: list[tuple]) -> list[int]:
        """The indexes in `records` (of one minute, in file order, each found by identity)
        of those no message of `archived` ((id, import, member, kind, text, whether timed to
        the minute without an id), of that minute) answers for in order: each record takes
        the message found, else another of its words, that comes after the one the sender's
        record before took from the same import. (Only a sender's own: one sends in order,
        but two members' messages of a minute may stand in another order on another phone.)"""
        imports = {entry[0]: entry[1] for entry in archived}
        last, used, broken = {}, set(), []
        for index, (key, group_id, row) in enumerate(records):
            member = self.members.existing(group_id, row[8], row[9])
            words = (member, row[3], ((row[5] if row[15] is None else row[15]) or "").strip())
            others = [entry[0] for entry in archived if entry[5] and (*entry[2:4], entry[4].strip()) == words]
            found = next((i for i in [found_by_key[key], *others]
                          if i not in used and i > last.get((imports.get(i), member), 0)), None)
            if found is None:
                broken.append(index)
            else:
                used.add(found)
                last[(imports.get(found), member)] = found
        return broken

    def _free_key(self, group_id: int, row: tuple, taken: set[int]) -> int:
        """A key by the row's content at a position in its run no message or record holds."""
        (_, sent_at, _, kind, _, text, _, _, sender_id, sender_name, *_, key_text, _, _) = row
        words = ((text if key_text is None else key_text) or "").strip()
        content = (group_id, sent_at, sender_id or sender_name or "", kind, words)
        position = 0
        while (key := message_key("c", *content, position)) in taken | self.issued or self.read.execute(
                "select 1 from messages where key = ?", [key]).fetchone():
            position += 1
        self.issued.add(key)
        return key

    def _archived_by_content(self, records: list[tuple], with_ids: bool, copies: bool = False) -> dict[int, int]:
        """Keys of `records` ((key, group id, row), not archived under their own key) that
        are archived under another, each with the message it is: the same group, time,
        sender, kind and text.
        - `with_ids`: records without a usable id (a format that has none, or a CSV
          re-saved by Excel), matched with messages archived under their id;
        - else: records with an id, matched with messages archived without one (an Excel
          copy came first, or an export that has no ids);
        - `copies`: records without an id, matched with messages archived without one
          only where their identities cannot meet: one side timed to the minute, the other
          to the second (a phone share and chatlog, or an Excel copy), from the same sender
          as below; or a text Excel made differ (below), from the very same sender. (Else
          two such exports meet only on their identity, in which identical records are
          told apart.)
        The sender is the same member, or one the record's sender name is known for (one
        export names senders by WeChat id, another by display name only), or one linked to
        the same roster person (their names differ: a nickname here, a remark there).
        Excel also writes times as it shows them, without seconds: a side with minute
        precision matches within its minute; and in GBK, "?" for what GBK lacks: a text
        with a "?" matches where the other has such a character, if it may be Excel's
        (a CSV read as GBK: `excel_gbk` here, an import of a CSV archived). Each archived message
        answers for one record, so two identical replies in one second still need two."""
        minutes = sorted({(group_id, row[1][:16]) for _, group_id, row in records})
        found: dict[tuple, list[tuple[str, str, int, int | None, str, bool]]] = {}
        for message_id, group_id, sent_at, precision, member_id, kind, text, csv_import in self.read.execute(
                "select m.id, m.group_id, m.sent_at, m.time_precision, m.member_id, m.kind, coalesce(m.text, ''), "
                "i.format like '%-csv' from json_each(?) j join messages m on m.group_id = j.value ->> 0 and "
                "m.sent_at between j.value ->> 1 || ':00' and j.value ->> 1 || ':59' join imports i on i.id = m.import_id "
                f"where m.source_id is {'not ' if with_ids else ''}null order by m.id", [json.dumps(minutes)]):
            if message_id not in self.claimed and message_id not in self.by_identity:
                found.setdefault((group_id, sent_at[:16], _MATCHED_AS.get(kind, kind), _text_key(text)), []).append(
                    (sent_at, precision, message_id, member_id, text, bool(csv_import)))
        if not found:  # a week not archived yet: nothing to match, no sender to look up
            return {}
        # Looked up, not made: a record matched here is not stored, nor is its sender.
        senders = [self.members.existing(group_id, row[8], row[9]) for _, group_id, row in records]
        known = self._members_of({entry[3] for entries in found.values() for entry in entries} | set(senders))
        matched = {}
        for (key, group_id, row), member in zip(records, senders):
            _, sent_at, precision, kind, _, text, _, _, sender_id, sender_name, *_ = row
            # A sender not archived yet is not linked yet: the roster says who they are.
            person = known[member][1] if member in known else self._person_of(sender_id, sender_name)

            def same_sender(by) -> bool:
                names, their_person, their_id = known.get(by, _UNKNOWN)
                if sender_id and their_id and sender_id != their_id:
                    return False  # two accounts, whatever they are called
                return bool(sender_name and sender_name in names or person is not None and their_person == person)

            content = (group_id, sent_at[:16], _MATCHED_AS.get(kind, kind), _text_key(text or ""))
            archived = [(i, by) for i, (at, archived_precision, _, by, their_text, from_csv)
                        in enumerate(found.get(content, []))
                        if ("minute" in (precision, archived_precision) or at == sent_at)
                        and _same_text(text or "", their_text, self.excel_gbk, from_csv)
                        and (not copies or precision != archived_precision
                             or by == member and (text or "").strip() != their_text.strip())]
            # The very sender first; else one known by name or roster person.
            same = next((i for i, by in archived if by == member), None)
            if same is None:
                same = next((i for i, by in archived if same_sender(by)), None)
            if same is not None:
                _, archived_precision, matched[key], *_ = found[content].pop(same)
                self.claimed.add(matched[key])
                if copies and archived_precision == "minute" and precision == "second":
                    # The message is this record's from now on: it takes the record's
                    # identity and its second, so another record of that minute (one
                    # more 收到, in another file) does not take it again.
                    self.to_the_second.append({"key": key, "sent_at": sent_at, "id": matched[key]})
        return matched

    def _person_of(self, sender_id: str | None, sender_name: str | None) -> int | None:
        if self.roster is None:
            self.roster = roster.person_finder(self.read)
        return self.roster(sender_id, sender_name)

    def _members_of(self, members: set) -> dict[int, tuple[set[str], int | None, str | None]]:
        """Archived members: the names each was exported under, the roster person it is,
        its sender id."""
        ids = [m for m in members if m is not None]
        return {member: ({display, *json.loads(others)}, person, sender) for member, display, others, person, sender in
                self.read.execute("select id, display_name, other_names, person_id, sender_id from members "
                                  "where id in (select value from json_each(?))", [json.dumps(ids)])} if ids else {}

    def _without_ids_archived(self, group_id: int) -> bool:
        """Whether the group has messages archived without an exported id."""
        if group_id not in self.without_ids:
            self.without_ids[group_id] = bool(self.read.execute(
                "select exists (select 1 from messages indexed by messages_without_id where group_id = ? and source_id is null)", [group_id]).fetchone()[0])
        return self.without_ids[group_id]

    def doubted(self, batch: Batch) -> list[tuple[int | None, int, str]]:
        """The batch's doubts, its doubted rows the archive holds whole taken out of it
        (counted as already present): a copy cut off in a message archived whole."""
        doubts = []
        for index, (line, number, why) in reversed(list(zip(batch.doubted, batch.doubts))):
            row = batch.rows[index]
            (_, sent_at, _, kind, _, text, _, _, sender_id, sender_name, chat_id, chat_name, *_, longer) = row
            member = self.members.existing(self.groups.id_for(chat_id, chat_name, longer), sender_id, sender_name)
            if member is None or not text:
                doubts.insert(0, (line, number, why))
                continue
            same_archived = self.read.execute(
                "select count(*) from messages where member_id = :member and kind = :kind and text = :text and "
                "sent_at between :minute || ':00' and :minute || ':59'",
                {"member": member, "kind": kind, "minute": sent_at[:16], "text": text}).fetchone()[0]
            here = [other for other in self.last_minute + batch.rows if other is not row]
            if same_archived > sum(1 for other in here if _same_words(other, row)):
                continue  # archived as it is: already present, whole or not, and nothing stored
            before = batch.rows[index - 1] if index else self.last_row
            # The file's own longer messages of the sender and minute are archived ones too,
            # but none is the whole of this: a share lists each message once. Only one the
            # file does not hold (收到，马上办 archived, 收到 last here) is the whole of a cut,
            # and only where this one follows what that one follows: a cut copy holds the
            # messages before the cut. 收到 under another notice is another message.
            if self._longer_archived(member, row, before) > sum(1 for other in here if _goes_on_from(other, row)):
                del batch.rows[index]
                self.seen += 1
                why = Problem("cut off when copied; the archive holds the whole message",
                              "文件在这条消息中结束、其后没有换行，档案中已有这条消息的完整内容：这是复制时被截断的，未保存")
            doubts.insert(0, (line, number, why))
        if batch.rows:
            minute = batch.rows[-1][1][:16]
            self.last_minute = [row for row in self.last_minute + batch.rows if row[1][:16] == minute]
        return doubts

    def _longer_archived(self, member: int, row: tuple, before: tuple | None) -> int:
        """How many archived messages of `member` in the minute of `row` go on from its text,
        each coming after (in its group, by time and arrival) an archived message like the
        one the file holds `before` the row, or any where the file holds none before it:
        the whole of which the row may be a cut copy. After, not just after: another
        member's share may have brought a message between them (a reply of the minute
        before that this share's phone did not select), and the cut copy is still one."""
        (_, sent_at, _, kind, _, text, *_) = row
        previous = None if before is None else self._previous_of(before)
        if before is not None and previous is None:
            return 0
        return self.read.execute(
            "select count(*) from messages m where m.member_id = :member and "
            "m.kind = :kind and m.sent_at between :minute || ':00' and :minute || ':59' and "
            "length(m.text) > length(:text) and substr(m.text, 1, length(:text)) = :text and (:previous is null or "
            "exists (select 1 from messages p where p.group_id = m.group_id and p.member_id = :previous ->> 0 and "
            "p.kind = :previous ->> 1 and substr(p.sent_at, 1, 16) = :previous ->> 2 and "
            "coalesce(p.text, '') = :previous ->> 3 and (p.sent_at, p.id) < (m.sent_at, m.id)))",
            {"member": member, "kind": kind, "minute": sent_at[:16], "text": text,
             "previous": None if previous is None else json.dumps(previous, ensure_ascii=False)}).fetchone()[0]

    def _cuts_completed(self, keyed: list[tuple], archived: set[int]) -> dict[int, dict]:
        """Of the `keyed` records ((key, group id, row), in file order) not `archived`, timed
        to the minute without an id (a phone share's), those whose text goes on from a
        message stored in doubt (a share's last, the file stopping in it with no line end)
        of the same sender, kind and minute, that follows in its group what the record
        follows in the file: its whole, read after the cut copy. Per record key, what
        `ops.complete_cuts` makes of that message."""
        # A share names senders as a share does, so the cut one's sender is the same member;
        # other exports name them otherwise, and their records are not worth the look-up.
        fresh = [(index, k) for index, k in enumerate(keyed)
                 if k[0] not in archived and k[2][5] and k[2][2] == "minute" and not k[2][7]]
        minutes = sorted({(group_id, row[1][:16]) for _, (_, group_id, row) in fresh})
        cuts = self.read.execute(
            f"select m.id, m.group_id, m.member_id, m.kind, substr(m.sent_at, 1, 16), m.text, {_PREVIOUS} "
            "from json_each(?) j join messages m on m.group_id = j.value ->> 0 and m.sent_at between j.value ->> 1 "
            "|| ':00' and j.value ->> 1 || ':59' where m.source_id is null and instr(m.raw, ?) and "
            "case when json_valid(m.raw) then m.raw ->> ? end", [json.dumps(minutes), f'"{UNENDED}"', f"$.{UNENDED}"]
        ).fetchall() if fresh else []
        completed = {}
        for index, (key, group_id, row) in fresh:
            if not cuts:
                break
            before = keyed[index - 1][2] if index else self.last_row
            previous = None if before is None else self._previous_of(before)
            member = self.members.existing(group_id, row[8], row[9])
            cut = next((c for c in cuts if c[1:5] == (group_id, member, row[3], row[1][:16]) and len(row[5]) > len(c[5])
                        and row[5].startswith(c[5]) and c[0] not in self.claimed and c[0] not in self.by_identity
                        and previous is not None and c[6] is not None and json.loads(c[6]) == previous), None)
            if cut is None:
                continue
            cuts.remove(cut)
            self.claimed.add(cut[0])
            completed[key] = {"id": cut[0], "key": key, "text": row[5], "raw": row[16],
                              "tokens": tokens(row[5]) if row[6] is None else row[6]}
        return completed

    def _previous_of(self, row: tuple) -> list | None:
        """The row as `_PREVIOUS` gives an archived message: member, kind, minute, text."""
        (_, sent_at, _, kind, _, text, _, _, sender_id, sender_name, chat_id, chat_name, *_, longer) = row
        member = self.members.existing(self.groups.id_for(chat_id, chat_name, longer), sender_id, sender_name)
        return None if member is None else [member, kind, sent_at[:16], text or ""]

    def write(self, batch: list[tuple]) -> None:
        if not batch:
            return
        self.seen += len(batch)
        keyed = []
        for row in batch:
            (_, sent_at, _, kind, _, text, _, source_id, sender_id, sender_name, chat_id, chat_name, _, _, _,
             key_text, _, longer) = row
            group_id = self.groups.id_for(chat_id, chat_name, longer)
            identity = text if key_text is None else key_text
            keyed.append((self._key(group_id, source_id, sent_at, sender_id, sender_name, kind, identity), group_id, row))
        found_by_key = {} if self.archive_empty else dict(self.read.execute(
            "select key, id from messages where key in (select value from json_each(?))",
            [json.dumps([k[0] for k in keyed])]))
        if found_by_key:
            keyed = self._in_order(keyed, found_by_key)
        archived = set(found_by_key)
        # A message a record is by its very identity answers for that record alone: a
        # record matched by content (below, or in the next batch: a minute split between
        # two) must not take it too. Two batches' worth, not the whole file's: a re-read
        # export finds nearly all of its messages so, and memory must not grow with the file.
        found_ids = set(found_by_key.values())
        self.by_identity, self.last_by_identity = self.last_by_identity | found_ids, found_ids
        if not self.archive_empty:
            # A message this import gave an id to is archived under it, though the reading
            # connection sees that only once the file is committed.
            archived |= {key for key, _, _ in keyed if key in self.adopted}
            fresh = [(key, group_id, row) for key, group_id, row in keyed if key not in archived]
            if without_id := [k for k in fresh if not k[2][7]]:
                archived |= set(self._archived_by_content(without_id, with_ids=True))
                if copies := [k for k in without_id if k[0] not in archived]:
                    archived |= set(self._archived_by_content(copies, with_ids=False, copies=True))
                    if self.to_the_second:
                        self.writer.call(ops.take_the_second, self.to_the_second)
                        self.adopted |= {found["key"] for found in self.to_the_second}
                        self.to_the_second = []
            # Once per id: a message the file holds twice (an overlapping paste) must not take
            # a second archived twin (two identical 收到 in one second) as well.
            with_id, once = [], set()
            for k in fresh:
                if k[2][7] and k[0] not in once and self._without_ids_archived(k[1]):
                    once.add(k[0])
                    with_id.append(k)
            if with_id:
                found = self._archived_by_content(with_id, with_ids=False)
                archived |= set(found)
                self.adopted |= set(found)
                # The archived message takes the id it lacked, so later exports find it by
                # id and replies to it (and its own reply) are linked.
                self.writer.call(ops.adopt_ids, [
                    {"source_id": row[7], "key": key, "reply_key": message_key("s", group_id, row[12]) if row[12] else None,
                     "sent_at": row[1], "precision": row[2], "id": found[key]} for key, group_id, row in with_id if key in found])
            if completed := self._cuts_completed(keyed, archived):
                archived |= set(completed)
                self.adopted |= set(completed)
                self.writer.call(ops.complete_cuts, list(completed.values()))
        rows = []
        for key, group_id, (line, sent_at, precision, kind, kind_raw, text, tokens_, source_id, sender_id,
                            sender_name, _, _, reply_to_source_id, quote, is_self, _, raw, _) in keyed:
            if key in archived:
                continue
            if tokens_ is None:
                tokens_ = tokens(text) if text else ""
            rows.append((self.next_id, key, group_id, self.members.id_for(group_id, sender_id, sender_name, sent_at),
                         source_id, sent_at, precision, kind, kind_raw, text, tokens_,
                         message_key("s", group_id, reply_to_source_id) if reply_to_source_id else None,
                         quote, is_self, self.import_id, line, raw))
            self.next_id += 1
        if rows:
            self.writer.call(ops.insert_messages, rows)
        self.last_row = batch[-1]
