"""The new-media checks' settings: defaults below, overridden per archive in the shared
`settings` table under keys `newmedia.<name>` (`qunguan accounts config NAME VALUE`)."""
from __future__ import annotations

import copy
import json

from detectors.setting_values import Problem, stored_value, value_problem
from ingest.registry import RegistryError, value_refused_zh, store_setting

PREFIX = "newmedia."
DEFAULTS = {
    # 第四条: no post for this many days makes an account a 低效/僵尸 candidate for closing.
    "dormant_days": 180,
    # 第六条: opening, changing or closing is filed this many working days ahead.
    "filing_working_days": 7,
    # 第七条: per unit, the short names and duty words an account name may use
    # instead of the unit's full name, e.g. {"中共宜春市委宣传部": ["宜春发布"]}.
    "unit_names": {},
    # 第八条: an account name ending in one of these after the unit's name is a division's.
    "division_suffixes": ["科", "股", "室", "处", "办公室"],
    # 第八条: a registrant type (主体类型) containing one of these is a person.
    "personal_registrant_types": ["个人"],
    # 第十条: links to these hosts in a post are links to shops (commercial advertising).
    "shop_domains": ["taobao.com", "tmall.com", "tb.cn", "jd.com", "3.cn", "pinduoduo.com", "yangkeduo.com",
                     "weidian.com", "youzan.com", "koudaitong.com", "suning.com", "vip.com", "jinritemai.com",
                     "kwaixiaodian.com", "xiaohongshu.com/goods", "1688.com"],
}


# Settings that count days: a negative or fractional count would silently make every
# account dormant or every filing late.
DAY_COUNTS = ("dormant_days", "filing_working_days")


class SettingError(RegistryError):
    pass


def load_settings(conn=None) -> dict:
    """DEFAULTS with this archive's overrides applied, but for a value the checks cannot
    run with (stored before `accounts config` refused such values, or by hand): its
    default applies, as for the detectors' settings (`config show` and `classify` say so)."""
    settings = copy.deepcopy(DEFAULTS)
    if conn is not None:
        for key, value in conn.execute("select key, value from settings where key like ?", [PREFIX + "%"]):
            name = key[len(PREFIX):]
            if name in settings and not problem(name, value := stored_value(value)):
                settings[name] = value
    return settings


def set_setting(conn, name: str, raw_value: str) -> None:
    """Store a JSON override of one of DEFAULTS (same JSON type as the default; a
    positive whole number for DAY_COUNTS)."""
    if name.startswith(PREFIX):
        name = name[len(PREFIX):]
    if name not in DEFAULTS:
        raise SettingError(f"unknown setting {name!r}; known: {', '.join(DEFAULTS)}",
                           f"没有新媒体设置项 {name!r}；可用：{'、'.join(DEFAULTS)}")
    try:
        value = json.loads(raw_value)
    except ValueError:
        value = None  # store_setting says the value must be JSON
    if value is not None and (why := _count_or_words_problem(name, value)):
        raise SettingError(f"{name} {why}, got {raw_value!r}", value_refused_zh(PREFIX + name, raw_value, why))
    try:
        store_setting(conn, PREFIX + name, raw_value, DEFAULTS[name])
    except RegistryError as e:
        raise SettingError(str(e), e.zh) from None


def problem(name: str, value) -> str | None:
    """Why the checks cannot run with `value` for the setting `name`, or None: what
    `accounts config` refuses, and what reading the settings leaves out."""
    return _count_or_words_problem(name, value) or value_problem(PREFIX + name, value, DEFAULTS[name])


def _count_or_words_problem(name: str, value) -> Problem | None:
    """A number (or true/false) that is not a whole count of days above 0, or words that
    are not words: a list of strings, or for unit_names a list of strings per unit. A
    number in one fails the next run; a string where a list belongs is read letter by
    letter. Other types are left to value_problem, which names the type expected."""
    default = DEFAULTS[name]
    if name in DAY_COUNTS and isinstance(value, (int, float)) and not (type(value) is int and value > 0):
        return Problem("must be a whole number of days above 0", "应为大于 0 的整数天数")
    words = lambda v: isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)  # noqa: E731
    if isinstance(default, list) and isinstance(value, list) and not words(value):
        return Problem("must be a list of words (JSON strings)", "应为词语列表（加英文双引号的文字，不能为空）")
    if isinstance(default, dict) and isinstance(value, dict) and not all(words(v) for v in value.values()):
        return Problem('must give each unit a list of names, e.g. {"中共宜春市委宣传部": ["宜春发布"]}',
                       '应为每个单位给出名称列表，如 {"中共宜春市委宣传部": ["宜春发布"]}')
    return None
