"""CSV reading shared by the CSV formats: line numbers, truncation, header checks."""
from __future__ import annotations

import csv
from typing import Iterator

from ingest.records import FormatError, Reject, parse_local


def header_of(head: str) -> list[str]:
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return next(csv.reader([first]), [])


# Messages pasted from documents can be long; the csv module's default limit is 131,072.
csv.field_size_limit(1 << 26)


def rows(lines: Iterator[str], header: list[str]) -> Iterator[tuple[int, dict] | Reject]:
    """(first line number, row as dict) per CSV record after the header.

    A record with the wrong number of fields is a Reject; a quoted field still open at
    the end of the file (a truncated export) is a Reject for that last record only.
    A header that is not the format's refuses the file (FormatError): reading its rows
    by position would file every value under the wrong name. Spaces around the names
    and empty columns at the end (Excel keeps a stray cell's column) are forgiven.
    """
    counter = _LineCounter(lines)
    reader = csv.reader(counter, strict=True)
    try:
        found = next(reader)
    except StopIteration:
        return
    names = [h.lstrip("\ufeff").strip() for h in found]
    while len(names) > len(header) and not names[-1]:
        names.pop()
    if names != header:
        raise FormatError(f"line 1: the header is {','.join(found)!r}; this format's is {','.join(header)!r}")
    yield from _records(counter, reader, header, 0)


def _records(counter: _LineCounter, reader, header: list[str], offset: int) -> Iterator[tuple[int, dict] | Reject]:
    """The records `reader` reads from `counter`, numbered `offset` lines on."""
    while True:
        start = counter.count + 1 + offset
        counter.record = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            reason = "a quoted field never ends: the file looks truncated" if "end of data" in str(e) else f"broken CSV record ({e})"
        else:
            if not row:
                continue
            if len(row) > len(header) and not any(row[len(header):]):
                row = row[:len(header)]
            if len(row) == len(header):
                yield start, dict(zip(header, row))
                continue
            reason = f"{len(row)} fields where the header has {len(header)}"
        failed = counter.record
        # A quote typed by hand opens a field that swallows the lines after it: when those
        # lines read as records on their own, only the first line is bad.
        if len(failed) > 1 and _reads_clean(failed[1:], len(header)):
            yield Reject(start, 'an unbalanced quote (") in this line; the lines after it are read on their own',
                         failed[0])
            rest = _LineCounter(failed[1:])
            yield from _records(rest, csv.reader(rest, strict=True), header, start)
        else:
            yield Reject(start, reason, "".join(failed))


def _reads_clean(lines: list[str], width: int) -> bool:
    try:
        return all(len(r) == width or (len(r) > width and not any(r[width:]))
                   for r in csv.reader(lines, strict=True) if r)
    except csv.Error:
        return False


class _LineCounter:
    def __init__(self, lines: Iterator[str]):
        self.lines = iter(lines)
        self.count = 0
        self.record: list[str] = []  # the lines of the record being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        self.record.append(line)
        return line


def timed_rows(lines: Iterator[str], header: list[str], time_column: str) -> Iterator[tuple | Reject]:
    """(line, row, local ISO time, precision) per record whose `time_column` reads as a
    time; a Reject (with its line) for a broken record or an unreadable time."""
    for item in rows(lines, header):
        if isinstance(item, Reject):
            yield item
            continue
        line, row = item
        try:
            yield (line, row, *parse_local(row[time_column]))
        except ValueError as e:
            yield Reject(line, str(e), str(row))
