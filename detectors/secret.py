"""群规 第十一条 "涉密不上网": text carrying a secret marking (绝密/机密/秘密 with ★ or 级),
or internal material passed on at length. A reminder not to post secret files is not a
breach: a clause that also forbids (严禁, 不得, 请勿 …) is left alone."""
from __future__ import annotations

import re

from detectors.base import Message, clauses, flag

NAME, CATEGORY, ARTICLE = "secret", "secret", "群规 第十一条"
_MARKING = re.compile(r"(绝密|机密|秘密)\s*(?:[★☆\*]\s*(?:\d+\s*年|长期)?|级)|[（(【\[](绝密|机密|秘密)[）)】\]]")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["secret"]
    flags = []
    for m in messages:
        text = m.text or ""
        for clause in clauses(text):
            marking = _MARKING.search(clause)
            if marking and not any(w in clause for w in settings["reminder_words"]):
                flags.append(flag(m, "secret", ARTICLE, f"含有密级标志「{marking.group().strip()}」的内容在群内传播"))
                break
        else:
            internal = [w for w in settings["internal_words"] if w in text]
            if (internal and len(text) >= settings["internal_min_chars"]
                    and not any(w in text for w in settings["reminder_words"])):
                flags.append(flag(m, "secret", ARTICLE,
                                  f"疑似内部资料全文转发（标注「{internal[0]}」，{len(text)} 字）", score=0.7))
    return flags
