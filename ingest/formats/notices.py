"""Files that are not chat logs: refused with one line saying what they look like, or
skipped when they are read beside a chat log (PyWxDump's users.json, WeCom's
groupchat/get responses)."""
from __future__ import annotations

import csv
import json
import re

from ingest.cutjson import cut_at_end
from ingest.records import FormatError, NotChat, Skipped, first_line

_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"), (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "an Office document (.xlsx, .docx, .pptx)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls/.doc)"), (b"SQLite format 3", "an SQLite database"),
)

# Zip containers that are files of their own, attachments a chat's export keeps beside it:
# Office, OpenDocument and Apple documents, the OFD of official papers, e-books, apps, mind maps.
_DOCUMENT_ZIPS = (".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".ppsx", ".odt", ".ods", ".odp", ".ofd", ".pages",
                  ".numbers", ".key", ".epub", ".apk", ".ipa", ".jar", ".xmind", ".vsdx")

# What exporters name their chat files: one of these that reads as a picture or as binary
# is an export damaged (a block zeroed by a crash) or misnamed, not an attachment.
_EXPORT_NAMES = (".csv", ".txt", ".json", ".jsonl")


def _not_chat(what: str, filename: str) -> FormatError:
    """The error for a file that is plainly `what`: passed over in a folder (NotChat),
    unless its name says it is a chat export."""
    if filename.lower().endswith(_EXPORT_NAMES):
        return FormatError(f"{what}, not a chat export, though named like one: damaged (a block zeroed by a "
                           "crash) or misnamed; copy it again from where it was exported")
    return NotChat(f"{what}, not a chat export")


def refuse_if_not_chat(head: str, head_bytes: bytes, filename: str, siblings=()) -> None:
    """Raise FormatError (or Skipped) for files that are clearly not chat exports;
    `siblings` are the names of the files beside it."""
    if not head_bytes.strip(b" \r\n\t\xef\xbb\xbf"):
        raise FormatError("empty file")
    if head_bytes[8:12] == b"WEBP":
        raise _not_chat("a WEBP image", filename)
    if head_bytes.startswith(b"\xd0\xcf\x11\xe0") and filename.lower().endswith(".xlsx"):
        # Excel keeps a password-protected workbook in the old compound format.
        raise FormatError("a password-protected Excel workbook (or an old .xls named .xlsx): "
                          "save it without a password as .xlsx and ingest that")
    if head_bytes.startswith(b"PK\x03\x04") and not filename.lower().endswith(_DOCUMENT_ZIPS):
        # Not an attachment: a zip inside the week's zip, or one saved without .zip, holds
        # exports that would go unread.
        raise FormatError("a zip (inside a zip, not named .zip, or damaged): its files are not read; unzip it "
                          "and ingest its files")
    for magic, what in _MAGIC:
        if head_bytes.startswith(magic):
            raise _not_chat(what, filename)
    # A text file may carry a stray NUL (it is dropped when read); a binary one is full of
    # them. Counted in the decoded text: UTF-16 has a NUL byte beside every ASCII letter.
    # NULs at the end are a crash's padding of a cut copy, not content: the text before
    # them is judged, unless there is none.
    text = head.rstrip("\x00") or head
    if text.count("\x00") > max(8, len(text) // 100):
        raise _not_chat("a binary file", filename)
    start = head.lstrip("\ufeff \r\n\t")
    if _HTML.match(start):
        # MemoTrace's HTML page shows the messages of the <name>.html.json it writes beside it.
        if f"{filename}.json" in siblings:
            raise Skipped(f"an HTML page; its messages are read from {filename}.json beside it")
        raise FormatError("an HTML page, not a chat export: for MemoTrace's HTML export, ingest the "
                          f"{filename}.json file MemoTrace writes beside it (or export CSV)")
    if _ai_training(start, head):
        raise FormatError("a MemoTrace JSON export for AI training (shuffled conversations, no times or "
                          "senders): it is not an archive of the chat; export CSV instead")
    if start.startswith("{") and '"roomname"' in head and '"members"' in head:
        raise Skipped("WeCom groupchat/get response: read for group names beside the archive files")
    # A WeFlow export names its chat with these too: one cut off before its messages is no
    # users.json. Its "weflow" is a key; a contact nicknamed weflow is a value.
    if start.startswith("{") and '"wxid"' in head and '"nickname"' in head and '"messages"' not in head \
            and not _WEFLOW_KEY.search(head):
        raise Skipped("PyWxDump users.json: read for sender names beside the chat files")


_WEFLOW_KEY = re.compile(r'"weflow"\s*:')
_HTML = re.compile(r"(?:<!doctype\s+html|<html)", re.I)
# MemoTrace writes a list of samples: Alpaca's (its default) or chat turns with roles
# under "messages" (GLM4) or "conversations" (ChatGLM3); older copies, one sample alone.
_TURN = re.compile(r'"role"\s*:\s*"(?:user|assistant|system)"')
_ALPACA = re.compile(r'"instruction"\s*:.*"output"\s*:', re.S)


def _ai_training(start: str, head: str) -> bool:
    return start.startswith(("[", "{")) and bool(_ALPACA.search(head) or _TURN.search(head))


def office_table(head: str) -> str | None:
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
            return "a new-media account register (台账): load it with `qunguan accounts import FILE`"
        columns = column_map(header, posts.HEADERS).keys()
        # A clerk's table headed 时间, 内容 is neither: a back end writes a link or counts.
        if "published_at" in columns and columns & {"title", "text"} and columns & {"url", "reads", "likes", "account"}:
            return "new-media posts: load them with `qunguan posts import FILE`"
    return None


def describe(head: str, filename: str, whole: bool = False) -> str:
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
                return (f"JSON cut off (truncated) at line {line}, before anything that tells which export it is: "
                        "if it holds a chat, copy or export it again")
        if isinstance(doc, dict):
            keys = ", ".join(list(doc)[:6])
            return f"JSON of an unknown shape (top-level keys: {keys}); not a chat export qunguan knows"
        return "JSON of an unknown shape; not a chat export qunguan knows"
    first = first_line(start)[:60]
    # In a week's folder this is most often a note (说明.txt): nothing of a chat is lost then.
    return (f"not a chat export qunguan knows (first line: {first!r}): if it is a note such as a readme, nothing is "
            "lost; if it holds a chat, ingest it alone with --format naming its exporter")
