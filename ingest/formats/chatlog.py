"""sjzar/chatlog HTTP API exports: CSV (`Time,SenderName,Sender,TalkerName,Talker,Content`,
Go's encoding/csv, LF) and JSON (one compact array, RFC 3339 times with offset)."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Iterator

from ingest.formats import csvrows
from ingest.formats.kinds import kind_from_codes
from ingest.records import LOCAL_TZ, Context, Record, Reject, load_json

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


class Csv:
    NAME = "chatlog-csv"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return csvrows.header_of(head) == _HEADER

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        for item in csvrows.timed_rows(lines, _HEADER, "Time"):
            if isinstance(item, Reject):
                yield item
                continue
            line, row, sent_at, precision = item
            content, sender = row["Content"], row["Sender"]
            kind = _kind_of_rendered(content, sender)
            text, quote = content, None
            if kind == "quote" and (m := _QUOTE.match(content)):
                quote = "\n".join(q[2:] for q in m.group(1).splitlines()[1:])
                text = m["reply"]
            elif kind in ("image", "video", "voice", "sticker"):
                text = ""
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
        items = load_json(lines)
        for item in items:
            yield _json_record(item)


def _json_record(item) -> Record | Reject:
    raw = json.dumps(item, ensure_ascii=False)[:2000]
    if not isinstance(item, dict) or not {"time", "talker", "type"} <= item.keys():
        return Reject(None, "record lacks time/talker/type", raw)
    try:
        when = datetime.fromisoformat(str(item["time"]).replace("Z", "+00:00"))
    except ValueError:
        return Reject(None, f"unreadable time {item['time']!r}", raw)
    when = when.astimezone(LOCAL_TZ) if when.tzinfo else when
    content = str(item.get("content") or "")
    try:
        sub, type_ = int(item.get("subType") or 0), int(item["type"])
    except (TypeError, ValueError):
        return Reject(None, f"type {item['type']!r} / subType {item.get('subType')!r} is not a number", raw)
    kind = kind_from_codes(type_, sub, content)
    quote = None
    refer = (item.get("contents") or {}).get("refer") if isinstance(item.get("contents"), dict) else None
    if kind == "quote" and isinstance(refer, dict):
        quote = str(refer.get("content") or "")
    if kind not in ("text", "quote", "system", "recall", "transfer"):
        content = str((item.get("contents") or {}).get("title") or "") if isinstance(item.get("contents"), dict) else ""
    sender = str(item.get("sender") or "")
    return Record(
        line=None, sent_at=when.strftime("%Y-%m-%dT%H:%M:%S"), kind=kind, text=content,
        sender_id=None if sender == _SYSTEM else sender or None,
        sender_name=item.get("senderName") or None, chat_id=item.get("talker") or None,
        chat_name=item.get("talkerName") or None, kind_raw=f"{item['type']},{sub}",
        is_self=1 if item.get("isSelf") else 0, quote=quote, raw=item,
    )
