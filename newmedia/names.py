"""What an account's name must show (新媒体 第七条, 第八条), worked out from the unit's name.

No guessing beyond plain rules: a name passes when it contains the unit's full name, the
name without its place prefix (宜春市, 袁州区 …), the core of that (教育局 → 教育), the
short name from the ledger, or a short name or duty word configured for the unit.
Everything else is reported for a person to judge; the evidence lists what was compared.
"""
from __future__ import annotations

import re

# 中共宜春市委宣传部 → 宣传部; 宜春市袁州区教育体育局 → 教育体育局; at most two levels of
# place, and a township's (赤岸镇人民政府, written as townships write it, without its county).
_PLACE = re.compile(r"^(?:中共)?(?:江西省)?((?:[\u4e00-\u9fff]{2,4}?(?:市|县|区)){1,2}"
                    r"(?:[\u4e00-\u9fff]{2,3}?(?:镇|乡|街道))?|[\u4e00-\u9fff]{2,3}?(?:镇|乡|街道))(?:委(?!员会))?")
_LAST_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:市|县|区|镇|乡|街道)$")
_SUFFIXES = ("委员会", "办公室", "局", "委", "办", "厅", "部", "中心", "院", "所", "站", "会", "处", "署", "馆")
# A unit whose name without the place says only this is known by its place (赤岸镇人民政府 → 赤岸).
_GENERIC = ("人民政府", "人民政府办公室", "政府办公室", "委员会", "委员会办公室", "办公室", "党委", "党工委", "管委会",
            "办事处", "街道办事处")
# The short forms everyone uses for these bodies' names (宜春中院, 袁州教育, 宜春文旅), which
# no rule on suffixes finds.
ABBREVIATIONS = {
    "中级人民法院": ("中院", "法院"), "人民法院": ("法院",), "人民检察院": ("检察",), "公安局": ("公安",),
    "消防救援支队": ("消防",), "消防救援大队": ("消防",), "文化广电新闻出版旅游局": ("文旅", "文广"),
    "文化广电旅游局": ("文旅", "文广"), "文化和旅游局": ("文旅",), "教育体育局": ("教育", "教体"),
    "市场监督管理局": ("市场监管",), "人力资源和社会保障局": ("人社",), "住房和城乡建设局": ("住建",),
    "卫生健康委员会": ("卫健",), "发展和改革委员会": ("发改",), "医疗保障局": ("医保",), "应急管理局": ("应急",),
    "退役军人事务局": ("退役军人",), "农业农村局": ("农业农村", "农业"), "融媒体中心": ("融媒",),
}
MIN_STEM = 2


def without_place(unit: str) -> str:
    stripped = _PLACE.sub("", unit, count=1)
    return stripped if len(stripped) >= MIN_STEM else unit


def place_names(unit: str) -> list[str]:
    """The last place level in `unit`'s name, with and without its 市/县/镇… (赤岸镇, 赤岸)."""
    match = _PLACE.match(unit)
    if not match:
        return []
    last = re.split(r"(?<=[市县区镇乡])|(?<=街道)", match[1])
    place = [p for p in last if p][-1]
    bare = _LAST_PLACE.match(place)
    return [place] + ([bare[1]] if bare else [])


def core(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_STEM:
            return name[: -len(suffix)]
    return name


def name_stems(unit: str, short: str | None = None, configured: list[str] = ()) -> list[str]:
    """The words, longest first, of which an account name of `unit` should contain one."""
    local = without_place(unit)
    stems = {unit, *(s.strip() for s in configured)}
    if local in _GENERIC or local == unit and _PLACE.match(unit):  # 中共奉新县委: nothing but the place
        stems |= set(place_names(unit))
    else:
        stems |= {local, core(local)}
        stems |= {a for full, short_forms in ABBREVIATIONS.items() if local.endswith(full) for a in short_forms}
    if short:
        stems |= {s.strip() for s in re.split(r"[、,，;；/]", short)}
    return sorted((s for s in stems if len(s) >= MIN_STEM), key=lambda s: (-len(s), s))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def names_unit(account_name: str, stems: list[str]) -> bool:
    name = _compact(account_name)
    return any(_compact(s) in name for s in stems)


def division_tail(account_name: str, unit: str, short: str | None, suffixes: list[str]) -> str | None:
    """The internal division an account name shows after its unit's name
    (宜春市教育局基础教育科 → 基础教育科), or None."""
    name = _compact(account_name)
    for stem in (unit, without_place(unit), *(re.split(r"[、,，;；/]", short) if short else ())):
        stem = _compact(stem)
        if len(stem) >= MIN_STEM and name.startswith(stem):
            tail = name[len(stem):]
            if len(tail) >= 2 and tail.endswith(tuple(suffixes)):
                return tail
    return None
