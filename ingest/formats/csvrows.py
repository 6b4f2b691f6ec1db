"""CSV reading shared by the CSV formats: line numbers, truncation, header checks."""
from __future__ import annotations

import csv
import io
import itertools
import re
from collections import deque
from typing import Iterator

from detectors.setting_values import Problem
from ingest.records import CSV_DELIMITERS, FormatError, Reject, parse_local
from ingest.typed_quotes import lines_as_records
from ingest.user_errors import said


def header_of(head: str) -> list[str]:
    first = _first_line(head)
    return next(csv.reader([first], delimiter=_delimiter_of(first)), [])


def _first_line(head: str) -> str:
    # A lone CR ends a line too: old Mac Excel's "CSV (Macintosh)" writes nothing else.
    return re.split(r"\r\n?|\n", head.lstrip("\ufeff"), maxsplit=1)[0]


def _delimiter_of(header: str) -> str:
    """The delimiter a CSV's header line is written with: the one it has most fields by
    (commas where it is as many)."""
    return max(CSV_DELIMITERS, key=lambda d: len(next(csv.reader([header], delimiter=d), [])))


def _names(found: list[str], width: int = 0) -> list[str]:
    """Column names as read: spaces around each forgiven, and empty columns at the end
    past `width` (Excel keeps a stray cell's column)."""
    names = [h.lstrip("\ufeff").strip() for h in found]
    while len(names) > width and not names[-1]:
        names.pop()
    return names


def _extras_apart(names: list[str], header: list[str]) -> list[str]:
    """`names`, an added column whose name another shares (two note columns Excel left
    without a heading) told apart by its place, so each is kept in the record; a column
    of the format's named twice stays so: which one holds the value is not known."""
    return [(f"{name} (column {i})" if name else f"column {i}") if name not in header and names.count(name) > 1
            else name for i, name in enumerate(names, start=1)]


def holds(head: str, columns: list[str], unused: tuple[str, ...] = ()) -> bool:
    """Whether the header of `head` names all of `columns` but the `unused` ones (which an
    admin may delete, as `rows` takes), in whatever order: a sniffer's test, as Excel lets
    an admin move a column or add one."""
    return set(columns) - set(unused) <= set(_names(header_of(head)))


def lacking(head: str, columns: list[str], unused: tuple[str, ...] = ()) -> list[str] | None:
    """The columns the reader needs that the header of `head` lacks, when the header still
    names all of `columns` the reader needs but one or two (an admin deleted or renamed one
    in Excel): the exporter is known by the rest. None for a header that is not this
    format's: one lacking more (a clerk's table sharing a few common headings, 时间, 内容,
    备注; the columns the exporter leaves empty are no sign), or whose first record's time
    is no exporter's (a day alone, a month)."""
    names = set(_names(header_of(head)))
    needed = [name for name in columns if name not in unused]
    missing = [name for name in needed if name not in names]
    if len(missing) * 3 >= len(needed):
        return None
    time_column = next((name for name in needed if name in _TIME_COLUMNS and name in names), None)
    if time_column is not None:
        records = csv.reader(io.StringIO(head.lstrip("\ufeff")), delimiter=_delimiter_of(_first_line(head)))
        header, first = next(records, []), next(records, None)
        if first is not None:
            value = dict(zip(_names(header), first)).get(time_column, "")
            if not _exporter_time(value):
                return None
    return missing


# The time column of each CSV exporter, and what it holds: local time to the second or the
# minute (chatlog, MemoTrace 2025, PyWxDump), or Unix seconds (MemoTrace 2.0, PyWxDump).
_TIME_COLUMNS = ("Time", "时间", "CreateTime")


def _exporter_time(value: str) -> bool:
    value = value.strip()
    if value.isdigit():
        return 9 <= len(value) <= 10
    try:
        parse_local(value)
    except ValueError:
        return False
    return True


# Messages pasted from documents can be long; the csv module's default limit is 131,072.
csv.field_size_limit(1 << 26)


def rows(lines: Iterator[str], header: list[str], unused: tuple[str, ...] = ()) -> Iterator[tuple[int, dict] | Reject]:
    """(first line number, row as dict) per CSV record after the header.

    A record with the wrong number of fields is a Reject; a quoted field still open at
    the end of the file (a truncated export) is a Reject for that last record only; a
    quote typed by hand is a Reject for its own line only, the lines it swallowed are read.
    Rows are read by the names of the file's own header, and split by the delimiter it is
    written with (Excel's semicolons or tabs, `CSV_DELIMITERS`): one with the format's columns
    moved about or with columns added (kept in each row) reads the same. A header
    lacking one of the format's columns refuses the file (FormatError), naming it, unless
    the reader does not use that column (`unused`: one an admin may delete as noise).
    Spaces around the names and empty columns at the end (Excel keeps a stray cell's
    column) are forgiven.
    """
    counter = _LineCounter(lines)
    first = next(counter, None)
    if first is None:
        return
    counter.replay([first])
    delimiter = _delimiter_of(first)
    reader = csv.reader(counter, strict=True, delimiter=delimiter)
    try:
        found = next(reader)
    except StopIteration:
        return
    except csv.Error as e:  # --format naming a CSV format for a file that is none
        raise FormatError(f"line 1: not a CSV header ({e}); this format's is {','.join(header)!r}",
                          f"第 1 行不是 CSV 表头；这种格式的表头是 {','.join(header)!r}") from None
    names = _extras_apart(_names(found, len(header)), header)
    missing = [name for name in header if name not in names and name not in unused]
    if missing or len(set(names)) < len(names):
        raise FormatError(f"line 1: the header is {','.join(found)!r}; this format's is {','.join(header)!r}"
                          + (f" ({', '.join(missing)} missing)" if missing else " (a column named twice)"),
                          f"第 1 行的表头是 {','.join(found)!r}，而这种格式的表头是 {','.join(header)!r}"
                          + (f"（缺少 {'、'.join(missing)}）" if missing else "（有一列的名字重复）"))
    # Columns past the names without a heading: a note typed there is kept as `column N`.
    unnamed = [f"column {i}" for i in range(len(names) + 1, len(found) + 1)]
    yield from _records(counter, names, unnamed, _names(found, len(header)), delimiter)


def _records(counter: _LineCounter, header: list[str], unnamed: list[str], heading: list[str],
             delimiter: str) -> Iterator[tuple[int, dict] | Reject]:
    """(first line number, row as dict) per record `counter` holds, or its Reject. A row
    may fill the `unnamed` columns after the header's names (a note added in Excel).
    Rows that hold nothing, and the file's `heading` again, are no records: Excel saves
    rows it once formatted as commas alone, and two exports joined into one file repeat
    the header where the second begins."""
    width, reader = len(header), csv.reader(counter, strict=True, delimiter=delimiter)
    while True:
        start = counter.count + 1
        counter.record = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            reason = Problem("a quoted field never ends: the file looks truncated",
                             "引号括起的内容没有结束：文件像是不完整（被截断）") if "end of data" in str(e) else \
                Problem(f"broken CSV record ({e})", "这条 CSV 记录格式有误")
        else:
            # Cheap tests first, on every row of a million: joined, the cells' spaces alone;
            # the heading's first name before its whole line.
            if not "".join(row).strip() or [row[0].lstrip("\ufeff").strip()] == heading[:1] \
                    and _names(row, len(heading)) == heading:
                continue
            fits = width <= len(row) <= width + len(unnamed) or _fits(row, width)
            if fits and (len(counter.record) == 1 or not _swallows_records(row, counter, header, delimiter)):
                yield start, {name: value for name, value in zip(header + unnamed, row) if value or name in header}
                continue
            reason = Problem(f"{len(row)} fields where the header has {width}", f"有 {len(row)} 栏，而表头有 {width} 列") \
                if not fits else Problem("records read as one field", "几条记录被读成了一栏")
            if len(row) < width and not counter.record[-1].endswith(("\n", "\r")):
                # The last line, and no line end: the copy stopped inside the record.
                reason = Problem(f"{reason}: the file ends inside this record, it looks truncated",
                                 f"{reason.zh}：文件在这条记录中间结束，像是不完整（被截断）")
        failed = counter.record
        # A quote typed by hand opens a field that swallows the lines after it (up to
        # another such quote, a few lines down, that closes it). Unless those lines are
        # only pieces of this record, they are read again, and with them the lines that
        # follow: the last may open a real multi-line cell that ends further on.
        if len(failed) > 1 and _may_hold_records(failed[1:], width, delimiter):
            yield Reject(start, Problem('an unbalanced quote (") in this line; the lines after it are read on their own',
                                        '这一行的引号（"）不成对；其后各行已分别读取'), failed[0])
            counter.replay(failed[1:])
            reader = csv.reader(counter, strict=True, delimiter=delimiter)
        else:
            yield Reject(start, reason, "".join(failed))


def _fits(row: list[str], width: int) -> bool:
    # Excel keeps empty cells past the last column when a stray cell there was cleared.
    return len(row) >= width and not any(row[width:])


def _may_hold_records(lines: list[str], width: int, delimiter: str) -> bool:
    """Whether `lines`, read on their own, may hold records: one of them fits the header,
    or the last runs on past them. If not, they read as the same broken pieces with or
    without the lines after them, so they are kept whole as the one record they were."""
    try:
        return any(_fits(r, width) for r in csv.reader(lines, strict=True, delimiter=delimiter))
    except csv.Error:
        return True


def _swallows_records(row: list[str], counter: _LineCounter, header: list[str], delimiter: str) -> bool:
    """Whether `row`, read over several lines, is records that two quotes typed by hand a
    few lines apart made one (`lines_as_records`), each of the chat `row` is from. A
    message's own lines (an XML card, a quote, a table pasted into a notice, even a line of
    this very export) are no records, so the records' times must fall, in order, between
    the record's own and the next record's (the file's end, after the last)."""
    column = next((header.index(name) for name in _TIME_COLUMNS if name in header), None)
    records = lines_as_records(row, counter.record, delimiter, len(row)) if column is not None else None
    if records is None or not all(_alike(cells, row, header) for cells in records):
        return False
    return _in_order([cells[column] for cells in records] + _time_after(counter, column, delimiter))


# What an exporter writes the same on every row of one chat: its id, MemoTrace's "more".
_SAME_ON_EVERY_ROW = ("TalkerId", "Talker", "room_name", "更多信息")
# WeChat's server ids: 64-bit numbers (negative past 2^63 in PyWxDump), 0 for a notice.
_SERVER_ID_COLUMNS = ("消息ID", "MsgSvrID")
_SERVER_ID = re.compile(r"-?\d{15,20}|0")


def _alike(cells: list[str], row: list[str], header: list[str]) -> bool:
    """Whether `cells` have the identity columns of a record of the chat `row` is from."""
    return all((name not in _SAME_ON_EVERY_ROW or cell == row[i])
               and (name not in _SERVER_ID_COLUMNS or _SERVER_ID.fullmatch(cell))
               for i, (name, cell) in enumerate(zip(header, cells)))


def _in_order(times: list[str | None]) -> bool:
    """Whether `times` are an exporter's, written alike to the digit (the seconds too, when
    the first has them) and in the order an export writes them: the order it was sent in.
    Times written alike compare as text."""
    shape = re.sub(r"\d", "0", times[0])
    return all(t is not None and _exporter_time(t) and re.sub(r"\d", "0", t) == shape for t in times) \
        and all(a <= b for a, b in zip(times, times[1:]))


def _time_after(counter: _LineCounter, column: int, delimiter: str) -> list[str | None]:
    """The time cell of the record after the one `counter` is reading: [] at the end of
    the file (rows that hold nothing, as Excel leaves, skipped), [None] for a broken
    record. Its lines are handed back, and the reader of `counter`, which reads no line
    past the record it returned, reads them next as before."""
    lines, counter.record = counter.record, []
    reader = csv.reader(counter, strict=True, delimiter=delimiter)
    try:
        after = next((r for r in reader if "".join(r).strip()), [])
    except csv.Error:
        after = [None]
    counter.replay(counter.record)
    counter.record = lines
    return [after[column] if len(after) > column else None] if after else []


class _LineCounter:
    def __init__(self, lines: Iterator[str]):
        self.source = self.lines = iter(lines)
        self.replaying: deque[str] = deque()  # lines handed back to be read again, not yet read
        self.count = 0
        self.record: list[str] = []  # the lines of the record being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        if not self.record:
            # A record's first line: a BOM there is where a part of a file joined from
            # several began (`copy /b a.csv+b.csv`). On a quoted cell's later line it is
            # the message's own, and part of its identity.
            line = line.lstrip("\ufeff")
        self.count += 1
        self.record.append(line)
        return line

    def replay(self, lines: list[str]) -> None:
        """Hand the last `lines` read back, to be read again before the lines not read yet.
        Replays share one queue rather than nest, so the many stray quotes of a long file
        cost no more per line than one."""
        self.count -= len(lines)
        self.replaying.extendleft(reversed(lines))
        self.lines = itertools.chain(_drain(self.replaying), self.source)


def _drain(queue: deque) -> Iterator[str]:
    while queue:
        yield queue.popleft()


def timed_rows(lines: Iterator[str], header: list[str], time_column: str,
               unused: tuple[str, ...] = ()) -> Iterator[tuple | Reject]:
    """(line, row, local ISO time, precision) per record whose `time_column` reads as a
    time; a Reject (with its line) for a broken record or an unreadable time."""
    for item in rows(lines, header, unused):
        if isinstance(item, Reject):
            yield item
            continue
        line, row = item
        try:
            yield (line, row, *parse_local(row[time_column]))
        except ValueError as e:
            yield Reject(line, said(e), str(row))
