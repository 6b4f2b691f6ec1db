"""Datasette's errors as a logged-in user gets them: in Chinese, as JSON at a .json
address, and with a status that says whose mistake it was.

Datasette answers a table sorted by a column it does not have with 500, a server error,
though the address is at fault (400), and refuses a JSON address with an HTML page."""
from __future__ import annotations

from datasette import Response
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

from review.datasette_zh import error_message

# Datasette raises these with status 500; each is a mistake in the address, never the server's.
BAD_ADDRESS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time",
               "Invalid _through - could not find corresponding foreign key")
# Only the login, logging out and the handling forms take a POST; every Datasette page
# that would (a table, a canned query, none of them writable here) answered with a 500.
NOT_ALLOWED = "此地址不接受提交：只有登录、退出登录和处置表单可以提交。"


def wants_json(path: str, accept: str = "") -> bool:
    return path.split("?")[0].endswith(".json") or "application/json" in accept


def json_error(message: str, status: int, title: str | None = None) -> Response:
    """An error in Datasette's JSON shape."""
    return Response.json({"ok": False, "error": message, "status": status, "title": title}, status=status)


def in_chinese(exception: Exception) -> Exception:
    """`exception` as Datasette's own error page shows it to a user (the same kind, its
    message and title in Chinese), with 400 where Datasette says 500 for a bad address."""
    if isinstance(exception, DatasetteError) and not exception.message_is_html:
        status = 400 if exception.status == 500 and exception.message.startswith(BAD_ADDRESS) else exception.status
        return DatasetteError(error_message(exception.message), title=error_message(exception.title),
                              error_dict=exception.error_dict, status=status)
    if isinstance(exception, Base400) and exception.args and isinstance(exception.args[0], str):
        return type(exception)(error_message(exception.args[0]))
    return exception


async def not_allowed(datasette, path: str, accept: str) -> Response:
    """The answer to a POST (or any other write) to an address that takes none."""
    if wants_json(path, accept):
        response = json_error(NOT_ALLOWED, 405, "不接受提交")
    else:
        await datasette.invoke_startup()  # a no-op but on a first request, which comes here before Datasette
        response = Response.html(await datasette.render_template(
            "error.html", {"ok": False, "error": NOT_ALLOWED, "status": 405, "title": "不接受提交"}), status=405)
    response.headers["Allow"] = "GET, HEAD"
    return response
