"""WeFlow 4.x JSON (and EchoTrace's same shape without the `weflow` header), and
WeFlow's Excel export.

In JSON, kinds come from the numeric `localType` (WeChat 4.x composite), never from the
Chinese `type` names, which changed between WeFlow versions; the Excel export has only
the names, read by the fragments every version shares (图片, 红包 …)."""
from __future__ import annotations

import contextlib
import itertools
import json
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError
from typing import BinaryIO, Iterator

from detectors.setting_values import Problem
from ingest.formats import memotrace
from ingest.formats.kinds import kind_from_composite, kind_from_name
from ingest import roster
from ingest.records import (Context, FormatError, NotChat, OfficeFile, Record, Reject, Skipped, from_epoch, load_json,
                             message_id, not_numbers, parse_local)
from ingest.user_errors import said
from newmedia.table import cell_text

_QUOTE_SUFFIX = re.compile(r"\[引用 [^：\]]*：.*\]\Z", re.S)


class Json:
    NAME = "weflow-json"
    ONE_CHAT = True  # one session a file

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        start = head.lstrip("\ufeff \r\n\t")
        return start.startswith("{") and '"messages"' in head and '"session"' in head

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        export = load_json(lines)
        doc = export.doc
        if not isinstance(doc, dict) or not isinstance(doc.get("messages", []), list):
            # --format weflow-json for another JSON export
            raise FormatError("not WeFlow's JSON: it is an object with session and messages",
                              "不是 WeFlow 的 JSON：它的 JSON 是带 session 和 messages 的对象")
        session = doc.get("session") if isinstance(doc.get("session"), dict) else {}
        chat_id = session.get("wxid") or session.get("accountId")
        chat_name = session.get("displayName") or session.get("remark") or session.get("nickname")
        yield from export.lined((_record(item, chat_id, chat_name) for item in doc.get("messages") or []), "messages")


def _record(item, chat_id, chat_name) -> Record | Reject:
    raw = json.dumps(item, ensure_ascii=False)[:2000]
    if not isinstance(item, dict) or "createTime" not in item or "localType" not in item:
        return Reject(None, Problem("message lacks createTime/localType", "消息缺少 createTime 或 localType"), raw)
    try:
        epoch, code = int(item["createTime"]), int(item["localType"])
    except (TypeError, ValueError):
        return Reject(None, not_numbers({"createTime": item.get("createTime"), "localType": item.get("localType")}), raw)
    text = str(item.get("content") or "")
    kind = kind_from_composite(code, text)
    quote = item.get("quotedContent")
    if kind == "quote":
        text = _QUOTE_SUFFIX.sub("", text)
    elif kind in ("image", "video", "voice", "sticker"):
        text = ""
    return Record(
        line=None, sent_at=from_epoch(epoch), kind=kind, text=text,
        source_id=message_id(item.get("platformMessageId")),
        sender_id=item.get("senderUsername") or None,
        sender_name=item.get("senderDisplayName") or None, chat_id=chat_id, chat_name=chat_name,
        kind_raw=str(code), is_self=item.get("isSend") if item.get("isSend") in (0, 1) else None,
        reply_to_source_id=message_id(item.get("replyToMessageId")) or message_id(item.get("quotedSvrid")),
        quote=quote, raw=item,
    )


class Xlsx(OfficeFile):
    """WeFlow's Excel export: sheet 聊天记录, a preamble (会话信息; 微信ID (later 账号ID), <id>,
    昵称, <name>, 备注, <remark>, values in merged cells; 导出工具, WeFlow, …), then the header
    序号, 时间, 发送者昵称, 发送者微信ID (or 发送者账号ID), 发送者备注, 群昵称, 发送者身份,
    消息类型, 内容 (no 群昵称 for a private chat; compact mode: 序号, 时间, 发送者身份, 消息类型,
    内容). 序号 numbers the rows of the export, not the messages: a record's identity is its
    content, and it may be archived under its id from the same chat's JSON export.
    Read from bytes (`BINARY`); a row's line is its row number in Excel."""

    NAME = "weflow-xlsx"
    EXTENSION = ".xlsx"

    @staticmethod
    def parse(data: BinaryIO, ctx: Context) -> Iterator[Record | Reject]:
        """Opens the workbook at once (a file that is not WeFlow's is refused, or skipped as a
        roster, before anything is read) and returns its records as they are read."""
        book = _open_workbook(data)
        try:
            with _damage_refused(0):
                chat = book[_SHEET] if _SHEET in book.sheetnames else _renamed_chat_sheet(book)
                if chat is None:
                    sheets = book.sheetnames
                    if any(roster.is_roster_sheet(_first_rows(sheet)) for sheet in book.worksheets):
                        raise Skipped(roster.SKIPPED)
                    raise NotChat(f"an Excel workbook without WeFlow's {_SHEET} sheet (sheets: "
                                  f"{', '.join(sheets[:5])}): not a chat export qunguan knows",
                                  f"是 Excel 工作簿，但没有 WeFlow 的 {_SHEET} 工作表（工作表有：{'、'.join(sheets[:5])}），"
                                  "不是群管能读的聊天导出")
                rows = enumerate(chat.iter_rows(values_only=True), start=1)
                about, header = {}, None
                for _, row in itertools.islice(rows, _PREAMBLE_ROWS):
                    cells = _cells(row)
                    if _MEMOTRACE_HEADER <= set(cells):
                        raise memotrace.office_export("Excel", Problem("its layout is not documented for qunguan",
                                                                       "群管不了解它的版式"), ctx)
                    if _HEADER <= set(cells):
                        header = cells
                        break
                    about.update(_labelled(cells))
            if header is None:
                raise FormatError(f"a {_SHEET} sheet without WeFlow's header (序号, 时间, …, 消息类型, 内容) "
                                  f"in its first {_PREAMBLE_ROWS} rows",
                                  f"{_SHEET} 工作表的前 {_PREAMBLE_ROWS} 行中没有 WeFlow 的表头（序号、时间、…、消息类型、内容）")
        except BaseException:
            book.close()
            raise
        return _xlsx_records(book, rows, header, about.get("微信ID") or about.get("账号ID") or None,
                             about.get("备注") or about.get("昵称") or None)


_SHEET = "聊天记录"
_HEADER = {"时间", "消息类型", "内容"}  # what WeFlow's header row holds, full or compact
# MemoTrace 2025's Excel export: a 聊天记录 sheet too, its header the CSV's.
_MEMOTRACE_HEADER = {"消息ID", "类型", "发送人", "时间", "内容"}
_PREAMBLE_ROWS = 10
_LABELS = {"微信ID", "账号ID", "昵称", "备注", "导出工具", "导出版本", "平台", "导出时间"}


def _open_workbook(data: BinaryIO):
    import openpyxl

    try:
        return openpyxl.load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        data.seek(0)
        try:
            names = zipfile.ZipFile(data).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise FormatError(f"an .xlsx workbook that cannot be read ({type(e).__name__}): damaged or cut short?",
                              "是无法读取的 .xlsx 工作簿：文件是否损坏或没有复制完整？") from None
        what, what_zh = ("a Word document (.docx)", "Word 文档（.docx）") if "word/document.xml" in names else \
            ("a zip archive", "压缩包")
        raise FormatError(f"{what} named .xlsx, not an Excel workbook", f"是改名为 .xlsx 的{what_zh}，不是 Excel 工作簿") from None


def _renamed_chat_sheet(book):
    """The sheet holding WeFlow's header in its first rows, if an admin renamed 聊天记录
    (after the group, say): still the chat, not an attachment to pass over."""
    return next((sheet for sheet in book.worksheets
                 if any(_HEADER <= set(cells) for _, cells in _first_rows(sheet))), None)


def _first_rows(sheet) -> list[tuple[int, list[str]]]:
    return [(n, _cells(r)) for n, r in enumerate(itertools.islice(sheet.iter_rows(values_only=True), _PREAMBLE_ROWS),
                                                  start=1)]


def _labelled(cells: list[str]) -> dict[str, str]:
    """A preamble row's label -> value: each value is the first filled cell after its label,
    before the next label (WeFlow merges the cells of long values: 微信ID, id, (merged), 昵称 …)."""
    found = {}
    for i, cell in enumerate(cells):
        if cell in _LABELS:
            value = next((v for v in cells[i + 1:] if v), "")
            found[cell] = "" if value in _LABELS else value
    return found


def _cells(row) -> list[str]:
    return [cell_text(c) for c in row]


@contextlib.contextmanager
def _damage_refused(line: int):
    """What reading a damaged sheet raises (its XML cut or garbled), as the refusal of the file."""
    try:
        yield
    except (ParseError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError) as e:
        raise FormatError(f"the workbook cannot be read past row {line} ({type(e).__name__}): it is damaged",
                          f"工作簿读到第 {line} 行后无法再读：文件已损坏") from None


def _xlsx_records(book, rows, header: list[str], chat_id: str | None, chat_name: str | None) -> Iterator[Record | Reject]:
    line = 0
    try:
        while True:
            with _damage_refused(line):
                item = next(rows, None)
            if item is None:
                return
            line, row = item
            values = dict(zip(header, _cells(row)))
            if any(values.values()):
                yield _xlsx_record(line, values, chat_id, chat_name)
    finally:
        book.close()


_QUOTED = re.compile(r"\[引用 [^：\]]*：(?P<quoted>.*)\]\Z", re.S)
# WeFlow 4.3 names red packets and transfers 其他消息 and says what they are in the content.
_MONEY = (("[红包]", "red_packet"), ("[转账]", "transfer"), ("[转账收款]", "transfer"))


def _xlsx_record(line: int, row: dict, chat_id: str | None, chat_name: str | None) -> Record | Reject:
    try:
        sent_at, precision = parse_local(row.get("时间", ""))
    except ValueError as e:
        return Reject(line, said(e), json.dumps(row, ensure_ascii=False))
    text, type_name = row.get("内容", ""), row.get("消息类型", "")
    kind, quote = kind_from_name(type_name, text), None
    if kind in ("other", "link"):
        kind = next((k for prefix, k in _MONEY if text.startswith(prefix)), kind)
    if kind == "quote" and (m := _QUOTED.search(text)):
        quote, text = m["quoted"], text[: m.start()]
    elif kind in ("image", "video", "voice", "sticker"):
        text = ""  # [图片], [视频]12s: what the export writes for the media, kept in `raw`
    role = row.get("发送者身份", "")
    return Record(
        line=line, sent_at=sent_at, precision=precision, kind=kind, text=text,
        sender_id=row.get("发送者微信ID") or row.get("发送者账号ID") or None,
        # The name the group sees: the group nickname, else the WeChat nickname; the
        # exporter's own remark for the person last.
        sender_name=row.get("群昵称") or row.get("发送者昵称") or row.get("发送者备注") or (role if role != "我" else None),
        chat_id=chat_id, chat_name=chat_name, kind_raw=type_name, is_self=1 if role == "我" else None,
        quote=quote, raw=row,
    )
