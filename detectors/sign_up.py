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
_SPACE = " \t\r\n\u3000\u2005"  # the ideographic space and the one after an @mention too


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
    `days` before it, by someone other than the list's starter (whoever first posted that
    title in the group): it answers the list. The starter posting it again (the same 接龙
    every day) starts it again, whoever answered between. `context` is the detectors'
    (its "conn"; the posts naming 接龙 are kept there)."""
    head = title(message.text)
    if head is None:
        return False
    since = (datetime.fromisoformat(message.sent_at) - timedelta(days=days)).isoformat()
    if "sign_up" not in context:
        context["sign_up"] = _Lists(context["conn"])
    lists = context["sign_up"]
    if not lists.posted_between(message, since, head):
        return False
    # Without senders (an export that names none), any earlier copy makes an answer.
    return message.member_id is None or lists.starter(message.group_id, head) != message.member_id


class _Lists:
    """The posts naming 接龙, read once a run (one pass over the messages, not a query per
    post: a large group's three days are thousands of rows), kept by group and first line
    (a list's title ends at a line break, so its posts share their first line with it),
    in time order."""

    def __init__(self, conn):
        self.by_line: dict[tuple[int, str], list[tuple]] = {}
        for group_id, sent_at, post_id, member, text in conn.execute(
                "select group_id, sent_at, id, member_id, ltrim(text, ?) from messages "
                "where instr(text, '接龙') order by sent_at, id", [_SPACE]):
            self.by_line.setdefault((group_id, _first_line(text)), []).append((sent_at, post_id, member, text))

    def _headed(self, group_id: int, head: str) -> list[tuple]:
        return self.by_line.get((group_id, _first_line(head)), [])

    def posted_between(self, message: Message, since: str, head: str) -> bool:
        """Whether a post of the message's group headed `head` came between `since` and it."""
        posts = self._headed(message.group_id, head)
        for sent_at, post_id, _, text in posts[bisect.bisect_left(posts, (since,)):]:
            if (sent_at, post_id) >= (message.sent_at, message.id):
                return False
            if text.startswith(head):
                return True
        return False

    def starter(self, group_id: int, head: str) -> int | None:
        """The member who first posted a list headed `head` in the group."""
        return next((member for _, _, member, text in self._headed(group_id, head) if text.startswith(head)), None)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip(_SPACE)


def _entries(text: str) -> set[str]:
    return {line.strip(_SPACE) for line in text.splitlines() if _ENTRY.match(line)}
