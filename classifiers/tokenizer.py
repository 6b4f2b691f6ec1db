"""The project's single Chinese tokenizer.

The archive stores `tokens` produced here and the classifiers consume them, so both
always see the same segmentation. Segmentation is jieba's search mode with HMM off and
the repo's user dictionary: search mode also emits the short words inside long ones
(抢红包 -> 红包 抢红包), which is what lets full-text search find two-character words.

The engine is rjieba (jieba-rs), about twenty times faster than jieba's own Python
segmenter; `tests/test_tokenizer.py` proves both give identical tokens with these
settings, and `python_tokenizer()` keeps jieba available as the reference.
"""
from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import rjieba

USER_DICT = Path(__file__).with_name("userdict.txt")
HMM = False
_SPACE = re.compile(r"\s+")
_RUN = re.compile(r"(.)\1{3,}", re.S)


def user_words() -> list[tuple[str, int, str]]:
    """(word, frequency, tag) entries of the repo's user dictionary."""
    entries = []
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            entries.append((parts[0], int(parts[1]), parts[2]))
    return entries


@functools.lru_cache(maxsize=1)
def _engine() -> rjieba.Jieba:
    engine = rjieba.Jieba()
    for word, freq, tag in user_words():
        engine.add_word(word, freq, tag)
    return engine


def python_tokenizer():
    """jieba's reference tokenizer with the same dictionary (slow; for checks only)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for word, freq, tag in user_words():
        tok.add_word(word, freq, tag)
    return tok


def prepare(text: str) -> str:
    """What both engines are given: lower case, and runs of one character cut to three
    (哈哈哈哈哈 -> 哈哈哈). A long run splits into the same words in several orders of equal
    probability, and jieba and rjieba break that tie differently; the run's length says
    nothing a classifier or a search needs."""
    text = text.lower()
    # Most texts have no such run: looking costs a third of substituting (template and all).
    return _RUN.sub(r"\1\1\1", text) if _RUN.search(text) else text


def segment(text: str) -> list[str]:
    """Search-mode tokens of `text`, without whitespace tokens."""
    if not text:
        return []
    text = prepare(text)
    words = _engine().cut_for_search(text, HMM)
    # Only a text with white space in it has white-space tokens to drop.
    return [t for t in words if not t.isspace()] if _SPACE.search(text) else words


def tokens(text: str) -> str:
    """Space-joined tokens, the form stored in `messages.tokens`."""
    return " ".join(segment(text))


def cut_words(text: str) -> list[str]:
    """The default-mode words of `text` as written (neither lower-cased nor shortened):
    joined, they are the text itself, so a position in the text falls in one of them.
    A flag's evidence shows the words a character n-gram falls in."""
    return list(_engine().cut(text, HMM))


def query_terms(text: str) -> list[str]:
    """Words of a search query: default (not search) mode, so a long query word stays
    whole and matches the long token that search mode stored beside its parts."""
    if not text:
        return []
    return [t for t in _engine().cut(_SPACE.sub(" ", prepare(text)), HMM)
            if t.strip() and any(ch.isalnum() for ch in t)]


# Text in quotes, as typed on a Chinese keyboard or an English one: a phrase.
_QUOTED = re.compile(r'[“"「『]([^”"」』]+)[”"」』]')


def quoted_phrases(text: str) -> list[str]:
    """The phrases of a search query: what is written in quotes ("“一窗受理”")."""
    return [p.strip() for p in _QUOTED.findall(text or "") if query_terms(p)]


def search_terms(text: str) -> list[str]:
    """What a search query looks for, to show and to mark: each phrase in quotes whole,
    then each other word."""
    return quoted_phrases(text) + query_terms(_QUOTED.sub(" ", text or ""))


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression: every query word must appear, a phrase's words included
    (each quoted, so FTS5 operators typed by a user are taken literally). Not an FTS5
    phrase: the stored tokens put a long word's whole beside its parts (森林 防火 森林防火
    隐患), so a phrase's words are not always next to each other there; the caller checks
    the phrase in the text."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in query_terms(_QUOTED.sub(r" \1 ", text or "")))
