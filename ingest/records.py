"""What a format parser yields: one `Record` per chat message, or a `Reject`."""
from __future__ import annotations

import functools
import json
import re
from json.encoder import encode_basestring as _enc  # C-accelerated, keeps Chinese as is
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Iterator

from detectors.setting_values import Problem
from ingest.cutjson import complete_part, cut_at_end, element_starts
from ingest.user_errors import Said

LOCAL_TZ = timezone(timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991


def local_now() -> datetime:
    """Now in the archive's local time (Asia/Shanghai), whatever the server's own zone: the
    times the program writes (flags, decisions, imports) sit beside the messages' times."""
    return datetime.now(LOCAL_TZ).replace(tzinfo=None)


def stamp() -> str:
    """`local_now` as the archive writes times: YYYY-MM-DDTHH:MM:SS."""
    return local_now().strftime("%Y-%m-%dT%H:%M:%S")


class FormatError(Said, Exception):
    """The whole file cannot be read as the format it was taken for."""


class NotChat(FormatError):
    """A file that is plainly something else (an image, a document, a workbook of other
    data): refused when named on its own, passed over in a folder or a zip, where exports
    keep the pictures and attachments of the chat beside it."""


@dataclass
class Record:
    """One message as an export gives it, before it meets the archive."""

    line: int | None
    sent_at: str  # local ISO 8601, YYYY-MM-DDTHH:MM:SS
    kind: str
    text: str = ""
    source_id: str | None = None
    sender_id: str | None = None
    sender_name: str | None = None
    chat_id: str | None = None
    chat_name: str | None = None
    # Names the file name may mean before `chat_name`, where dropping what copying adds made
    # it shorter: `防汛群(2).csv` is a copy of 防汛群's export, or the chat 防汛群(2).
    chat_name_longer: tuple[str, ...] = ()
    kind_raw: str | None = None
    precision: str = "second"
    is_self: int | None = None
    reply_to_source_id: str | None = None
    quote: str | None = None
    # What identity is computed from, when not `text`: a message's identity never changes
    # once archived, so a reader that learns to store more text keeps the old text here.
    key_text: str | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class Reject:
    """A record that could not be read; stored in `rejects`, never silently dropped."""

    line: int | None  # None where no line is known (a JSON message gets its own from `JsonExport.lined`)
    reason: str
    raw: str = ""


@dataclass
class Doubt(Reject):
    """A record kept with a word of doubt: maybe not whole (the file stops in it with no
    line end, where a copy may have been cut off). Not stored where the archive holds
    it whole: its text and more, from the same sender in the same group and minute. Its
    record's raw holds `UNENDED`: stored, a share read later that holds it whole completes it."""

    record: Record | None = None


UNENDED = "unended"  # the key in a record's raw of a Doubt's record (true)


def first_line(head: str) -> str:
    """The first line of a file's head that is not blank, without a byte-order mark."""
    return next((line for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")


def not_numbers(values: dict) -> str:
    """A reject's reason naming only those of `values` (column -> value) that are not
    whole numbers: the admin looks at those columns, not at the good ones."""
    bad = {k: v for k, v in values.items() if not _whole(v)}
    return Problem("; ".join(f"{k} is not a number: {v!r}" for k, v in bad.items()),
                   "；".join(f"{k} 列应为数字，却是 {v!r}" for k, v in bad.items()))


def _whole(value) -> bool:
    try:
        int(value)
        return True
    except (TypeError, ValueError):
        return False


def numeric_id(value) -> str | None:
    """An exporter's numeric message id, or None when it is not one: a CSV saved by Excel
    holds 9.1E+18 for every 19-digit id (or 9100000000000000000), and taking that as
    identity would make all those messages one. So would 0, which exporters write for messages the server numbered
    not (system notices in PyWxDump's MsgSvrID). Without an id, identity falls back to
    the message's content."""
    value = str(value if isinstance(value, int) and not isinstance(value, bool) else value or "").strip()
    # PyWxDump writes SQLite's signed 64-bit ids: those of 2^63 and above come out negative.
    if not (value.lstrip("-").isdigit() and value.strip("-0")):
        return None
    # Excel keeps 15 significant digits: a column formatted as a number writes 19-digit
    # ids as 6830172210348850000, all alike in their last digits. (A real id ending in
    # four zeros is taken for one of these: identity by content still holds it.)
    digits = value.lstrip("-")
    return None if len(digits) > 15 and not digits[15:].strip("0") else value


def message_id(value) -> str | None:
    """An exporter's message id as text, whatever its form, or None when there is none:
    empty, or a zero, which exporters write for messages the server numbered not (two
    such messages must not become one)."""
    text = str(value if value is not None else "").strip()
    return text if text.strip("0") else None


# Excel saves a sheet as CSV with commas, or with semicolons where the system's list
# separator is one, and as "Unicode 文本" (UTF-16) with tabs: chat exports a clerk opened
# and saved again (ingest.formats.csvrows), rosters and 台账 (newmedia.table).
CSV_DELIMITERS = (",", ";", "\t")


# SQLite date modifiers from a time to its week's Monday: back to last Tuesday, then on to
# the next Monday (the day itself if a Monday).
_TO_MONDAY = "'-6 days', 'weekday 1'"


def week_of(column: str) -> str:
    """SQL for the Monday (YYYY-MM-DD) of the week of `column`, a time or a day: a week is
    Monday to Sunday whatever the year (strftime's %W starts a new week 00 on 1 January,
    which cut the week of New Year in two), and its Monday names it unmistakably."""
    return f"date({column}, {_TO_MONDAY})"


def week_label(column: str) -> str:
    """SQL for the label of the week of `column`, '2025-W09': the %Y-W%W of its Monday, so
    the week of New Year is one week, labelled by its Monday's year (2024-12-30 to
    2025-01-05 is 2024-W53), and no label is week 00. The weekly chatter check's subjects
    and `qunguan stats` use it; the labels of weeks within a year are %W's own."""
    # The modifiers given to strftime itself, not a date() nested in it: the same labels
    # (every day 1990-2099, at any time), 0.77 s rather than 0.93 s at 1M messages.
    return f"strftime('%Y-W%W', {column}, {_TO_MONDAY})"


def week_days(week: str) -> tuple[date, date]:
    """The Monday and Sunday of '2025-W09' (a `week_label`), across New Year too."""
    monday = datetime.strptime(f"{week}-1", "%Y-W%W-%w").date()
    return monday, monday + timedelta(days=6)


def from_epoch(seconds: float) -> str:
    """Unix seconds -> local ISO time (exports render in the PC's zone, UTC+8 in China).
    A value no clock can read (milliseconds where seconds belong) comes back as written,
    and the save path rejects that record, not the whole file."""
    try:
        return datetime.fromtimestamp(int(seconds), LOCAL_TZ).strftime("%Y-%m-%dT%H:%M:%S")
    except (ValueError, OverflowError, OSError):
        return str(seconds)


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\Z")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@functools.lru_cache(maxsize=1 << 16)
def _real_minute(minute: str) -> bool:
    """'YYYY-MM-DD?HH:MM', digits in place, is a real date and time of day. Every record
    asks, so each minute is worked out once (a chat's messages come in bursts)."""
    year, month, day = int(minute[:4]), int(minute[5:7]), int(minute[8:10])
    if not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]) or (
            month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 or year % 400 == 0))):
        return False
    return int(minute[11:13]) < 24 and int(minute[14:16]) < 60


# The archive's local time, in the years WeChat can have written (a Go zero time, year 1,
# or a millisecond epoch read as seconds are not times of a chat).
_LOCAL_MINUTE = re.compile(r"(?:199\d|20\d\d)-\d\d-\d\dT\d\d:\d\d")


@functools.lru_cache(maxsize=1 << 16)
def _storable_minute(minute: str) -> bool:
    return bool(_LOCAL_MINUTE.fullmatch(minute)) and _real_minute(minute)


def time_problem(sent_at: str) -> str | None:
    """Why `sent_at` is not a time the archive can store, or None."""
    if (len(sent_at) == 19 and sent_at[16] == ":" and sent_at[17] in "012345" and sent_at[18].isdigit()
            and _storable_minute(sent_at[:16])):
        return None
    return Problem(f"the time {sent_at!r} is not a real date and time (1990-2099)",
                   f"时间 {sent_at!r} 不是真实的日期和时间（应在 1990 至 2099 年间）")


# The exporters' forms, and those Excel shows (and saves into a CSV) when a clerk formats
# the time column: 2025/3/3 9:00, or the long Chinese date, 2025年3月3日 9:00.
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M:%S",
                 "%Y年%m月%d日 %H:%M")


def parse_local(value: str) -> tuple[str, str]:
    """'2024-06-17 09:00:12' (or minute precision, '/' or 年月日 dates, 1-digit fields) ->
    (ISO local time, precision). Raises ValueError (UnreadableTime) for anything else."""
    value = value.strip()
    if _CANONICAL.match(value) and value[17] in "012345" and _real_minute(value[:16]):  # without strptime's cost
        return value[:10] + "T" + value[11:], "second"
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        precision = "second" if fmt.endswith("%S") else "minute"
        return parsed.strftime("%Y-%m-%dT%H:%M:%S"), precision
    raise UnreadableTime(f"unreadable time {value!r}", f"时间 {value!r} 无法识别")


class UnreadableTime(Said, ValueError):
    pass


@dataclass
class Context:
    """What a parser may know besides the lines: the file's name and its neighbours, and
    the day the admin says the messages were sent (`--date`) for exports that leave it out."""

    name: str
    filename: str
    siblings: dict = field(default_factory=dict)  # file name -> zero-argument bytes loader
    day: str | None = None  # YYYY-MM-DD

    def sibling(self, filename: str) -> bytes | None:
        loader = self.siblings.get(filename)
        return loader() if loader else None


class OfficeFile:
    """A format whose files are Office Open XML (a zip) named `.EXTENSION`, read from bytes."""

    BINARY = True
    EXTENSION = ""

    @classmethod
    def sniff_bytes(cls, head_bytes: bytes, filename: str) -> bool:
        return head_bytes.startswith(b"PK\x03\x04") and filename.lower().endswith(cls.EXTENSION)


class Skipped(Said, Exception):
    """A file that is not a chat log but is read beside one (names, group details)."""


@dataclass
class JsonExport:
    """A JSON export as read by `load_json`: the document, the Reject for where it was cut
    off (if it was), and its text, kept to say on which line a rejected message is."""

    doc: object
    cut: Reject | None
    text: str

    def lined(self, results: Iterable[Record | Reject], key: str | None = None) -> Iterator[Record | Reject]:
        """`results`, one per element of the document's list of messages (the document, or
        its `key`), each Reject given the line its element starts on (`_own_line`); then the cut's."""
        lines = None
        for index, result in enumerate(results):
            if isinstance(result, Reject) and result.line is None:
                if lines is None:  # found the first time a message is rejected: most files have none
                    lines = _lines_of(self.text, element_starts(self.text, key))
                if (line := _own_line(lines, index)) is not None:
                    result = Reject(line, result.reason, result.raw)
            yield result
        if self.cut:
            yield self.cut


def _lines_of(text: str, starts: list[int]) -> list[int]:
    """The line each of `starts` (offsets in order) is on."""
    lines, line, before = [], 1, 0
    for start in starts:
        line += text.count("\n", before, start)
        lines.append(line)
        before = start
    return lines


def _own_line(lines: list[int], index: int) -> int | None:
    """The line element `index` starts on (`lines`: each element's), if no other element
    starts on it: in a document written on one line (chatlog's), "line 1" finds no
    message, and the record number does."""
    if index >= len(lines) or lines[index] in lines[max(index - 1, 0):index] + lines[index + 1:index + 2]:
        return None
    return lines[index]


def load_json(lines) -> JsonExport:
    """A whole JSON export (exporters write one document), and a Reject for where it was cut
    off, if it was: then the document holds the messages before the cut, which are whole.
    A document with a mistake elsewhere is a FormatError. A line starts outside any
    string (JSON strings hold no line break): a BOM there, where a part of a file joined
    from several began, is dropped."""
    text = "".join(line.lstrip("\ufeff") for line in lines)
    try:
        return JsonExport(json.loads(text), None, text)
    except ValueError as e:
        error = e
    if not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):  # --format naming a JSON format for a CSV, a text
        first = first_line(text)[:60]
        raise FormatError(f"not JSON (its first line is {first!r}); check --format",
                          f"不是 JSON 文件（第一行是 {first!r}）；请检查 --format 是否写对")
    if not cut_at_end(text, error.pos):
        raise FormatError(f"not valid JSON ({error}): a mistake there, with the file going on after it; "
                          "mend it there (a quote inside a text is written \\\") and ingest the file again",
                          f"JSON 有错（第 {error.lineno} 行第 {error.colno} 列），错处之后文件还有内容；请在该处改正"
                          "（文字中的双引号要写成 \\\"），再重新导入该文件")
    if (complete := complete_part(text)) is not None:
        part, cut = complete
        try:
            doc = json.loads(part)
        except ValueError:
            pass
        else:
            rest = text[cut:].lstrip(" \t\r\n,")
            line = text.count("\n", 0, len(text) - len(rest)) + 1
            # Cut right after a whole message, no record is lost here, but maybe those after it.
            where, where_zh = ("in the middle of this record", "停在这条记录中间") if rest else \
                ("here, after a whole message", "停在这里，前一条消息是完整的")
            return JsonExport(doc, Reject(line, Problem(
                f"the file ends {where}: it was cut off (truncated); the messages before it are read, export the "
                "chat again for the rest",
                f"文件{where_zh}：文件不完整（被截断）；之前的消息已读取，其余的请重新导出聊天记录"), rest[:2000]), text)
    raise FormatError(f"not valid JSON ({error}); the file may be truncated",
                      f"JSON 有错（第 {error.lineno} 行第 {error.colno} 列）；文件可能不完整（被截断）")


def json_lines(lines, comments: bool = False) -> Iterator[tuple[int, object, str] | Reject]:
    """(line number, object, line) for each line of a JSON-lines file, a Reject for one that
    is not JSON (cut off, hand-edited); blank lines, and with `comments` lines opening with
    #, are passed over. A BOM opening a line is dropped: parts saved by Notepad, then joined."""
    for number, line in enumerate(lines, start=1):
        line = line.lstrip("\ufeff")
        if not line.strip() or comments and line.lstrip().startswith("#"):
            continue
        try:
            yield number, json.loads(line), line
        except ValueError as e:
            yield Reject(number, Problem(f"not a JSON object ({e.msg}); the line may be cut off",
                                         "这一行不是完整的 JSON 对象，可能被截断"), line[:2000])


def raw_json(raw: dict) -> str:
    """`raw` as compact JSON; flat string dicts (CSV rows) take a fast path."""
    try:
        return "{" + ",".join([_enc(k) + ":" + _enc(v) for k, v in raw.items()]) + "}"
    except TypeError:
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"), default=str)
