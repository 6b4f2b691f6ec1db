"""MemoTrace (WeChatMsg, 留痕) CSV: the 12-column English layout of versions up to 2.0.x
and the 8-column Chinese layout of the 2025 rewrite. Both are UTF-8 with BOM and CRLF,
one file per chat named after the chat's remark (备注). And the JSON the 2025 rewrite
writes beside its HTML page (`<备注>.html.json`): the page shows those messages."""
from __future__ import annotations

import html
import json
import re
import zipfile
from typing import BinaryIO, Iterator

from detectors.setting_values import Problem
from ingest.formats import csvrows
from ingest.formats.kinds import kind_from_codes, kind_from_composite, kind_from_name
from ingest.records import (Context, FormatError, NotChat, OfficeFile, Record, Reject, Skipped, from_epoch, load_json,
                             not_numbers, numeric_id)

_V2 = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
       "StrContent", "StrTime", "Remark", "NickName", "Sender"]
# What the reader does not use, which an admin may delete in Excel as noise: the row ids,
# the chat's id (the same on every row), the DB status, the time again as text.
_V2_UNREAD = ("localId", "TalkerId", "Status", "StrTime")
_V3 = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]
# 备注 and 昵称 repeat 发送人 (MemoTrace never fills them in), 更多信息 says "more".
_V3_UNREAD = ("备注", "昵称", "更多信息")
_SELF_RECALL = re.compile(r"<!\[CDATA\[|\s*<a href=\"weixin://revoke_edit_click\">重新编辑</a>\]\]>")
_FOLDER = re.compile(r"^(?P<name>.+)\((?P<id>[^()]+@chatroom)\)$")
# Only what copying adds: Windows' " - 副本" / " - Copy", macOS' " copy 2", "(1)" in ASCII
# brackets, a second extension. A group may well be named 防汛工作群（2） or 资料副本.
_COPY_SUFFIX = re.compile(r"(?:\s+-\s+(?:副本|Copy)(?:\s*\(\d+\))?|\s+copy(?:\s+\d+)?|\s*\(\d+\)|\.(?:csv|txt|html))$", re.I)
_QUOTE_V3 = re.compile(r"\n引用：(?P<name>[^:\n]*): (?P<text>.*)\Z", re.S)
# A file's row: 【文件】{name} {size} MB {path} {type} {md5}. Its name and size are what it
# says (the JSON export gives the name alone); the path on the exporting computer and the
# md5 stay in `raw`, out of what a supervisor reads and what the detectors and search see.
_FILE_V3 = re.compile(r"(?P<said>【文件】.*? \d+(?:\.\d+)? MB) .+ \S+ [0-9a-f]{32}\s*\Z", re.S)


def chat_from_filename(ctx: Context) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(chat id, chat name, longer names) from MemoTrace's `<备注>(<wxid>)/<备注>.csv`
    naming: the longer names are the file's name before each copy mark was dropped,
    longest first."""
    parts = ctx.name.replace("\\", "/").replace("!", "/").split("/")
    folder = _FOLDER.match(parts[-2]) if len(parts) > 1 else None
    if folder:
        return folder["id"], folder["name"], ()
    stem, longer = _without_utf8(ctx.filename.rsplit(".", 1)[0]), []
    # What copying and re-saving add to the name must not make another group: MemoTrace's
    # own (1), (2) for name clashes, Windows' " - 副本" / " - Copy", a second extension.
    # But a chat may be named so (防汛群(2)): the longer names find the group another
    # export archived under one of them.
    while True:
        shorter = _without_utf8(_COPY_SUFFIX.sub("", stem).strip())
        if shorter == stem:
            return None, stem or None, tuple(longer)
        longer.append(stem)
        stem = shorter


def named_like_a_copy(filename: str) -> bool:
    """Whether a file's name ends in what copying adds (`防汛群(2).csv`): read as
    MemoTrace's, it finds its group by the longer name only once another export has
    archived that (`chat_from_filename`)."""
    stem = _without_utf8(filename.rsplit(".", 1)[0])
    return _COPY_SUFFIX.search(stem) is not None


def chat_named_so(longer: tuple[str, ...]) -> str | None:
    """The shortest of a file's longer names (`chat_from_filename`) a chat may really be
    called: one ending in (2), as 防汛群(2); no chat is named 防汛群 - 副本 or 防汛群.csv."""
    return next((name for name in reversed(longer) if re.search(r"\(\d+\)$", name)), None)


def _without_utf8(stem: str) -> str:
    return stem[:-5] if stem.endswith("_utf8") else stem


class V2Csv:
    NAME = "memotrace-csv"
    NAMED_BY_FILE = True  # the group's name is the file's: --group may give a better one
    LABEL = "MemoTrace 2.0 CSV"
    LAYOUTS, UNREAD = (_V2,), _V2_UNREAD

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return csvrows.holds(head, _V2, _V2_UNREAD)

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        chat_id, chat_name, longer = chat_from_filename(ctx)
        for item in csvrows.rows(lines, _V2, unused=_V2_UNREAD):
            if isinstance(item, Reject):
                yield item
                continue
            line, row = item
            try:
                type_, sub, epoch = int(row["Type"]), int(row["SubType"] or 0), int(row["CreateTime"])
            except ValueError:
                yield Reject(line, not_numbers({"Type": row["Type"], "SubType": row["SubType"] or 0,
                                                "CreateTime": row["CreateTime"]}), str(row))
                continue
            text, key_text = row["StrContent"], None
            kind = kind_from_codes(type_, sub, text)
            if kind in ("system", "recall"):
                text = _SELF_RECALL.sub("", text)
            elif kind in _TITLED:
                # A reply's own words, a link's or a file's title: what a supervisor, a
                # search and the classifiers read, and what other exports give as its text.
                # Archived before with no text: that stays its identity.
                text, key_text = _title(text), ""
            elif kind not in ("text",):
                text = ""  # media rows carry raw XML; it stays in `raw`
            yield Record(
                line=line, sent_at=from_epoch(epoch), kind=kind, text=text, key_text=key_text,
                sender_id=row["Sender"] or None,
                sender_name=row["Remark"] or row["NickName"] or None,
                chat_id=chat_id, chat_name=chat_name, chat_name_longer=longer, kind_raw=f"{type_},{sub}",
                is_self=int(row["IsSender"]) if row["IsSender"] in ("0", "1") else None, raw=row,
            )


_TITLED = ("quote", "link", "file")
_TITLE = re.compile(r"<title>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</title>", re.S)


def _title(xml: str) -> str:
    """The first <title> of an appmsg's XML (a quote's reply, a link's or file's title)."""
    found = _TITLE.search(xml)
    return html.unescape(found[1]).strip() if found else ""


class V3Csv:
    NAME = "memotrace3-csv"
    NAMED_BY_FILE = True
    LABEL = "MemoTrace 2025 CSV"
    LAYOUTS, UNREAD = (_V3,), _V3_UNREAD

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return csvrows.holds(head, _V3, _V3_UNREAD)

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        chat_id, chat_name, longer = chat_from_filename(ctx)
        for item in csvrows.timed_rows(lines, _V3, "时间", unused=_V3_UNREAD):
            if isinstance(item, Reject):
                yield item
                continue
            line, row, sent_at, precision = item
            text = row["内容"]
            kind = kind_from_name(row["类型"], text)
            quote = key_text = None
            if kind == "quote" and (m := _QUOTE_V3.search(text)):
                quote, text = m["text"], text[: m.start()]
            elif kind in ("image", "video", "sticker"):
                text = ""
            elif kind == "file" and (m := _FILE_V3.match(text)):
                # Archived before with the whole row as its text: that stays its identity.
                text, key_text = m["said"], text
            yield Record(
                line=line, sent_at=sent_at, precision=precision, kind=kind, text=text, key_text=key_text,
                source_id=numeric_id(row["消息ID"]), sender_name=row["发送人"] or None,
                chat_id=chat_id, chat_name=chat_name, chat_name_longer=longer, kind_raw=row["类型"], quote=quote,
                raw=row,
            )


class V3Json:
    """`<备注>.html.json`: a list of `Message.to_json()` objects, `type` the WeChat 4.x
    composite code (as a string; 拍一拍 as the number 10000), epoch seconds, the server id,
    the sender's display name (no wxid) and, by type, `text`, `title`, `file_name` …"""

    NAME = "memotrace3-json"
    NAMED_BY_FILE = True

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return (head.lstrip("\ufeff \r\n\t").startswith("[")
                and all(f'"{key}"' in head for key in ("server_id", "display_name", "is_send", "timestamp")))

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        export = load_json(lines)
        doc = export.doc
        if not isinstance(doc, list):  # --format memotrace3-json for another JSON export
            raise FormatError("not MemoTrace's JSON: it is a list of messages with server_id and display_name",
                              "不是 MemoTrace 的 JSON：它的 JSON 是带 server_id 和 display_name 的消息列表")
        chat_id, chat_name, longer = chat_from_filename(ctx)
        yield from export.lined(_json_record(item, chat_id, chat_name, longer) for item in doc)


def _json_record(item, chat_id: str | None, chat_name: str | None, longer: tuple[str, ...]) -> Record | Reject:
    raw = json.dumps(item, ensure_ascii=False)[:2000]
    if not isinstance(item, dict) or "timestamp" not in item or "type" not in item:
        return Reject(None, Problem("message lacks timestamp/type", "消息缺少 timestamp 或 type"), raw)
    try:
        epoch, code = int(item["timestamp"]), int(item["type"])
    except (TypeError, ValueError):
        return Reject(None, not_numbers({"timestamp": item.get("timestamp"), "type": item.get("type")}), raw)
    kind = _kind(code, item)
    quote = None
    if kind == "quote":
        # "name: text", as the CSV writes it after 引用：
        quote = str(item.get("quote_text") or "").partition(": ")[2] or None
    name = item.get("display_name")
    return Record(
        line=None, sent_at=from_epoch(epoch), kind=kind, text=_json_text(item, kind),
        source_id=numeric_id(item.get("server_id")),
        sender_name=str(name) if name else None, chat_id=chat_id, chat_name=chat_name, chat_name_longer=longer,
        kind_raw=str(code),
        is_self=int(item["is_send"]) if isinstance(item.get("is_send"), bool) else None,
        reply_to_source_id=numeric_id(item.get("quote_server_id")) if kind == "quote" else None,
        quote=quote, raw=item,
    )


# What each kind of message says, by the fields its to_json() adds; the rest say nothing
# in words (an image, a sticker, a video).
_SAYS = {
    "link": ("title", "description", "url", "publisher_nickname"), "file": ("file_name",),
    "voice": ("voice_to_text",), "location": ("poiname", "label"), "card": ("nickname", "open_im_desc"),
    "call": ("display_content",), "transfer": ("text", "fee_desc", "pay_memo"), "red_packet": ("text",),
    "merge_forward": ("title", "description"), "mini_program": ("title", "description"),
}


def _json_text(item: dict, kind: str) -> str:
    if kind in ("image", "video", "sticker"):
        return ""
    if kind not in _SAYS:
        return str(item.get("text") or "")
    said = [str(item[key]) for key in _SAYS[kind] if item.get(key) not in (None, "")]
    inner = [m for m in item.get("messages") or [] if isinstance(m, dict)] if kind == "merge_forward" else []
    if inner:
        # What was forwarded is judged too: "name: text" per message of the bundle, in
        # place of the description, which is the first few of them cut short.
        said = ([str(item["title"])] if item.get("title") else []) + [f"{m.get('display_name') or ''}: {_json_text(m, _kind_of(m))}" for m in inner]
    return "\n".join(said)


def _kind_of(item: dict) -> str:
    try:
        return _kind(int(item.get("type")), item)
    except (TypeError, ValueError):
        return "other"


def _kind(code: int, item: dict) -> str:
    # MemoTrace's Text2 (2) is text too; it writes 拍一拍 as a system message (10000).
    text = str(item.get("text") or "")
    kind = "text" if code == 2 else kind_from_composite(code, text)
    return "pat" if kind == "system" and "拍了拍" in text else kind


# MemoTrace names itself the document's author (dc:creator, or who last saved it): a notice
# whose title, subject or keywords name the tool is an ordinary document.
_MEMOTRACE_AUTHOR = re.compile(r"<(?:\w+:)?(?:creator|lastModifiedBy)\b[^>]*>\s*MemoTrace")


class Word(OfficeFile):
    """MemoTrace's Word export (`<备注>_<n>.docx`, 500 messages a file, author "MemoTrace"):
    not read, since it gives a time only where five minutes passed since the last, not
    per message. Recognised, so an admin who hands it over hears to export CSV instead
    of having it passed over as an attachment; any other Word document is one."""

    NAME = "memotrace-docx"
    EXTENSION = ".docx"

    @staticmethod
    def parse(data: BinaryIO, ctx: Context) -> Iterator[Record | Reject]:
        try:
            with zipfile.ZipFile(data) as document:
                about = document.read("docProps/core.xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            about = ""
        if not _MEMOTRACE_AUTHOR.search(about):
            raise NotChat("an Office document (.docx), not a chat export", "是 Office 文档（.docx），不是聊天导出")
        raise office_export("Word", Problem("it gives a time only every few minutes, not per message",
                                            "每隔几分钟才有一个时间，不是每条消息都有"), ctx)


def office_export(kind: str, why: Problem, ctx: Context) -> FormatError | Skipped:
    """The refusal of a chat MemoTrace exported as Word or Excel, or where it exported the
    chat as CSV too (its files share the chat's name), the note that it is passed over."""
    chat = re.sub(r"(?:_\d+)?(?:\(\d+\))?\.[^.]+$", "", ctx.filename)
    beside = next((name for name in (f"{chat}.csv", f"{chat}_utf8.csv", f"{chat}.html.json") if name in ctx.siblings),
                  None)
    if beside:
        return Skipped(f"a MemoTrace {kind} export; the chat's messages are read from {beside} beside it",
                       f"是 MemoTrace 导出的 {kind} 文件；聊天消息从旁边的 {beside} 读取")
    return FormatError(f"a MemoTrace {kind} export, which qunguan does not read ({why}): export the chat from "
                       "MemoTrace as CSV and ingest that",
                       f"是 MemoTrace 导出的 {kind} 文件，群管不读这种文件（{why.zh}）：请在 MemoTrace 中把聊天导出为 CSV，"
                       "再导入 CSV")
