"""Passwords and account credentials posted in a group (群规 第十一条, 保密): "密码：…",
"口令是…", "admin / …". The secret itself is masked in the evidence. Only a value that
could be typed in as a password counts (printable ASCII): what follows in Chinese tells
how to get it or what it is made of ("请私聊我获取", "身份证号后六位"), and a length
("8-16位") is a rule. A password in Chinese characters is not looked for."""
from __future__ import annotations

import re

from detectors.base import Message, flag, word_pattern

NAME, CATEGORY, ARTICLE = "credential_leak", "credential_leak", "群规 第十一条"
VERSION = "4"  # in the name on its flags and watermark (detectors/run.py)
# Printable ASCII but the comma and semicolon that end a clause; taken whole (possessive),
# then not a length ("8-16位").
_VALUE = r"([!-+\--:<-~]{4,}+)(?!\s*位)"
# What a pattern cannot match without (_needs): a word naming a password, or a slash.
_NAMED, _SLASH = "named", "slash"
_PATTERNS = [
    # "密码：…", "密码是：…", "用户名和密码都是admin123", "初始密码统一为…", "PW：…"
    (_NAMED, re.compile(r"(?:密码|口令|密钥|passwd|password|pwd|(?<![a-z])pw)\s*(?:(?:都|均|统一|一律|默认)?(?:是|为)\s*[:：]?|[:：=])\s*"
                        + _VALUE, re.I)),
    # "账号：yc_wzz 密码123456": written straight after, a value with a digit in it.
    (_NAMED, re.compile(r"(?:密码|口令)(?=[!-~]*\d)([!-+\--:<-~]{6,}+)(?!\s*位)")),
    # "密码 Sb#2025ab", "wifi密码 88888888": a space alone separates them too, when the value
    # stands alone as a password does: 6 or more characters, not a link, not run into the
    # words after it ("密码 2025年…", "密码 OA2.0系统里…", "密码 reset 之后").
    (_NAMED, re.compile(r"(?:密码|口令|密钥|passwd|password|pwd)\s+(?!\S*://)([!-+\--:<-~]{6,}+)(?=\s|$|[，,。；;！!])",
                        re.I)),
    # Not a path in a web address (http://…:8080/admin/index.jsp).
    (_SLASH, re.compile(r"(?<![/\w.:])(?:admin|root|administrator|sa)\s*[/／]\s*" + _VALUE, re.I)),
    # "用户名admin 密码admin": after the account's name, any value that could be typed in.
    (_NAMED, re.compile(r"(?:用户名|账号|账户|登录名)\s*[:：]?\s*[!-~]+?\s*[，,]?\s*(?:密码|口令)\s*[:：=]?\s*" + _VALUE)),
]
# "综治平台 yfzz01/Yf@12345", "账户：yfsb001 / Sb@2025": any account and its password with a
# slash between, in a message naming an account or a platform (config account_words), but
# not right after a word naming a path (path_words: "下载路径 share/Manual2025", "文号
# ycf/2025-12") with no account word after it ("请登录平台查看，账号 yfzz01/…" is a pair).
# The account is lower-case letters and digits; the password holds a digit and either is
# all digits or holds a capital or a symbol, and goes on to no path or file name: not a
# date (2025/03/04), a fraction (1/3), a choice (A/B) or a path (share/manual2025,
# data/report2025.xlsx, https://…/login/index2025).
_SLASHED = re.compile(r"(?<![!-~])[a-z][a-z0-9_]{2,19}\s*[/／]\s*(?=[!-+\-0-:<-~]*\d)"
                      r"(?=\d+(?![!-~])|[!-+\-0-:<-~]*[A-Z!-+\-:<-@\[-^`{-~])([!-+\-0-:<-~]{6,}+)(?!/|\.\w)")
# A meeting's passcode is how those invited get in: it is meant to be shared. Named as the
# meeting's (会议密码, 入会口令), or straight after the meeting's number as Tencent Meeting's
# invitations write it ("腾讯会议：892-394-567 密码：1234", "会议号 892394567 密码 123456"):
# what ends right before the word 密码.
_MEETING = re.compile(r"(?:会议|入会|会议室|(?:会议|入会)[^\d，,。；;！!？?\n]{0,6}\d[\d -]{5,}\d[\s，,；;]*)\Z")
_HIDDEN = re.compile(r"[*＊xX●•·.]+")  # "密码：******（已私发）" hides it


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


def _needs(text: str) -> dict[str, bool]:
    """Which of what the patterns need a text that _may_hold has: most such texts (保密, a
    date 3/5) have one of them only, and then the patterns that need the other are not
    tried. A word naming a password: 密码, 口令, 密钥, or in any case pw or pass (or the long
    s, ſ, which case-insensitive patterns take for an s)."""
    named = ("密码" in text or "口令" in text or "密钥" in text
             or ("p" in text or "P" in text) and ("pw" in (lower := text.lower()) or "pass" in lower or "ſ" in lower))
    return {_NAMED: named, _SLASH: "/" in text or "／" in text}


def _shared_on_purpose(text: str, match: re.Match) -> bool:
    return bool(_MEETING.search(text, max(0, match.start() - 40), match.start())
                or _HIDDEN.fullmatch(match.group(1)))


def _slashed(text: str, accounts: re.Pattern, paths: re.Pattern) -> re.Match | None:
    if not accounts.search(text):
        return None
    for found in _SLASHED.finditer(text):
        before = text[max(0, found.start() - _NAMED_WITHIN): found.start()]
        if _last_end(paths, before) <= _last_end(accounts, before):
            return found
    return None


def _last_end(words: re.Pattern, text: str) -> int:
    return max((m.end() for m in words.finditer(text)), default=-1)


_NAMED_WITHIN = 12  # characters before an account/password pair that may say what it is


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["credential_leak"]
    accounts, paths = word_pattern(tuple(settings["account_words"])), word_pattern(tuple(settings["path_words"]))
    flags = []
    for m in messages:
        if not m.text or not _may_hold(m.text):
            continue
        has = _needs(m.text)
        match = next((found for needs, pattern in _PATTERNS if has[needs] for found in pattern.finditer(m.text)
                      if not _shared_on_purpose(m.text, found)), None) or has[_SLASH] and _slashed(m.text, accounts, paths)
        if match:
            flags.append(flag(m, CATEGORY, ARTICLE, f"群内发布账号口令：{match.group().replace(match.group(1), _mask(match.group(1)))}"))
    return flags
