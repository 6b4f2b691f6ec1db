"""A CSV export on its way out: a download Excel opens right and safely (`csv_excel`), or
the error of a query that failed.

Datasette writes a failed query's CSV (an auditor's own SQL that names no such column, a
canned query SQLite refuses) as a file of nothing, with 200: it keeps the error for the
HTML and JSON pages. An auditor downloading it would think there is no data. A CSV
always starts with its header line, which names the columns; a failed query has none.
So the start of an export is held until its first line is in: when that line is empty
(or the file is), the JSON of the same address, where the plugin's renderer explains
the error in Chinese, decides, and the error page goes out in place of the file.

An export asked without its header line (`_header=off`) would leave no such sign: a query
that finds nothing is an empty file too, and asking the JSON then would run the query
again, as long again. So Datasette is always asked for the header line (`asked`), and it
is taken off here once it has shown there are columns."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from review import csv_excel, errors

# A JSON answer asked only for its error: no row count, no facets (the CSV's own request
# skips them too), in the shape that holds the error whatever the CSV's address asked.
_ERROR_ONLY = [("_nocount", "1"), ("_nofacet", "1")]
_NOT_ASKED = {"_nocount", "_nofacet", "_shape"}


def asked(scope: dict) -> tuple[dict, bool]:
    """The request for Datasette of the CSV export at `scope`, with its header line; and
    whether the export itself has one (Datasette reads the first `_header` given)."""
    args = _args(scope)
    if dict(reversed(args)).get("_header") != "off":
        return scope, True
    return dict(scope, query_string=urlencode([(k, v) for k, v in args if k != "_header"]).encode()), False


def _args(scope: dict) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)


class Export:
    """The ASGI `send` of a CSV response asked with its header line (`asked`): what
    Datasette sends, passed on as a download once its first line shows columns, without
    that line unless `header`; else the answer `failed()` gives, if any."""

    def __init__(self, send, path: str, header: bool, failed):
        self.send, self.path, self.header, self.failed = send, path, header, failed
        self.start: dict | None = None  # held while the first line is awaited
        self.head = b""
        self.cells = csv_excel.ExcelCells()
        self.passing = False  # a response that is no export (an error page): passed on as it is
        self.answered = False  # the error went out in place of the export: the rest is dropped

    async def __call__(self, message: dict) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self.passing = message.get("status") != 200
            if self.passing:
                await self.send(message)
            else:
                self.start = message
            return
        if self.passing or message["type"] != "http.response.body":
            await self.send(message)
            return
        last = not message.get("more_body", False)
        body = message.get("body", b"")
        if self.start is not None:
            self.head += body
            end = csv_excel.first_record_end(self.head)
            if not end and not last:
                return
            if not self.head[:end].strip(b"\r\n") and (answer := await self.failed()):
                self.answered = True
                await answer.asgi_send(self.send)
                return
            await self.send(csv_excel.download_start(self.start, self.path))
            body, self.start = self.head if self.header else self.head[end:], None
        await self.send({**message, "body": self.cells.feed(body, last)})


async def query_error(datasette, scope: dict):
    """The error page for the CSV export at `scope`'s address, when the JSON of that
    address (asked with the same cookies) says its query failed; None when it did not."""
    args = [(k, v) for k, v in _args(scope) if k not in _NOT_ASKED]
    cookies = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"cookie"]
    answer = await datasette.client.get(f"{scope['path'][:-len('.csv')]}.json?{urlencode(args + _ERROR_ONLY)}",
                                        headers={"cookie": "; ".join(cookies)} if cookies else {})
    if answer.status_code == 200:
        return None
    data = answer.json()
    return await errors.error_page(datasette, scope["path"], "", data.get("error") or "", answer.status_code,
                                   data.get("title") or "SQL 有误")
