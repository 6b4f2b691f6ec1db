"""The characters a regular expression's match can begin with, so a search can skip
every other position at once.

Python's `re` skips ahead quickly only when a pattern starts with a literal or a
character class. An alternation of config patterns ("请(各|大家…)", "(要求|通知)…",
"^\\s*(各|全体)…") starts with neither, so every branch is tried at every position of
every message: after_hours's directives took ~9 µs a message. Put behind a lookahead
of the characters any branch can start with, a search tries the branches only where
one of those stands: 3-4 times faster (bench/classify.py), with the same matches.

Worked out from the parsed pattern (`re._parser`, which the standard library has
kept since 3.11 under that name). Anything it does not know (a negated class, `.`, a
back-reference, case-insensitivity or ASCII mode, a pattern that can match nothing)
gives None: the pattern is then searched as it is.
"""
from __future__ import annotations

import re

try:
    from re import _constants as C, _parser as parser
except ImportError:  # a later Python that renamed them: no lookahead, same matches
    parser = None

_CATEGORIES = {} if parser is None else {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}


class _Unknown(Exception):
    pass


def first_chars(pattern: str) -> str | None:
    """A character class (`[...]`) holding every character a match of `pattern` can
    start with, or None when that cannot be told."""
    if parser is None:
        return None
    try:
        parsed = parser.parse(pattern)
        chars, empty = _sequence(parsed.data)
    except (_Unknown, re.error):
        return None
    if empty or parsed.state.flags & (re.IGNORECASE | re.ASCII):
        return None
    return "[" + "".join(dict.fromkeys(chars)) + "]"


def _sequence(items) -> tuple[list[str], bool]:
    """(class members the sequence can start with, whether it can match empty)."""
    found: list[str] = []
    for op, av in items:
        chars, empty = _item(op, av)
        found += chars
        if not empty:
            return found, False
    return found, True


def _item(op, av) -> tuple[list[str], bool]:
    if op is C.LITERAL:
        return [_escaped(av)], False
    if op is C.IN:
        return [_member(o, a) for o, a in av], False
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero-width: the next item starts the match
        return [], True
    if op is C.SUBPATTERN:
        # Case-insensitive, a letter stands for others; in ASCII mode \W, \S and \D take in
        # what they leave out in the lookahead (到, the full-width space, ５).
        if av[1] & (re.IGNORECASE | re.ASCII):
            raise _Unknown
        return _sequence(av[3])
    if op is C.ATOMIC_GROUP:
        return _sequence(av)
    if op is C.BRANCH:
        found, empty = [], False
        for branch in av[1]:
            chars, can_be_empty = _sequence(branch)
            found += chars
            empty = empty or can_be_empty
        return found, empty
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        chars, empty = _sequence(av[2])
        return chars, empty or av[0] == 0
    raise _Unknown  # ., a negated literal, a back-reference …


def _member(op, av) -> str:
    if op is C.LITERAL:
        return _escaped(av)
    if op is C.RANGE:
        return f"{_escaped(av[0])}-{_escaped(av[1])}"
    if op is C.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]
    raise _Unknown  # NEGATE and the rest


def _escaped(code: int) -> str:
    return re.escape(chr(code))
