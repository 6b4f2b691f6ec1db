"""CSV exports as Chinese Excel opens them, safely.

Datasette writes a CSV as text, with no byte-order mark (Chinese Excel then reads UTF-8
as garbled GBK), and cells as they are: a handling note `=HYPERLINK(...)` or a chat
message starting with `@` or `-` would run as a formula in the auditor's spreadsheet.
`download_start` makes the response a download, `ExcelCells` rewrites the body as it
streams: a byte-order mark first, and every cell Excel would take for a formula with a
single quote before it (OWASP's advice), so it shows as the text it is."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

# What a spreadsheet reads as the start of a formula (tab and CR too: Excel drops them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-3", "-0.5") is no formula, and stays a number in the sheet.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def download_start(start: dict, path: str) -> dict:
    """A CSV export's response start as a download (Datasette shows it as text unless
    asked), typed text/csv, its length left open for the byte-order mark and the quotes."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type",
                                                                                b"content-disposition")]
    headers += [(b"content-type", b"text/csv; charset=utf-8"),
                (b"content-disposition", f"attachment; filename*=UTF-8''{quote(name)}".encode())]
    return {**start, "headers": headers}


def safe_cell(value: str) -> str:
    """`value` as a spreadsheet shows it as text: with a leading quote if it would start a formula."""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class ExcelCells:
    """Rewrites a CSV body piece by piece (Datasette streams a whole table's in many):
    each piece gives back the records it completes, rewritten; the rest waits for the next."""

    def __init__(self):
        self.pending = b""
        self.first = True

    def feed(self, chunk: bytes, last: bool) -> bytes:
        data = self.pending + chunk
        end = len(data) if last else _records_end(data)
        records, self.pending = data[:end], data[end:]
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        for row in csv.reader(io.StringIO(records.decode("utf-8", "replace"), newline="")):
            writer.writerow([safe_cell(value) for value in row])
        text = out.getvalue()
        if self.first and (text or last):
            text, self.first = "\ufeff" + text, False
        return text.encode("utf-8")


def _records_end(data: bytes) -> int:
    """How many bytes at the start of `data` (which starts a record) are whole records."""
    return max(_record_ends(data), default=0)


def _record_ends(data: bytes):
    """Where each whole record at the start of `data` ends: after a line break outside
    quotes. Quotes in a cell are doubled, so a line break is outside them when the quotes
    before it are even in number."""
    start = quotes = 0
    while (newline := data.find(b"\n", start)) != -1:
        quotes += data.count(b'"', start, newline)
        if quotes % 2 == 0:
            yield newline + 1
        start = newline + 1
