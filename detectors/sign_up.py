"""接龙, the sign-up list of WeChat groups: a title naming 接龙, then numbered lines.
Members answer by copying the whole list and adding their own line, so the title, and
any demand in it, is the starter's words in every answer: an answer neither demands
proof nor posts the notice again (群规 第九条)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from detectors.base import Message, normalise

_ENTRY = re.compile(r"^[ \t]*\d{1,3}[ \t]*[.．、)）](?!\d)", re.M)  # "2. 新庄村", not "3.5万元"
_SPACE = " \t\r\n"


def title(text: str) -> str | None:
    """The words above a 接龙 list's first numbered line, or None when the text is no
    such list (no numbered line, or no 接龙 named above it)."""
    first = _ENTRY.search(text or "")
    head = text[:first.start()].strip(_SPACE) if first else ""
    return head if "接龙" in head else None


def adds_to(post: str, earlier: str) -> bool:
    """Whether `post` answers the 接龙 `earlier`: earlier opens with post's title, and post
    has a numbered line that earlier lacks (two answering at once each lack the other's)."""
    head = title(post)
    if head is None:
        return False
    heading, opening = normalise([head, earlier])
    return opening.startswith(heading) and bool(_entries(post) - _entries(earlier))


def answers_earlier(conn, message: Message, days: float) -> bool:
    """Whether `message` is a 接龙 list whose title opened a post of its group, by someone
    else, sent up to `days` before it: it answers that list. The starter posting the list
    again (the same 接龙 every day) starts it again."""
    head = title(message.text)
    if head is None:
        return False
    since = (datetime.fromisoformat(message.sent_at) - timedelta(days=days)).isoformat()
    return conn.execute(
        "select 1 from messages where group_id = ? and sent_at >= ? and (sent_at < ? or sent_at = ? and id < ?) "
        "and member_id is not ? and substr(ltrim(text, ?), 1, ?) = ? limit 1",
        [message.group_id, since, message.sent_at, message.sent_at, message.id, message.member_id, _SPACE, len(head), head],
    ).fetchone() is not None


def _entries(text: str) -> set[str]:
    return {line.strip(_SPACE) for line in text.splitlines() if _ENTRY.match(line)}
