"""Whether a setting's value is one the checks can run with: of its default's shape, and
in range. `config set` refuses any other; one stored before such a value was refused (an
older version let 0 days through) is left out when the settings are read, its default
applying, and said so (`ingest.registry.setting_warnings`)."""
from __future__ import annotations

import json
import math
import re
from datetime import date, time

# The settings the detectors compile as regular expressions; every other list is of words,
# matched as they are. Named here, not told by a name ending in `patterns`: some are not
# (after_hours.directives), and a bad pattern stored in one of those stopped `classify`.
# Each list is joined into one alternation (detectors.base.any_pattern), but those of
# SEPARATE_PATTERNS, whose patterns are compiled one by one (detectors/groups.py).
JOINED_PATTERNS = ("after_hours.weather_signs", "after_hours.directives",
                   "after_hours.not_directives", "after_hours.told_patterns",
                   "after_hours.still_asking_patterns",
                   "after_hours.good_wishes", "after_hours.chasers", "proof_demand.send_patterns",
                   "proof_demand.demands_after", "proof_demand.duty_patterns", "proof_demand.mailed_patterns",
                   "proof_demand.incident_patterns", "proof_demand.incident_tasked_patterns", "proof_demand.let_off_patterns",
                   "proof_demand.question_patterns", "proof_demand.whether_patterns", "proof_demand.done_patterns",
                   "proof_demand.told_patterns", "proof_demand.still_asking_patterns", "proof_demand.hearsay_patterns",
                   "proof_demand.asked_outright_patterns", "proof_demand.to_many_patterns", "proof_demand.no_task_patterns",
                   "proof_demand.chase_patterns",
                   "privacy.contact_patterns", "privacy.roster_patterns")
SEPARATE_PATTERNS = ("group.hidden_name_patterns",)

# Counts of days a check looks back over: 0 would quietly switch the check off (no post
# is a repeat of one sent 0 days before, no follow-up chases a demand made 0 days before).
# Other counts may be 0: they make a check stricter.
_DAY_WINDOWS = ("repeated_post.window_days", "proof_demand.chase_days")


class Problem(str):
    """Why a value cannot stand for a setting: in English (the string itself, which the
    warnings, tests and README quote) and the same exactly in Chinese (`zh`), for the
    admins, who read Chinese."""

    zh: str

    def __new__(cls, english: str, zh: str) -> Problem:
        problem = super().__new__(cls, english)
        problem.zh = zh
        return problem

    def __getnewargs__(self):
        # Both parts, for a Problem sent from the process that parses a big file.
        return str(self), self.zh


def stored_value(text: str):
    """A value as the settings table holds it: JSON, as `config set` stores it. Text typed
    into the table by hand that is no JSON (abc, jd.com unquoted) is taken as it is, a
    string: where the setting is not one, `value_problem` says so and the checks leave it
    out for its default, rather than stop every command that reads the settings."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def value_problem(key: str, value, default) -> Problem | None:
    """Why `value` cannot stand for the setting `key` whose default is `default`, or None."""
    if not _shaped_like(value, default):
        return Problem(f"expected {_shape(default)}", f"应为{_shape_zh(default)}，收到的类型不符")
    return _out_of_range(key, value, default)


def _out_of_range(key: str, value, default) -> Problem | None:
    """Why a value of the right type would still switch a check off or stop `classify`:
    a share written as a percentage, a count with a fraction, a pattern that does not
    compile."""
    if isinstance(default, float) and 0 < default < 1 and not 0 < value <= 1:
        return Problem("a share between 0 and 1 (0.3 for 30%)", "应为 0 到 1 之间的比例（30% 写作 0.3）")
    if key in _DAY_WINDOWS and (value != int(value) or value < 1):
        return Problem("a whole number of days, 1 or more (within 0 days nothing counts)",
                       "应为 1 或以上的整数天数（0 天之内什么都不算，检查就失效了）")
    if isinstance(default, int) and not isinstance(default, bool) and (value != int(value) or value < 0):
        return Problem("a whole number, 0 or more", "应为 0 或以上的整数")
    # Days and hours the calendar reads as it starts: one it cannot read stopped every
    # classify with a traceback, when stored before `config set` tried the detectors. One
    # it reads in another ISO form (20251001, 0830), which `config set` let in and the
    # checks ran with, stays in force.
    if key.endswith(("extra_holidays", "extra_workdays")):
        for day in value:
            if not _reads_as(date, day):
                return Problem(f"{day!r} is not a day written YYYY-MM-DD", f"{day!r} 不是写成 年-月-日 的日期（如 2025-10-01）")
    if key.endswith(".periods"):
        for period in value:
            if len(period) != 2 or not all(_reads_as(time, t) for t in period):
                return Problem(f"{period!r} is not a period written [\"HH:MM\", \"HH:MM\"]",
                               f"{period!r} 不是写成 [\"时:分\", \"时:分\"] 的时段（如 [\"08:30\", \"12:00\"]）")
            # A period is within one day: one ending before it starts (["12:00", "08:00"]) took
            # every hour for after hours, and flagged every notice of the archive.
            if time.fromisoformat(period[0]) >= time.fromisoformat(period[1]):
                return Problem(f"{period!r} ends before it starts (a period is within one day, written [start, end])",
                               f"时段 {period!r} 的结束时间不晚于开始时间（时段在一天之内，写成 [开始, 结束]）")
    if key in JOINED_PATTERNS or key in SEPARATE_PATTERNS:
        return _pattern_problem(key, value)
    return None


def _pattern_problem(key: str, patterns: list[str]) -> Problem | None:
    """Why the detector cannot compile `patterns` as it does, naming the bad one: checked
    by compiling, not by running every detector on a sample."""
    for pattern in patterns:
        try:
            named = re.compile(pattern).groupindex
        except re.error as e:
            return Problem(f"{pattern!r} is not a regular expression ({e})", f"{pattern!r} 不是有效的正则表达式（{e}）")
        # Joined into the detectors' own patterns, a group name may clash with theirs
        # (proof_wording's `after`) when the join is compiled, in `classify`; none needs a name.
        if named and key in JOINED_PATTERNS:
            return Problem(f"{pattern!r} names a group ({', '.join(named)}); write (?:...) instead",
                           f"{pattern!r} 含有命名分组（{'、'.join(named)}），检测器会把它与自己的分组合在一起；请改写为 (?:...)")
        # So is a group referred to by its number: joined after others' groups, \1 is theirs.
        # It compiles all the same, and matched other text than the admin tested it on.
        if key in JOINED_PATTERNS and _refers_to_group(re._parser.parse(pattern)):
            return Problem(f"{pattern!r} refers to a group by its number (\\1, (?(1)...)), which joined with the "
                           "detector's other patterns is another group; write out what it repeats instead",
                           f"{pattern!r} 按编号引用分组（\\1、(?(1)…)），检测器把各条合成一个表达式后，该编号指的是别条的分组；"
                           "请直接写出要重复匹配的文字")
    if key in JOINED_PATTERNS:
        # Each compiles alone, but not always joined: a flag such as (?i), even at the start
        # of its pattern, is within the group any_pattern wraps each in.
        from detectors.base import any_pattern  # base reads the settings through this module

        try:
            any_pattern(tuple(patterns))
        except re.error as e:
            return Problem(f"its patterns cannot be joined into one regular expression ({e})",
                           f"其中的正则表达式各自有效，但检测器把每条放进自己的分组、合成一个时无法编译（{e}）；"
                           "(?i) 这类标记在分组里须写成 (?i:…)，只管括号内的部分")
    return None


def _refers_to_group(parsed) -> bool:
    """Whether a parsed regular expression (re._parser's tree, or a part of one) holds a
    reference to a group: a back-reference or a conditional on a group."""
    if isinstance(parsed, re._parser.SubPattern):
        return any(op in (re._constants.GROUPREF, re._constants.GROUPREF_EXISTS) or _refers_to_group(arg)
                   for op, arg in parsed)
    return isinstance(parsed, (tuple, list)) and any(map(_refers_to_group, parsed))


def is_iso_day(value) -> bool:
    """Whether `value` is a real day written YYYY-MM-DD, the one form the CLI asks for (a
    setting's list may hold anything JSON does: a number is no day)."""
    # fromisoformat alone also takes week dates (2024-W25-1) and compact ones (20240617).
    try:
        return (isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))
                and bool(date.fromisoformat(value)))
    except ValueError:
        return False


def _reads_as(kind: type[date] | type[time], value) -> bool:
    """Whether the calendar reads `value` as a day or a time of day (`kind`), as it does,
    with `fromisoformat`."""
    try:
        return isinstance(value, str) and bool(kind.fromisoformat(value))
    except ValueError:
        return False


def _shaped_like(value, default) -> bool:
    """Whether `value` has the default's type, and so have its items (a word list of
    words: a number in one would stop `classify`)."""
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        # NaN and Infinity, which JSON as Python reads it takes, are no count or share: int()
        # of one stopped `config set` and `classify` with a traceback.
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if type(value) is not type(default):
        return False
    if isinstance(default, list) and default:
        return all(_shaped_like(item, default[0]) for item in value)
    if isinstance(default, dict) and default:
        sample = next(iter(default.values()))
        return all(isinstance(k, str) and _shaped_like(v, sample) for k, v in value.items())
    return True


def _shape(default, many: bool = False) -> str:
    """What a value shaped like `default` is, in words: "a list of lists of strings"; `many`
    names several of them (the items of a list)."""
    if isinstance(default, list) and default:
        return f"{'lists' if many else 'a list'} of {_shape(default[0], many=True)}"
    if isinstance(default, dict) and default:
        return f"{'objects' if many else 'an object'} of {_shape(next(iter(default.values())), many=True)}"
    word = {str: "string", int: "number", float: "number", bool: "true or false value"}.get(type(default),
                                                                                         type(default).__name__)
    return f"{word}s" if many else word


def _shape_zh(default) -> str:
    """`_shape` in Chinese: 文字列表的列表 for a list of lists of strings. An empty default
    (after_hours.extra_holidays, newmedia.unit_names) is named by its kind alone, not by
    Python's name for it (list, dict), which the English keeps."""
    if isinstance(default, list) and default:
        items = _shape_zh(default[0])
        return f"{items}{'的' if items.endswith('列表') else ''}列表"
    if isinstance(default, dict) and default:
        return f"以{_shape_zh(next(iter(default.values())))}为值的对象"
    return {str: "文字", int: "数字", float: "数字", bool: "是非值（true 或 false）", list: "列表",
            dict: "对象"}.get(type(default), type(default).__name__)
