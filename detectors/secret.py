"""群规 第十一条 "涉密不上网": text carrying a secret marking (绝密/机密/秘密 with ★ or 级),
or internal material passed on at length. A reminder not to post secret files is not a
breach: a clause that names a grade (秘密级, 秘密★级) and also forbids (严禁, 不得, 请勿 …)
is left alone. A document's own marking (秘密★1年, 【秘密】) is flagged whatever its
clause says: "【秘密★1年】…纪要（此件不得翻印）" is the document, not a reminder."""
from __future__ import annotations

import re

from detectors.base import Message, clauses, flag, word_pattern

NAME, CATEGORY, ARTICLE = "secret", "secret", "群规 第十一条"
VERSION = "4"  # in the name on its flags and watermark (detectors/run.py)
_STAR = "[★☆*＊▲△]"
# A document's own marking: starred, not in quotes and not followed by 级 or 的 (which
# name a grade: "标有秘密★的文件", "秘密★级材料"), or in brackets, or a 密级 field.
_OWN_MARKING = re.compile(rf"(?<![“\"「『])(?:绝密|机密|秘密)\s*{_STAR}(?:\s*(?:\d+\s*年|长期))?+(?!\s*[级的])"
                          r"|[（(【\[](?:绝密|机密|秘密)[）)】\]]|密级\s*[:：]\s*(?:绝密|机密|秘密)")
# A grade named for a document ("这份是机密级文件"), not a range of grades ("秘密级以上") nor
# for where such files are kept or how they are handled ("机要室的秘密级文件柜锁坏了",
# "秘密级文件要统一存放在保密柜内").
_GRADE = re.compile(rf"(?:绝密|机密|秘密)\s*{_STAR}?\s*级(?!\s*及?以[上下])(?![^，,。]{{0,10}}(?:柜|室|载体|管理|存放|保管|销毁))")
_LEAD_VERB = re.compile(r"^(?:根据|按照|依据|转发|执行|落实|传达|学习)")
_HEADED = re.compile(r"\s*[【\[（(]|\s*(?:绝密|机密|秘密)")  # the document itself, its marking at the head
# A classified document's number: 县委办密电〔2025〕3号, 宜委密〔2025〕5号 (not the 保密办's own).
_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,6}(?<!保)密(?:电|函|发)?\s*[〔\[［（(【]\s*\d{4}\s*[〕\]］）)】]\s*\d+\s*号")
_HANDLED = re.compile(r"[将把对]")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["secret"]
    internal_words = word_pattern(tuple(settings["internal_words"]))
    reminders = word_pattern(tuple(settings["reminder_words"]))
    # A short notice that a marked file has come, to be read or signed for in the 机要室,
    # passes none of it on; nor does a secrecy quiz or the law's text on the grades.
    announced = word_pattern(tuple(settings["handling_words"]))
    taught = word_pattern(tuple(settings["teaching_words"]))
    flags = []
    for m in messages:
        text = m.text or ""
        # Neither excuses a document that carries its own marking: at its head (机密★1年 …，
        # 请签收), or anywhere for a quiz (绝密★启用前 …试题及参考答案).
        if "密" in text and (taught.search(text) and not _OWN_MARKING.search(text)
                             or len(text) < settings["internal_min_chars"] and announced.search(text)
                             and not _HEADED.match(text)):
            continue
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
            number = None if reminder else _NUMBER.search(clause)
            if number:
                shown = _LEAD_VERB.sub("", number.group().strip())
                flags.append(flag(m, "secret", ARTICLE, f"含有涉密文件文号「{shown}」的内容在群内传播"))
                break
        else:
            internal = internal_words.search(text) if len(text) >= settings["internal_min_chars"] else None
            # 不得外传 marks the material itself; only a reminder elsewhere excuses it.
            if internal and not reminders.search(internal_words.sub("", text)):
                flags.append(flag(m, "secret", ARTICLE,
                                  f"疑似内部资料全文转发（标注「{internal.group()}」，{len(text)} 字）", score=0.7))
    return flags
