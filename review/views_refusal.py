"""What a refused or failed request gets: a visitor, the login form in place of any page
(a decision sent after its session ended shown back on it, unsaved); a user, Datasette's
error pages in Chinese, as JSON at a .json address."""
from __future__ import annotations

from urllib.parse import parse_qs

import asgi_csrf
import datasette.handle_exception as datasette_errors
from datasette import Request, Response
from itsdangerous import BadData

from ingest.schema import ACTION_NAMES, STATUS_NAMES
from review import datasette_zh, errors, request_body
from review.views_login import login_page
from review.web import ROUTES_PREFIX, carries_token, role_of, safe_next

# A form posted with a stale or missing token (a page left open past its cookie) gets
# asgi-csrf's plain 403: its words, in Chinese.
_STALE_FORM = "页面已过期或表单无效（CSRF 校验失败）：请返回上一页，刷新后重新提交。"


def install() -> None:
    """Set up, once, what Datasette and asgi-csrf answer on their own."""
    # Datasette 0.65 prints every error, a 404 too, with rich's show_locals=True: the server
    # log would get login cookies and chat text. Outside an `except` block rich also raises,
    # which turned an unknown address into a 500. Without rich, Datasette answers 404 and
    # logs only a 500's traceback, without its variables.
    datasette_errors.rich = None
    asgi_csrf.error_messages.update({asgi_csrf.Errors.FORM_URLENCODED_MISMATCH: _STALE_FORM,
                                     asgi_csrf.Errors.MULTIPART_MISMATCH: _STALE_FORM,
                                     asgi_csrf.Errors.FILE_BEFORE_TOKEN: "表单格式有误（CSRF 校验失败），请刷新页面后重新提交。",
                                     asgi_csrf.Errors.UNKNOWN_CONTENT_TYPE: "不支持的提交格式（CSRF 校验失败）。"})


def forbidden(datasette, request, message):
    if role_of(datasette, request.actor) is None:
        return refuse_visitor(datasette, request)
    if errors.wants_json(request.path, request.headers.get("accept", "")):  # Datasette's own is HTML
        return errors.json_error(datasette_zh.error_message(message), 403, "无权访问")


def handle_exception(datasette, request, exception):
    # Datasette answers a database, table, query or page that does not exist with 404
    # before it asks who is asking: a visitor could list them by trying names. A visitor
    # gets no error of any kind, only the refusal; a user gets Datasette's error page,
    # in Chinese.
    if role_of(datasette, request.actor) is None:
        return refuse_visitor(datasette, request)
    # Datasette answers in JSON by the address alone.
    as_json = request.path.endswith(".json")
    return datasette_errors.handle_exception(datasette, request, errors.in_chinese(exception, as_json))


def refuse_visitor(datasette, request):
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
        next_url = safe_next((unsaved or {}).get("back") or request.full_path)
        # Rendered for nobody: the header must not name a user whose session has ended. It
        # shows the messages flashed to the page asked for (您已退出登录), once.
        nobody = Request(dict(request.scope, actor=None), request.receive)
        nobody._messages = getattr(request, "_messages", [])
        response = await login_page(datasette, nobody, _SESSION_ENDED if unsaved else None, next_url, 403, unsaved)
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
    if not {"status", "note"} & first.keys() or not carries_token(request, first):
        return None
    flag = request.url_vars.get("flag_id") if request.path.startswith(f"{ROUTES_PREFIX}/flags/") else None
    return {"flags": [flag] if flag else form.get("flag", []), "status": STATUS_NAMES.get(first.get("status"), ""),
            "action": ACTION_NAMES.get(first.get("action"), ""), "due_date": first.get("due_date", ""),
            "note": first.get("note", ""), "back": first.get("back")}
