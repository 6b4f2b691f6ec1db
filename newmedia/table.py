"""Reading the spreadsheets offices keep (.xlsx via openpyxl, or CSV in UTF-8 or GB18030)
as a header plus numbered rows, and the date and number cells found in them.

Row numbers are the ones a clerk sees in Excel (the header's own row counts), so an error
"第 7 行" points at the row to fix. Ledgers often carry a title line above the header; the
header is the first of the top rows that holds at least two recognised column names.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ingest.records import CSV_DELIMITERS, LOCAL_TZ
from ingest.sources import table_text
from ingest.typed_quotes import lines_as_records
from ingest.user_errors import UserError

HEADER_SEARCH_ROWS = 10


class TableError(UserError):
    """The whole file cannot be read as a table of the expected kind."""


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    header: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells as read)
    # A CSV whose text stops with no line end after its last row: where a copy cut off
    # stops, so a last row short of cells is a part of one.
    unended: bool = False
    # A CSV holding bytes no encoding reads, shown as U+FFFD: where a copy cut a character
    # in half. A U+FFFD the file itself holds (a post quoting garbled text) is the text's.
    replaced: bool = False


def normalise_header(title) -> str:
    """'开设时间（年月日）*' -> '开设时间': no spaces, notes in brackets or stars."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", str(title or ""))
    return re.sub(r"[\s*＊:：]", "", text).lower()


def column_map(header: list, aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field -> column index for the header cells that name a known field (first one wins)."""
    lookup = {normalise_header(a): f for f, names in aliases.items() for a in (f, *names)}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        field_name = lookup.get(normalise_header(title))
        if field_name and field_name not in columns:
            columns[field_name] = index
    return columns


def read_table(path: Path, aliases: dict[str, tuple[str, ...]], enough: int = 2, short_cells: bool = False,
               shown: str | None = None, typed_dates: bool = False) -> Table:
    """The table in `path`, its header the first row naming at least `enough` known fields
    (`aliases`); TableError if none does, naming the file `shown` (a zip member's
    ZIP!FILE, not the temporary copy read), else its path. `short_cells`: a CSV whose cells
    hold no text of several lines with commas in (a roster, not a post's body), read as
    `csv_grids` says. `typed_dates`: a table typed by hand (a 台账), as `csv_grids` says."""
    name = shown or str(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise TableError(f"{name}: old .xls workbooks are not read; save it as .xlsx or CSV",
                         f"{name}：不读取旧版 .xls 工作簿；请在 Excel 或 WPS 中另存为 .xlsx 或 CSV")
    kind = "xlsx" if suffix in (".xlsx", ".xlsm") else "csv"
    text, replaced = _csv_text(path, name) if kind == "csv" else ("", False)
    if not text.strip(_BLANK_TAIL + "\r\n") and (kind == "csv" or _empty(path)):
        # Said as what it is: "no header row in the first 10 rows" sent the admin looking
        # for a header in a file saved before anything was typed in (or /dev/null).
        raise TableError(f"{name}: an empty file, nothing in it", f"{name}：是空文件，没有任何内容")
    for grid in (_xlsx_sheets(path, name) if kind == "xlsx" else _csv_readings(text, short_cells, name, typed_dates)):
        if (header := header_row(grid, aliases, enough)) is not None:
            number, cells = header
            titles = [cell_text(v) for v in cells]
            following = next((c for n, c in grid if n == number + 1), [])
            if _continues(titles, following):
                # A header two rows high: titles merged down over it, and under a parent
                # merged across (负责人) its own titles (分管领导, 主要编辑), which are the columns'.
                titles = [cell_text(below) or title for title, below in zip(titles, [*following, *[None] * len(titles)])]
                number += 1
            rows = [(n, c) for n, c in grid if n > number and any(cell_text(v) for v in c)]
            return Table(kind, titles, rows, unended=_unended(text), replaced=replaced)
    accepted = "; ".join(f"{f}: {'/'.join(names)}" for f, names in aliases.items())
    raise TableError(f"{name}: no header row with recognised columns in the first {HEADER_SEARCH_ROWS} rows "
                     f"(accepted: {accepted})",
                     f"{name}：前 {HEADER_SEARCH_ROWS} 行中没有列名可识别的表头行（可用列名见后面的英文）")


# What may follow a file's last line end without being a row: spaces, a row of empty
# cells, the NULs a crash pads a copy with.
_BLANK_TAIL = " \t\u3000\x00" + "".join(CSV_DELIMITERS)


def _unended(text: str) -> bool:
    """Whether CSV text stops with no line end after its last row: a row of no cells
    (`read_table` drops it) after the last line end leaves that row whole."""
    return bool(text) and not text.rstrip(_BLANK_TAIL).endswith(("\n", "\r"))


def whole_row(number: int, cells: list, table: Table, columns: dict[str, int]) -> None:
    """Raises ValueError for a row of `table` that is not all of a post or an account:
    bytes no encoding reads in a cell read by `columns` (a character cut in half, shown
    as �), or a row short of cells that is the file's last where the file stops with no
    line end (the copy was cut off there), or the line of a quote no quote closes (the
    copy stopped inside a post's body, or a quote typed by hand split a row). Stored,
    each would be a post nobody published or an account nobody keeps, beside the real
    one a whole copy brings."""
    read = [cell_text(cells[i]) for i in columns.values() if i < len(cells)]
    if table.replaced and (garbled := [text for text in read if "\ufffd" in text]):
        raise ValueError(f"「{garbled[0]}」中有无法识别的字节（显示为 �）：此行未导入，请核对原文件后重新导入")
    if len(cells) >= len(table.header):
        return
    if table.unended and number == table.rows[-1][0]:
        # Or a row typed by hand at the end (in Notepad, which adds no line end) without
        # its empty cells: nothing in the file tells the two apart, the admin can.
        raise ValueError(f"文件在这一行中断（只有 {len(cells)} 列，表头有 {len(table.header)} 列），像是复制时被截断："
                         "此行未导入，请重新导出后导入；若这一行本就完整（手工输入时省去了末尾的空格），"
                         "在行末按回车换行后重新导入即可")
    if isinstance(cells, TypedQuote):
        raise ValueError(f"这一行有不成对的引号（\"），只读到 {len(cells)} 列（表头有 {len(table.header)} 列）："
                         "此行未导入，请核对原文件后重新导入")


def _continues(titles: list[str], row: list) -> bool:
    """Whether `row`, right under the header, is its second row: merged cells filled it
    with some of the header's titles, in their columns (no data row repeats them)."""
    return any(title and cell_text(cell) == title for title, cell in zip(titles, row))


def header_row(grid: list[tuple[int, list]], aliases: dict[str, tuple[str, ...]], enough: int) -> tuple[int, list] | None:
    """The first of a grid's first rows naming at least `enough` known fields, if any."""
    return next(((number, cells) for number, cells in grid[:HEADER_SEARCH_ROWS]
                 if len(column_map(cells, aliases)) >= enough), None)


def csv_grids(text: str, short_cells: bool = False, typed_dates: bool = False):
    """`text`'s rows split on commas, then on semicolons, then on tabs (Excel writes
    semicolons under some locales, tabs as "Unicode text"): the header says which fits.
    A BOM opening a row is dropped: files joined into one (`copy /b a.csv+b.csv`) keep
    each part's where it began; inside a cell it is the cell's own. `short_cells`: no
    cell holds lines of text with the delimiter in them, so lines that do are rows
    two quotes typed by hand joined (`_csv_rows`). `typed_dates`: a table typed by hand
    (a 台账), whose dates each clerk writes their own way (`_dated_alike`). Raises
    csv.Error for text no reading gets through."""
    for delimiter in CSV_DELIMITERS:
        yield list(enumerate(map(_without_bom, _csv_rows(text, delimiter, short_cells, typed_dates)), start=1))


def _without_bom(row: list) -> list:
    if row and row[0].startswith("\ufeff"):
        row[0] = row[0].lstrip("\ufeff")
    return row


class TypedQuote(list):
    """A row read from a line holding a quote typed by hand (in Notepad): one that opens a
    cell no quote closes, or one of two such quotes a few lines apart that made one cell of
    every line between them. Its cells as typed, the quote kept in one of them for the
    caller to see."""


def stray_quote(value: str, typed: bool) -> bool:
    """Whether a cell of a row holds a quote typed by hand: any quote, in a row read from a
    line holding one (`typed`); else one closing a cell no quote opened (钱七,县委办"),
    which the csv module keeps as a character, as it keeps the one inside a word
    (O"Brien), but no name, unit or 群昵称 ends so."""
    return '"' in value if typed else value.endswith('"') and value.count('"') % 2 == 1


def _csv_rows(text: str, delimiter: str, short_cells: bool, typed_dates: bool = False):
    """csv.reader's rows, but for quotes typed by hand: one that opens a cell no quote
    closes swallows every line after it into that cell, and two a few lines apart every
    line between them. Each line holding such a quote is read on its own, as a
    `TypedQuote`, and the lines between or after them as rows."""
    lines = list(io.StringIO(text, newline=""))
    crlf = bool(lines) and lines[0].endswith("\r\n")  # how the file ends its rows: Excel's CRLF?
    start, closer, width = 0, None, 0  # closer: the line whose quote closed a span read line by line
    while start < len(lines):
        reader, before = csv.reader(lines[start:], delimiter=delimiter), 0
        for row in reader:
            first, end = start + before, start + reader.line_num  # the row is lines[first:end]
            # Only a row read to the end of the text may hold a quote no quote closes: the
            # last line's own, or one that swallowed the lines after it.
            left_open = end == len(lines) and _left_open(lines[first:], delimiter)
            joined = end - first > 1 and (not _continues_a_cell(lines[first:end], row, delimiter, crlf) if short_cells
                                          else _joins_rows(lines[first:end], row, delimiter, crlf, width, typed_dates))
            if left_open or joined:
                yield TypedQuote(next(csv.reader(lines[first:first + 1], delimiter=delimiter,
                                                 quoting=csv.QUOTE_NONE)))
                start, closer = first + 1, None if left_open else end - 1
                break
            yield TypedQuote(row) if first == closer else row
            before, width = reader.line_num, len(row)
        else:
            return


def _joins_rows(lines: list[str], row: list, delimiter: str, crlf: bool, width: int, typed_dates: bool) -> bool:
    """Whether the lines of a row of a table whose cells hold text of several lines (a
    post's body, commas and all) are rows two quotes typed by hand joined: every line, read
    on its own, a row as wide as the row before it (`width`), as a chat export's message
    must be (`lines_as_records`), with a date where the first has one, and no cell Excel
    wrote (`_excel_cell`). A body in the last column opens on a line as wide as a row
    whatever it holds: only the dates tell a table pasted into it (时间,地点,内容) from rows."""
    if width <= 1 or _excel_cell(lines, crlf) or _quotes_every_cell(lines[0], row, delimiter, width):
        return False
    records = lines_as_records(row, lines, delimiter, width)
    return records is not None and _dated_alike(records, typed_dates)


def _quotes_every_cell(line: str, row: list, delimiter: str, width: int) -> bool:
    """Whether the line opening `row` quotes each cell before the cell of several lines, one
    of them needing no quotes, and the row is no wider than the row before it (`width`): a
    back end quoting every cell writes every row so, and lines of that cell with no quotes
    (a table pasted into a post, dates and all) are none of its rows. (Lines two typed
    quotes joined hold no quote: one would close the cell. A row quoting its title only,
    or one a quote typed in a body left open ran on into the next row's cells, wider than
    a row, is no such writer's.)"""
    several = next((i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell), 0)
    before = row[:several]
    if not any(delimiter not in cell and '"' not in cell for cell in before) or len(row) > width:
        return False
    quoted = delimiter.join('"' + cell.replace('"', '""') + '"' for cell in before)
    return line.startswith(f'{quoted}{delimiter}"')


def _dated_alike(records: list[list[str]], typed_dates: bool) -> bool:
    """Whether each record holds a date, or nothing, in every column the first holds one;
    where the first's holds a time of day, written alike to it: a back end writes every
    row's 发布时间 so, while a table pasted into a post writes its own (2025-09-01 or
    2025/9/1 under 2025-09-01 08:00). A 台账's dates (`typed_dates`), typed by hand, are
    written any way, a time of day or not (2025-09-20 10:00 above 2025/9/21)."""
    dated = [i for i, cell in enumerate(records[0]) if _DAY.match(cell.strip())]
    alike = (lambda cell, first: bool(_DAY.match(cell))) if typed_dates else _written_alike
    return all(not record[i].strip() or alike(record[i].strip(), records[0][i].strip())
               for record in records[1:] for i in dated)


def _written_alike(cell: str, first: str) -> bool:
    """Whether `cell` is a date as `first` is, and, where `first` holds a time of day, written
    as it is: with a time too, its day's separators the same. Numbers aside (Excel leaves
    9:00 and 10:00 unpadded), and seconds, a T, a full-width colon or a zone: rows put
    together from two back ends, or a row typed in by hand, write their times so."""
    day, head = _DAY.match(cell), _DAY.match(first)
    if not day:
        return False
    return head[4] is None or (day[4] is not None and _day_separators(day) == _day_separators(head))


def _day_separators(match: re.Match) -> str:
    """The separators of the day a `_DAY` match with a time of day holds: -- of 2025-09-01, 年月日."""
    return re.sub(r"[\dT\s]", "", match.string[:match.start(4)])


def _excel_cell(lines: list[str], crlf: bool) -> bool:
    """Whether lines read as one row are a cell Excel wrote holding line breaks (Alt+Enter):
    Excel ends its rows with CRLF and a break inside a cell with LF alone, so in a file
    whose rows end in CRLF (`crlf`), lines ended by LF alone are a cell's, whatever they
    hold (a 群昵称 "城关,王伟" on a later line of the cell)."""
    return crlf and not any(line.endswith("\r\n") for line in lines[:-1])


def _continues_a_cell(lines: list[str], row: list, delimiter: str, crlf: bool) -> bool:
    """Whether the lines of a row of a table of short cells (a roster) read over several
    lines continue a cell (`_excel_cell`), rather than being rows of their own between two
    quotes typed by hand. Otherwise each line after the first, read on its own, adds to the
    row its cells but the one continued; lines that give more cells than the row has, or
    one that alone has as many, are rows (a whole row between the quotes, or the closing
    one). A line break in a name is no cell's either: its next line has the row's cells."""
    if _excel_cell(lines, crlf):
        return True
    cells = [max(1, len(next(csv.reader([line], delimiter=delimiter), []))) for line in lines]
    return cells[0] + sum(c - 1 for c in cells[1:]) <= len(row) and all(c < len(row) for c in cells[1:])


def _left_open(lines: list[str], delimiter: str) -> bool:
    """Whether the quoted cell the first of `lines` opens is still open at their end."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as e:
        return "end of data" in str(e)
    return False


def _xlsx_sheets(path: Path, name: str):
    """Each worksheet's rows in turn (the ledger is the first sheet with a known header).
    A merged cell's value fills every cell it covers, as Excel shows it: a register
    merges one unit's name down all its accounts' rows."""
    import openpyxl

    try:
        # Not read-only: merged ranges are known only to a full worksheet (registers and
        # rosters are small).
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise TableError(f"{name}: not a readable .xlsx workbook ({e.__class__.__name__})",
                         f"{name}：不是可读取的 .xlsx 工作簿（文件损坏、加密或并非 Excel 文件）") from None
    try:
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            for merged in sheet.merged_cells.ranges:
                value = sheet.cell(merged.min_row, merged.min_col).value
                for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                    row = rows[r]
                    row.extend([None] * (merged.max_col - len(row)))
                    row[merged.min_col - 1: merged.max_col] = [value] * (merged.max_col - merged.min_col + 1)
            yield list(enumerate(rows, start=1))
    finally:
        book.close()


def _csv_readings(text: str, short_cells: bool, name: str, typed_dates: bool):
    """`csv_grids` of the file's text."""
    try:
        yield from csv_grids(text, short_cells, typed_dates)
    except csv.Error as e:
        raise TableError(f"{name}: not readable as CSV ({e})", f"{name}：无法按 CSV 读取") from None


# U+FFFD as UTF-8 and as GB18030 write it: a character of the file, not a byte it lacks.
_OWN_FFFD = (b"\xef\xbf\xbd", b"\x84\x31\xa4\x37")


def _csv_text(path: Path, name: str) -> tuple[str, bool]:
    """The file's text, and whether reading it replaced bytes no encoding reads by U+FFFD."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TableError(f"{name}: {e.strerror}", f"{name}：无法读取该文件") from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(f"{name}: binary data, not a CSV or .xlsx file", f"{name}：是二进制数据，不是 CSV 或 .xlsx 文件")
    text = table_text(data).lstrip("\ufeff")
    return text, text.count("\ufffd") > sum(map(data.count, _OWN_FFFD))


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False  # reading it says why


def cell_text(value) -> str:
    """A cell as text: dates in ISO form, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Back ends write the time of day after a space, a "T" or straight after 日, sometimes with
# milliseconds (2025-03-08 10:00:00.000) or a UTC offset (2025-03-12T10:00:00+08:00).
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月?)"
                  r"(?:(?:[ T]+|(?<=日))(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d+)?)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})$")


def parse_day(value, allow_month: bool = False) -> str | None:
    """A date cell -> 'YYYY-MM-DD' ('YYYY-MM' when only the month is known and that is
    allowed); None for an empty cell; ValueError for anything else."""
    if isinstance(value, (date, datetime)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    text = cell_text(value)
    if not text:
        return None
    if serial := _excel_day(value):
        return serial.isoformat()
    match = _DAY.match(text) or _COMPACT.match(text)
    if not match or (match[3] is None and not allow_month):
        raise ValueError(f"「{text}」不是日期（应为年-月-日）")
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        return date(year, month, int(day or 1)).isoformat()[: 10 if day else 7]
    except ValueError:
        raise ValueError(f"「{text}」不是有效日期") from None


def _excel_day(value) -> date | None:
    """The day of an Excel serial number (45717 is 2025-03-01): a date cell formatted as
    常规 (General) holds it, and so does a CSV saved from one. Only from 1980 to 2080."""
    moment = _excel_moment(value)
    return moment.date() if moment else None


def _excel_moment(value) -> datetime | None:
    """`_excel_day` with the time of day its fraction holds (45921.5 is noon), to the second."""
    try:
        serial = float(value)
    except (TypeError, ValueError):
        return None
    if not 29221 <= serial < 65745 or isinstance(value, str) and not re.fullmatch(r"\d{5}(?:\.\d+)?", value.strip()):
        return None
    return datetime(1899, 12, 30) + timedelta(seconds=round(serial * 86400))


def parse_moment(value) -> str:
    """A date-time cell -> 'YYYY-MM-DDTHH:MM:SS' (local time; a bare date is midnight; a
    time with a UTC offset is converted to the archive's local time, UTC+8, whatever the
    server's own zone)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    if serial := _excel_moment(value):
        return serial.strftime("%Y-%m-%dT%H:%M:%S")
    text = cell_text(value)
    match = _DAY.match(text)
    try:
        if not match or match[3] is None:
            raise ValueError
        moment = datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4] or 0), int(match[5] or 0),
                          int(match[6] or 0))
        if match[7]:
            moment = datetime.fromisoformat(moment.isoformat() + match[7]).astimezone(LOCAL_TZ).replace(tzinfo=None)
    except ValueError:
        raise ValueError(f"「{text}」不是有效的发布时间（应为年-月-日 时:分）") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


# What back ends write for a count they do not have.
_NO_COUNT = re.compile(r"[-—–]*")


def parse_count(value) -> int | None:
    """'1,234', '1.2万', 1234.0 -> an int; '10万+' counts as 100000; empty, '-' or '--'
    (not known) -> None."""
    text = cell_text(value).replace(",", "").replace("，", "").rstrip("+").strip()
    if _NO_COUNT.fullmatch(text):
        return None
    scale = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}.get(text[-1:], 1)
    number = float(text[:-1] if scale > 1 else text)
    if number != number or number in (float("inf"), float("-inf")):  # nan, inf: no count
        raise ValueError(text)
    return int(number * scale)
