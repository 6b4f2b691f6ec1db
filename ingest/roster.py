"""The real-name roster (`people`) and how exported senders are linked to it.

A sender is linked by identifier first (wxid, WeCom userid), then by exact display
name (one of the person's 群昵称, then the roster name), and only to a single person.
Unmatched and ambiguous senders stay in `members` with no person, visible to the
real-name check.
"""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from detectors.setting_values import Problem
from ingest.changes import log_change
from ingest.user_errors import UserError
from newmedia.table import TableError, TypedQuote, cell_text, column_map, csv_grids, header_row, read_table, stray_quote

# Accepted headers, English or Chinese, for each roster field.
HEADERS = {
    "name": ("name", "姓名", "名字"),
    "unit": ("unit", "单位", "工作单位", "所在单位", "单位名称", "部门", "所在部门"),
    "position": ("position", "职务", "岗位", "职位", "职务职级", "职级"),
    "wxid": ("wxid", "微信号", "微信id", "微信ID", "微信账号", "wechat id"),
    "wecom_userid": ("wecom_userid", "userid", "企业微信账号", "企业微信userid", "企业微信号"),
    "display_names": ("display_names", "群昵称", "显示名", "昵称", "群内昵称", "群名片", "微信昵称"),
}
# Each field's Chinese heading, as a roster's lines name the columns read.
HEADINGS_ZH = [next(n for n in names if not n.isascii()) for names in HEADERS.values()]
ROSTER_ENOUGH = 1  # known columns a header row needs: a list of names alone is a roster too
# A number Excel shows, and saves into a CSV, in scientific notation: a 微信号 that is a
# mobile number (13912345678) comes out as 1.39123E+10, its digits lost.
EXCEL_ROUNDED = re.compile(r"\d(?:\.\d+)?E\+\d+", re.I)

# Clerks separate several 群昵称 with any of these, or put each on a line of its own in
# the cell (Alt+Enter). "/" and "," are not split on: one 群昵称 often holds them
# ("城关镇/王伟"), so such names are only warned about.
DISPLAY_NAME_SEPARATORS = re.compile(r"[;；、，\r\n]")
LIST_LIKE = re.compile(r"[/,／|｜]")
# A Chinese name written with spaces inside: rosters pad two-character names to line up
# with three (王　伟), and some members type their 群昵称 so (李 明). No such name has a space.
_PADDED_NAME = re.compile(r"[\u4e00-\u9fff·]+(?:\s+[\u4e00-\u9fff·]+)+")


def bare_name(name: str) -> str:
    """A Chinese name without the spaces padding it (王　伟 -> 王伟); any other as it is."""
    name = name.strip()
    return re.sub(r"\s+", "", name) if _PADDED_NAME.fullmatch(name) else name


def _compare_bare_names(conn) -> None:
    """Lets SQL compare names as `bare_name(name)`: names stored padded by an earlier
    version (王　伟) are the same names."""
    conn.create_function("bare_name", 1, bare_name, deterministic=True)


@dataclass
class Links:
    linked: int = 0
    ambiguous: list[str] = field(default_factory=list)  # "display name (group)" of each sender


@dataclass
class RosterResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    links: Links = field(default_factory=Links)
    errors: list[Problem] = field(default_factory=list)
    # "name (unit)" of the people on the roster of a unit the file lists whom it does not list.
    absent: list[str] = field(default_factory=list)


# What to do about a row a copy cut off (the file stops in it).
_CUT_ADVICE = Problem("copy the roster again, or finish the row and import again",
                      "请重新复制花名册，或把这一行补完整后重新导入")
# A unit typed short of another's (县委 beside 县委办) in a last row Notepad left without a
# line end reads like a cut: the clerk keeps it so.
_IF_WHOLE = Problem(" (if the row is whole as typed, end it with a line break and import again)",
                    "（如果这一行本来就是完整的，请在行末加一个换行后重新导入）")

# Why ingest passes a roster over, and how to load it (a file in a zip by ZIP!FILE).
SKIPPED = Problem("a real-name roster: load it with `qunguan roster import FILE`, FILE as named on this line",
                  "这是实名花名册：请用 `qunguan roster import FILE` 导入，FILE 写本行中显示的文件名")


def _about(where: str, english: str, zh: str) -> Problem:
    """A line about the roster's row (or file) at `where`, said in both languages."""
    return Problem(f"{where}: {english}", f"{where}：{zh}")


def is_roster(head: str) -> bool:
    """Whether a text file's head is a roster `read_roster` would read (its header found the
    same way, with a name column): an export folder often has one beside the chats, and
    `ingest` passes over a file no chat format claims when it is one."""
    try:
        headers = (header_row(grid, HEADERS, ROSTER_ENOUGH) for grid in csv_grids(head.lstrip("\ufeff"), short_cells=True))
        header = next((h for h in headers if h is not None), None)
    except csv.Error:  # a head cut inside a quoted cell
        return False
    return _names_people(header)


def is_roster_sheet(rows: list[tuple[int, list]]) -> bool:
    """`is_roster` for a workbook's first sheet, given its first rows (number, cells)."""
    return _names_people(header_row(rows, HEADERS, ROSTER_ENOUGH))


def _names_people(header: tuple[int, list] | None) -> bool:
    return header is not None and "name" in column_map(header[1], HEADERS)


def read_roster(path: Path, shown: str | None = None, archived: dict[str, set[str]] | None = None
                ) -> tuple[list[dict], list[Problem]]:
    """Rows of a roster (.xlsx, or CSV in UTF-8, GB18030 or UTF-16) as dicts of known fields
    plus `row` ("file:line", for messages), and one line per row skipped or doubtful. A row
    repeating an earlier one's name and unit, wxid or WeCom userid is skipped: the first is
    kept. Headers are matched as the new-media registries match theirs (title rows above,
    notes in brackets, stars); a file with no such header or no name column raises TableError.
    Messages name the file as `shown` (a zip member's ZIP!FILE), else its path. `archived`:
    the units and positions the archive's roster holds (`archived_values`), whole values."""
    shown = shown or str(path)
    table = _roster_table(path, shown)
    columns = column_map(table.header, HEADERS)
    if "name" not in columns:
        raise TableError(f"{shown}: no name column (accepted: {', '.join(HEADERS['name'])}); "
                         f"header is {table.header!r}",
                         f"{shown}：没有姓名列（可用列名：{'、'.join(HEADERS['name'])}）；表头为 {table.header!r}")
    people, errors, seen = [], [], {}
    if unread := [title for i, title in enumerate(map(cell_text, table.header))
                  if title and title != "序号" and i not in columns.values()]:
        # A column under a heading not listed above would be dropped without a word: a unit
        # lost makes the person another one at the next import. (序号 only numbers the rows.)
        errors.append(_about(shown, f"columns not read: {', '.join(unread)} (qunguan reads {', '.join(HEADINGS_ZH)}; "
                             "give a column that holds one of these that heading)",
                             f"这些列没有读取：{'、'.join(unread)}（群管读取的列为 {'、'.join(HEADINGS_ZH)}；"
                             "存有其中某项的列，请把列名改成对应的名称）"))
    header = table.header
    for line, row in table.rows:
        if "name" in (heading := column_map(row, HEADERS)) and len(heading) >= min(len(columns), 2):
            # The header again: rosters joined into one file, each part under its own
            # header, its columns maybe in another order. It names the columns under it.
            # One cell alone is a person's: a 群昵称 or note that reads 名字.
            header, columns = [cell_text(title) for title in row], heading
            continue
        person = {f: (cell_text(row[i]) if i < len(row) else "") for f, i in columns.items()}
        where = f"{shown}:{line}"
        garbled = {f: f"{header[columns[f]]} {v!r}" for f, v in person.items() if "\ufffd" in v}
        last = table.unended and line == table.rows[-1][0]
        cut_in_character = last and cell_text(row[-1]).endswith("\ufffd")
        if who := [said for f, said in garbled.items() if f in ("name", "unit")]:
            # Bytes neither UTF-8 nor GB18030 (a character cut by hand): a name or unit read
            # so would be a person nobody is, and stay one at every later import.
            errors.append(_about(where, f"unreadable characters (shown as �) in {', '.join(who)}; " + (
                f"the file stops there, inside a character: cut off when copied; row skipped: {_CUT_ADVICE}"
                if cut_in_character else "row skipped: retype those cells and import the roster again"),
                f"{'、'.join(who)} 中有无法识别的字符（显示为 �）；" + (
                f"文件停在一个字的中间：复制时被截断了；这一行未导入：{_CUT_ADVICE.zh}"
                if cut_in_character else "这一行未导入：请重新输入这些单元格，再导入花名册")))
            continue
        cut_said = False
        for f, said in garbled.items():
            # Elsewhere (a 群昵称, a 职务) it costs the cell: the person is real.
            cut_here = cut_in_character and columns[f] == len(row) - 1
            cut_said = cut_said or cut_here
            errors.append(_about(where, f"unreadable characters (shown as �) in {said}; left out, the person kept: " + (
                f"the file stops there, inside a character: cut off when copied: {_CUT_ADVICE}" if cut_here
                else "retype it and import the roster again"),
                f"{said} 中有无法识别的字符（显示为 �）；这一项未读取，人员保留：" + (
                f"文件停在一个字的中间，复制时被截断了：{_CUT_ADVICE.zh}" if cut_here
                else "请重新输入后再导入花名册")))
            person[f] = ""
        for column in ("wxid", "wecom_userid"):
            if EXCEL_ROUNDED.fullmatch(person.get(column, "")):
                errors.append(_about(where, f"{column} {person[column]!r} was rounded by Excel, its digits lost; "
                                     "the person is kept without it (format the column as text and save again)",
                                     f"{column} {person[column]!r} 被 Excel 按科学计数法改写，数字已丢失；人员保留，"
                                     "但不含此项（请把该列设为文本格式后重新保存）"))
                person[column] = ""
        if not person["name"]:
            errors.append(_about(where, "empty name", "姓名为空，这一行未导入"))
            continue
        if typed := _typed_quote(row, person, header):
            errors.append(_about(where, f"{typed} and import the roster again", f"{typed.zh}，再重新导入花名册"))
            continue
        if stray_quote(nicknames := person.get("display_names", ""), isinstance(row, TypedQuote)):
            # A 群昵称 holding it would match no sender; unlike a name or unit it makes no
            # person nobody is, so the row is kept and the quote left out.
            person["display_names"] = nicknames.strip('"')
            errors.append(_about(where, f'a quote (") typed by hand in {nicknames!r} left out: read as '
                                 f'{person["display_names"]!r}; remove it from the file',
                                 f'{nicknames!r} 中手工输入的引号（"）已去掉，按 {person["display_names"]!r} 读取；'
                                 "请从文件中删去这个引号"))
        # A cut inside a character of a cell read is said above: the cell it left out is no empty one.
        if last and not cut_said and (cut := _cut_off(person, row, header, columns, people, archived or {})):
            field_cut, said = cut
            if field_cut == "unit":
                errors.append(_about(where, f"{said}; row skipped: {_CUT_ADVICE}{_IF_WHOLE}",
                                     f"{said.zh}；这一行未导入：{_CUT_ADVICE.zh}{_IF_WHOLE.zh}"))
                continue
            if field_cut:
                person[field_cut] = ""
                said = Problem(f"{said}; left out, the person kept: {_CUT_ADVICE}{_IF_WHOLE}",
                               f"{said.zh}；这一项未读取，人员保留：{_CUT_ADVICE.zh}{_IF_WHOLE.zh}")
            errors.append(_about(where, said, said.zh))
        person["name"] = bare_name(person["name"])
        repeated = [(what, seen[key]) for what, key in _row_keys(person) if key in seen]
        if repeated:
            errors.append(_about(where, f"same {', '.join(f'{what} as line {line}' for what, line in repeated)}; "
                                 "the first is kept",
                                 f"{'、'.join(f'{_SAME_ZH[what]}与第 {line} 行相同' for what, line in repeated)}；"
                                 "保留前一行，这一行未导入"))
            continue
        seen.update((key, line) for _, key in _row_keys(person))
        person["row"] = where
        person["display_names"] = [n.strip() for n in DISPLAY_NAME_SEPARATORS.split(person.get("display_names", ""))
                                   if n.strip()]
        errors += [_about(where, f"display name {n!r} looks like several; separate them with ；",
                          f"群昵称 {n!r} 像是几个昵称写在一起；多个昵称请用 ； 隔开")
                   for n in person["display_names"] if LIST_LIKE.search(n)]
        # A note typed in a column with no heading (已调走, 退休) would go unread: the
        # person stays on the roster as if the clerk had written nothing. A number is
        # none: Excel's row numbers (序号) often have no heading of their own.
        errors += [_about(where, f"{note!r}, in a column with no heading, is not read (a person who left is taken off "
                          "with `qunguan roster remove`)",
                          f"{note!r} 写在没有列名的列中，没有读取（调离的人请用 `qunguan roster remove` 移出花名册）")
                   for i, note in enumerate(map(cell_text, row))
                   if note and not note.strip().isdigit() and (i >= len(header) or not header[i])]
        people.append(person)
    return people, errors


def _roster_table(path: Path, shown: str):
    """The table `read_roster` reads; a file that is plainly no table (JSON, a chat export)
    is refused saying what a roster is and what the file is instead: "no header row" sent
    the admin looking for a header in a file that could never have one."""
    try:
        return read_table(path, HEADERS, ROSTER_ENOUGH, short_cells=True, shown=shown)
    except TableError:
        if (what := _what_instead(path, shown)) is None:
            raise
    raise TableError(f"{shown}: not a roster: a roster is a CSV (or .xlsx) table with a header row naming its columns "
                     f"({', '.join(HEADERS)}; or {', '.join(HEADINGS_ZH)} …); this file is {what}",
                     f"{shown} 不是花名册：花名册应是 CSV（或 .xlsx）表格，第一行是表头，写明各列（{'、'.join(HEADINGS_ZH)} "
                     f"等）；而这个文件是{what.zh}")


def _what_instead(path: Path, shown: str) -> Problem | None:
    """What a file read as a roster is when it is JSON or a chat export, else None (a
    table without the header, said as such)."""
    from ingest.formats import detect  # which imports this module
    from ingest.records import FormatError, Skipped, first_line
    from ingest.sources import SNIFF_BYTES, detect_encoding

    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return None
    with open(path, "rb") as file:
        head_bytes = file.read(SNIFF_BYTES)
    head = head_bytes.decode(detect_encoding(head_bytes), errors="replace")
    try:
        fmt = detect(head, head_bytes, Path(shown).name)
        return Problem(f"a chat export ({fmt.NAME}): ingest it with `qunguan ingest FILE`",
                       f"聊天导出（{fmt.NAME}）：请用 `qunguan ingest FILE` 导入")
    except (FormatError, Skipped):
        pass
    if head.lstrip("\ufeff \r\n\t")[:1] in ("{", "["):
        first = first_line(head)[:60]
        return Problem(f"JSON (first line: {first!r})", f" JSON（第一行：{first!r}）")
    return None


def _typed_quote(row: list, person: dict, header: list[str]) -> Problem | None:
    """What a quote typed by hand (in Notepad) did to a row, if it did: a name or unit
    holding it would be a person or unit nobody is. (A quote Excel wrote inside a cell,
    县"放管服"办, is the cell's own.)"""
    typed = isinstance(row, TypedQuote)
    if stray := next((v for f, v in person.items() if f in ("name", "unit") and stray_quote(v, typed)), None):
        return Problem(f'a quote (") typed by hand in {stray!r}; row skipped: remove it',
                       f'{stray!r} 中有手工输入的引号（"），这一行未导入：请删去引号')
    if typed:
        return None
    # Two such quotes on lines next to each other, the first after a row's first cell, the
    # second in the next line's first, read as an Excel cell holding a line break (the
    # table cannot tell them apart); but Excel writes every row as wide as the header.
    cells = [cell_text(cell) for cell in row]
    joined = next((cell for cell in cells if "\n" in cell or "\r" in cell), None)
    if joined and any(cells[len(header):]):
        return Problem(f'quotes (") typed by hand made one cell of two lines, {joined!r}, in a row wider than the '
                       "header; row skipped: remove them",
                       f'手工输入的引号（"）把两行并成了一个单元格 {joined!r}，这一行比表头宽；这一行未导入：请删去这些引号')
    return None


# Columns whose values repeat down a roster: one cut short is the start of another row's.
_REPEATING = ("unit", "position")


def archived_values(conn) -> dict[str, set[str]]:
    """The units and positions of the people the archive's roster holds, and the units its
    groups are set to: values read or typed whole, for `read_roster` to tell from a cut."""
    values = {field: {value for (value,) in conn.execute(f"select distinct {field} from people where {field} != ''")}
              for field in _REPEATING}
    values["unit"] |= {unit for (unit,) in conn.execute("select distinct unit from groups where unit != ''")}
    return values


def _cut_off(person: dict, row: list, header: list[str], columns: dict[str, int],
             earlier: list[dict], archived: dict[str, set[str]]) -> tuple[str | None, Problem] | None:
    """For the last row of a file that stops without a line end, where a copy cut off
    stops: (the field cut, what to say) when its last cell is the start of the same
    column's value on an earlier row (城关镇政 of 城关镇政府) and no row's whole value, nor
    one the archive's roster holds (`archived`: an earlier import of the file, its row ended);
    (None, what to say) when the row is short of the header's cells or its last cell is
    empty, which a cut leaves but so does a row typed in Notepad without its empty cells:
    the person is kept. None when nothing tells a cut (a cut between two characters of
    a value no other row has)."""
    last = len(row) - 1
    field_cut = next((f for f, i in columns.items() if i == last), None)
    value = person.get(field_cut, "") if field_cut else cell_text(row[last])
    if field_cut in _REPEATING and value:
        # Where each whole value was read: a row of this file, else the archive (a roster
        # imported before, a group's unit); the file's own rows are named first.
        known = dict.fromkeys(sorted(archived.get(field_cut, ())), Problem("in the archive", "档案中"))
        known |= {p[field_cut]: Problem(f"line {line}", f"第 {line} 行")
                  for p in earlier if p.get(field_cut) and (line := p['row'].rpartition(':')[2])}
        if value not in known and (longer := next((k for k in reversed(known) if k.startswith(value)), None)):
            return field_cut, Problem(f"the file stops in this row with no line end, and its {header[last]} {value!r} "
                                      f"is the start of {longer!r} ({known[longer]}): cut off when copied",
                                      f"文件停在这一行、行末没有换行，其中{header[last]} {value!r} 是 {longer!r}"
                                      f"（{known[longer].zh}）的开头：复制时被截断了")
        if value not in known and field_cut == "unit":
            # A cut between two characters of a unit no row and no archive has whole: only
            # the missing line end tells it, and a roster typed in Notepad lacks one too.
            return None, Problem(f"the file stops in this row with no line end, and its {header[last]} {value!r} is on "
                                 "no other row nor in the archive: if the copy was cut off there, it is cut; the person "
                                 "is kept: check the unit (end the row with a line break if it is whole)",
                                 f"文件停在这一行、行末没有换行，其中{header[last]} {value!r} 在别的行和档案中都没有："
                                 "如果复制时在这里被截断，它就不完整；人员已保留：请核对单位（单位完整的，请在行末加换行）")
    if len(row) < len(header) or not value:
        shape, shape_zh = ((f"the row has {len(row)} of the header's {len(header)} cells",
                            f"这一行只有 {len(row)} 个单元格，表头有 {len(header)} 个") if value
                           else ("its last cell is empty", "最后一个单元格是空的"))
        return None, Problem(f"the file stops in this row with no line end, and {shape}: if the copy was cut off "
                             f"there, {value!r} may be cut; the person is kept: check the row (one typed in Notepad "
                             "without its empty cells is whole)",
                             f"文件停在这一行、行末没有换行，并且{shape_zh}：如果复制时在这里被截断，{value!r} 可能不完整；"
                             "人员已保留：请核对这一行（用记事本输入、省略了空单元格的行是完整的）")
    return None


_SAME_ZH = {"name and unit": "姓名和单位", "wxid": "微信号", "wecom_userid": "企业微信账号"}


def _row_keys(person: dict) -> list[tuple[str, tuple]]:
    """What makes two rows of one file the same person."""
    keys = [("name and unit", ("name", person["name"], person.get("unit", "")))]
    return keys + [(column, (column, person[column].lower())) for column in ("wxid", "wecom_userid")
                   if person.get(column)]


def import_roster(conn, people: list[dict]) -> RosterResult:
    """Upsert people in one transaction, then relink every member.

    A row whose wxid or WeCom userid is already on the roster updates that person, so a
    corrected unit or name changes the person the senders are linked to; rows without a
    known identifier are matched on (name, unit). Identifiers compare ignoring case."""
    result, listed = RosterResult(), set()
    with conn:
        for p in people:
            values = [p["name"], p.get("unit", ""), p.get("position") or None, p.get("wxid") or None,
                      p.get("wecom_userid") or None, json.dumps(p["display_names"], ensure_ascii=False)]
            existing = _known_person(conn, p)
            if existing is None:
                added = conn.execute("insert into people (name, unit, position, wxid, wecom_userid, display_names) "
                                     "values (?, ?, ?, ?, ?, ?)", values).lastrowid
                log_change(conn, "person", added, p["name"], None, _person(conn, added))
                result.added += 1
                listed.add(added)
                continue
            listed.add(existing)
            try:
                before = _person(conn, existing)
                # An empty cell (or a roster without that column) does not erase what is
                # known: a list of positions must not unlink every sender found by wxid.
                conn.execute("update people set name = ?, unit = coalesce(nullif(?, ''), unit), "
                             "position = coalesce(?, position), "
                             "wxid = coalesce(?, wxid), wecom_userid = coalesce(?, wecom_userid), "
                             "display_names = case when ? = '[]' then display_names else ? end, "
                             "left_on = null where id = ?",  # on the roster again
                             values[:5] + [values[5], values[5], existing])
                if log_change(conn, "person", existing, p["name"], before, _person(conn, existing)):
                    result.updated += 1
                else:
                    result.unchanged += 1  # the same roster again: nothing to say was updated
            except sqlite3.IntegrityError:
                # Its identifier says one person, its name and unit another: a clerk must decide.
                result.errors.append(_about(p["row"], f"{p['name']} ({p.get('unit', '')}) is another person on the "
                                            "roster than the one with this wxid or WeCom userid; row not applied",
                                            f"花名册上的 {p['name']}（{p.get('unit', '')}）与这个微信号或企业微信账号"
                                            "对应的不是同一个人；这一行未应用"))
        result.links = link_members(conn)
        # A roster may list one unit only, so nobody is taken off for not being in it; but a
        # clerk who struck out a person who left expects them gone: say who is still there.
        result.absent = [f"{name} ({unit})" for name, unit in conn.execute(
            "select name, unit from people where left_on is null and unit in (select value from json_each(?)) "
            "and id not in (select value from json_each(?)) order by unit, name",
            [json.dumps(sorted({p.get("unit") for p in people} - {None, ""})), json.dumps(sorted(listed))])]
    return result


def _person(conn, person_id: int) -> dict:
    cursor = conn.execute("select name, unit, position, wxid, wecom_userid, display_names, left_on from people where id = ?",
                          [person_id])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def _known_person(conn, p: dict) -> int | None:
    """The person a row is about: the one holding its wxid or userid, else its (name, unit)."""
    for column in ("wxid", "wecom_userid"):
        if p.get(column):
            row = conn.execute(f"select id from people where lower({column}) = lower(?)", [p[column]]).fetchone()
            if row:
                return row[0]
    _compare_bare_names(conn)
    if p.get("unit"):
        row = conn.execute("select id from people where bare_name(name) = ? and unit = ?", [p["name"], p["unit"]]).fetchone()
        return row[0] if row else None
    # A list without units (names and positions) is about the people of those names, when
    # each name is one person's; a name two people share is a new person of its own.
    rows = conn.execute("select id from people where bare_name(name) = ?", [p["name"]]).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def link_members(conn, member_ids: list[int] | None = None) -> Links:
    """Link members (all, or those given) to roster people, replacing earlier links.

    A sender goes to the one person holding its wxid or WeCom userid (ignoring case), else
    the one person listing its display name as a 群昵称, else the one person of that name.
    Where several people fit, the sender is left unlinked and reported as ambiguous: a
    guess between two 王伟 would put one man's messages on another's record."""
    by_id, by_display_name, by_name = _people_indexes(conn)
    units = dict(conn.execute("select id, unit from people"))
    left = {row[0] for row in conn.execute("select id from people where left_on is not null")}
    # A group's members are linked together: two accounts of one name (below) are judged
    # on all of them, whichever export brought each.
    where = "" if member_ids is None else ("where m.group_id in (select group_id from members "
                                           "where id in (select value from json_each(?)))")
    params = [] if member_ids is None else [json.dumps(member_ids)]
    members = conn.execute("select m.id, m.group_id, m.sender_id, m.display_name, m.other_names, g.name, g.unit, "
                           f"m.person_id, m.left_link from members m join groups g on g.id = m.group_id {where}",
                           params).fetchall()
    chosen, result = {}, Links()
    for member_id, group_id, sender_id, display_name, other_names, group, group_unit, was, left_link in members:
        shown = (display_name or "").strip()
        candidates, by_name_only = by_id.get((sender_id or "").lower()), False
        if not candidates:
            # The 群昵称 it goes by now, else one it was exported under before (one export
            # gives the group nickname, another the account's); else its name, now.
            candidates = next(filter(None, (by_display_name.get(name.strip())
                                            for name in [shown, *json.loads(other_names)])), None)
        if not candidates:
            candidates, by_name_only = by_name.get(bare_name(shown)) or _by_name_and_unit(shown, by_name, units), True
            if (was or left_link) in left and not candidates & {was, left_link}:
                # Linked to someone who has left: a namesake who stays is not them.
                candidates = set()
        if len(candidates) > 1 and group_unit:
            # Two 张伟 on the roster: the one of the group's own unit, if only one is.
            candidates = {c for c in candidates if units[c] == group_unit} or candidates
        if len(candidates) > 1:
            result.ambiguous.append(f"{display_name or sender_id} ({group})")
        chosen[member_id] = (next(iter(candidates)) if len(candidates) == 1 else None, group_id, sender_id,
                             by_name_only)
    _two_accounts_one_name(chosen, result)
    links = [(person, member_id) for member_id, (person, *_) in chosen.items()]
    result.linked = sum(person is not None for person, _ in links)
    conn.executemany("update members set person_id = ? where id = ?", links)
    return result


def person_finder(conn):
    """A function (sender id, display name) -> the one roster person they are, by wxid or
    userid, then 群昵称, then name; None when none or several fit. For a sender not archived
    yet (so not linked yet)."""
    by_id, by_display_name, by_name = _people_indexes(conn)

    def find(sender_id: str | None, name: str | None) -> int | None:
        shown = (name or "").strip()
        # A sender with an id is told by it or by a 群昵称 the roster lists, not by a name
        # a namesake with another account may share.
        found = (by_id.get((sender_id or "").lower()) or by_display_name.get(shown)
                 or (set() if sender_id else by_name.get(bare_name(shown), set())))
        return next(iter(found)) if len(found) == 1 else None

    return find


def _two_accounts_one_name(chosen: dict, result: Links) -> None:
    """Unlink, as ambiguous, the senders linked only by their name to a person another
    account (another wxid) of the same group is linked to: two accounts are two people,
    and the name cannot say which one is on the roster. (Linked by wxid or by a 群昵称 the
    roster lists, each account is known; a sender with no id, named by one export, is the
    same person keyed otherwise by another.)"""
    accounts = defaultdict(set)  # (group, person) -> sender ids linked to them
    for person, group_id, sender_id, _ in chosen.values():
        if person is not None and sender_id:
            accounts[(group_id, person)].add(sender_id)
    for member_id, (person, group_id, sender_id, by_name_only) in chosen.items():
        if person is not None and by_name_only and sender_id and len(accounts[(group_id, person)]) > 1:
            chosen[member_id] = (None, group_id, sender_id, by_name_only)
            result.ambiguous.append(f"{sender_id} (group #{group_id})")


# What sets a name apart from its unit in a display name written as 第六条 asks:
# 县应急局-周敏, 黄小华（城关镇）, 马静@城关镇, 周敏 县应急局.
_NAME_PARTS = re.compile(r"[\s\-—–_－·•@＠/|｜()（）\[\]【】<>《》,，、:：]+")
# A part that is only a division within a unit (办公室, 综合股), a post (科员, 局长, 网格员)
# or a phone number: no other unit named in it (城关镇网格员 names one).
_ROLE = re.compile(r"(?:[\u4e00-\u9fff]{0,3}(?:科|股|室|组|处)|[\u4e00-\u9fff]{0,2}(?:员|长|主任|书记|干部|老师|医生|秘书|会计|司机)"
                   r"|\+?\d[\d-]{4,})")


def _abbreviates(part: str, unit: str) -> bool:
    """Whether `part` is the unit or a short form of it, its characters in order within
    the unit's (县应急局 for 宜丰县应急管理局), or the unit within it."""
    if unit in part:
        return True
    rest = iter(unit)
    return len(part) >= 2 and all(ch in rest for ch in part)


class RosterError(UserError):
    pass


def remove_person(conn, name: str, unit: str | None, day: str) -> Links:
    """Record that the person of that name (and unit) left on `day`: kept with the date,
    logged, and every sender unlinked from them; a roster import that lists them again
    puts them back. Returns the relinking's result."""
    _compare_bare_names(conn)
    # Stored as read from the roster's cells, without spaces around them.
    name, unit = bare_name(name), unit.strip() if unit is not None else None
    where, params = ("bare_name(name) = ? and unit = ?", [name, unit]) if unit is not None else ("bare_name(name) = ?", [name])
    found = conn.execute(f"select id, unit from people where {where} and left_on is null", params).fetchall()
    if len(found) != 1:
        namesakes = conn.execute("select unit, left_on from people where bare_name(name) = ? order by unit", [name]).fetchall()
        gone = [(u or "no unit", u or "无单位", on) for u, on in namesakes if on and (unit is None or u == unit)]
        staying = [u or "no unit" for u, on in namesakes if not on]
        staying_zh = "；".join(u or "无单位" for u, on in namesakes if not on)
        who = f"{name}{f' ({unit})' if unit is not None else ''}"
        raise RosterError(f"{who}: " + (
            f"several people, give --unit: {'; '.join(staying)}" if found else
            f"already left: {', '.join(f'{u} (left {on})' for u, _, on in gone)}" if gone else
            "no such person on the roster" + (f"; {name} is on it with --unit {'; '.join(staying)}" if staying else "")),
            f"{who}：" + (
            f"花名册上有多人同名，请加 --unit 指明单位：{staying_zh}" if found else
            f"已调离：{'，'.join(f'{u}（{on} 调离）' for _, u, on in gone)}" if gone else
            "花名册上没有此人" + (f"；花名册上的{name}在 {staying_zh}，请用 --unit 指明" if staying else "")))
    with conn:
        log_change(conn, "person", found[0][0], name, {"left_on": None}, {"left_on": day})
        conn.execute("update people set left_on = ? where id = ?", [day, found[0][0]])
        # Remembered on their senders: a namesake who stays is never linked to them by name.
        conn.execute("update members set left_link = ? where person_id = ?", [found[0][0], found[0][0]])
        return link_members(conn)


def _by_name_and_unit(display_name: str, by_name: dict[str, set[int]], units: dict[int, str]) -> set[int]:
    """The roster people a display name made of a name and a unit names: a part that is a
    person's name, and another that is (part of) that person's unit, or no other person
    of that name on the roster."""
    parts = [part for part in _NAME_PARTS.split(display_name) if part]
    if len(parts) < 2:
        return set()
    for part in parts:
        named = by_name.get(part, set())
        rest = [other for other in parts if other != part]
        of_unit = {p for p in named if units[p] and any(_abbreviates(other, units[p]) for other in rest)}
        # The only person of the name, when the rest says only their division or post
        # (李四（办公室）, 周敏-科员): any other word may name another unit (城关-周敏).
        if of_unit or len(named) == 1 and all(_ROLE.fullmatch(other) for other in rest):
            return of_unit or named
    return set()


def _people_indexes(conn) -> tuple[dict[str, set[int]], ...]:
    """Ids of the people on the roster (not those who left) by lower-cased identifier, by
    群昵称 and by name."""
    by_id, by_display_name, by_name = defaultdict(set), defaultdict(set), defaultdict(set)
    for person_id, name, wxid, userid, display_names in conn.execute(
            "select id, name, wxid, wecom_userid, display_names from people where left_on is null"):
        for identifier in filter(None, (wxid, userid)):
            by_id[identifier.lower()].add(person_id)
        for display_name in json.loads(display_names):
            by_display_name[display_name].add(person_id)
        by_name[bare_name(name)].add(person_id)
    return by_id, by_display_name, by_name
