"""The complete records of a JSON export cut off before its end (a copy stopped half way,
a download broken off): exporters write one document, so a cut file does not parse at
all, though every message before the cut is whole."""
from __future__ import annotations

import json
import re

# A string, whole or running to the end of a cut file, or a bracket outside strings.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
_CLOSING = {"[": "]", "{": "}"}
# What a cut leaves where the decoder stops: a string, a number or a literal (true, false,
# null) running to the end. A mistake (a quote typed into a text, a comma lost) leaves the
# rest of the document there.
_LAST_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*\\?|[-+\w.]*)\s*', re.S)


def cut_at_end(text: str, error_at: int) -> bool:
    """Whether the decoder's error at `error_at` is the end of a cut-off `text`, not a
    mistake inside a whole one (which the brackets alone may not show: a stray quote
    turns the rest of the file inside out, and it may look like a cut)."""
    return _LAST_TOKEN.fullmatch(text, error_at) is not None


def complete_part(text: str) -> tuple[str, int] | None:
    """(`text` up to the last element its outermost open list holds whole, with the open
    brackets closed; the offset where the cut element starts), or None when `text` is
    not a document cut off inside a list (a mistake elsewhere, or no list open)."""
    stack: list[tuple[str, int]] = []  # open brackets and where they opened
    ends: dict[int, int] = {}  # depth -> where the last element of a list at that depth ended
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in _CLOSING:
            stack.append((mark, token.start()))
        elif mark in "]}":
            if not stack or _CLOSING[stack.pop()[0]] != mark:
                return None
            if stack and stack[-1][0] == "[":
                ends[len(stack)] = token.end()
    lists = [depth for depth, (mark, _) in enumerate(stack, start=1) if mark == "["]
    if not lists:
        return None
    depth = lists[0]
    opened = stack[depth - 1][1]
    # The list's last whole element, if any ended after the list opened (an earlier list
    # at the same depth, such as ChatLab's members before its messages, is not it).
    end = ends.get(depth, -1)
    cut = end if end > opened else opened + 1
    closers = "".join(_CLOSING[mark] for mark, _ in reversed(stack[:depth]))
    return text[:cut] + closers, cut


_SPACE = re.compile(r"\s*")


def element_starts(text: str, key: str | None = None) -> list[int]:
    """Where each element of a JSON document's list of messages starts in `text`: the
    document's own list, or the list under `key` in the object it is. A cut-off text gives
    the elements up to the cut. Each element is skipped by the C decoder: a Python loop
    over the tokens of a big export took longer than reading it."""
    at, decoder, starts = _list_opened(text, key), json.JSONDecoder(), []
    while at is not None:
        at = _SPACE.match(text, at).end()
        if text.startswith("]", at) or at >= len(text):
            break
        starts.append(at)
        try:
            at = _SPACE.match(text, decoder.raw_decode(text, at)[1]).end()
        except ValueError:  # the element the cut stops in
            break
        at = at + 1 if text.startswith(",", at) else None
    return starts


def _list_opened(text: str, key: str | None) -> int | None:
    """Where, just after its bracket, the list of messages opens: the document's own, or
    the one under `key` in the object it is (the tokens before it are few: a session, members)."""
    depth, name = 0, None
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if mark == "[" and (depth == 1 if key is None else depth == 2 and name == f'"{key}"'):
                return token.end()
        elif mark in "]}":
            depth -= 1
        elif depth == 1:
            name = mark  # a key of the top object, or its value (a string): the last before a list names it
    return None
