"""Files that are not chat logs: refused with one line saying what they look like, or
skipped when they are read beside a chat log (PyWxDump's users.json, WeCom's
groupchat/get responses)."""
from __future__ import annotations

import csv
import json
import re

from detectors.setting_values import Problem
from ingest.cutjson import cut_at_end
from ingest.records import FormatError, NotChat, Skipped, first_line

_MAGIC = (
    (b"\x89PNG", Problem("a PNG image", "一张 PNG 图片")), (b"\xff\xd8\xff", Problem("a JPEG image", "一张 JPEG 图片")),
    (b"GIF8", Problem("a GIF image", "一张 GIF 图片")), (b"BM", Problem("a BMP image", "一张 BMP 图片")),
    (b"%PDF", Problem("a PDF document", "一个 PDF 文档")),
    (b"PK\x03\x04", Problem("an Office document (.xlsx, .docx, .pptx)", "一个 Office 文档（.xlsx、.docx、.pptx）")),
    (b"\xd0\xcf\x11\xe0", Problem("an old Office document (.xls/.doc)", "一个旧版 Office 文档（.xls/.doc）")),
    (b"SQLite format 3", Problem("an SQLite database", "一个 SQLite 数据库")),
)

# Zip containers that are files of their own, attachments a chat's export keeps beside it:
# Office, OpenDocument and Apple documents, the OFD of official papers, e-books, apps, mind maps.
_DOCUMENT_ZIPS = (".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".ppsx", ".odt", ".ods", ".odp", ".ofd", ".pages",
                  ".numbers", ".key", ".epub", ".apk", ".ipa", ".jar", ".xmind", ".vsdx")

# What exporters name their chat files: one of these that reads as a picture or as binary
# is an export damaged (a block zeroed by a crash) or misnamed, not an attachment.
_EXPORT_NAMES = (".csv", ".txt", ".json", ".jsonl")


def _not_chat(what: Problem, filename: str) -> FormatError:
    """The error for a file that is plainly `what`: passed over in a folder (NotChat),
    unless its name says it is a chat export."""
    if filename.lower().endswith(_EXPORT_NAMES):
        return FormatError(f"{what}, not a chat export, though named like one: damaged (a block zeroed by a "
                           "crash) or misnamed; copy it again from where it was exported",
                           f"是{what.zh}，不是聊天导出，虽然文件名像：文件已损坏（如死机时部分内容变成空白）或改错了名；"
                           "请从导出的地方重新复制")
    return NotChat(f"{what}, not a chat export", f"是{what.zh}，不是聊天导出")


def refuse_if_not_chat(head: str, head_bytes: bytes, filename: str, siblings=()) -> None:
    """Raise FormatError (or Skipped) for files that are clearly not chat exports;
    `siblings` are the names of the files beside it."""
    if not head_bytes.strip(b" \r\n\t\xef\xbb\xbf"):
        raise FormatError("empty file", "是空文件")
    if head_bytes[8:12] == b"WEBP":
        raise _not_chat(Problem("a WEBP image", "一张 WEBP 图片"), filename)
    if head_bytes.startswith(b"\xd0\xcf\x11\xe0") and filename.lower().endswith(".xlsx"):
        # Excel keeps a password-protected workbook in the old compound format.
        raise FormatError("a password-protected Excel workbook (or an old .xls named .xlsx): "
                          "save it without a password as .xlsx and ingest that",
                          "是设了密码的 Excel 工作簿（或改名为 .xlsx 的旧版 .xls）：请去掉密码另存为 .xlsx，再导入")
    if head_bytes.startswith(b"PK\x03\x04") and not filename.lower().endswith(_DOCUMENT_ZIPS):
        # Not an attachment: a zip inside the week's zip, or one saved without .zip, holds
        # exports that would go unread.
        raise FormatError("a zip (inside a zip, not named .zip, or damaged): its files are not read; unzip it "
                          "and ingest its files",
                          "是压缩包（压缩包里的压缩包、没有 .zip 后缀的压缩包，或已损坏）：其中的文件没有读取；"
                          "请解压后导入其中的文件")
    for magic, what in _MAGIC:
        if head_bytes.startswith(magic):
            raise _not_chat(what, filename)
    # A text file may carry a stray NUL (it is dropped when read); a binary one is full of
    # them. Counted in the decoded text: UTF-16 has a NUL byte beside every ASCII letter.
    # NULs at the end are a crash's padding of a cut copy, not content: the text before
    # them is judged, unless there is none.
    text = head.rstrip("\x00") or head
    if text.count("\x00") > max(8, len(text) // 100):
        raise _not_chat(Problem("a binary file", "一个二进制文件"), filename)
    start = head.lstrip("\ufeff \r\n\t")
    if _HTML.match(start):
        # MemoTrace's HTML page shows the messages of the <name>.html.json it writes beside it.
        if f"{filename}.json" in siblings:
            raise Skipped(f"an HTML page; its messages are read from {filename}.json beside it",
                          f"是网页（HTML），其中的消息从旁边的 {filename}.json 读取")
        raise FormatError("an HTML page, not a chat export: for MemoTrace's HTML export, ingest the "
                          f"{filename}.json file MemoTrace writes beside it (or export CSV)",
                          f"是网页（HTML），不是聊天导出：MemoTrace 导出的 HTML，请导入它旁边的 {filename}.json 文件"
                          "（或改为导出 CSV）")
    if _ai_training(start, head):
        raise FormatError("a MemoTrace JSON export for AI training (shuffled conversations, no times or "
                          "senders): it is not an archive of the chat; export CSV instead",
                          "是 MemoTrace 为 AI 训练导出的 JSON（对话被打乱，没有时间和发送人），不能作为聊天存档；"
                          "请改为导出 CSV")
    if start.startswith("{") and '"roomname"' in head and '"members"' in head:
        raise Skipped("WeCom groupchat/get response: read for group names beside the archive files",
                      "是企业微信的群信息（groupchat/get），导入聊天存档时从中读取群名")
    # A WeFlow export names its chat with these too: one cut off before its messages is no
    # users.json. Its "weflow" is a key; a contact nicknamed weflow is a value.
    if start.startswith("{") and '"wxid"' in head and '"nickname"' in head and '"messages"' not in head \
            and not _WEFLOW_KEY.search(head):
        raise Skipped("PyWxDump users.json: read for sender names beside the chat files",
                      "是 PyWxDump 的 users.json，导入聊天文件时从中读取发送人的名字")


_WEFLOW_KEY = re.compile(r'"weflow"\s*:')
_HTML = re.compile(r"(?:<!doctype\s+html|<html)", re.I)
# MemoTrace writes a list of samples: Alpaca's (its default) or chat turns with roles
# under "messages" (GLM4) or "conversations" (ChatGLM3); older copies, one sample alone.
_TURN = re.compile(r'"role"\s*:\s*"(?:user|assistant|system)"')
_ALPACA = re.compile(r'"instruction"\s*:.*"output"\s*:', re.S)


def _ai_training(start: str, head: str) -> bool:
    return start.startswith(("[", "{")) and bool(_ALPACA.search(head) or _TURN.search(head))


def office_table(head: str) -> Problem | None:
    """How to load a CSV that is a new-media account register (台账) or a platform back
    end's posts, met among the chat exports (a week's folder holds them too), else None."""
    # Imported here: they store what they read through ingest's own modules.
    from newmedia import posts, registry
    from newmedia.table import column_map, csv_grids, header_row

    try:
        headers = [found[1] for grid in csv_grids(head.lstrip("\ufeff"))
                   if (found := header_row(grid, {**registry.HEADERS, **posts.HEADERS}, 2))]
    except csv.Error:  # a head cut inside a quoted cell
        return None
    for header in headers:
        if set(registry.REQUIRED) <= column_map(header, registry.HEADERS).keys():
            return Problem("a new-media account register (台账): load it with `qunguan accounts import FILE`",
                           "是新媒体账号台账：请用 `qunguan accounts import FILE` 导入")
        columns = column_map(header, posts.HEADERS).keys()
        # A clerk's table headed 时间, 内容 is neither: a back end writes a link or counts.
        if "published_at" in columns and columns & {"title", "text"} and columns & {"url", "reads", "likes", "account"}:
            return Problem("new-media posts: load them with `qunguan posts import FILE`",
                           "是新媒体发文记录：请用 `qunguan posts import FILE` 导入")
    return None


def describe(head: str, filename: str, whole: bool = False) -> Problem:
    """A one-line description of a file no format claimed; `whole`: `head` is all of it."""
    start = head.lstrip("\ufeff \r\n\t")
    if start[:1] in "{[":
        try:
            doc = json.loads(start)
        except ValueError as e:
            doc = None
            if whole and e.msg != "Extra data" and cut_at_end(start, e.pos):
                # A copy stopped before the messages, and with them what tells the exporter.
                line = head.count("\n", 0, len(head) - len(start) + e.pos) + 1
                return Problem(f"JSON cut off (truncated) at line {line}, before anything that tells which export it "
                               "is: if it holds a chat, copy or export it again",
                               f"JSON 在第 {line} 行被截断，还看不出是哪种导出：如果其中是聊天记录，请重新复制或重新导出")
        if isinstance(doc, dict):
            keys = ", ".join(list(doc)[:6])
            return Problem(f"JSON of an unknown shape (top-level keys: {keys}); not a chat export qunguan knows",
                           f"JSON 的结构无法识别（最外层的键：{keys}），不是群管能读的聊天导出")
        return Problem("JSON of an unknown shape; not a chat export qunguan knows",
                       "JSON 的结构无法识别，不是群管能读的聊天导出")
    first = first_line(start)[:60]
    # In a week's folder this is most often a note (说明.txt): nothing of a chat is lost then.
    return Problem(f"not a chat export qunguan knows (first line: {first!r}): if it is a note such as a readme, "
                   "nothing is lost; if it holds a chat, ingest it alone with --format naming its exporter",
                   f"不是群管能读的聊天导出（第一行：{first!r}）：如果是说明之类的文字，不影响导入；如果其中是聊天记录，"
                   "请单独导入它，并用 --format 写明导出工具的格式")
