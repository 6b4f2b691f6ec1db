"""What every rule detector shares: the configuration, the message rows they read, and
the shape of the flags they return."""
from __future__ import annotations

import copy
import functools
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from detectors.first_chars import first_chars
from detectors.setting_values import stored_value, value_problem

DEFAULTS = Path(__file__).with_name("config.toml")
_MENTION = re.compile(r"@[^\s@\u2005]{1,30}[\u2005 ]?")
# The @mentions a message opens with: who it is addressed to, not what it says.
LEADING_MENTIONS = re.compile(rf"^(?:\s*{_MENTION.pattern})+")


# The kinds of message whose words a detector reads for a task: a quote reply sets tasks as often
# as a plain message ("请各村今晚务必…", quoting the county's notice).
TEXT_KINDS = ("text", "notice", "quote")


class Message(NamedTuple):
    """A message row as the detectors read it (a tuple: a run builds a million of them)."""

    id: int
    group_id: int
    member_id: int | None
    sent_at: str
    kind: str
    text: str


def load_config(conn=None) -> dict:
    """The defaults of config.toml with the archive's `settings` overrides applied, but for
    a value the checks cannot run with (stored before `config set` refused such values,
    such as a window of 0 days): its default applies."""
    config = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    if conn is not None:
        for key, value in conn.execute("select key, value from settings"):
            section, _, name = key.partition(".")
            known, value = config.get(section, {}), stored_value(value)
            if name not in known or not value_problem(key, value, known[name]):
                config.setdefault(section, {})[name] = value
    return copy.deepcopy(config)


def flag(message: Message, category: str, article: str, evidence: str, score: float = 1.0,
         related: int | None = None, detector: str = "") -> dict:
    return {"subject": f"message:{message.id}", "message_id": message.id, "group_id": message.group_id,
            "member_id": message.member_id, "category": category, "score": score, "detector": detector,
            "article": article, "evidence": evidence, "related_message_id": related, "occurred_at": message.sent_at}


@functools.lru_cache(maxsize=64)
def word_pattern(words: tuple[str, ...]) -> re.Pattern:
    """One compiled alternation of `words`, so a message is scanned once, in C, not once
    per word; a pattern that never matches when there are no words. A blank word (a list
    edited to [""]) is none: it would match everywhere."""
    words = tuple(word for word in words if word)
    if not words:
        return re.compile(r"(?!)")
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@functools.lru_cache(maxsize=64)
def any_pattern(patterns: tuple[str, ...]) -> re.Pattern:
    """One compiled alternation of regular expressions `patterns`; a pattern that never
    matches when there are none. Behind a lookahead of the characters a match can start
    with, where that can be told (detectors/first_chars.py): the same matches, found faster."""
    alternation = "|".join(f"(?:{p})" for p in patterns)
    if not alternation:
        return re.compile(r"(?!)")
    starts = first_chars(alternation)
    return re.compile(f"(?={starts})(?:{alternation})" if starts else alternation)


_PLANE = 0x10000
_kept_table = np.zeros(0, dtype=bool)


def _kept(upto: int) -> np.ndarray:
    """Per code point below `upto` at least, whether normalise keeps it: letters and
    digits of any script (what the regex class [^\\W_] matches). Worked out a plane of
    65,536 code points at a time, as far as the texts reach: all 17 cost 0.13 s of CPU in
    each run, and chat rarely goes past the emoji of the second."""
    global _kept_table
    table = _kept_table  # one reference throughout, should another thread extend it meanwhile
    if len(table) < upto:
        end = min(-(-upto // _PLANE) * _PLANE, 0x110000)
        table = _kept_table = np.concatenate([table, np.fromiter(
            (chr(c).isalnum() for c in range(len(table), end)), dtype=bool, count=end - len(table))])
    return table


def normalise(texts: list[str]) -> list[str]:
    """Each text without @mentions, punctuation, symbols, emoji or spaces, lower-cased:
    what is left when two posts of the same notice differ only in decoration. A batch at
    once, by a table of code points: a regex substitution cost 3 µs a text."""
    lowered = [(_MENTION.sub("", t) if "@" in t else t).lower() for t in (t or "" for t in texts)]
    points = np.frombuffer("".join(lowered).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = _kept(int(points.max(initial=0)) + 1)[points]
    bounds = np.concatenate(([0], np.cumsum(keep)))[np.cumsum([0, *map(len, lowered)])].tolist()
    kept = points[keep].tobytes().decode("utf-32-le")
    return [kept[a:b] for a, b in zip(bounds, bounds[1:])]


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[。！？!?\n；;]+", text or "") if c.strip()]


WEEKDAYS = "一二三四五六日"


def when_zh(sent_at: str) -> str:
    moment = datetime.fromisoformat(sent_at)
    return f"{moment:%Y-%m-%d}（周{WEEKDAYS[moment.weekday()]}）{moment:%H:%M}"
