"""WeFlow 4.x JSON (and EchoTrace's same shape without the `weflow` header), and
WeFlow's Excel export.

In JSON, kinds come from the numeric `localType` (WeChat 4.x composite), never from the
Chinese `type` names, which changed between WeFlow versions; the Excel export has only
the names, read by the fragments every version shares (图片, 红包 …)."""
from __future__ import annotations

import itertools
import json
import re
import zipfile
from typing import BinaryIO, Iterator

from ingest.formats.kinds import kind_from_composite, kind_from_name
from ingest import roster
from ingest.records import Context, FormatError, Record, Reject, Skipped, from_epoch, load_json, parse_local
from newmedia.table import cell_text

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


class Xlsx:
    """WeFlow's Excel export: sheet 聊天记录, a preamble (会话信息; 微信ID, <id>, 昵称, <name>,
    备注, …; 导出工具, WeFlow, …), then the header 序号, 时间, 发送者昵称, 发送者微信ID,
    发送者备注, 群昵称, 发送者身份, 消息类型, 内容 (no 群昵称 for a private chat; compact mode:
    序号, 时间, 发送者身份, 消息类型, 内容). 序号 numbers the rows of the export, not the
    messages: identity is the messages' content. Read from bytes (`BINARY`), rows as the
    sheet holds them; a row's line is its row number in Excel."""

    NAME = "weflow-xlsx"
    BINARY = True

    @staticmethod
    def sniff_bytes(head_bytes: bytes, filename: str) -> bool:
        return head_bytes.startswith(b"PK\x03\x04") and filename.lower().endswith(".xlsx")

    @staticmethod
    def parse(data: BinaryIO, ctx: Context) -> Iterator[Record | Reject]:
        """Opens the workbook at once (a file that is not WeFlow's is refused, or skipped as a
        roster, before anything is read) and returns its records as they are read."""
        import openpyxl

        try:
            book = openpyxl.load_workbook(data, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
            raise FormatError(f"an .xlsx workbook that cannot be read ({type(e).__name__}): damaged or cut short?") from None
        if _SHEET not in book.sheetnames:
            first = [(n, _cells(r)) for n, r in enumerate(itertools.islice(
                book.worksheets[0].iter_rows(values_only=True), _PREAMBLE_ROWS), start=1)] if book.worksheets else []
            book.close()
            if roster.is_roster_sheet(first):
                raise Skipped("a real-name roster: load it with `qunguan roster import`")
            raise FormatError(f"an Excel workbook without WeFlow's {_SHEET} sheet (sheets: {', '.join(book.sheetnames[:5])}): "
                              "not a chat export qunguan knows")
        rows = enumerate(book[_SHEET].iter_rows(values_only=True), start=1)
        about, header = {}, None
        for line, row in itertools.islice(rows, _PREAMBLE_ROWS):
            cells = _cells(row)
            if {"时间", "消息类型", "内容"} <= set(cells):
                header = cells
                break
            # Preamble rows are label, value pairs: 微信ID, wxid_…@chatroom, 昵称, 防汛群, …
            about.update((k, v) for k, v in zip(cells[::2], cells[1::2]) if k)
        if header is None:
            book.close()
            raise FormatError(f"a {_SHEET} sheet without WeFlow's header (序号, 时间, …, 消息类型, 内容) "
                              f"in its first {_PREAMBLE_ROWS} rows")
        return _xlsx_records(book, rows, header, about.get("微信ID") or None,
                             about.get("备注") or about.get("昵称") or None)


_SHEET = "聊天记录"
_PREAMBLE_ROWS = 10


def _cells(row) -> list[str]:
    return [cell_text(c) for c in row]


def _xlsx_records(book, rows, header: list[str], chat_id: str | None, chat_name: str | None) -> Iterator[Record | Reject]:
    try:
        for line, row in rows:
            values = dict(zip(header, _cells(row)))
            if any(values.values()):
                yield _xlsx_record(line, values, chat_id, chat_name)
    finally:
        book.close()


_QUOTED = re.compile(r"\[引用 [^：\]]*：(?P<quoted>.*)\]\Z", re.S)


def _xlsx_record(line: int, row: dict, chat_id: str | None, chat_name: str | None) -> Record | Reject:
    try:
        sent_at, precision = parse_local(row.get("时间", ""))
    except ValueError as e:
        return Reject(line, str(e), json.dumps(row, ensure_ascii=False))
    text, type_name = row.get("内容", ""), row.get("消息类型", "")
    kind, quote = kind_from_name(type_name, text), None
    if kind == "quote" and (m := _QUOTED.search(text)):
        quote, text = m["quoted"], text[: m.start()]
    elif kind in ("image", "video", "voice", "sticker"):
        text = ""  # [图片], [视频]12s: what the export writes for the media, kept in `raw`
    role = row.get("发送者身份", "")
    return Record(
        line=line, sent_at=sent_at, precision=precision, kind=kind, text=text,
        sender_id=row.get("发送者微信ID") or None,
        # The name the group sees: the group nickname, else the WeChat nickname; the
        # exporter's own remark for the person last.
        sender_name=row.get("群昵称") or row.get("发送者昵称") or row.get("发送者备注") or (role if role != "我" else None),
        chat_id=chat_id, chat_name=chat_name, kind_raw=type_name, is_self=1 if role == "我" else None,
        quote=quote, raw=row,
    )
