"""Datasette's own pages as this site serves them: its debugging and server pages behind
the login, the table page's script in Chinese, table and row pages that link only
to what the user may open, and flags listed by a query that link to their case."""
from __future__ import annotations

from datasette import Response
from markupsafe import Markup
from datasette.views.special import AllowDebugView, JsonDataView, MessagesDebugView, PatternPortfolioView

from ingest.schema import ACTION_NAMES, CATEGORY_NAMES, KIND_NAMES, STATUS_NAMES
from review import datasette_zh
from review.permissions import unreadable_tables
from review.web import ROUTES_PREFIX, archive, require, role_of


async def table_js_view():
    # Like Datasette's own static files, served to anyone: it holds no data.
    return Response(datasette_zh.table_js(), content_type="application/javascript; charset=utf-8")


# Datasette's debugging pages, in English, of no use to a reviewer: its allow-block tester
# (served to anyone, logged in or not), its flash-message tester and its pattern
# portfolio (a sample of every element of its pages). Datasette shows them to anyone who
# may view the site; here, to admins only.
_DEBUG_PAGES = {"allow-debug": AllowDebugView, "messages": MessagesDebugView, "patterns": PatternPortfolioView}


async def debug_page_view(datasette, request):
    await require(datasette, request, "qunguan-server")
    return await _DEBUG_PAGES[request.url_vars["page"]].as_view(datasette)(request, None)


# Datasette's pages about the server itself: the users database's path and every canned
# query's SQL (import_ledger's too, which supervisors may not open) in the metadata, the
# archive's path, the plugins, settings and threads; and the debugging page of who is
# logged in, the session's epoch and all. Datasette shows them to anyone who may view
# the site; here, to admins only.
_SERVER_PAGES = {
    "metadata": lambda ds, request: ds.metadata(),
    "versions": lambda ds, request: ds._versions(),
    "plugins": lambda ds, request: ds._plugins(request),
    "settings": lambda ds, request: ds._settings,
    "threads": lambda ds, request: ds._threads(),
    "databases": lambda ds, request: ds._connected_databases(),
    "actor": lambda ds, request: {"actor": request.actor},
}
# The settings' old address, which Datasette sends anyone on to the settings from.
_SERVER_PAGES["config"] = _SERVER_PAGES["settings"]


async def server_page_view(datasette, request):
    await require(datasette, request, "qunguan-server")
    page = request.url_vars["page"]
    view = JsonDataView.as_view(datasette, f"{page}.json", lambda: _SERVER_PAGES[page](datasette, request))
    return await view(request, None)


async def template_vars(datasette, request, database, table, view_name) -> dict:
    # Datasette's table and row pages would link to rows of tables the user may not open:
    # the rows that refer to a row (unreadable_tables), and the row a foreign key names
    # (unlinked_columns, the columns whose values are shown without their link).
    role = role_of(datasette, request.actor) if request else None
    unreadable = unreadable_tables(role, database) if database else set()
    unlinked = set()
    if unreadable and table and view_name in ("table", "row"):
        keys = await datasette.get_database(database).foreign_keys_for_table(table)
        unlinked = {key["column"] for key in keys if key["other_table"] in unreadable}
    return {"category_names": CATEGORY_NAMES, "status_names": STATUS_NAMES, "action_names": ACTION_NAMES,
            "kind_names": KIND_NAMES, "unreadable_tables": unreadable, "unlinked_columns": unlinked}


# The column in which the canned queries (site.QUERIES, datasette/queries/) list a flag's id.
FLAG_COLUMN = "标记"


def flag_link(datasette, database: str, table: str | None, column: str, value) -> Markup | None:
    """A flag's id in a query's results as a link to its case page, where an auditor
    tracing a decision sees the message in its conversation; None for any other cell."""
    if table is None and column == FLAG_COLUMN and type(value) is int and database == archive(datasette).name:
        return Markup(f'<a href="{datasette.urls.path(f"{ROUTES_PREFIX}/flags/{value}")}">{value}</a>')
    return None
