"""Each session's own CSRF token. Datasette's (asgi-csrf) is a double-submit cookie: a
form passes when its token is the one in the browser's `ds_csrftoken` cookie, any token
Datasette ever signed, whoever's session it came from. Someone who can set a cookie in a
supervisor's browser (a page on a sibling subdomain, or on plain http on the way) sets
the one from their own session, and has her browser post a form with its token.

Here a logged-in browser's token is derived from its session cookie with the instance
secret, so only pages of that session carry it: asgi-csrf is shown that token as the
browser's cookie, whatever cookie it sent. Every form of the site goes on working as it
did, Datasette's own (logging out) too.

The login form keeps Datasette's token, the browser's own cookie, which a login leaves as
it was: a login form opened before logging in (another tab, the Back button, a second
click on 登录) still logs in, as it did before sessions had tokens of their own. Wherever
it is shown (the login page, or in place of a page for a browser whose session ended), it
carries that token (`login_token`), and a login is checked against it alone."""
from __future__ import annotations

import hashlib
import hmac

from datasette import Request
from itsdangerous import BadData
from itsdangerous.url_safe import URLSafeSerializer

SESSION_COOKIE = "ds_actor"
TOKEN_COOKIE = "ds_csrftoken"
LOGIN_PATH = "/-/login"
# Where a bound request keeps the browser's own token, for the login form on its page.
OWN_TOKEN = "qunguan.own_csrftoken"


def session_token(secret: str, session: str) -> str:
    """The CSRF token of the session whose cookie is `session`, signed as asgi-csrf signs
    its tokens (it refuses a cookie it did not sign)."""
    digest = hmac.new(secret.encode(), b"qunguan-csrf\0" + session.encode(), hashlib.sha256).hexdigest()
    return URLSafeSerializer(secret).dumps(digest, "csrftoken")


def login_token(request) -> str | None:
    """The token for the login form on the page answering `request`: the browser's own (None:
    the page's, `csrftoken()`, is it)."""
    return request.scope.get(OWN_TOKEN) if request else None


def bound(secret: str, scope: dict, send):
    """(scope, send) for a request as asgi-csrf is to see it: with its session's own token
    for its CSRF cookie, when it has a session cookie and not that token; a login as sent.
    A browser without a token of its own (none Datasette signed) is given the session's."""
    if scope.get("path") == LOGIN_PATH and scope.get("method") == "POST":
        return scope, send
    cookies = Request(scope, None).cookies
    session = cookies.get(SESSION_COOKIE)
    if not session:
        return scope, send
    token = session_token(secret, session)
    own = cookies.get(TOKEN_COOKIE)
    if own == token:
        return scope, send
    kept = [part.strip() for name, value in scope.get("headers", ()) if name == b"cookie"
            for part in value.decode("latin-1").split(";") if part.split("=", 1)[0].strip() not in ("", TOKEN_COOKIE)]
    headers = [(name, value) for name, value in scope["headers"] if name != b"cookie"]
    headers.append((b"cookie", "; ".join([*kept, f"{TOKEN_COOKIE}={token}"]).encode("latin-1")))
    if _signed(secret, own):
        return dict(scope, headers=headers, **{OWN_TOKEN: own}), send
    # As asgi-csrf sets its cookie: the browser's own token from now on.
    set_cookie = (b"set-cookie", f"{TOKEN_COOKIE}={token}; Path=/; SameSite=Lax".encode("latin-1"))

    async def sending(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), set_cookie]}
        await send(message)

    return dict(scope, headers=headers, **{OWN_TOKEN: token}), sending


def _signed(secret: str, token: str | None) -> bool:
    try:
        URLSafeSerializer(secret).loads(token or "", "csrftoken")
    except BadData:
        return False
    return True
