"""What the exports cannot know, recorded by admins: group details and detector settings."""
from __future__ import annotations

import difflib
import json

from detectors.base import load_config
from detectors.proof_wording import unknown_purposes
from detectors.setting_values import Problem, is_iso_day, stored_value, value_problem
from ingest import chain, roster
from ingest.changes import log_change
from ingest.writer import add_group_name, archived_group_name, names_alike
from ingest.records import stamp
from ingest.sources import os_user
from ingest.user_errors import UserError


class RegistryError(UserError):
    pass


def set_group(conn, name: str, **fields) -> dict:
    """Update the named group's registry fields (those given, not None; '' clears one);
    returns the row."""
    given = [k for k, v in fields.items() if v is not None]
    name = _group_name(conn, name)
    # An empty value clears the field: stored as NULL, like a field never set.
    fields = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in fields.items()}
    for field, option in (("temporary_until", "--temporary-until"), ("dissolved_on", "--dissolved")):
        if fields.get(field) and not is_iso_day(fields[field]):
            raise RegistryError(f"{option} must be YYYY-MM-DD, got {fields[field]!r}",
                                f"{option} 的日期应写成 年-月-日（如 2025-12-31），收到 {fields[field]!r}")
    updates = {k: (int(v) if isinstance(v, bool) else v) for k, v in fields.items() if k in given}
    before = _group(conn, name)
    with conn:
        if updates and log_change(conn, "group", before["id"], name, before, updates):
            conn.execute(f"update groups set {', '.join(f'{k} = ?' for k in updates)} where name = ?",
                         [*updates.values(), name])
            if "unit" in updates:
                # Of two namesakes on the roster, the one of the group's unit is its member.
                members = [row[0] for row in conn.execute("select id from members where group_id = ?", [before["id"]])]
                if members:
                    roster.link_members(conn, members)
    return _group(conn, name)


def _group_name(conn, name: str) -> str:
    """The archive's name of the group `name` names (`archived_group_name`); else
    RegistryError (`_unknown_group`)."""
    if (found := archived_group_name(conn, name)) is not None:
        return found
    raise _unknown_group(conn, name)


def _unknown_group(conn, name: str) -> RegistryError:
    """The error for a group name the archive does not have now: the group it was renamed
    to, if it had that name before; else the groups it may mean (typed in part, or with
    ( ) for （ ）), or failing those the names it knows."""
    renamed = conn.execute("select name from groups where exists (select 1 from json_each(other_names) where value = ?)",
                           [name]).fetchone()
    if renamed:
        return RegistryError(f"no group is named {name!r} now: it was renamed {renamed[0]!r}; give that name",
                             f"现在没有名为 {name!r} 的群：该群已改名为 {renamed[0]!r}，请用新名")
    names = [r[0] for r in conn.execute("select name from groups order by name")]
    alike = names_alike(name, names)
    if alike:
        # Suggested, never chosen: the admin confirms which group by giving its name.
        more, more_zh = ((f" {len(alike) - 5} more groups' names hold it too (`qunguan groups list` shows them all)",
                          f"另有 {len(alike) - 5} 个群的名称含有它（`qunguan groups list` 列出全部群）；")
                         if len(alike) > 5 else ("", ""))  # five read as the whole choice
        return RegistryError(f"no group named {name!r}; did you mean {' or '.join(map(repr, alike[:5]))}?{more}",
                             f"没有名为 {name!r} 的群；是否指 {' 或 '.join(map(repr, alike[:5]))}？{more_zh}请写出完整群名")
    known = ", ".join(names)
    return RegistryError(f"no group named {name!r}; known: {known or 'none yet'} (a group is known once an export "
                         "of it was ingested)",
                         f"没有名为 {name!r} 的群；已有的群：{known or '暂无'}（导入过某群的聊天导出后才有该群）")


def rename_group(conn, name: str, new_name: str) -> dict:
    """Rename a group (the chat was renamed); logged. Its chat ids, messages and flags stay
    with it."""
    new_name = new_name.strip()
    name = _group_name(conn, name)
    before = conn.execute("select id from groups where name = ?", [name]).fetchone()
    if not new_name or conn.execute("select 1 from groups where name = ? and id != ?", [new_name, before[0]]).fetchone():
        raise RegistryError(f"{new_name!r}: " + ("a name is needed" if not new_name else "another group has that name"),
                            "新群名不能为空" if not new_name else f"已有别的群名为 {new_name!r}，请换一个名称")
    former = conn.execute("select name from groups where id != ? and exists (select 1 from json_each(other_names) "
                          "where value = ?)", [before[0], new_name]).fetchone()
    if former:
        raise RegistryError(f"{new_name!r} was the name of the group {former[0]!r} before it was renamed, and exports "
                            "named so go to it; choose another name",
                            f"{new_name!r} 是群 {former[0]!r} 改名前的名称，以此命名的导出文件会归入该群；请换一个名称")
    if new_name == name:
        return _group(conn, name)
    with conn:
        log_change(conn, "group", before[0], new_name, {"name": name}, {"name": new_name})
        # The old name stays the group's too: exports named after it still find it.
        conn.execute("update groups set name = ? where id = ?", [new_name, before[0]])
        add_group_name(conn, before[0], name)
    return _group(conn, new_name)


def _group(conn, name: str) -> dict:
    cursor = conn.execute("select id, name, unit, admin, owner, temporary_until, dissolved_on, exempt, purpose "
                          "from groups where name = ?", [name])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def set_setting(conn, key: str, raw_value: str) -> None:
    """Store a JSON override for `section.name` of detectors/config.toml, or of a
    new-media check's setting (`newmedia.<name>`, as `config show` lists it)."""
    from newmedia.settings import PREFIX, set_setting as set_newmedia_setting  # it stores through this module

    if key.startswith(PREFIX):
        set_newmedia_setting(conn, key, raw_value)
        return
    section, _, name = key.partition(".")
    defaults = load_config()
    if section not in defaults or name not in defaults[section]:
        known = list(setting_defaults())
        alike = [k for k in known if k.endswith("." + key)] or difflib.get_close_matches(key, known, n=2)
        hint, hint_zh = ((f"; did you mean {' or '.join(alike)}?", f"；是否指 {' 或 '.join(alike)}？") if alike else
                         ("; `qunguan config show --all` lists them", "；全部设置项见 `qunguan config show --all`"))
        raise RegistryError(f"unknown setting {key!r}{hint}", f"没有设置项 {key!r}{hint_zh}")
    store_setting(conn, key, raw_value, defaults[section][name],
                  check=lambda value: _detectors_ignore(conn, key, value) or _detectors_fail_with(conn, section, name, value))
    recheck(conn, section)


def recheck(conn, section: str) -> None:
    """A detector's setting changed: the next `classify` reads every message again for the
    message detectors (what they find now is flagged; what they find no more is withdrawn),
    as for a new version. All of them: some read others' settings (repeated_post asks after_hours
    what a notice is). The group checks and new media keep their own account."""
    if section in ("group", "newmedia"):
        return
    with conn:
        conn.execute("delete from detector_state where detector like 'rules@%' and detector not like ?",
                     ["rules@group%"])
        # What a reading cut short found or doubted was judged with the setting before.
        conn.execute("delete from reread_doubts where detector like 'rules@%'")


def _detectors_ignore(conn, key: str, value) -> Problem | None:
    """What of this value the detectors would pass over without a word: a medium
    proof_demand.purposes_as names that its lists do not (a typo, 照骗); or a threshold
    crossing its partner's."""
    if problem := _crossed(conn, key, value):
        return problem
    if key != "proof_demand.purposes_as":
        return None
    settings = {**load_config(conn)["proof_demand"], "purposes_as": value}
    if unknown := unknown_purposes(settings):
        return Problem(f"it names {'; '.join(unknown)}, which the detector passes over (`qunguan config show --all` "
                       "lists both)", f"其中有检测器会忽略的媒体（{'；'.join(u.zh for u in unknown)}）：每个媒体须是 "
                       "proof_demand.media_words 中的词，其所用的须是 proof_demand.other_purposes 中的媒体"
                       "（`qunguan config show --all` 列出二者）")
    return None


def _crossed(conn, key: str, value) -> Problem | None:
    """Why proof_demand's model thresholds cannot take `value` for `key` (None: why those in
    force cross): it doubts a worded demand the model scores under `rules_doubted_below` and
    takes one it scores from `model_demands_from` whatever its wording. With the first above
    the second, a demand scored between them would be doubted for its wording and taken for
    its score."""
    low, high = "rules_doubted_below", "model_demands_from"
    if key not in (f"proof_demand.{low}", f"proof_demand.{high}"):
        return None
    settings = load_config(conn)["proof_demand"]
    if value is not None:  # None: the values in force
        settings = {**settings, key.partition(".")[2]: value}
    if settings[low] < settings[high]:
        return None
    return Problem(f"proof_demand.{low} ({settings[low]}) must stay below proof_demand.{high} ({settings[high]})",
                   f"proof_demand.{low}（{settings[low]}）须小于 proof_demand.{high}（{settings[high]}）：模型评分低于前者的"
                   "措辞判定被否定，达到后者的由模型判定；两者交叉时，同一条消息既被否定又被判定")


def _detectors_fail_with(conn, section: str, name: str, value) -> Problem | None:
    """Why the rule detectors would fail with this value (a pattern that does not compile,
    a working hour that is not a time), found by running them on one message in a scratch
    archive: the archive's own `classify` must never be the first to find out."""
    import copy

    from detectors.base import Message
    from detectors.groups import detect_groups
    from detectors.run import MESSAGE_DETECTORS
    from ingest.schema import open_archive

    config = copy.deepcopy(load_config(conn))
    config[section][name] = value
    scratch = open_archive(":memory:").conn
    sample = [Message(1, 1, 1, "2025-03-09T22:30:00", "text", "【通知】请各村今晚报送台账，密码：abc123，请拍照上传群里")]
    try:
        for module in MESSAGE_DETECTORS:
            module.detect(sample, config, {"conn": scratch})
        detect_groups(scratch, config)
    except Exception as e:  # whatever the detector raises is the reason to refuse
        return Problem(f"the detectors cannot run with it ({type(e).__name__}: {e})",
                       f"检测器用这个值无法运行（{type(e).__name__}: {e}）")
    finally:
        scratch.close()
    return None


def store_setting(conn, key: str, raw_value: str, default, check=None) -> None:
    """Store `raw_value` (JSON, of the default's type) under `key` in the archive's
    `settings`, with who set it and when, and log the change; `check(value)` may give a
    reason to refuse it. Every settings writer goes through here (or unset_setting)."""
    try:
        value = json.loads(raw_value)
    except ValueError:
        raise RegistryError(f"{key}: the value must be JSON (strings in double quotes), got {raw_value!r}",
                            f"{key} 的值须为 JSON 格式（文字加英文双引号，如 '[\"紧急\"]'），收到 {raw_value!r}，未保存") from None
    if problem := value_problem(key, value, default) or (check and check(value)):
        raise RegistryError(f"{key}: {problem}, got {raw_value}", value_refused_zh(key, raw_value, problem))
    stored, when, who = json.dumps(value, ensure_ascii=False), stamp(), os_user()
    with conn:
        conn.execute("insert into settings (key, value, updated_at, updated_by) values (?, ?, ?, ?) "
                     "on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at, "
                     "updated_by = excluded.updated_by", [key, stored, when, who])
        _log_setting(conn, key, stored, when, who)


def value_refused_zh(key: str, raw_value: str, problem: Problem) -> str:
    """A refused value in Chinese: which setting, what was given and exactly why."""
    return f"{key} 的值 {raw_value} 不能使用，未保存：{problem.zh}（默认值见 `qunguan config show --all`）"


def unset_setting(conn, key: str) -> None:
    """Remove this archive's override of `key`, so its default applies again; also one a
    later version no longer knows (it is ignored, and shown as such). Logged."""
    section, _, name = key.partition(".")
    default = load_config().get(section, {}).get(name)
    is_set = conn.execute("select 1 from settings where key = ?", [key]).fetchone()
    if is_set and default is not None and (problem := _crossed(conn, key, default)):
        raise RegistryError(f"{key}: back to its default {default}, {problem}",
                            f"{key} 恢复默认值 {default} 后不能使用，未删除：{problem.zh}")
    with conn:
        if not conn.execute("delete from settings where key = ?", [key]).rowcount:
            alike = [k for (k,) in conn.execute("select key from settings") if k.endswith("." + key)]
            hint, hint_zh = ((f"; did you mean {' or '.join(alike)}?", f"；是否指 {' 或 '.join(alike)}？") if alike else
                             (" (`qunguan config show` lists what is)", "（已设置的见 `qunguan config show`）"))
            raise RegistryError(f"{key!r} is not set in this archive{hint}", f"本档案没有设置 {key!r}{hint_zh}")
        _log_setting(conn, key, None, stamp(), os_user())
    recheck(conn, key.partition(".")[0])


def _log_setting(conn, key: str, value: str | None, when: str, who: str) -> None:
    chain.append(conn, "settings_log", {"key": key, "value": value, "changed_at": when, "changed_by": who})


def setting_defaults() -> dict[str, object]:
    """Every setting this version knows, `section.name` -> default: the detectors'
    (detectors/config.toml) and the new-media checks' (newmedia.<name>)."""
    from newmedia.settings import DEFAULTS, PREFIX  # newmedia.settings stores through this module

    known = {f"{section}.{name}": value for section, names in load_config().items() for name, value in names.items()}
    return known | {PREFIX + name: value for name, value in DEFAULTS.items()}


def overrides(conn) -> list[tuple[str, str, str | None, str, str]]:
    """This archive's overrides: key, value and the default it replaces (JSON; None for a
    setting this version does not know, which is ignored), set at, set by."""
    defaults = setting_defaults()
    return [(key, value, json.dumps(defaults[key], ensure_ascii=False) if key in defaults else None, at, by)
            for key, value, at, by in conn.execute("select key, value, updated_at, updated_by from settings order by key")]


def ignored_value(key: str, value: str, default: str) -> Problem | None:
    """Why the checks leave out a stored override (JSON `value`, `default` as `overrides`
    gives them) and run with its default, or None when they use it."""
    from newmedia.settings import PREFIX, problem  # newmedia.settings stores through this module

    if key.startswith(PREFIX):
        return problem(key[len(PREFIX):], stored_value(value))
    return value_problem(key, stored_value(value), json.loads(default))


def hidden_defaults(value: str, default: str) -> list[str]:
    """The entries of a default word or pattern list that an archive's list (JSON `value`,
    `default` as `overrides` gives them) leaves out. An archive that copied the list to add its
    own words does not get the entries a later version adds: its user is told, not merged
    into, as entries may have been left out on purpose."""
    stored, defaults = stored_value(value), json.loads(default)
    if not (isinstance(stored, list) and isinstance(defaults, list) and all(isinstance(d, str) for d in defaults)):
        return []
    return [entry for entry in defaults if entry not in stored]


def _hiding(key: str, hidden: list[str]) -> Problem:
    """The warning that the list `key` leaves out the default's entries `hidden`, naming
    them (up to ten), to be added by whoever wants them."""
    shown, shown_zh = ", ".join(map(repr, hidden[:10])), "".join(f"「{entry}」" for entry in hidden[:10])
    if len(hidden) > 10:
        shown, shown_zh = f"{shown} and {len(hidden) - 10} more", f"{shown_zh}等"
    problem = Problem(f"setting {key} overrides its default: {len(hidden)} entries of this version's default are not in it "
                   f"and do not apply: {shown}; add them to it, or `qunguan config unset {key}` goes back to the "
                   "default (classify says this once; `qunguan config show` says it again)",
                   f"设置 {key} 覆盖了默认值：本版默认值中有 {len(hidden)} 条不在其中，未生效：{shown_zh}；要采用，请把它们加入"
                   f"该设置，或运行 `qunguan config unset {key}` 恢复默认（classify 只提示一次；`qunguan config show` 可再查看）")
    problem.hiding = (key, hidden)
    return problem


def _newly_told(conn, key: str, hidden: list[str]) -> bool:
    """Whether some of the entries `hidden` were never told of for `key` (a new setting, a
    version adding to the default); if so they are recorded as told now."""
    row = conn.execute("select hidden from settings_told where key = ?", [key]).fetchone()
    told = json.loads(row[0]) if row else []
    if set(hidden) <= set(told):
        return False
    with conn:
        conn.execute("insert into settings_told (key, hidden, told_at) values (?, ?, ?) on conflict (key) do update "
                     "set hidden = excluded.hidden, told_at = excluded.told_at",
                     [key, json.dumps(list(dict.fromkeys(told + hidden)), ensure_ascii=False), stamp()])
    return True


def told(conn, warnings: list[str]) -> None:
    """Record the entries of a default left out that `warnings` (of `setting_warnings`)
    told of, once said (by `config set` or `show`), for `classify` not to say them again."""
    for warning in warnings:
        if hiding := getattr(warning, "hiding", None):
            _newly_told(conn, *hiding)


def setting_warnings(conn, prefix: str = "", once: bool = False) -> list[str]:
    """What the checks leave out of this archive's settings, each said with what fixes it:
    a key this version does not know (left by an older one); a detector's value it cannot
    run with (stored before `config set` refused such values), whose default applies
    (`load_config`); media proof_demand.purposes_as names that its lists do not (changed
    since, or a typo an older version let in); a word or pattern list overridden that leaves
    out entries of this version's default (`hidden_defaults`). `prefix`: of those settings only
    (`newmedia.` for `accounts check`). `once`: entries left out are said only where some
    were not said before (recorded in `settings_told`), for commands run again and again
    (`classify`); the other warnings stand until fixed."""
    warnings = []
    for key, value, default, _, _ in overrides(conn):
        if not key.startswith(prefix):
            continue
        if default is None:
            warnings.append(Problem(f"setting {key} is not one of this version and is ignored; `qunguan config unset "
                                    f"{key}` removes it",
                                    f"设置项 {key} 本版本已没有，不起作用；`qunguan config unset {key}` 可删除它"))
        elif why := ignored_value(key, value, default):
            warnings.append(Problem(f"setting {key} = {value} is ignored: {why}; its default {default} applies "
                                    f"(`qunguan config set {key} VALUE` sets one that is not ignored, `qunguan config "
                                    f"unset {key}` keeps the default)",
                                    f"设置 {key} 的值 {value} 未采用：{why.zh}；按默认值检查（默认值见后面的英文；`qunguan "
                                    f"config set {key} 值` 改为可用的值，或 `qunguan config unset {key}` 保留默认值）"))
        elif (hidden := hidden_defaults(value, default)) and (not once or _newly_told(conn, key, hidden)):
            warnings.append(_hiding(key, hidden))
    if "proof_demand".startswith(prefix) and (crossed := _crossed(conn, "proof_demand.rules_doubted_below", None)):
        # Stored by hand, or by a version before `config set` compared the two.
        warnings.append(Problem(f"{crossed}: a demand scored between them is doubted for its wording and taken for its "
                                "score; `qunguan config set` one of them so that it is",
                                f"{crossed.zh}；请用 `qunguan config set` 调整其中之一"))
    unknown = unknown_purposes(load_config(conn)["proof_demand"]) if "proof_demand".startswith(prefix) else []
    if unknown:
        warnings.append(Problem(f"setting proof_demand.purposes_as names {'; '.join(unknown)}: ignored; `qunguan config "
                                "set proof_demand.purposes_as VALUE` naming media those lists hold fixes it",
                                f"设置 proof_demand.purposes_as 中有检测器忽略的媒体（{'；'.join(u.zh for u in unknown)}）；用 `qunguan "
                                "config set proof_demand.purposes_as 值` 改为那两个列表中有的媒体即可"))
    return warnings
