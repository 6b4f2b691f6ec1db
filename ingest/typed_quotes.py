"""Two quotes typed by hand (in Notepad) a few lines apart in a CSV make one cell of every
line between them: the test, shared by chat exports and office tables, of whether the
lines of a record read over several lines are records of their own."""
from __future__ import annotations

import csv
import re


def lines_as_records(row: list[str], lines: list[str], delimiter: str, width: int) -> list[list[str]] | None:
    """The records `lines` hold when a typed quote on the first and another a few lines down
    made them the one record `row`: the first line's (the cells before the quote, and those
    its line holds after it) and each later line's, read on its own. None unless every one
    is `width` cells wide: a cell's own lines (a post's paragraphs, a pasted table) are no
    records, and splitting one into false ones is worse than leaving records in one cell."""
    later = []
    for line in lines[1:]:
        if line.count(delimiter) < width - 1:  # cheap test first: most lines of a cell are text
            return None
        try:
            later.append(next(csv.reader([line], strict=True, delimiter=delimiter), []))
        except csv.Error:
            return None
    records = [_opening_record(row, delimiter, width), *later]
    return records if all(record is not None and len(record) == width for record in records) else None


def _opening_record(row: list[str], delimiter: str, width: int) -> list[str] | None:
    """The record on the line whose typed quote opened `row`'s cell of several lines: the
    cells before that cell, and those its first line holds after the quote. A cell that
    quotes lines of a record begins with words of its own (转发：), and a record's cells
    after it (MemoTrace's "more") are no words of it. The words typed after the quote may
    hold commas (通知已收到,请注意): the cells past a record's width are those words'."""
    opened = next(i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell)
    first_line = re.split(r"\r\n?|\n", row[opened], maxsplit=1)[0]
    try:
        cells = next(csv.reader([first_line], strict=True, delimiter=delimiter), [""])
    except csv.Error:
        return None
    words = len(cells) - (width - opened) + 1  # the opened cell's own, commas and all
    return row[:opened] + ([delimiter.join(cells[:words]), *cells[words:]] if words > 1 else cells)
