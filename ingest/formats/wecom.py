"""WeCom 会话内容存档: decrypted messages, one JSON object per line (`msgtime` is UTC
epoch milliseconds). Group names come from `groupchat/get` responses kept beside the
archive file; recalls are stored as their own rows and keep the original."""
from __future__ import annotations

import json
import re
from typing import Iterator

from ingest.records import Context, Record, Reject, from_epoch, json_lines

_KINDS = {
    "text": "text", "markdown": "text", "image": "image", "voice": "voice", "video": "video",
    "emotion": "sticker", "file": "file", "link": "link", "weapp": "mini_program",
    "chatrecord": "merge_forward", "location": "location", "card": "card",
    "redpacket": "red_packet", "external_redpacket": "red_packet", "revoke": "recall",
    "meeting_voice_call": "call", "voip_doc_share": "file", "docmsg": "file", "news": "link",
}


class Archive:
    NAME = "wecom-archive"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        first = head.lstrip("\ufeff \r\n\t").split("\n", 1)[0]
        return first.startswith("{") and '"msgid"' in first and ('"msgtime"' in first or '"action"' in first)

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        names = _room_names(ctx)
        for item in json_lines(lines):
            yield item if isinstance(item, Reject) else _record(*item, names)


def _record(number: int, item, line: str, names: dict) -> Record | Reject:
    if not isinstance(item, dict) or "msgid" not in item:
        return Reject(number, "line lacks msgid", line[:2000])
    if item.get("action") == "switch":
        return Reject(number, "a 'switch' record (a user changing enterprise), not a message", line[:2000])
    try:
        millis = int(item["msgtime"])
    except (KeyError, TypeError, ValueError):
        return Reject(number, f"msgtime missing or not epoch milliseconds: {item.get('msgtime')!r}", line[:2000])
    msgtype = str(item.get("msgtype") or "")
    payload = item.get(msgtype) if isinstance(item.get(msgtype), dict) else {}
    kind = _KINDS.get(msgtype, "other")
    room = item.get("roomid") or None
    return Record(
        line=number, sent_at=from_epoch(millis / 1000), kind=kind, text=_text(msgtype, payload, item),
        source_id=str(item["msgid"]), sender_id=item.get("from") or None,
        chat_id=room, chat_name=names.get(room) if room else None, kind_raw=msgtype,
        reply_to_source_id=payload.get("pre_msgid") if kind == "recall" else None, raw=item,
    )


def _text(msgtype: str, payload: dict, item: dict) -> str:
    if msgtype in ("text", "markdown"):
        return str(payload.get("content") or "")
    if msgtype == "file":
        return str(payload.get("filename") or "")
    if msgtype == "link":
        return str(payload.get("title") or "")
    if msgtype == "chatrecord":
        return _forwarded(payload)
    if msgtype in ("redpacket", "external_redpacket"):
        return str(payload.get("wish") or "")
    if msgtype == "vote":
        return str(item.get("votetitle") or "")
    return ""


def _forwarded(payload: dict) -> str:
    """A forwarded bundle of messages as its title and one line per message, so that
    what was forwarded is searched and judged like any text (rumours travel this way).
    Each item's `content` is a JSON string inside the JSON."""
    lines = [str(payload.get("title") or "")]
    for item in payload.get("item") or []:
        if not isinstance(item, dict):
            continue
        content = item.get("content")
        try:
            parsed = json.loads(content) if isinstance(content, str) else content
        except ValueError:
            parsed = content
        if isinstance(parsed, dict):
            content = next((parsed[k] for k in ("content", "title", "filename") if isinstance(parsed.get(k), str)), None)
        lines.append(content if isinstance(content, str) else f"[{item.get('type') or '?'}]")
    return "\n".join(line for line in lines if line)


def _room_names(ctx: Context) -> dict:
    """roomid -> roomname from `groupchat/get` responses beside the archive file: keyed by
    a `roomid` field or a file name containing the roomid; a single unkeyed response names
    the file's rooms under the key None, resolved by the caller's first room."""
    names: dict = {}
    for filename in ctx.siblings:
        if not filename.lower().endswith(".json"):
            continue
        try:
            doc = json.loads(ctx.sibling(filename).decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, AttributeError):
            continue
        if not isinstance(doc, dict) or "roomname" not in doc:
            continue
        room = doc.get("roomid") or next(iter(re.findall(r"wr[\w-]{10,}", filename)), None)
        names[room] = doc["roomname"]
    return _SoleName(names)


class _SoleName(dict):
    """A single unkeyed groupchat/get response names the first room that asks for it."""

    def get(self, room, default=None):
        if room in self:
            return self[room]
        if None in self and len(self) == 1:
            name = self.pop(None)
            self[room] = name
            return name
        return default
