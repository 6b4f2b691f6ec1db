"""Passwords and account credentials posted in a group (群规 第十一条, 保密): "密码：…",
"口令是…", "admin / …". The secret itself is masked in the evidence. Only a value that
could be typed in as a password counts (printable ASCII): what follows in Chinese tells
how to get it or what it is made of ("请私聊我获取", "身份证号后六位"), and a length
("8-16位") is a rule. A password in Chinese characters is not looked for."""
from __future__ import annotations

import re

from detectors.base import Message, flag

NAME, CATEGORY, ARTICLE = "credential_leak", "credential_leak", "群规 第十一条"
VERSION = "2"  # in the name on its flags and watermark (detectors/run.py)
# Printable ASCII but the comma and semicolon that end a clause; taken whole (possessive),
# then not a length ("8-16位").
_VALUE = r"([!-+\--:<-~]{4,}+)(?!\s*位)"
_PATTERNS = [
    re.compile(r"(?:密码|口令|密钥|passwd|password|pwd)\s*(?:[:：=]|是|为)\s*" + _VALUE, re.I),
    # "密码 Sb#2025ab", "wifi密码 88888888": a space alone separates them too, when the value
    # stands alone as a password does: 6 or more characters, not a link, not run into the
    # words after it ("密码 2025年…", "密码 OA2.0系统里…", "密码 reset 之后").
    re.compile(r"(?:密码|口令|密钥|passwd|password|pwd)\s+(?!\S*://)([!-+\--:<-~]{6,}+)(?=\s|$|[，,。；;！!])",
               re.I),
    re.compile(r"\b(?:admin|root|administrator|sa)\s*[/／]\s*" + _VALUE, re.I),
]


def _mask(secret: str) -> str:
    return secret[:1] + "*" * (len(secret) - 2) + secret[-1:]


def _may_hold(text: str) -> bool:
    """Whether `text` has what every pattern starts with. Case-insensitive regexes are
    slow in Python; plain substring tests rule out almost every message first
    (bench/classify.py's 1M messages: this detector 3.7 s -> 0.8 s)."""
    if "密" in text or "口令" in text or "/" in text or "／" in text:
        return True
    # Lower-casing copies the text: only one with a p in it can hold "pw" or "pass".
    return ("p" in text or "P" in text) and ("pw" in (lower := text.lower()) or "pass" in lower)


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    flags = []
    for m in messages:
        if not m.text or not _may_hold(m.text):
            continue
        for pattern in _PATTERNS:
            match = pattern.search(m.text)
            if match:
                flags.append(flag(m, CATEGORY, ARTICLE, f"群内发布账号口令：{match.group().replace(match.group(1), _mask(match.group(1)))}"))
                break
    return flags
