"""PyWxDump 3.x CSV and JSON (`<chat wxid>_<start>_<end>.csv`), with `users.json`
beside them for names. CSV is UTF-8 without BOM; the 8-column layout of ≤ 3.0.x keeps
`{"src", "msg"}` JSON in a `content` column."""
from __future__ import annotations

import json
import re
from typing import Iterator

from detectors.setting_values import Problem
from ingest.formats import csvrows
from ingest.formats.kinds import kind_from_name
from ingest.records import Context, FormatError, Record, Reject, load_json, numeric_id, parse_local
from ingest.user_errors import said

_NEW = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"]
_OLD = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"]
# Not read (the row number; the attachment's path, kept in the record when there): columns
# an admin may delete in Excel as noise.
_UNREAD = ("id", "src")
_QUOTE = re.compile(r"\n\n\[引用\]\((?P<time>[^)]*)\)(?P<name>[^:\n]*):(?P<text>.*)\Z", re.S)
_SYSTEM_TALKERS = {"系统", "未知"}


def _names(ctx: Context) -> dict[str, str]:
    data = ctx.sibling("users.json")
    if not data:
        return {}
    try:
        users = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return {wxid: (u.get("remark") or u.get("nickname") or wxid)
            for wxid, u in users.items() if isinstance(u, dict)}


def _record(number: int | None, row: dict, names: dict[str, str]) -> Record | Reject:
    if "content" in row and "msg" not in row:
        try:
            inner = json.loads(row["content"] or "{}")
        except ValueError:
            return Reject(number, Problem("content column is not the JSON {src, msg} of PyWxDump ≤ 3.0",
                                          "content 列不是 PyWxDump 3.0 及以前版本的 JSON {src, msg}"), str(row))
        row = {**row, "msg": inner.get("msg", ""), "src": inner.get("src", "")}
    try:
        sent_at, precision = parse_local(str(row["CreateTime"]))
    except ValueError as e:
        return Reject(number, said(e), str(row))
    text = str(row.get("msg") or "")
    kind = kind_from_name(str(row["type_name"]), text)
    quote = None
    if kind == "quote" and (m := _QUOTE.search(text)):
        quote, text = m["text"], text[: m.start()]
    elif kind not in ("text", "system", "recall", "transfer", "merge_forward", "link"):
        text = "" if text == row["type_name"] or kind in ("image", "video", "sticker") else text
    talker = str(row["talker"])
    is_self = str(row.get("is_sender")) == "1"
    sender_id = None if talker in _SYSTEM_TALKERS or talker == "我" else talker
    return Record(
        line=number, sent_at=sent_at, precision=precision, kind=kind, text=text,
        source_id=numeric_id(row["MsgSvrID"]), sender_id=sender_id,
        sender_name=names.get(talker) if sender_id else ("我" if talker == "我" else None),
        chat_id=str(row.get("room_name") or "") or None, kind_raw=str(row["type_name"]),
        is_self=int(is_self), quote=quote, raw={k: v for k, v in row.items()},
    )


class Csv:
    NAME = "pywxdump-csv"
    LABEL = "PyWxDump CSV"
    LAYOUTS = (_NEW, _OLD)
    UNREAD = _UNREAD

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        return any(csvrows.holds(head, layout, _UNREAD) for layout in Csv.LAYOUTS)

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        lines = iter(lines)
        first = next(lines, "")
        header = next((h for h in (_NEW, _OLD) if csvrows.holds(first, h, _UNREAD)), None)
        if header is None:  # --format naming this format for another file
            raise FormatError(f"line 1: the header is {first.strip()!r}; this format's is {','.join(_NEW)!r} "
                              f"(or {','.join(_OLD)!r})",
                              f"第 1 行的表头是 {first.strip()!r}，而这种格式的表头是 {','.join(_NEW)!r}"
                              f"（或 {','.join(_OLD)!r}）")
        names = _names(ctx)
        for item in csvrows.rows(_chain(first, lines), header, unused=_UNREAD):
            yield item if isinstance(item, Reject) else _record(item[0], item[1], names)


class Json:
    NAME = "pywxdump-json"

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        start = head.lstrip("\ufeff \r\n\t")
        return start.startswith("[") and '"MsgSvrID"' in head and '"type_name"' in head

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        export = load_json(lines)
        names = _names(ctx)
        yield from export.lined(_json_record(item, names) for item in export.doc)


def _json_record(item, names: dict[str, str]) -> Record | Reject:
    if not isinstance(item, dict) or not {"MsgSvrID", "type_name", "talker", "CreateTime"} <= item.keys():
        return Reject(None, Problem("record lacks MsgSvrID/type_name/talker/CreateTime",
                                    "记录缺少 MsgSvrID、type_name、talker 或 CreateTime"),
                      json.dumps(item, ensure_ascii=False)[:2000])
    return _record(None, item, names)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
