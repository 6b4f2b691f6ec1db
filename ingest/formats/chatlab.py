"""ChatLab's standard interchange format (v0.0.x), which WeFlow and other tools export:
a JSON document (`chatlab` header, `meta`, `members`, `messages`) or JSON lines (a
`header` line first, then `member` and `message` lines, `#` comments allowed).

Messages carry the sender's `platformId`, the names at sending time (`accountName`,
`groupNickname`), epoch seconds and a numeric `type` from ChatLab's table
(hellodigua/ChatLab docs/cn/chatlab-format.md)."""
from __future__ import annotations

import json
from typing import Iterator

from detectors.setting_values import Problem
from ingest.records import Context, FormatError, Record, Reject, from_epoch, json_lines, load_json, message_id

_KINDS = {
    0: "text", 1: "image", 2: "voice", 3: "video", 4: "file", 5: "sticker", 7: "link", 8: "location",
    20: "red_packet", 21: "transfer", 22: "pat", 23: "call", 24: "link", 25: "quote", 26: "merge_forward",
    27: "card", 80: "system", 81: "recall", 99: "other",
}
_MEDIA = ("image", "voice", "video", "sticker")


class Json:
    NAME = "chatlab-json"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        start = head.lstrip("\ufeff \r\n\t")
        return start.startswith("{") and '"chatlab"' in head and '"_type"' not in start[:40]

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        export = load_json(lines)
        doc = export.doc
        if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
            raise FormatError("a ChatLab file without a list of messages", "是 ChatLab 文件，但其中没有消息列表")
        chat = _Chat(doc.get("meta"))
        for member in doc.get("members") if isinstance(doc.get("members"), list) else ():
            chat.know(member)
        yield from export.lined((chat.record(None, item, json.dumps(item, ensure_ascii=False)[:2000])
                                 for item in doc["messages"]), "messages")


class Jsonl:
    NAME = "chatlab-jsonl"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        first = head.lstrip("\ufeff \r\n\t").split("\n", 1)[0]
        return first.startswith("{") and '"_type"' in first and '"header"' in first and '"chatlab"' in first

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        chat = None
        for entry in json_lines(lines, comments=True):
            if isinstance(entry, Reject):
                yield entry
                continue
            number, item, line = entry
            kind = item.get("_type") if isinstance(item, dict) else None
            if kind == "header":  # a second header: another chat's lines follow (files put together)
                chat = _Chat(item.get("meta"))
            elif kind in ("member", "message"):
                chat = chat or _Chat(None)
                if kind == "member":
                    chat.know(item)
                else:
                    yield chat.record(number, item, line[:2000])
            else:
                yield Reject(number, Problem(f"a line of unknown _type {kind!r}", f"这一行的 _type {kind!r} 不认识"),
                             line[:2000])


class _Chat:
    """The chat a ChatLab file is about, and its messages as records."""

    def __init__(self, meta):
        meta = meta if isinstance(meta, dict) else {}
        self.id = str(meta["groupId"]) if meta.get("groupId") else None
        self.name = str(meta["name"]) if meta.get("name") else None
        self.owner = str(meta["ownerId"]) if meta.get("ownerId") else None
        self.names: dict[str, str] = {}  # platformId -> the name the group sees

    def know(self, member) -> None:
        """A member's name, for messages that leave theirs out (the names are optional)."""
        if isinstance(member, dict) and member.get("platformId") not in (None, ""):
            name = member.get("groupNickname") or member.get("accountName")
            if name:
                self.names[str(member["platformId"])] = str(name)

    def record(self, line: int | None, item, raw: str) -> Record | Reject:
        if not isinstance(item, dict):
            return Reject(line, Problem("a message that is not a JSON object", "这条消息不是 JSON 对象"), raw)
        try:
            epoch = int(item["timestamp"])
        except (KeyError, TypeError, ValueError):
            return Reject(line, Problem(f"timestamp missing or not epoch seconds: {item.get('timestamp')!r}",
                                       f"timestamp（时间）缺失，或不是以秒计的时间戳：{item.get('timestamp')!r}"), raw)
        code = item.get("type")
        # A whole number, also written as a string ("20"); true is no type.
        number = int(code) if isinstance(code, str) and code.strip().isdigit() else code
        kind = _KINDS.get(number, "other") if isinstance(number, int) and not isinstance(number, bool) else "other"
        text = item.get("content") if isinstance(item.get("content"), str) else ""
        sender = str(item["sender"]) if item.get("sender") not in (None, "") else None
        return Record(
            line=line, sent_at=from_epoch(epoch), kind=kind, text="" if kind in _MEDIA else text,
            source_id=message_id(item.get("platformMessageId")),
            sender_id=sender,
            # The name the group sees first: the message's, else the members list's; the
            # account's own name last.
            sender_name=(item.get("groupNickname") or self.names.get(sender or "") or item.get("accountName")
                         or None),
            chat_id=self.id, chat_name=self.name, kind_raw=str(code),
            is_self=(1 if sender == self.owner else 0) if self.owner and sender else None,
            reply_to_source_id=message_id(item.get("replyToMessageId")),
            raw=item,
        )
