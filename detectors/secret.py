"""群规 第十一条 "涉密不上网": text carrying a secret marking (绝密/机密/秘密 with ★ or 级),
or internal material passed on at length. A reminder not to post secret files is not a
breach: a clause that names a grade (秘密级, 秘密★级) and also forbids (严禁, 不得, 请勿 …)
is left alone. A document's own marking (秘密★1年, 【秘密】) is flagged whatever its
clause says: "【秘密★1年】…纪要（此件不得翻印）" is the document, not a reminder."""
from __future__ import annotations

import re

from detectors.base import Message, clauses, flag, word_pattern

NAME, CATEGORY, ARTICLE = "secret", "secret", "群规 第十一条"
VERSION = "2"  # in the name on its flags and watermark (detectors/run.py)
# A document's own marking: starred, not in quotes and not followed by 级 or 的 (which
# name a grade: "标有秘密★的文件", "秘密★级材料"), or in brackets.
_OWN_MARKING = re.compile(r"(?<![“\"「『])(?:绝密|机密|秘密)\s*[★☆*](?:\s*(?:\d+\s*年|长期))?+(?!\s*[级的])"
                          r"|[（(【\[](?:绝密|机密|秘密)[）)】\]]")
# A grade named for a document ("这份是机密级文件"), not for where such files are kept or
# how they are handled ("机要室的秘密级文件柜锁坏了").
_GRADE = re.compile(r"(?:绝密|机密|秘密)\s*[★☆*]?\s*级(?![^，,。]{0,4}(?:柜|室|载体|管理|存放|保管|销毁))")
_HANDLED = re.compile(r"[将把对]")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["secret"]
    internal_words = word_pattern(tuple(settings["internal_words"]))
    reminders = word_pattern(tuple(settings["reminder_words"]))
    flags = []
    for m in messages:
        text = m.text or ""
        # Every marking has 密 in it; a message without it has no clause to look at.
        for clause in clauses(text) if "密" in text else ():
            reminder = reminders.search(clause)
            own = _OWN_MARKING.search(clause)
            if own and _HANDLED.search(clause[max(0, own.start() - 4): own.start()]) \
                    and not clause[own.end():].lstrip().startswith("《"):
                # "严禁将各类秘密★文件…", "要将秘密★文件存放在保密柜": the grade of files being
                # handled is named, not a marking; "现将秘密★1年《…》转发" marks the document.
                own = None
            marking = own or (None if reminder else _GRADE.search(clause))
            if marking:
                flags.append(flag(m, "secret", ARTICLE, f"含有密级标志「{marking.group().strip()}」的内容在群内传播"))
                break
        else:
            internal = internal_words.search(text) if len(text) >= settings["internal_min_chars"] else None
            # 不得外传 marks the material itself; only a reminder elsewhere excuses it.
            if internal and not reminders.search(internal_words.sub("", text)):
                flags.append(flag(m, "secret", ARTICLE,
                                  f"疑似内部资料全文转发（标注「{internal.group()}」，{len(text)} 字）", score=0.7))
    return flags
