"""The registry of export formats: each module parses one exporter's files.

A format module has `NAME`, `sniff(head, filename) -> bool` (head is the decoded start of
the file) and `parse(lines, ctx) -> Iterator[Record | Reject]`. A binary format (`BINARY`:
a workbook) has `sniff_bytes(head_bytes, filename)` instead, and its `parse` reads the
file's bytes. Detection goes by content; the lenient text reader comes last and only
claims what every other format declined.
"""
from __future__ import annotations

from ingest.formats import (
    chatlab, csvrows, chatlog, memotrace, notices, pasted, pywxdump, wechat_share, wecom, weflow,
)
from detectors.setting_values import Problem
from ingest import roster
from ingest.records import FormatError, Skipped
from ingest.sources import SNIFF_BYTES

FORMATS = [
    memotrace.V2Csv, memotrace.V3Csv, memotrace.V3Json, pywxdump.Csv, pywxdump.Json, chatlog.Csv, chatlog.Json,
    weflow.Json, chatlab.Json, chatlab.Jsonl, wecom.Archive, wechat_share.Text, chatlog.Text, pasted.Text,
]
BINARY_FORMATS = [weflow.Xlsx, memotrace.Word]
# MemoTrace's Word export is recognised only to be refused: no --format reads it.
BY_NAME = {f.NAME: f for f in FORMATS + BINARY_FORMATS if f is not memotrace.Word}
# Exports whose group name is only their file's (`NAMED_BY_FILE`): --group overrides it.
# The others name their chat inside the file, and that name wins over --group.
NAMED_BY_FILE = tuple(name for name, f in BY_NAME.items() if getattr(f, "NAMED_BY_FILE", False))
# Exports that hold one chat whatever names it (`ONE_CHAT`), those named by their file among them.
ONE_CHAT = NAMED_BY_FILE + tuple(name for name, f in BY_NAME.items() if getattr(f, "ONE_CHAT", False))


def detect(head: str, head_bytes: bytes, filename: str, siblings=()):
    """The format for a file, or raise FormatError saying what the file looks like.
    `siblings` are the names of the files beside it."""
    for fmt in BINARY_FORMATS:
        if fmt.sniff_bytes(head_bytes, filename):
            return fmt
    notices.refuse_if_not_chat(head, head_bytes, filename, siblings)
    head = head.replace("\x00", "")  # as the formats will read the file
    for fmt in FORMATS:
        if fmt.sniff(head, filename):
            return fmt
    # Only a file no chat format claims: a chat may well paste a 姓名/单位 table.
    if roster.is_roster(head):
        raise Skipped(roster.SKIPPED)
    # A chat export that lost a column is said to be one before any office table.
    lacking = _lacking_columns(head)
    if not lacking and (how := notices.office_table(head)):
        raise Skipped(f"{how} (a file in a zip: unzip it first)", f"{how.zh}（压缩包中的文件请先解压）")
    raise FormatError(lacking or notices.describe(head, filename, whole=len(head_bytes) < SNIFF_BYTES))


def _lacking_columns(head: str) -> Problem | None:
    """What a CSV export whose header lost a column the reader needs lacks, said as such:
    its exporter is known by the columns left (an admin deleted or renamed one in Excel),
    and "unknown format" would send the admin looking in the wrong place."""
    near = [(missing, fmt) for fmt in FORMATS for layout in getattr(fmt, "LAYOUTS", ())
            if (missing := csvrows.lacking(head, layout, fmt.UNREAD))]
    if not near:
        return None
    missing, fmt = min(near, key=lambda pair: len(pair[0]))
    header = ','.join(csvrows.header_of(head))
    return Problem(f"a {fmt.LABEL} without its {', '.join(missing)} column{'s' if len(missing) > 1 else ''} (its header "
                   f"is {header!r}): the messages cannot be read without it; export the chat again, or put the column "
                   "back under that name, and ingest the file again",
                   f"是 {fmt.LABEL} 导出，但缺少 {'、'.join(missing)} 列（表头为 {header!r}）：没有这些列就读不出消息；"
                   "请重新导出聊天记录，或按原列名把列补回去，再重新导入该文件")


def by_name(name: str):
    try:
        return BY_NAME[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; known: {', '.join(BY_NAME)}",
                          f"没有名为 {name!r} 的导出格式；--format 可用：{'、'.join(BY_NAME)}") from None
