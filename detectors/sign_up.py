"""接龙, the sign-up list of WeChat groups: a title naming 接龙, then numbered lines.
Members answer by copying the whole list and adding their own line, so the title, and
any demand in it, is the starter's words in every answer: an answer neither demands
proof nor posts the notice again (群规 第九条)."""
from __future__ import annotations

import bisect
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


def answers_earlier(context: dict, message: Message, days: float) -> bool:
    """Whether `message` is a 接龙 list whose title opened a post of its group sent up to
    `days` before it, first by someone else: it answers that list. The starter posting
    the list again (the same 接龙 every day) starts it again, whoever answered between.
    `context` is the detectors' (its "conn", and the posts naming 接龙 kept there)."""
    head = title(message.text)
    if head is None:
        return False
    since = (datetime.fromisoformat(message.sent_at) - timedelta(days=days)).isoformat()
    lists = context.setdefault("sign_up", _Lists(context["conn"]))
    first = lists.first(message, since, head)
    # Without senders (an export that names none), any earlier copy makes an answer.
    return first is not None and (message.member_id is None or first[0] != message.member_id)


class _Lists:
    """The posts naming 接龙, read once a run (one pass over the messages, not a query per
    post: a large group's three days are thousands of rows), by group in time order."""

    def __init__(self, conn):
        self.conn, self.since, self.by_group = conn, None, {}

    def first(self, message: Message, since: str, head: str) -> tuple[int | None] | None:
        """(member,) who first posted a list headed `head` in the message's group between
        `since` and the message (member None: a post without a sender), or None for none."""
        if self.since is None or since < self.since:
            self._read(since)
        posts = self.by_group.get(message.group_id, [])
        for sent_at, post_id, member_id, text in posts[bisect.bisect_left(posts, (since,)):]:
            if (sent_at, post_id) >= (message.sent_at, message.id):
                break
            if text.lstrip(_SPACE).startswith(head):
                return (member_id,)
        return None

    def _read(self, since: str) -> None:
        self.since, self.by_group = since, {}
        for row in self.conn.execute("select sent_at, id, member_id, text, group_id from messages "
                                     "where sent_at >= ? and instr(text, '接龙') order by sent_at, id", [since]):
            self.by_group.setdefault(row[4], []).append(row[:4])


def _entries(text: str) -> set[str]:
    return {line.strip(_SPACE) for line in text.splitlines() if _ENTRY.match(line)}
