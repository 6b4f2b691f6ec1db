"""The new-media checks' settings: defaults below, overridden per archive in the shared
`settings` table under keys `newmedia.<name>` (`qunguan accounts config NAME VALUE`)."""
from __future__ import annotations

import copy
import json

from ingest.registry import RegistryError, store_setting

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
    """DEFAULTS with this archive's overrides applied."""
    settings = copy.deepcopy(DEFAULTS)
    if conn is not None:
        for key, value in conn.execute("select key, value from settings where key like ?", [PREFIX + "%"]):
            name = key[len(PREFIX):]
            if name in settings:
                settings[name] = json.loads(value)
    return settings


def set_setting(conn, name: str, raw_value: str) -> None:
    """Store a JSON override of one of DEFAULTS (same JSON type as the default; a
    positive whole number for DAY_COUNTS)."""
    if name.startswith(PREFIX):
        name = name[len(PREFIX):]
    if name not in DEFAULTS:
        raise SettingError(f"unknown setting {name!r}; known: {', '.join(DEFAULTS)}")
    if name in DAY_COUNTS and _bad_day_count(raw_value):
        raise SettingError(f"{name} must be a whole number of days above 0, got {raw_value!r}")
    if problem := _not_text_lists(name, raw_value):
        raise SettingError(problem)
    try:
        store_setting(conn, PREFIX + name, raw_value, DEFAULTS[name])
    except RegistryError as e:
        raise SettingError(str(e)) from None


def _bad_day_count(raw_value: str) -> bool:
    """A number (or true/false) that is not a whole count above 0; other JSON types and
    bad JSON are left to store_setting, which names the type expected."""
    try:
        value = json.loads(raw_value)
    except ValueError:
        return False
    return isinstance(value, (int, float)) and not (type(value) is int and value > 0)


def _not_text_lists(name: str, raw_value: str) -> str | None:
    """What is wrong with a value the checks read as words: a list of strings, or for
    unit_names a list of strings per unit. A number in one fails the next run; a string
    where a list belongs is read letter by letter. Bad JSON and other types are left to
    store_setting."""
    try:
        value = json.loads(raw_value)
    except ValueError:
        return None
    default = DEFAULTS[name]
    words = lambda v: isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)  # noqa: E731
    if isinstance(default, list) and isinstance(value, list) and not words(value):
        return f"{name} must be a list of words (JSON strings), got {raw_value!r}"
    if isinstance(default, dict) and isinstance(value, dict) and not all(words(v) for v in value.values()):
        return f'{name} must give each unit a list of names, e.g. {{"中共宜春市委宣传部": ["宜春发布"]}}, got {raw_value!r}'
    return None
