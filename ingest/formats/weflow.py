"""WeFlow 4.x JSON (and EchoTrace's same shape without the `weflow` header).
Kinds come from the numeric `localType` (WeChat 4.x composite), never from the Chinese
`type` names, which changed between WeFlow versions."""
from __future__ import annotations

import json
import re
from typing import Iterator

from ingest.formats.kinds import kind_from_composite
from ingest.records import Context, Record, Reject, from_epoch, load_json

_QUOTE_SUFFIX = re.compile(r"\[引用 [^：\]]*：.*\]\Z", re.S)


class Json:
    NAME = "weflow-json"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        start = head.lstrip("\ufeff \r\n\t")
        return start.startswith("{") and '"messages"' in head and '"session"' in head

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        doc = load_json(lines)
        session = doc.get("session") or {}
        chat_id = session.get("wxid") or session.get("accountId")
        chat_name = session.get("displayName") or session.get("remark") or session.get("nickname")
        for item in doc.get("messages") or []:
            yield _record(item, chat_id, chat_name)


def _record(item, chat_id, chat_name) -> Record | Reject:
    raw = json.dumps(item, ensure_ascii=False)[:2000]
    if not isinstance(item, dict) or "createTime" not in item or "localType" not in item:
        return Reject(None, "message lacks createTime/localType", raw)
    try:
        epoch, code = int(item["createTime"]), int(item["localType"])
    except (TypeError, ValueError):
        return Reject(None, f"createTime/localType not numbers: {item.get('createTime')!r}, {item.get('localType')!r}", raw)
    text = str(item.get("content") or "")
    kind = kind_from_composite(code, text)
    quote = item.get("quotedContent")
    if kind == "quote":
        text = _QUOTE_SUFFIX.sub("", text)
    elif kind in ("image", "video", "voice", "sticker"):
        text = ""
    return Record(
        line=None, sent_at=from_epoch(epoch), kind=kind, text=text,
        source_id=str(item["platformMessageId"]) if item.get("platformMessageId") else None,
        sender_id=item.get("senderUsername") or None,
        sender_name=item.get("senderDisplayName") or None, chat_id=chat_id, chat_name=chat_name,
        kind_raw=str(code), is_self=item.get("isSend") if item.get("isSend") in (0, 1) else None,
        reply_to_source_id=str(item.get("replyToMessageId") or item.get("quotedSvrid") or "") or None,
        quote=quote, raw=item,
    )
