"""群规 第十一条 "不得泄露他人隐私": ID-card numbers (18 characters, ISO 7064 check digit
and a real birth date), mobile numbers and bank-card numbers (Luhn) in a group. The
matched number is masked in the evidence, which supervisors and auditors read."""
from __future__ import annotations

import bisect
import functools
import re
from datetime import date

from stdnum import luhn
from stdnum.cn import ric

from detectors.base import Message, any_pattern, flag, word_pattern
from ingest.records import local_now

NAME, CATEGORY, ARTICLE = "privacy", "privacy", "群规 第十一条"
VERSION = "14"  # in the name on its flags and watermark (detectors/run.py)
# Run together or in groups split by spaces or dashes ("3609 0219 5811 2034 24",
# "362202-19850312-3417"); after a student number's G (学籍号 G + the child's ID number) too.
_ID = re.compile(r"(?:(?<=[Gg])|(?<![0-9A-Za-z]))(?:\d[ -]?){17}[\dXx](?![0-9A-Za-z])")
# Not an amount ("15360000000元", "15360000000.00元"); after +86 too.
_MOBILE = re.compile(r"(?:(?<=\+86)|(?<![\d-]))1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![\d-]|(?:\.\d+)?\s*[元万亿])")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_DIGIT_GROUP_BEFORE, _DIGIT_GROUP_AFTER = re.compile(r"\d[ -]\Z"), re.compile(r"[ -]\d")
# A card number of 16-19 digits, run together or in groups of four split by spaces or
# dashes ("6217 0012 3456 7893", "6230-5911-2233-4455-668"), never a part of a longer
# number: no digit right before it, nor a digit group joined by a space or dash before or
# after it; no X after it (the check digit of an ID number). Cards start with 3-6 (Amex, JCB,
# Visa, Mastercard, UnionPay 62) or 9 (older domestic ones): a date-led order number
# ("2025-0312-0000-1230") is none.
_CARD = re.compile(r"(?<!\d)(?<!\d[ -])(?=[3-69])(?:\d{16,19}(?![\dXx])|\d{4}([ -])\d{4}(?:\1\d{4}){2}(?:\1\d{1,3})?+(?![ -]?[\dXx]))")


def mask(number: str) -> str:
    """`number` as long as it was, at least five of its middle characters starred (all
    of a shorter one): four kept at each end of an ID or card number, three of a
    mobile's (139*****345), fewer of a shorter number's (a landline's 2*****4)."""
    keep = max(0, min(4, (len(number) - 5) // 2))
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[len(number) - keep:]


def valid_id(number: str) -> bool:
    """China resident ID: check digit and a birth date that exists and is not in the future.
    (stdnum's own validate also insists the county code existed in the birth year, which
    rejects real numbers of people born before their county was renamed.)"""
    try:
        born = ric.get_birth_date(number)
    except Exception:
        return False
    return ric.calc_check_digit(number[:17]) == number[17].upper() and date(1900, 1, 1) <= born <= local_now().date()


# Every number looked for is a run of at least 11 digits (with spaces or dashes between).
_LONG_NUMBER = re.compile(r"\d[\d -]{9,}[\dXx]")


def masked(text: str) -> str:
    """`text` with each number the flags mask masked as they mask it: runs of 7 or more
    digits, and numbers of 11 or more digits written in groups, however they are split
    (362202-19850312-3417, 6228 4800 1234 5671, 138.7951.2345). For evidence that quotes
    a message, so a flag does not spread what it flags. Dates (2025-03-10), a landline's
    area code (0795-) and a meeting number (892-394-567) are no one's."""
    return _LONG_RUN.sub(lambda run: mask(run.group()), _GROUPED.sub(_masked_group, text))


_LONG_RUN = re.compile(r"\d{7,}[Xx]?")
# One separator throughout (a space, an ideographic space, a dash or a dot); never a
# leading 0, so the area code stays with a landline and its number is masked as a run.
_GROUPED = re.compile(r"(?<!\d)[1-9]\d{2,7}([ \u3000.\-－])\d{2,8}(?:\1\d{2,8})*[Xx]?(?!\d)")


def _masked_group(group: re.Match) -> str:
    digits = re.sub(r"[^\dXx]", "", group.group())
    return mask(digits) if len(digits) >= 11 else group.group()


class _Layout:
    """Where a text's sentences and clauses end and where it has contact fields and roster
    headings, found once per text: a contact list of thousands of numbers is not read
    again per number."""

    def __init__(self, text: str, contact: re.Pattern, roster: re.Pattern, someone: re.Pattern):
        self.text, self.contact, self.someone = text, contact, someone
        self.ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]
        self.contacts = [m.span() for m in contact.finditer(text)]
        self.headings = [m.span() for m in roster.finditer(text)]
        # A full stop with more said after it on its line ends a roster's list ("值班安排已
        # 调整。昨晚…"); one that ends a line goes on to the list ("值班表如下，请…畅通。\n3月4日…").
        self.list_ends = [m.start() for m in _LIST_END.finditer(text)]
        if self.headings:
            # So does a heading of someone else's numbers, its last words naming them ("低保户
            # 名单：\n张三\n138…", "需重点走访的困难户：", or on its own line without a colon:
            # "低保户名单\n张三…"): what follows is theirs. A roster's own subheadings name a day
            # or a duty, whoever it serves ("周一：", "信访维稳值班：", "患者转运组："): its list goes on.
            listed = _others_listed(someone)
            self.list_ends = sorted([*self.list_ends, *(m.start() for m in _HEADING_LINE.finditer(text)
                                                        if _lists_others(m.group(), listed))])
        self.named_in_sentence: dict[tuple[int, int], bool] = {}

    def sentence_start(self, at: int) -> int:
        i = bisect.bisect_right(self.ends, at)
        return self.ends[i - 1] if i else 0

    def contact_before(self, at: int) -> tuple[int, int] | None:
        """The contact field nearest before `at` in its sentence."""
        i = bisect.bisect_right(self.contacts, (at,))
        if i and self.contacts[i - 1][1] <= at and self.contacts[i - 1][0] >= self.sentence_start(at):
            return self.contacts[i - 1]
        return None

    def heading_over(self, at: int) -> tuple[int, int] | None:
        """The roster heading whose list `at` is in: the last before it, its list not ended."""
        i = bisect.bisect_right(self.headings, (at,))
        if not i:
            return None
        heading = self.headings[i - 1]
        ended = bisect.bisect_left(self.list_ends, heading[1]) < bisect.bisect_left(self.list_ends, at)
        return None if ended else heading

    def clause_start(self, at: int) -> int:
        i = bisect.bisect_left(self.clause_ends, at)
        return self.clause_ends[i - 1] + 1 if i else 0

    def clause_end(self, at: int) -> int:
        i = bisect.bisect_left(self.clause_ends, at)
        return self.clause_ends[i] if i < len(self.clause_ends) else len(self.text)

    def names_someone(self, part: str) -> bool:
        # The contact field names no one else, though 我的电话 holds 的电话.
        return self.someone.search(self.contact.sub("\n", part)) is not None

    def heading_names_someone(self, heading: tuple[int, int]) -> bool:
        """Whether the heading's sentence, up to the colon after the heading, names someone
        else, but for those its duty serves ("信访接待值班表", "接待群众来访值班安排",
        "患者转运值班表", "留守老人联络员": the staff serving them are listed)."""
        if heading not in self.named_in_sentence:  # many numbers share one heading
            start = self.sentence_start(heading[0])
            i = bisect.bisect_right(self.ends, heading[0])
            end = self.ends[i] - 1 if i < len(self.ends) else len(self.text)
            # Up to the colon after the heading: what follows it on its line is the list, each
            # number judged by what is said of it ("信访接待值班表：周一 王建军 139…，来访群众李某 159…").
            colon = _COLON.search(self.text, heading[1], end)
            self.named_in_sentence[heading] = self.names_someone(
                _served(self.someone).sub("\n", self.text[start: colon.start() if colon else end]))
        return self.named_in_sentence[heading]


# What is said of one number: what leads into its contact field ("低保户联系电话：…", for
# every number of the list), from the number before it (or its sentence's start) up to it,
# and after it to its clause's end ("138…（投诉人）"): in "张书记手机139…，村民李四手机138…"
# the 村民 is the second number's. Each part is bounded, so a list costs its length once.
_CLAUSE_END = re.compile(r"[，,；;、。！？!?\n]")
_LEAD_IN, _BESIDE = 12, 40  # characters
_PUBLIC_LINE = re.compile(r"咨询|热线|服务|报名|办公|值班|举报|监督")
# A call taken on a public line, its verb right before the line with at most the call's
# count or caller between ("接到一个举报电话：", "收到群众举报电话", "刚接到的咨询电话", a
# hotline's number as one word: "接到12345热线来电"): the number after it called in. Not a
# duty to answer the line ("值班人员要24小时接听值班电话139…"), nor a notice received and
# then the line published ("收到通知后张贴举报电话139…").
_CALL_TAKEN = re.compile(r"(?:接到|收到|接了|接听[了到]|转来)(?:\d+|[^，,；;。！？!?\n后请把将在\d]){0,4}$")
_COLON = re.compile(r"[：:]")
_LIST_END = re.compile(r"[。！？!?](?![ \t]*(?:\n|$))")
# A line that ends in a colon, or a short one without a number ("低保户名单" on its own
# line): a list follows.
_HEADING_LINE = re.compile(r"^(?:[^\n]*[：:]|[^\d\n]{1,20})[ \t]*$", re.M)


# A roster's duty serving those its heading names: 接待群众来访：, 包保困难户：. Only verbs
# that do not also label the people themselves: 转移安置群众：, 陪护家属：, 走访困难户： may
# list the evacuees, the family or the households, their numbers theirs.
_SERVING_VERBS = "接待|服务|包保|对接|护送|接送"
_SERVING = re.compile(rf"(?:{_SERVING_VERBS})[^的\n]{{0,4}}$")


@functools.lru_cache(maxsize=8)
def _others_listed(someone: re.Pattern) -> re.Pattern:
    """A heading line ending in others (`someone`: 低保, 患者家属 …), as households or people,
    or in a list of them (`list`: 低保户名单：, 投诉人信息：, 学生家长联系方式：, 低保户名单及电话：),
    its count in brackets or not (困难户（3户）：), a colon after it or not (低保户名单)."""
    return re.compile(rf"(?P<who>{someone.pattern})(?P<person>户|人员|人|们)?"
                      r"(?P<list>(?:名单|名册|信息|情况|联系电话|联系方式|电话|手机号?|号码)(?:及(?:联系)?(?:电话|方式|手机号?))?)?"
                      r"(?:如下)?(?:[（(][^（()）\n]{0,10}[）)])?[ \t]*[：:]?[ \t]*$")


# Those cared for, never liaisons themselves: their 联络员 is staff looking after them
# (留守老人联络员, 低保户联络员). Not 家长联络员 or 学生联络员: a parent or a student may be
# the liaison, the number theirs.
_CARED_FOR = r"(?:留守)?老人|(?:低保|五保|贫困|困难|监测)户"


@functools.lru_cache(maxsize=8)
def _served(someone: re.Pattern) -> re.Pattern:
    """Others (`someone`) named as those a duty serves: after a serving verb (_SERVING's), or
    before 接待, 维稳, 转运 or 值班 (信访接待, 群众来访接待, 信访维稳, 患者转运, 信访值班); and
    those cared for before their 联络员 (_CARED_FOR)."""
    return re.compile(rf"(?:{_SERVING_VERBS})[^的\n]{{0,4}}?(?:{someone.pattern})+"
                      rf"|(?:{someone.pattern})+(?=接待|维稳|转运|值班)|(?:{_CARED_FOR})(?=联络员)")


# Third-party words that name a matter, not people: bare, a roster's subheading names the
# duty handling it ("信访", "投诉：" in a 12345 hotline's roster); 信访人, 投诉人名单 name people.
_MATTERS = frozenset({"投诉", "举报", "信访", "来访", "求助"})


def _lists_others(line: str, listed: re.Pattern) -> bool:
    """Whether the heading `line` lists others' numbers: it names them (`listed`), not as
    those a duty serves ("接待群众来访：", "包保困难户：": its staff are listed under it)
    unless it names a list of them ("慰问困难户名单："), nor a matter alone, a duty ("信访")."""
    named = listed.search(line)
    if named is None or named["list"] is None and (named["who"] in _MATTERS and named["person"] is None):
        return False
    return named["list"] is not None or not _SERVING.search(line, 0, named.start())


def _given_for_work(layout: _Layout, number: re.Match, after: int) -> bool:
    """Whether the mobile `number` was published to be called for work ("联系人：王磊，电话：
    138…", a duty roster, "有事联系我"), not disclosed as someone else's ("投诉人电话",
    "王某的手机号"): a contact field before it in its sentence, or a roster's heading over
    its list, and no third party named in what is said of the number or in the heading's
    sentence."""
    text, start = layout.text, layout.sentence_start(number.start())
    heading = layout.heading_over(number.start())
    rostered = heading is not None and not layout.heading_names_someone(heading)
    if rostered:
        # The heading's words are judged as the heading's, those its duty serves set aside: on
        # one line with the list they are not said of a number ("群众来访接待值班安排：周一 刘洋
        # 139…", "患者转运值班表：周一 王医生139…", its lead-in no more than the number's).
        start = max(start, heading[1])
    said = []
    if field := layout.contact_before(number.start()):
        if _PUBLIC_LINE.search(text, field[0], field[1]):
            if _CALL_TAKEN.search(text, layout.clause_start(field[0]), field[0]):
                return False  # "刚接到的举报电话138…", "收到群众举报电话138…": the caller's number
            # A public line's topic ("学生资助咨询电话：") names who calls it, not whose number it is.
            start = max(start, field[1])
        else:
            said.append(text[max(start, field[0] - _LEAD_IN): field[1]])
    elif not rostered:
        return False
    said.append(text[max(start, after, number.start() - _BESIDE): min(layout.clause_end(number.end()), number.end() + _BESIDE)])
    return not any(map(layout.names_someone, said))


def findings(text: str, contact: re.Pattern, roster: re.Pattern, someone: re.Pattern) -> list[str]:
    """What `text` discloses, masked. `contact`, `roster` and `someone` are the config's
    contact patterns, roster patterns and third-party words, compiled (detect)."""
    found, taken = [], []
    if not _LONG_NUMBER.search(text):
        return found
    for match in _ID.finditer(text):
        number = re.sub(r"[ -]", "", match.group())
        if len(number) < len(match.group()) and (_DIGIT_GROUP_BEFORE.search(text, max(0, match.start() - 2), match.start())
                                                  or _DIGIT_GROUP_AFTER.match(text, match.end())):
            continue  # groups of a longer number ("订单号 6217 0012 … 1234"), not an ID number
        if valid_id(number):
            found.append(f"身份证号 {mask(number.upper())}")
            taken.append(match.span())
    for match in _CARD.finditer(text):
        digits = match.group().replace(" ", "").replace("-", "")
        if any(a <= match.start() < b for a, b in taken):
            continue
        if luhn.is_valid(digits) and not valid_id(digits):
            found.append(f"银行卡号 {mask(digits)}")
            taken.append(match.span())
    layout, after = None, 0
    for match in _MOBILE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        layout = layout or _Layout(text, contact, roster, someone)
        given = _given_for_work(layout, match, after)
        after = match.end()
        if not given:
            found.append(f"手机号 {mask(re.sub(r'[- ]', '', match.group()))}")
    return found


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    flags = []
    # Most messages hold no long number: ruled out here without a call to findings.
    has_number = _LONG_NUMBER.search
    settings = config["privacy"]
    contact, roster = any_pattern(tuple(settings["contact_patterns"])), any_pattern(tuple(settings["roster_patterns"]))
    someone = word_pattern(tuple(settings["third_party_words"]))
    for m in messages:
        found = findings(m.text, contact, roster, someone) if m.text and has_number(m.text) else None
        if found:
            flags.append(flag(m, CATEGORY, ARTICLE, "消息中含有个人信息：" + "；".join(found), score=1.0))
    return flags
