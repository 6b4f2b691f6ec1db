"""The lenient reader for "name time / content" text: hand-assembled pastes and the
plain-text exports of MemoTrace, WeFlow, QQ and WechatExporter. It guesses, so it is
tried last and takes a file only if every record in it parses; otherwise the whole
file is refused (nothing half-read lands in the archive)."""
from __future__ import annotations

import re
from typing import Iterator

from ingest.records import Context, FormatError, Record, parse_local

_DT = r"(?P<dt>\d{4}[-/]\d{1,2}[-/]\d{1,2} \d{1,2}:\d{2}(?::\d{2})?)"
_NAME_TIME = re.compile(rf"^(?P<name>\S.*?)\s+{_DT}$")  # 王建国 2024-06-17 09:00
_TIME_NAME = re.compile(rf"^{_DT}(?:\s+(?P<name>.+?))?$")  # 2024-06-17 09:00:12 王建国 / QQ / WeFlow
_INLINE = re.compile(rf"^(?P<name>\S.*?) \({_DT}\):(?P<content>.*)$")  # WechatExporter
_QQ_ID = re.compile(r"^(?:【[^】]*】)?(?P<name>.*?)(?:\((?P<id>\d{4,})\)|<(?P<mail>[^>]+)>)?$")
_PREAMBLE = re.compile(r"^(消息记录（此消息记录为文本格式，不支持重新导入）|={20,}|消息分组:.*)$")
_QQ_OBJECT = re.compile(r"^消息对象:(?P<name>.+)$")
_EXPORTER_TITLE = re.compile(r"^(?P<name>.+) - 微信聊天记录$")


def _header(line: str, style: tuple | None = None):
    """The header `line` is, if any; with `style` (the file's first header's), only one of
    the same kind: a message line such as "会议时间 2024-06-18 15:00" is not a header in a
    file whose headers are "2024-06-17 09:00:12 王建国"."""
    for pattern in (_INLINE, _NAME_TIME, _TIME_NAME):
        if (m := pattern.match(line)) and (style is None or style[0] == m.re.pattern and style[1] in (None, _style(m)[1])):
            return m
    return None


def _style(m: re.Match) -> tuple:
    # Exporters write every time alike, with seconds; a paste put together by hand (names
    # first, or a first time in minutes) may mix 09:00 and 09:05:30.
    seconds = m["dt"].count(":") == 2
    return m.re.pattern, seconds if seconds and m.re is not _NAME_TIME else None


class Text:
    NAME = "pasted-text"
    ONE_CHAT = True  # a paste is of one chat

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        for line in head.lstrip("\ufeff").splitlines():
            line = line.strip()
            if not line or _PREAMBLE.match(line) or _QQ_OBJECT.match(line) or _EXPORTER_TITLE.match(line):
                continue
            return _header(line) is not None
        return False

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record]:
        chat_name, current, style = None, None, None
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n").lstrip("\ufeff")
            stripped = line.strip()
            if current is None and (m := _QQ_OBJECT.match(stripped) or _EXPORTER_TITLE.match(stripped)):
                chat_name = m["name"].strip()
                continue
            if current is None and (not stripped or _PREAMBLE.match(stripped)):
                continue
            if m := _header(stripped, style):
                if current:
                    yield _finish(current)
                current, style = _start(number, m, chat_name), style or _style(m)
                continue
            if current is None:
                raise FormatError(f"line {number}: text before any 'name time' header: {stripped[:60]!r}",
                                  f"第 {number} 行：这段文字前面没有“名字 时间”行：{stripped[:60]!r}")
            current["content"].append(line)
        if current:
            yield _finish(current)


def _start(number: int, m: re.Match, chat_name: str | None) -> dict:
    try:
        sent_at, precision = parse_local(m["dt"])
    except ValueError:
        raise FormatError(f"line {number}: unreadable time {m['dt']!r}", f"第 {number} 行：时间 {m['dt']!r} 无法识别") from None
    name = (m["name"] or "").strip().strip("'")
    sender_id = None
    if qq := _QQ_ID.match(name):
        name, sender_id = qq["name"].strip() or name, qq["id"] or qq["mail"]
    content = [m["content"]] if "content" in m.groupdict() and m["content"] is not None else []
    return {"line": number, "sent_at": sent_at, "precision": precision, "name": name or None,
            "id": sender_id, "chat": chat_name, "content": content}


def _finish(current: dict) -> Record:
    text = "\n".join(current["content"]).strip("\n")
    kind = "text" if current["name"] and text else "system"
    if kind == "system" and not text:
        text, current["name"] = current["name"] or "", None
    return Record(
        line=current["line"], sent_at=current["sent_at"], precision=current["precision"],
        kind=kind, text=text, sender_id=current["id"], sender_name=current["name"],
        chat_name=current["chat"], raw={"name": current["name"], "time": current["sent_at"], "content": text},
    )
