"""群规 第十二条 "微腐败": red packets and money transfers in a work group."""
from __future__ import annotations

import re

from detectors.base import Message, flag
from detectors.privacy import masked

NAME, CATEGORY, ARTICLE = "red_packet", "red_packet", "群规 第十二条"
VERSION = "3"  # in the name on its flags and watermark (detectors/run.py)
# As exports and pastes write them: [红包], [微信红包], [拼手气红包], [专属红包], 🧧[红包],
# [转账], [转账收款], 【已收款】.
_TEXT_MARKERS = re.compile(r"^\s*(?:🧧\s*)?(?:\[(?:微信|拼手气|专属|普通)?红包\]|【(?:微信|拼手气|专属|普通)?红包】|"
                           r"\[转账(?:收款)?\]|【(?:发起转账|已收款|转账|转账收款)】)")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    flags = []
    for m in messages:
        if m.kind in ("red_packet", "transfer") or (m.kind == "text" and _TEXT_MARKERS.match(m.text or "")):
            what = "转账" if m.kind == "transfer" or "转账" in (m.text or "")[:8] else "红包"
            detail = f"（{masked(m.text.strip())[:30]}）" if m.text and m.text.strip() else ""
            flags.append(flag(m, CATEGORY, ARTICLE, f"工作群内发{what}{detail}"))
    return flags
