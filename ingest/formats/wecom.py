"""WeCom 会话内容存档: decrypted messages, one JSON object per line (`msgtime` is UTC
epoch milliseconds). Group names come from `groupchat/get` responses kept beside the
archive file; recalls are stored as their own rows and keep the original."""
from __future__ import annotations

import json
import re
from typing import Iterator

from detectors.setting_values import Problem
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
        names = _RoomNames(ctx)
        for item in json_lines(lines):
            yield item if isinstance(item, Reject) else _record(*item, names)


def _record(number: int, item, line: str, names: _RoomNames) -> Record | Reject:
    if not isinstance(item, dict) or "msgid" not in item:
        return Reject(number, Problem("line lacks msgid", "这一行缺少 msgid"), line[:2000])
    if item.get("action") == "switch":
        return Reject(number, Problem("a 'switch' record (a user changing enterprise), not a message",
                                      "是“switch”记录（用户切换企业），不是消息"), line[:2000])
    try:
        millis = int(item["msgtime"])
    except (KeyError, TypeError, ValueError):
        return Reject(number, Problem(f"msgtime missing or not epoch milliseconds: {item.get('msgtime')!r}",
                                      f"msgtime（时间）缺失，或不是以毫秒计的时间戳：{item.get('msgtime')!r}"), line[:2000])
    room = item.get("roomid") or None
    if room is None:
        # The archive holds one-to-one chats beside the groups' messages (roomid ""). They
        # belong to no work group; what was said stays out of the archive.
        return Reject(number, Problem("a one-to-one chat (empty roomid), not a group message: not archived",
                                      "是单聊（roomid 为空），不是群消息：不归档"),
                      json.dumps({k: item.get(k) for k in ("msgid", "from", "tolist", "msgtime")}, ensure_ascii=False))
    msgtype = str(item.get("msgtype") or "")
    payload = item.get(msgtype) if isinstance(item.get(msgtype), dict) else {}
    kind = _KINDS.get(msgtype, "other")
    return Record(
        line=number, sent_at=from_epoch(millis / 1000), kind=kind, text=_text(msgtype, payload, item),
        source_id=str(item["msgid"]), sender_id=item.get("from") or None,
        chat_id=room, chat_name=names.name(room, item), kind_raw=msgtype,
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


class _RoomNames:
    """roomid -> roomname from the `groupchat/get` responses beside the archive file.

    A response is keyed by a `roomid` field or a file name containing the roomid. The
    official response carries neither: such a one names the room whose message's sender
    and at least half its recipients are among its members, and the most of them, ahead
    of any other unkeyed response; where none fits, or two fit alike, it names none (the file is then refused with
    a request for --group: two groups' messages must never be filed as one). Each names
    one room of the file."""

    def __init__(self, ctx: Context):
        self.keyed: dict[str, str] = {}
        self.unkeyed: list[tuple[str, set[str] | None]] = []
        for filename in ctx.siblings:
            if not filename.lower().endswith(".json"):
                continue
            try:
                doc = json.loads(ctx.sibling(filename).decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError, AttributeError):
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("roomname"), str):
                continue
            room = doc.get("roomid") or next(iter(re.findall(r"wr[\w-]{10,}", filename)), None)
            if room:
                self.keyed[room] = doc["roomname"]
            else:
                members = doc.get("members")
                self.unkeyed.append((doc["roomname"], {str(m.get("memberid")) for m in members if isinstance(m, dict)}
                                     if isinstance(members, list) else None))
        self.asked: dict[str, str | None] = {}

    def name(self, room: str, item: dict) -> str | None:
        if room in self.keyed:
            return self.keyed[room]
        if room not in self.asked:
            self.asked[room] = self._unkeyed_for(item)
        return self.asked[room]

    def _unkeyed_for(self, item: dict) -> str | None:
        sender = str(item.get("from"))
        people = {sender} | {str(p) for p in item.get("tolist") or [] if p}
        # A response without its members fits any message. One with them fits a message
        # whose sender is a member, and at least half of those it went to: a room sharing
        # a member or two with it is another group's.
        fits = [(len(people & members) if members is not None else 0, index)
                for index, (_, members) in enumerate(self.unkeyed)
                if members is None or sender in members and 2 * len(people & members) >= len(people)]
        fits.sort(reverse=True)
        if not fits or len(fits) > 1 and fits[0][0] == fits[1][0]:
            return None
        name, _ = self.unkeyed.pop(fits[0][1])
        return name
