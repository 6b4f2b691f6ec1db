"""qunguan's Datasette plugin: login, permissions, the review queue, case pages,
handling forms, the dashboard and the user list. Views only: the logic lives in the
`review` package, where it is tested without a server."""
from __future__ import annotations

import asyncio
import functools
import re
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import asgi_csrf
import datasette.handle_exception as datasette_errors
from datasette import Forbidden, Request, Response, hookimpl
from datasette.plugins import pm
from datasette.utils import await_me_maybe
from datasette.views.special import AllowDebugView, JsonDataView, LogoutView
from itsdangerous import BadData
from markupsafe import Markup

from ingest.schema import ACTION_NAMES, CATEGORY_NAMES, HANDLING_STATUSES, KIND_NAMES, STATUS_NAMES
from review import auth, charts, csv_excel, datasette_zh, errors, handling, queue, request_body, site
from review.highlight import highlight
from review.permissions import allowed, unreadable_tables
from classifiers.tokenizer import search_terms

# Datasette 0.65 prints every error, a 404 too, with rich's show_locals=True: the server
# log would get login cookies and chat text. Outside an `except` block rich also raises,
# which turned an unknown address into a 500. Without rich, Datasette answers 404 and
# logs only a 500's traceback, without its variables.
datasette_errors.rich = None

# A form posted with a stale or missing token (a page left open past its cookie) gets
# asgi-csrf's plain 403: its words, in Chinese.
_STALE_FORM = "页面已过期或表单无效（CSRF 校验失败）：请返回上一页，刷新后重新提交。"
asgi_csrf.error_messages.update({asgi_csrf.Errors.FORM_URLENCODED_MISMATCH: _STALE_FORM,
                                 asgi_csrf.Errors.MULTIPART_MISMATCH: _STALE_FORM,
                                 asgi_csrf.Errors.FILE_BEFORE_TOKEN: "表单格式有误（CSRF 校验失败），请刷新页面后重新提交。",
                                 asgi_csrf.Errors.UNKNOWN_CONTENT_TYPE: "不支持的提交格式（CSRF 校验失败）。"})

ROUTES_PREFIX = "/-/qunguan"
# The addresses that take a POST: the login, logging out and the handling forms (every
# other address takes only GET and HEAD).
_TAKES_POST = re.compile(rf"^/-/(login|logout)$|^{ROUTES_PREFIX}/(flags/[^/]+|bulk)$")


def _config(datasette) -> dict:
    return datasette.plugin_config("qunguan") or {}


def _users(datasette) -> sqlite3.Connection:
    return auth.connect(Path(_config(datasette)["users_db"]))


@functools.lru_cache(maxsize=4)
def _users_reader(path: str) -> sqlite3.Connection:
    # Permission checks run many times a page: one open connection, read afresh each time.
    return sqlite3.connect(path, check_same_thread=False)


def _archive(datasette):
    name = _config(datasette).get("database")
    return datasette.get_database(name) if name else datasette.get_database()


def role_of(datasette, actor) -> str | None:
    """The role of a logged-in, enabled user whose session is still open, read fresh so
    disabling, a new password or logging out takes effect at once."""
    if not actor or not actor.get("id") or "users_db" not in _config(datasette):
        return None
    user = auth.get_user(_users_reader(_config(datasette)["users_db"]), actor["id"])
    return user.role if user and not user.disabled and actor.get("epoch") == user.epoch else None


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    # Every answer is given here, True or False, so no Datasette default lets anyone in.
    return allowed(role_of(datasette, actor), action, resource)


@hookimpl
def asgi_wrapper(datasette):
    """Answer here what Datasette would answer wrongly (`_checked`), and send a CSV export
    as a file Excel opens right and safely (`csv_excel`). Answer a form that is not UTF-8,
    which the CSRF check fails to read, with 400 rather than a server error."""
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") == "http":
                checked = await _checked(datasette, scope, receive, send)
                if checked is None:
                    return
                scope, receive = checked
            started = False
            csv_body = scope.get("type") == "http" and scope.get("path", "").endswith(".csv")
            cells = csv_excel.ExcelCells()

            async def sending(message):
                nonlocal started, csv_body
                if message["type"] == "http.response.start":
                    started = True
                    csv_body = csv_body and message.get("status") == 200
                    if csv_body:
                        message = csv_excel.download_start(message, scope["path"])
                elif message["type"] == "http.response.body" and csv_body:
                    last = not message.get("more_body", False)
                    message = {**message, "body": cells.feed(message.get("body", b""), last)}
                await send(message)

            try:
                await app(scope, receive, sending)
            except UnicodeDecodeError:
                if started:
                    raise
                await Response.text("请求内容不是有效的 UTF-8 编码", status=400).asgi_send(send)

        return guarded

    return wrap


async def _checked(datasette, scope, receive, send) -> tuple[dict, object] | None:
    """An HTTP request as Datasette may see it (scope, receive), or None once it has been
    answered here. Any Authorization header is dropped before Datasette's CSRF check sees
    it: that check lets a request with a bearer token through without a token of its own,
    and this site knows no bearer tokens, only the login's cookie. A visitor gets only
    the refusal, whatever the method. A logged-in user gets 405 for a method the address
    does not take (a POST but to the login, logging out and the handling forms; any
    method but GET, HEAD and POST), and 400 in Chinese for an address whose arguments
    Datasette would fail on; a body over its limit is refused with 413 before anything
    reads it (`errors`, `request_body`)."""
    if any(name == b"authorization" for name, _ in scope.get("headers", ())):
        scope = dict(scope, headers=[(n, v) for n, v in scope["headers"] if n != b"authorization"])
    request = Request(scope, receive)
    takes_post = bool(_TAKES_POST.match(request.path))
    reading = request.method in ("GET", "HEAD")
    wrong_method = not reading and not (request.method == "POST" and takes_post)
    bad = reading and errors.bad_address(request.path, request.args)
    if (wrong_method or bad) and not await _signed_in(datasette, request):
        # The refusal is what Datasette answers a visitor's GET of any address but the
        # login page's (and a GET reads no body).
        return dict(scope, method="GET"), receive
    accept = request.headers.get("accept", "")
    if wrong_method:
        answer = await errors.not_allowed(datasette, request.path, accept, request.method, takes_post)
    elif bad:
        answer = await errors.error_page(datasette, request.path, accept, bad, 400, "地址有误")
    elif reading:
        return scope, receive
    else:
        within = await request_body.within_limit(scope, receive)
        if within:
            return within
        answer = await errors.error_page(datasette, request.path, accept, request_body.too_large(request.path), 413,
                                         request_body.TOO_LARGE)
    await answer.asgi_send(send)
    return None


async def _signed_in(datasette, request) -> bool:
    """Whether a request the wrapper holds, before Datasette has read its cookies, comes
    with an open session: its actor found as Datasette will find it, then `role_of`."""
    for actor in pm.hook.actor_from_request(datasette=datasette, request=request):
        actor = await await_me_maybe(actor)
        if actor:
            return role_of(datasette, actor) is not None
    return False


@hookimpl
def forbidden(datasette, request, message):
    if role_of(datasette, request.actor) is None:
        return _refuse_visitor(datasette, request)
    if errors.wants_json(request.path, request.headers.get("accept", "")):  # Datasette's own is HTML
        return errors.json_error(datasette_zh.error_message(message), 403, "无权访问")


@hookimpl
def handle_exception(datasette, request, exception):
    # Datasette answers a database, table, query or page that does not exist with 404
    # before it asks who is asking: a visitor could list them by trying names. A visitor
    # gets no error of any kind, only the refusal; a user gets Datasette's error page,
    # in Chinese.
    if role_of(datasette, request.actor) is None:
        return _refuse_visitor(datasette, request)
    return datasette_errors.handle_exception(datasette, request, errors.in_chinese(exception))


def _refuse_visitor(datasette, request):
    """The one answer a visitor without an open session gets for every address but the
    login page and scripts, whether it exists or not: a browser gets the login form in
    place of the page (status stays 403, so no client mistakes it for the page); JSON
    and CSV clients get a plain 403 that names nothing. A decision sent after the
    session ended is shown back on the login form, unsaved, for its author to copy
    (`_unsaved_decision`)."""
    if "application/json" in request.headers.get("accept", "") or request.path.endswith((".json", ".csv")):
        return Response.json({"ok": False, "status": 403, "title": "无权访问", "error": "请先登录"}, status=403)

    async def inner():
        ended = _ended_session(datasette, request)
        unsaved = _unsaved_decision(request) if ended else None
        # Back after the login to the page the form was on (the bulk form says which queue).
        next_url = _safe_next((unsaved or {}).get("back") or request.full_path)
        # Rendered for nobody: the header must not name a user whose session has ended. It
        # shows the messages flashed to the page asked for (您已退出登录), once.
        nobody = Request(dict(request.scope, actor=None), request.receive)
        nobody._messages = getattr(request, "_messages", [])
        response = await _login_page(datasette, nobody, _SESSION_ENDED if unsaved else None, next_url, 403, unsaved)
        if getattr(nobody, "_messages_should_clear", False):
            response.set_cookie("ds_messages", "", expires=0, max_age=0)
        if ended:  # drop its cookie too
            response.set_cookie("ds_actor", "", expires=0, max_age=0)
        return response

    return inner()


_SESSION_ENDED = "登录已失效，处置未保存，请重新登录后再提交"


def _ended_session(datasette, request) -> bool:
    """Whether the request carries a login cookie this site signed, for a session that
    has ended (logged out, expired, the user disabled or given a new password)."""
    try:
        datasette.unsign(request.cookies.get("ds_actor", ""), "actor")
    except BadData:
        return False
    return True


def _unsaved_decision(request) -> dict | None:
    """The decision a case or bulk form posted, as the login page shows it back (None for
    any other request): the wrapper kept the body, which no view has read. Only a form
    with this browser's CSRF token is shown: another site could post one without cookies
    (asgi-csrf then checks nothing) and put its own words on this site's login page."""
    body = request.scope.get(request_body.SCOPE_KEY)
    if request.method != "POST" or not body:
        return None
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    first = {key: values[0] for key, values in form.items()}
    if not {"status", "note"} & first.keys() or not _carries_token(request, first):
        return None
    flag = request.url_vars.get("flag_id") if request.path.startswith(f"{ROUTES_PREFIX}/flags/") else None
    return {"flags": [flag] if flag else form.get("flag", []), "status": STATUS_NAMES.get(first.get("status"), ""),
            "action": ACTION_NAMES.get(first.get("action"), ""), "due_date": first.get("due_date", ""),
            "note": first.get("note", ""), "back": first.get("back")}


@hookimpl
def menu_links(datasette, actor):
    async def inner():
        links = []
        if await datasette.permission_allowed(actor, "qunguan-review"):
            links += [{"href": f"{ROUTES_PREFIX}/queue", "label": "审核队列"},
                      {"href": f"{ROUTES_PREFIX}/search", "label": "全文检索"},
                      {"href": f"{ROUTES_PREFIX}/dashboard", "label": "统计看板"}]
        if await datasette.permission_allowed(actor, "qunguan-users"):
            links.append({"href": f"{ROUTES_PREFIX}/users", "label": "用户列表"})
        return links

    return inner


@hookimpl
def register_routes():
    return [
        (r"^/-/login$", login),
        (r"^/-/logout$", logout),
        (r"^/-/allow-debug$", allow_debug_view),
        (r"^/-/(?P<page>metadata|versions|plugins|settings|threads|databases)(\.(?P<format>json))?$", server_page_view),
        (rf"^{ROUTES_PREFIX}/queue$", queue_view),
        # Any last segment, so a mistyped id is answered here (404) and not by Datasette's
        # fallback, which fails with a 500 when rich is installed.
        (rf"^{ROUTES_PREFIX}/flags/(?P<flag_id>[^/]+)$", case_view),
        (rf"^{ROUTES_PREFIX}/bulk$", bulk_view),
        (rf"^{ROUTES_PREFIX}/dashboard$", dashboard_view),
        (rf"^{ROUTES_PREFIX}/search$", search_view),
        (rf"^{ROUTES_PREFIX}/users$", users_view),
        (rf"^{ROUTES_PREFIX}/table\.js$", table_js_view),
    ]


async def table_js_view():
    # Like Datasette's own static files, served to anyone: it holds no data.
    return Response(datasette_zh.table_js(), content_type="application/javascript; charset=utf-8")


@hookimpl
def prepare_jinja2_environment(env):
    datasette_zh.install(env)


@hookimpl
def extra_template_vars(datasette, request, database, table, view_name):
    # Datasette's table and row pages would link to rows of tables the user may not open:
    # the rows that refer to a row (unreadable_tables), and the row a foreign key names
    # (unlinked_columns, the columns whose values are shown without their link).
    async def inner():
        role = role_of(datasette, request.actor) if request else None
        unreadable = unreadable_tables(role, database) if database else set()
        unlinked = set()
        if unreadable and table and view_name in ("table", "row"):
            keys = await datasette.get_database(database).foreign_keys_for_table(table)
            unlinked = {key["column"] for key in keys if key["other_table"] in unreadable}
        return {"category_names": CATEGORY_NAMES, "status_names": STATUS_NAMES, "action_names": ACTION_NAMES,
                "kind_names": KIND_NAMES, "unreadable_tables": unreadable, "unlinked_columns": unlinked}

    return inner


def _safe_next(value: str | None) -> str:
    """`value` if it is a path on this site, else the queue. Browsers read a backslash as a
    slash and drop tabs and newlines, so `/\\host` and `/<tab>/host` lead off-site: only a
    plain path that no URL parser reads a host or scheme into is followed. A path longer
    than the login form can carry back (a case opened from a long search) loses its query."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and value.isprintable() and " " not in value:
        parts = urlsplit(value)
        if not parts.scheme and not parts.netloc:
            value = value if len(value) <= request_body.NEXT_LIMIT else parts.path
            if len(value) <= request_body.NEXT_LIMIT:
                return value
    return f"{ROUTES_PREFIX}/queue"


async def _login_page(datasette, request, error: str | None, next_url: str, status: int,
                      unsaved: dict | None = None) -> Response:
    return Response.html(await datasette.render_template(
        "qunguan_login.html", {"error": error, "next": next_url, "unsaved": unsaved}, request=request), status=status)


def _carries_token(request, form) -> bool:
    """Whether a form POST carries the CSRF token a form of this site set in this browser.
    asgi-csrf checks nothing on a request without cookies, and a form on another site
    sends none (they are SameSite=Lax): unchecked, any site could log a browser into an
    account of its choosing, and the decisions made there would be misattributed."""
    cookie = request.cookies.get("ds_csrftoken", "")
    return bool(cookie) and secrets.compare_digest(form.get("csrftoken", "").encode(), cookie.encode())


_LOCKED = {"name": "登录失败次数过多，请 {minutes} 分钟后再试",
           "address": "此网络地址登录失败次数过多，请 {minutes} 分钟后再试（在本浏览器上登录过的账号不受影响）"}


async def login(datasette, request):
    next_url = _safe_next(request.args.get("next"))
    error = None
    if request.method == "POST":
        form = await request.post_vars()
        next_url = _safe_next(form.get("next"))
        if not _carries_token(request, form):
            return await _login_page(datasette, request, "登录页面已失效，请重新登录", next_url, 403)
        name = form.get("username", "").strip()
        address = (request.scope.get("client") or ("unknown",))[0]
        device = site.device_logins(datasette, request.cookies.get(site.DEVICE_COOKIE))
        # In a thread: the password hash takes a fifth of a second, which on the event loop
        # would hold up every page of every user.
        lock, user = await asyncio.to_thread(_attempt_login, datasette, name, form.get("password", ""), address,
                                             device)
        if lock:
            return await _login_page(datasette, request, _LOCKED[lock].format(minutes=auth.LOCK_MINUTES), next_url, 429)
        if user:
            response = Response.redirect(next_url)
            response.set_cookie("ds_actor", site.actor_cookie(datasette, user),
                                httponly=True, samesite="lax", max_age=site.SESSION_SECONDS)
            _remember_device(datasette, response, user, device)
            return response
        error = "用户名或密码错误，或账号已停用"
    return await _login_page(datasette, request, error, next_url, 401 if error else 200)


def _attempt_login(datasette, name: str, password: str, address: str, device: list[list]):
    with closing(_users(datasette)) as conn:
        trusted = site.device_knows(device, auth.get_user(conn, name))
        return auth.attempt_login(conn, name, password, address, trusted)


def _remember_device(datasette, response, user, device: list[list]) -> None:
    response.set_cookie(site.DEVICE_COOKIE, site.device_cookie(datasette, user, device),
                        httponly=True, samesite="lax", max_age=site.DEVICE_SECONDS)


async def logout(datasette, request):
    # Datasette's own logout only deletes the cookie in this browser, and a copy of it
    # would still work: a live session first moves its user's epoch on, ending them all.
    # The device cookie of every other browser ends with them; this one stays known.
    user = None
    if request.method == "POST" and role_of(datasette, request.actor):
        with closing(_users(datasette)) as conn:
            auth.log_out(conn, request.actor["id"])
            user = auth.get_user(conn, request.actor["id"])
    response = await LogoutView.as_view(datasette)(request, None)
    if user:
        _remember_device(datasette, response, user,
                         site.device_logins(datasette, request.cookies.get(site.DEVICE_COOKIE)))
    return response


async def allow_debug_view(datasette, request):
    # Datasette serves its allow-block tester to anyone; here, like every other page, it
    # needs a login.
    await _require(datasette, request, "view-instance")
    return await AllowDebugView.as_view(datasette)(request, None)


# Datasette's pages about the server itself: the users database's path and every canned
# query's SQL (import_ledger's too, which supervisors may not open) in the metadata, the
# archive's path, the plugins, settings and threads. Datasette shows them to anyone who
# may view the site; here, to admins only.
_SERVER_PAGES = {
    "metadata": lambda ds, request: ds.metadata(),
    "versions": lambda ds, request: ds._versions(),
    "plugins": lambda ds, request: ds._plugins(request),
    "settings": lambda ds, request: ds._settings,
    "threads": lambda ds, request: ds._threads(),
    "databases": lambda ds, request: ds._connected_databases(),
}


async def server_page_view(datasette, request):
    await _require(datasette, request, "qunguan-server")
    page = request.url_vars["page"]
    view = JsonDataView.as_view(datasette, f"{page}.json", lambda: _SERVER_PAGES[page](datasette, request))
    return await view(request, None)


async def _require(datasette, request, action):
    if not await datasette.permission_allowed(request.actor, action):
        raise Forbidden("没有权限")


async def queue_view(datasette, request):
    await _require(datasette, request, "qunguan-review")
    filters = {k: request.args.get(k, "").strip() for k in queue.FILTERS}
    cursor = request.args.get("before")
    db = _archive(datasette)
    # The latest decision before the page is read: the bulk form leaves out flags decided after it.
    seen, page = await db.execute_fn(lambda conn: (handling.latest_id(conn), queue.queue(conn, filters, cursor)))
    menus = await _menus(db)
    for row in page.rows:
        row["marked"] = highlight(row["text"] or "", row["evidence"]) if row["text"] else None
    query = {k: v for k, v in filters.items() if v}
    return Response.html(await datasette.render_template("qunguan_queue.html", {
        "page": page, "filters": filters, "menus": menus, "statuses": ["open", "new", "all", *HANDLING_STATUSES],
        "next_url": f"?{urlencode({**query, 'before': page.next_cursor})}" if page.next_cursor else None,
        "first_url": f"?{urlencode(query)}" if cursor else None,
        "prev_url": None if page.prev_cursor is None else
        f"?{urlencode({**query, **({'before': page.prev_cursor} if page.prev_cursor else {})})}",
        "can_handle": await datasette.permission_allowed(request.actor, "qunguan-handle"),
        "back": urlencode({"back": request.full_path}), "seen": seen,
    }, request=request))


_MENU_SECONDS = 60
_menu_cache: dict[str, tuple[float, dict]] = {}


async def _menus(db) -> dict:
    """The filter menus' values, refreshed once a minute: listing every group, unit and
    article is a scan, and a menu a minute old loses nothing."""
    cached = _menu_cache.get(db.path)
    if cached is None or time.monotonic() - cached[0] > _MENU_SECONDS:
        cached = _menu_cache[db.path] = (time.monotonic(), await db.execute_fn(queue.choices))
    return cached[1]


async def _missing(datasette, request, flag_id) -> Response:
    return Response.html(await datasette.render_template("qunguan_missing.html", {"flag_id": flag_id}, request=request),
                         status=404)


def _back(request) -> str:
    """Where a case page's back link leads: the queue or search page it was opened from,
    filters and all (only those pages of this site), else the queue."""
    back = _safe_next(request.args.get("back"))
    return back if back.startswith((f"{ROUTES_PREFIX}/queue", f"{ROUTES_PREFIX}/search")) else f"{ROUTES_PREFIX}/queue"


async def case_view(datasette, request):
    await _require(datasette, request, "qunguan-review")
    back = _back(request)
    keep = f"?{urlencode({'back': back})}" if back != f"{ROUTES_PREFIX}/queue" else ""
    flag_id = queue.row_id(request.url_vars["flag_id"])
    if flag_id is None:
        return await _missing(datasette, request, request.url_vars["flag_id"])
    db = _archive(datasette)
    error, form, superseded = None, {}, None
    if request.method == "POST":
        await _require(datasette, request, "qunguan-handle")
        form = await request.post_vars()
        try:
            decision, newer = await db.execute_write_fn(lambda conn: handling.decide(
                conn, flag_id, form, request.actor["id"], queue.row_id(form.get("seen")) or 0), block=True)
        except handling.ValidationError as e:
            error = str(e)
        else:
            if not newer:
                datasette.add_message(request, f"已记录：{STATUS_NAMES[decision['status']]}，{ACTION_NAMES[decision['action']]}")
                return Response.redirect(f"{ROUTES_PREFIX}/flags/{flag_id}{keep}")
            superseded = newer[0]  # shown with the page as it is now, the form as they filled it
    around = min(max(queue.row_id(request.args.get("context")) or 10, 1), 200)
    data = await db.execute_fn(lambda conn: queue.case(conn, flag_id, around))
    if data is None:
        return await _missing(datasette, request, flag_id)
    flag = data["flag"]
    if data["message"]:
        data["message"]["marked"] = highlight(data["message"]["text"] or "", flag["evidence"])
    return Response.html(await datasette.render_template("qunguan_case.html", {
        **data, "error": error, "form": form, "statuses": HANDLING_STATUSES, "actions": handling.actions_for(flag),
        "around": around, "can_handle": await datasette.permission_allowed(request.actor, "qunguan-handle"),
        "back": back, "keep": keep, "superseded": _decided(superseded) if superseded else None,
        "seen": data["history"][-1]["id"] if data["history"] else 0,
    }, request=request), status=400 if error else 409 if superseded else 200)


async def bulk_view(datasette, request):
    await _require(datasette, request, "qunguan-handle")
    if request.method != "POST":
        return Response.redirect(f"{ROUTES_PREFIX}/queue")
    body = await request.post_body()
    form = parse_qs(body.decode("utf-8", "replace"))
    # Each flag once: a flag named twice would get two identical handling rows.
    flag_ids = list(dict.fromkeys(i for i in map(queue.row_id, form.get("flag", [])) if i is not None))
    back = _safe_next((form.get("back") or [None])[0])
    try:
        if not flag_ids:
            raise handling.ValidationError("请先勾选要处置的标记")
        status = (form.get("status") or [""])[0]
        if status not in ("dismissed", "confirmed"):
            raise handling.ValidationError("批量操作只能标记为误报或属实")
        decision = handling.validate(status, "none", (form.get("note") or [""])[0], None)
        seen = queue.row_id((form.get("seen") or [None])[0]) or 0
        recorded, newer = await _archive(datasette).execute_write_fn(
            lambda conn: handling.record_current(conn, flag_ids, decision, request.actor["id"], seen), block=True)
    except handling.ValidationError as e:
        datasette.add_message(request, str(e), datasette.ERROR)
    else:
        if recorded:
            datasette.add_message(request, f"已将 {len(recorded)} 条标记记为{STATUS_NAMES[status]}")
        if newer:
            datasette.add_message(request, _left_out(newer, request.actor["id"]), datasette.WARNING)
    return Response.redirect(back)


def _decided(row: dict) -> str:
    """A decision in a sentence: who made it, when, and what it was."""
    note = f"，备注：{row['note']}" if row["note"] else ""
    return (f"{row['actor_id']} 于 {row['created_at'].replace('T', ' ')} 记为"
            f"{STATUS_NAMES[row['status']]}（措施：{ACTION_NAMES[row['action']]}{note}）")


_NAMED = 10


def _left_out(newer: list[dict], me: str) -> str:
    """The flags a bulk decision left out, and who decided on them meanwhile (`me` too, in
    another tab): the first few by name, without their notes (a flash message travels in
    a cookie, 4 KB at most)."""
    named = "；".join(f"#{row['flag_id']}（{'您本人' if row['actor_id'] == me else row['actor_id'] + ' '}"
                     f"记为{STATUS_NAMES[row['status']]}）" for row in newer[:_NAMED])
    more = f"等共 {len(newer)} 条" if len(newer) > _NAMED else ""
    return f"以下标记在页面加载后已有新的处置，未记录：{named}{more}。请打开这些标记查看后再处置。"


async def search_view(datasette, request):
    await _require(datasette, request, "qunguan-review")
    text = request.args.get("q", "").strip()
    before = request.args.get("before")
    rows, cursor = await _archive(datasette).execute_fn(
        lambda conn: queue.search(conn, text, queue.row_id(before)))
    parts = search_terms(text)
    terms = " ".join(parts)
    for row in rows:
        row["marked"] = highlight(row["text"] or "", f"主要依据：{'、'.join(parts)}")
    return Response.html(await datasette.render_template("qunguan_search.html", {
        "q": text, "terms": terms, "rows": rows,
        "next_url": f"?{urlencode({'q': text, 'before': cursor})}" if cursor else None,
        "back": urlencode({"back": request.full_path}),
    }, request=request))


async def dashboard_view(datasette, request):
    await _require(datasette, request, "qunguan-review")
    db = _archive(datasette)
    figures = await db.execute_fn(charts.figures)
    return Response.html(await datasette.render_template("qunguan_dashboard.html", {
        "figures": figures, "weekly_svg": Markup(charts.weekly_svg(figures["weekly"])),
        "state_svg": Markup(charts.state_svg(figures["states"])), "trail_url": _trail_url(datasette),
    }, request=request))


def _trail_url(datasette) -> str:
    """The decision trail in Chinese (datasette/queries/handling.yml), where auditors look."""
    return datasette.urls.query(_archive(datasette).name, "handling_trail")


async def users_view(datasette, request):
    await _require(datasette, request, "qunguan-users")
    conn = _users(datasette)
    try:
        users = auth.list_users(conn)
        events = [dict(zip(("name", "event", "at", "by"), r)) for r in
                  conn.execute("select name, event, at, by from user_events order by id desc limit 200")]
        # Who signed in and who tried: auditors trace a decision to a login.
        logins = [dict(zip(("name", "address", "ok", "at"), r)) for r in
                  conn.execute("select name, address, ok, at from logins order by id desc limit 200")]
    finally:
        conn.close()
    return Response.html(await datasette.render_template("qunguan_users.html", {
        "users": users, "events": events, "logins": logins, "trail_url": _trail_url(datasette)}, request=request))
