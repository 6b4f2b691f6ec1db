"""A CSV export: a download Excel opens right and safely (`csv_excel`), the error page of
a query that failed, and a file that says so in its last line when it was cut off.

Datasette writes a failed query's CSV (an auditor's own SQL that names no such column, a
canned query SQLite refuses) as a file of nothing, with 200: its query page keeps the
error in its data for the HTML and JSON pages, and the CSV writer never looks there. An
auditor downloading it would think there is no data. `install` has the CSV writer raise
that error instead, so the error page goes out in place of the file, from the query's one
run.

A table streamed page by page (`_stream=on`) whose later page fails has sent its rows
with 200 already; Datasette then ends the file with SQLite's words in English, a line
Excel shows as one more cell. Here the file's last line says in Chinese that the export
stops short, after how many rows, and why (`CutShort`). Asked with `_trace`, it is
the same file (`_without_trace`)."""
from __future__ import annotations

from urllib.parse import unquote_plus

from datasette import Request, Response
from datasette.views.base import DataView, DatasetteError

from review import csv_excel, errors

# Datasette's own, as the module found it: `install` may run more than once.
_DATASETTE_AS_CSV = DataView.as_csv


async def _as_csv(self, request, database):
    self.data = _checked_pages(self.data)  # the view is made afresh for each request
    return await _DATASETTE_AS_CSV(self, _without_trace(request), database)


def _without_trace(request) -> Request:
    """`request` without `_trace`: with it, Datasette's CSV is a debugging page, the file
    wrapped in HTML and its cells HTML-escaped (&amp; for &), whatever the trace_debug
    setting that keeps `_trace` off every other page."""
    # Each other argument kept byte for byte, however it was encoded.
    parts = request.scope.get("query_string", b"").split(b"&")
    kept = [part for part in parts if unquote_plus(part.split(b"=", 1)[0].decode("latin-1")) != "_trace"]
    if len(kept) == len(parts):
        return request
    return Request(dict(request.scope, query_string=b"&".join(kept)), request.receive)


def install() -> None:
    """Have every CSV export of Datasette's raise its query's error and end a file cut
    off midway with a line saying so (`_checked_pages`), whether asked with `_trace` or
    not. Each Datasette loads the plugin anew: the same patch each time, never one over
    another."""
    DataView.as_csv = _as_csv


class CutShort(Exception):
    """A later page of an export failed: its text is the file's last line, in Chinese.
    Datasette writes the text of whatever failed as it is, after the rows sent."""

    def __init__(self, rows: int, exception: Exception):
        reason = errors.in_chinese(exception)
        reason = reason.message if isinstance(reason, DatasetteError) else str(reason)
        # No comma, quote or line break of its own: Excel shows the line as one cell.
        reason = reason.replace(",", "，").replace('"', "”").replace("\n", " ")
        super().__init__(f"导出未完成：已导出 {rows} 行后出错，其后的数据不在此文件中。原因：{reason}\r\n")


def _checked_pages(data):
    """`data`, a view's page of rows, as an export reads it page after page: the first
    page's query error raised (the error page goes out), a later page's failure as
    `CutShort`, counting the rows sent before it."""
    rows = None

    async def checked(request, **kwargs):
        nonlocal rows
        try:
            answer = await data(request, **kwargs)
        except Exception as e:
            if rows is None:
                raise
            raise CutShort(rows, e) from e
        if not isinstance(answer, Response):
            if answer[0].get("error"):
                raise DatasetteError(answer[0]["error"], title="Invalid SQL", status=400)
            rows = (rows or 0) + len(answer[0].get("rows", ()))
        return answer

    return checked


class Export:
    """The ASGI `send` of a CSV response: what Datasette sends, passed on as a download
    (an error page as it is)."""

    def __init__(self, send, path: str):
        self.send, self.path = send, path
        self.cells = csv_excel.ExcelCells()
        self.passing = False  # a response that is no export (an error page): passed on as it is

    async def __call__(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.passing = message.get("status") != 200
            await self.send(message if self.passing else csv_excel.download_start(message, self.path))
        elif self.passing or message["type"] != "http.response.body":
            await self.send(message)
        else:
            await self.send({**message, "body": self.cells.feed(message.get("body", b""), not message.get("more_body"))})
