"""What the site answers before Datasette sees a request, and how a CSV export leaves it."""
from __future__ import annotations

import re

from datasette import Request, Response
from datasette.plugins import pm
from datasette.utils import await_me_maybe

from review import csrf, csv_export, errors, hosts, request_body
from review.web import ROUTES_PREFIX, allowed_hosts, role_of

# The addresses that take a POST: the login, logging out, the password change and the
# handling forms (every other address takes only GET and HEAD).
_TAKES_POST = re.compile(rf"^/-/(login|logout|password)$|^{ROUTES_PREFIX}/(flags/[^/]+|bulk)$")


# On every answer. No page of this site is meant to be shown inside another's: a site
# framing the case page could have a supervisor click 误报 unawares (clickjacking), and
# browsers that ignore SameSite, old ones still on office desktops, send the login cookie
# to such a frame. Nor is any answer to be read as other than its type: a JSON error
# repeats the address's words (a `_shape` of `<script>…`), which a browser that guesses
# types could run as a page.
_HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"),
            (b"x-content-type-options", b"nosniff")]
_WRONG_HOST = "此地址的主机名不是本服务的：" + hosts.USE_A_SERVED_NAME


def wrapper(datasette):
    """Answer here what Datasette would answer wrongly (`_checked`), and send a CSV export
    as a file Excel opens right and safely (`csv_export`).
    Answer a form that is not UTF-8, which the CSRF check fails to read, with 400 rather
    than a server error. No answer may be shown in another site's frame, nor sniffed, nor
    given to a request for a host name this server does not go by (`hosts`). A logged-in
    browser's forms carry its session's own CSRF token (`csrf`)."""
    allowed = allowed_hosts(datasette)

    def wrap(app):
        async def guarded(scope, receive, send):
            send = _with_headers(send)
            if scope.get("type") == "http" and not _for_this_host(scope, allowed):
                await Response.text(_WRONG_HOST, status=400).asgi_send(send)
                return
            if scope.get("type") == "http":
                scope, send = csrf.bound(datasette._secret, scope, send)
                checked = await _checked(datasette, scope, receive, send)
                if checked is None:
                    return
                scope, receive = checked
            started = False

            async def sending(message):
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            outgoing = sending
            if scope.get("type") == "http" and scope.get("path", "").endswith(".csv"):
                outgoing = csv_export.Export(sending, scope["path"])
            try:
                await app(scope, receive, outgoing)
            except UnicodeDecodeError:
                if started:
                    raise
                await Response.text("请求内容不是有效的 UTF-8 编码", status=400).asgi_send(send)

        return guarded

    return wrap


def _for_this_host(scope, allowed: list[str]) -> bool:
    named = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"]
    return len(named) == 1 and hosts.is_allowed(named[0], allowed)


def _with_headers(send):
    async def sending(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
        await send(message)

    return sending


async def _checked(datasette, scope, receive, send) -> tuple[dict, object] | None:
    """An HTTP request as Datasette may see it (scope, receive), or None once it has been
    answered here. Any Authorization header is dropped before Datasette's CSRF check sees
    it: that check lets a request with a bearer token through without a token of its own,
    and this site knows no bearer tokens, only the login's cookie. A visitor gets only
    the refusal, whatever the method. A logged-in user gets 405 for a method the address
    does not take (a POST but to the login, logging out, the password change and the
    handling forms; any method but GET, HEAD and POST), and 400 in Chinese for an address
    whose arguments Datasette would fail on; a body over its limit is refused with 413
    before anything reads it (`errors`, `request_body`)."""
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
