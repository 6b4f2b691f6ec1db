"""sjzar/chatlog HTTP API exports: CSV (`Time,SenderName,Sender,TalkerName,Talker,Content`,
Go's encoding/csv, LF), JSON (one compact array, RFC 3339 times with offset) and text
(`{SenderName}({sender}) {time}` then the content and a blank line).

The text names no group, and its times carry no year when the requested range lay in one
year (`06-17 09:00:12`) and no date when it was one day (`09:00:12`). Both come from the
download name `<talker>_<start>_<end>.txt` when the file kept it, else from `--group`
and `--date`."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Iterator

from ingest.formats import csvrows
from ingest.formats.kinds import kind_from_codes
from detectors.setting_values import Problem
from ingest.records import LOCAL_TZ, Context, Record, Reject, first_line, load_json

_HEADER = ["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"]
_SYSTEM = "系统消息"
# Rendered content starts with a marker that tells the kind (CSV has no type column).
_RENDERED = (
    (re.compile(r"^!\[图片\]\("), "image"), (re.compile(r"^\[语音\]\("), "voice"),
    (re.compile(r"^\[视频\]\("), "video"), (re.compile(r"^\[文件\|"), "file"),
    (re.compile(r"^\[链接\|"), "link"), (re.compile(r"^\[合并转发\|"), "merge_forward"),
    (re.compile(r"^\[红包\]"), "red_packet"), (re.compile(r"^\[转账\|"), "transfer"),
    (re.compile(r"^\[(语音|视频)通话\]"), "call"), (re.compile(r"^\[位置\|"), "location"),
    (re.compile(r"^\[动画表情\]|^!\[表情\]"), "sticker"), (re.compile(r"^> "), "quote"),
)
_QUOTE = re.compile(r"\A((?:> [^\n]*\n)+)(?P<reply>.*)\Z", re.S)


def _kind_of_rendered(content: str, sender: str) -> str:
    if sender == _SYSTEM:
        return "recall" if "撤回" in content else "system"
    for pattern, kind in _RENDERED:
        if pattern.search(content):
            return kind
    return "text"


def _rendered(content: str, sender: str) -> tuple[str, str, str | None]:
    """(kind, text, quoted text) of chatlog's rendered content (CSV and text)."""
    kind = _kind_of_rendered(content, sender)
    text, quote = content, None
    if kind == "quote" and (m := _QUOTE.match(content)):
        quote = "\n".join(q[2:] for q in m.group(1).splitlines()[1:])
        text = m["reply"]
    elif kind in ("image", "video", "voice", "sticker"):
        text = ""
    return kind, text, quote


class Csv:
    NAME = "chatlog-csv"
    LABEL = "chatlog CSV"
    LAYOUTS, UNREAD = (_HEADER,), ()

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return csvrows.holds(head, _HEADER)

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        for item in csvrows.timed_rows(lines, _HEADER, "Time"):
            if isinstance(item, Reject):
                yield item
                continue
            line, row, sent_at, precision = item
            sender = row["Sender"]
            kind, text, quote = _rendered(row["Content"], sender)
            yield Record(
                line=line, sent_at=sent_at, precision=precision, kind=kind, text=text,
                sender_id=None if sender == _SYSTEM else sender or None,
                sender_name=row["SenderName"] or None, chat_id=row["Talker"] or None,
                chat_name=row["TalkerName"] or None, quote=quote, raw=row,
            )


class Json:
    NAME = "chatlog-json"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        start = head.lstrip("\ufeff \r\n\t")
        return start.startswith("[") and '"seq"' in head and '"isChatRoom"' in head

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        export = load_json(lines)
        yield from export.lined(map(_json_record, export.doc))


def _json_record(item) -> Record | Reject:
    raw = json.dumps(item, ensure_ascii=False)[:2000]
    if not isinstance(item, dict) or not {"time", "talker", "type"} <= item.keys():
        return Reject(None, Problem("record lacks time/talker/type", "记录缺少 time、talker 或 type"), raw)
    try:
        when = datetime.fromisoformat(str(item["time"]).replace("Z", "+00:00"))
    except ValueError:
        return Reject(None, Problem(f"unreadable time {item['time']!r}", f"时间 {item['time']!r} 无法识别"), raw)
    when = when.astimezone(LOCAL_TZ) if when.tzinfo else when
    content = str(item.get("content") or "")
    try:
        sub, type_ = int(item.get("subType") or 0), int(item["type"])
    except (TypeError, ValueError):
        return Reject(None, Problem(f"type {item['type']!r} / subType {item.get('subType')!r} is not a number",
                                    f"type {item['type']!r} 或 subType {item.get('subType')!r} 不是数字"), raw)
    kind = kind_from_codes(type_, sub, content)
    quote, key_text = None, None
    refer = (item.get("contents") or {}).get("refer") if isinstance(item.get("contents"), dict) else None
    if kind == "quote" and isinstance(refer, dict):
        quote = str(refer.get("content") or "")
    if kind not in ("text", "quote", "system", "recall", "transfer"):
        contents = item.get("contents") if isinstance(item.get("contents"), dict) else {}
        content = str(contents.get("title") or "")
        record = contents.get("recordInfo")
        if kind == "merge_forward" and isinstance(record, dict):
            # The bundle's title and summary lines ("name: text"): what was forwarded is judged
            # too. Its identity stays on the title alone, as archived before this was read.
            fields = {str(k).lower(): v for k, v in record.items()}
            key_text = content
            content = "\n".join(str(v) for v in (fields.get("title") or content, fields.get("desc")) if v)
    sender = str(item.get("sender") or "")
    return Record(
        line=None, sent_at=when.strftime("%Y-%m-%dT%H:%M:%S"), kind=kind, text=content,
        sender_id=None if sender == _SYSTEM else sender or None,
        sender_name=item.get("senderName") or None, chat_id=item.get("talker") or None,
        chat_name=item.get("talkerName") or None, kind_raw=f"{item['type']},{sub}",
        is_self=1 if item.get("isSelf") else 0, quote=quote, key_text=key_text, raw=item,
    )


# `name(id) [YYYY-][MM-DD ]HH:MM:SS`; the id is left out for oneself (`我`) and the name
# when unknown.
_TEXT_HEADER = re.compile(r"^(?P<name>\S.*?)(?:\((?P<id>[^()\s]+)\))? "
                          r"(?:(?P<year>\d{4})-)?(?:(?P<md>\d{2}-\d{2}) )?(?P<time>\d{2}:\d{2}:\d{2})$")
_WECHAT_ID = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_-]{3,}|\d+@chatroom)$")
_DOWNLOAD_NAME = re.compile(r"^(?P<talker>.+)_(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})\.txt$")


class Text:
    NAME = "chatlog-text"
    NAMED_BY_FILE = True  # by its download name

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        m = _TEXT_HEADER.match(first_line(head))
        # With a full date, only chatlog's download name or a WeChat id in brackets says it is
        # chatlog's: "张三(办公室) 2025-03-03 09:00:12" is a paste for the lenient reader (pasted.py).
        return bool(m and (not m["year"] or _DOWNLOAD_NAME.match(filename) or _WECHAT_ID.match(m["id"] or "")))

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        talker, days = _from_download_name(ctx)
        current, shape = None, None
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n").lstrip("\ufeff")
            # "> name(id) time" opens a quote's lines, not a message; and a header looks like
            # the file's first one, so "明天下午 15:00:00" in a message does not start another.
            header = None if line.startswith(">") else _TEXT_HEADER.match(line)
            if header and shape and not _same_shape(header, shape):
                header = None
            if header:
                shape = shape or header
                yield from _text_record(current, talker, days)
                current = {"line": number, "header": header, "content": []}
            elif current is not None:
                current["content"].append(line)
            elif line.strip():
                yield Reject(number, Problem("text before any 'name(id) time' line",
                                             "这段文字前面没有“名字(id) 时间”行，不知道是谁发的"), line)
        yield from _text_record(current, talker, days)


def _same_shape(header: re.Match, first: re.Match) -> bool:
    """Written the same way as the file's first header: the same date parts, and an id in
    brackets if the first had one (chatlog leaves it out for 我 and 系统消息, and writes the
    id alone for a sender without a display name)."""
    return ((header["year"] is None) == (first["year"] is None) and (header["md"] is None) == (first["md"] is None)
            and (header["id"] is not None or first["id"] is None or header["name"] in ("我", _SYSTEM)
                 or bool(_WECHAT_ID.match(header["name"]))))  # no display name: the id alone


def _from_download_name(ctx: Context) -> tuple[str | None, tuple[date, date] | None]:
    """(talker, (first day, last day)) from chatlog's `<talker>_<start>_<end>.txt`, else
    `--date` for both days: the file's own name knows better than a date given for a run."""
    m = _DOWNLOAD_NAME.match(ctx.filename)
    if m:
        return m["talker"], (date.fromisoformat(m["start"]), date.fromisoformat(m["end"]))
    return None, (date.fromisoformat(ctx.day),) * 2 if ctx.day else None


def _day(header: re.Match, days: tuple[date, date] | None) -> str | None:
    """The message's YYYY-MM-DD, or None when the file and --date do not tell it."""
    if header["year"]:
        return f"{header['year']}-{header['md']}"
    if days is None:
        return None
    if not header["md"]:
        return days[0].isoformat() if days[0] == days[1] else None
    # MM-DD: the year that puts it inside the requested range (the first day's, else the last's).
    for year in (days[0].year, days[1].year):
        candidate = f"{year:04d}-{header['md']}"
        if days[0].isoformat() <= candidate <= days[1].isoformat() or days[0] == days[1]:
            return candidate
    return f"{days[1].year:04d}-{header['md']}"


def _text_record(current: dict | None, talker: str | None, days) -> Iterator[Record | Reject]:
    if current is None:
        return
    header = current["header"]
    content = "\n".join(current["content"]).strip("\n")
    day = _day(header, days)
    if day is None:
        missing, missing_zh, written = ("year", "年份", f"{header['md']} {header['time']}") if header["md"] else \
            ("date", "日期", header["time"])
        yield Reject(current["line"], Problem(
            f"the time {written!r} has no {missing}; ingest again with --date YYYY-MM-DD (or keep chatlog's file name "
            "<talker>_<start>_<end>.txt)",
            f"时间 {written!r} 没有{missing_zh}；请加 --date 年-月-日 重新导入（或保留 chatlog 原来的文件名 "
            "<talker>_<start>_<end>.txt）"), header.group() + "\n" + content)
        return
    try:
        sent_at = datetime.strptime(f"{day} {header['time']}", "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        yield Reject(current["line"], Problem(f"unreadable time {day} {header['time']}",
                                              f"时间 {day} {header['time']} 无法识别"), header.group() + "\n" + content)
        return
    name, sender_id = header["name"], header["id"]
    kind, text, quote = _rendered(content, sender_id or name)
    system = kind in ("system", "recall")
    chat_id = talker if talker and talker.endswith("@chatroom") else None
    yield Record(
        line=current["line"], sent_at=sent_at, kind=kind, text=text,
        sender_id=None if system else sender_id, sender_name=None if system else name,
        chat_id=chat_id, chat_name=None if chat_id else talker, is_self=1 if name == "我" and not sender_id else None,
        quote=quote, raw={"header": header.group(), "content": content},
    )
