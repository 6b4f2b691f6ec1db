"""Datasette's errors as a logged-in user gets them: in Chinese, as JSON at a .json
address, and with a status that says whose mistake it was.

Datasette answers a table sorted by a column it does not have with 500, a server error,
though the address is at fault (400), and so an argument it reads as JSON unchecked
(`bad_address`); and it refuses a JSON address with an HTML page."""
from __future__ import annotations

import json
import re
import sqlite3
import traceback

from datasette import Response
from datasette.database import QueryInterrupted
from datasette.renderer import json_renderer
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

from ingest.schema import busy_message
from review.datasette_zh import error_message, sql_error

# Datasette raises these with status 500; each is a mistake in the address, never the server's.
BAD_ADDRESS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time",
               "Invalid _through - could not find corresponding foreign key")
# Only the login, logging out, the password change and the handling forms take a POST;
# every Datasette page that would (a table, a canned query, none of them writable here)
# answered with a 500.
NOT_ALLOWED = "此地址不接受提交：只有登录、退出登录、修改密码和处置表单可以提交。"


# SQLite refusing a read the server's connections do not allow (site.READABLE_PRAGMAS),
# which Datasette lets out of a table page's `_where` as a server error.
_REFUSED_READ = re.compile(r"not authorized|access to \S+ is prohibited")


def wants_json(path: str, accept: str = "") -> bool:
    return path.split("?")[0].endswith(".json") or "application/json" in accept


def json_error(message: str, status: int, title: str | None = None) -> Response:
    """An error in Datasette's JSON shape."""
    return Response.json({"ok": False, "error": message, "status": status, "title": title}, status=status)


# Datasette's one error message in HTML (a query over sql_time_limit_ms), for a .json
# or .csv address: its page's words (datasette_zh.INTERRUPTED_PHRASES) as plain text.
INTERRUPTED = "SQL 查询用时过长，已中断。时间上限由 sql_time_limit_ms 设置项决定，请缩小查询范围后重试。"


def in_chinese(exception: Exception, as_json: bool = False) -> Exception:
    """`exception` as Datasette's own error page shows it to a user (the same kind, its
    message and title in Chinese), with 400 where Datasette says 500 for a bad address.
    SQLite's messages, which Datasette passes on as they are ("Invalid SQL": a table
    page's `_where` or facet) or not at all (an error out of a page's query or write, a
    500), are explained in Chinese (`sql_error`); a write that waited in vain for another
    writer (`classify`, an import) is 503, the server busy, to be tried again. For a
    JSON answer (`as_json`), a message Datasette wrote in HTML becomes plain text; a
    CSV export over the time limit, which Datasette let through as a server error
    naming SQLite's 'interrupted', is said in the same words."""
    if isinstance(exception, QueryInterrupted):
        return DatasetteError(INTERRUPTED, title=error_message("SQL Interrupted"), status=400)
    if isinstance(exception, sqlite3.Error) and _REFUSED_READ.fullmatch(str(exception)):
        return _sqlite_error(str(exception), 400)  # SQL asking what it may not (a table page's _where)
    if isinstance(exception, sqlite3.Error):
        traceback.print_exception(exception)  # as Datasette logs any error it did not raise itself
        return _sqlite_error(str(exception), 500)
    if isinstance(exception, DatasetteError) and exception.message_is_html and as_json:
        return DatasetteError(INTERRUPTED, title=error_message(exception.title), status=exception.status)
    if isinstance(exception, DatasetteError) and not exception.message_is_html:
        message = error_message(exception.message)
        if exception.title == "Invalid SQL" and message == exception.message:
            return _sqlite_error(message, exception.status)
        status = 400 if exception.status == 500 and exception.message.startswith(BAD_ADDRESS) else exception.status
        return DatasetteError(message, title=error_message(exception.title), error_dict=exception.error_dict,
                              status=status)
    if isinstance(exception, Base400) and exception.args and isinstance(exception.args[0], str):
        return type(exception)(error_message(exception.args[0]))
    return exception


def _sqlite_error(message: str, status: int) -> DatasetteError:
    if busy_message(message):
        return DatasetteError(sql_error(message), title="数据库正忙", status=503)
    return DatasetteError(sql_error(message), title="SQL 有误" if status == 400 else "数据库出错", status=status)


DATABASE_CSV = "数据库页面（表和查询的目录）没有 CSV：请打开数据表或查询，再导出其 CSV"
SHAPE_OBJECT = "_shape=object 按主键给出各行，只适用于有主键的数据表；查询结果或无主键的表请用 _shape=objects"
SHAPE_ROWS = "_shape={shape} 给出各行，只适用于数据表和查询；数据库页面（表和查询的目录）请去掉 _shape"


def render_json(args, data, view_name):
    """Datasette's JSON (`json_renderer`) with the errors it writes into it in Chinese: a
    query's own, SQLite's message (`sql_error`), and `_shape=object` asked of a query or
    a table without a primary key, which it answered in English with 200; and a shape of
    rows asked of the database page, which has none (Datasette: a server error, 'rows')."""
    shape = args.get("_shape")
    if isinstance(data.get("error"), str):
        data = {**data, "error": sql_error(data["error"])}
    elif shape in ("array", "arrayfirst") and "rows" not in data:
        raise DatasetteError(SHAPE_ROWS.format(shape=shape), title="地址有误", status=400)
    elif shape == "object" and not data.get("primary_keys"):
        raise DatasetteError(SHAPE_OBJECT, title="地址有误", status=400)
    return json_renderer(args, data, view_name)


async def error_page(datasette, path: str, accept: str, message: str, status: int, title: str) -> Response:
    """An error answered before Datasette sees the request, as Datasette's own error page
    (JSON at a .json address)."""
    if wants_json(path, accept):
        return json_error(message, status, title)
    await datasette.invoke_startup()  # a no-op but on a first request, which comes here before Datasette
    return Response.html(await datasette.render_template(
        "error.html", {"ok": False, "error": message, "status": status, "title": title}), status=status)


async def not_allowed(datasette, path: str, accept: str, method: str, takes_post: bool) -> Response:
    """The answer to a request by a `method` the address does not take: a POST to an
    address that takes none (not `takes_post`), or any method but GET, HEAD and POST."""
    if method == "POST":
        response = await error_page(datasette, path, accept, NOT_ALLOWED, 405, "不接受提交")
    else:
        response = await error_page(datasette, path, accept, f"此地址不接受 {method} 请求：只能浏览页面或提交表单。", 405,
                                    "不支持的请求方法")
    response.headers["Allow"] = "GET, HEAD, POST" if takes_post else "GET, HEAD"
    return response


# A database's own page as CSV, /archive.csv: the one address of a single segment that ends so.
_DATABASE_CSV = re.compile(r"/[^/]+\.csv")
# The JSON shapes Datasette's .json pages know (datasette/renderer.py).
SHAPES = ("arrays", "objects", "object", "array", "arrayfirst")
BAD_THROUGH = '_through 参数有误：应为 JSON 对象 {"table": 表名, "column": 列名, "value": 值}'


def bad_address(path: str, args) -> str | None:
    """What is wrong with an address's arguments (Datasette's MultiParams) that Datasette
    would answer with a server error or in English, in Chinese; None when nothing is: a
    `_through` that is not {"table", "column", "value"}, a `列__in` or `列__notin` value
    in brackets that is not a JSON list of values, a `_shape` its JSON does not know, the
    CSV of a database page (a list of tables, no rows: Datasette failed on it, 'columns')."""
    for through in args.getlist("_through"):
        data = _json(through)
        if not (isinstance(data, dict) and isinstance(data.get("table"), str) and isinstance(data.get("column"), str)
                and "value" in data and _scalar(data["value"])):
            return BAD_THROUGH
    for key in args.keys():
        if key.endswith(("__in", "__notin")):
            for value in args.getlist(key):
                values = _json(value) if value.startswith("[") else []
                if not (isinstance(values, list) and all(map(_scalar, values))):
                    return f"{key} 的值有误：以 [ 开头时应为 JSON 数组，如 [1, 2]；也可用逗号分隔，如 1,2"
    shape = args.get("_shape")
    if path.endswith(".json") and shape is not None and shape not in SHAPES:
        return f"_shape 参数有误：{shape}（可用：{'、'.join(SHAPES)}）"
    if _DATABASE_CSV.fullmatch(path) and not args.get("sql"):
        return DATABASE_CSV
    return None


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float))
