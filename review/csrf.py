"""Each session's own CSRF token. Datasette's (asgi-csrf) is a double-submit cookie: a
form passes when its token is the one in the browser's `ds_csrftoken` cookie, any token
Datasette ever signed, whoever's session it came from. Someone who can set a cookie in a
supervisor's browser (a page on a sibling subdomain, or on plain http on the way) sets
the one from their own session, and has her browser post a form with its token.

Here a logged-in browser's token is derived from its session cookie with the instance
secret, so only pages of that session carry it: asgi-csrf is shown that token as the
browser's cookie, and the browser is given it, whatever cookie it sent. Every form of
the site goes on working as it did, Datasette's own (logging out) too; the login's,
before any session, keeps Datasette's token."""
from __future__ import annotations

import hashlib
import hmac

from datasette import Request
from itsdangerous.url_safe import URLSafeSerializer

SESSION_COOKIE = "ds_actor"
TOKEN_COOKIE = "ds_csrftoken"


def session_token(secret: str, session: str) -> str:
    """The CSRF token of the session whose cookie is `session`, signed as asgi-csrf signs
    its tokens (it refuses a cookie it did not sign)."""
    digest = hmac.new(secret.encode(), b"qunguan-csrf\0" + session.encode(), hashlib.sha256).hexdigest()
    return URLSafeSerializer(secret).dumps(digest, "csrftoken")


def bound(secret: str, scope: dict, send):
    """(scope, send) for a request as asgi-csrf is to see it: with its session's own token
    for its CSRF cookie, which the answer sets, when it has a session cookie and not that
    token."""
    cookies = Request(scope, None).cookies
    session = cookies.get(SESSION_COOKIE)
    if not session:
        return scope, send
    token = session_token(secret, session)
    if cookies.get(TOKEN_COOKIE) == token:
        return scope, send
    kept = [part.strip() for name, value in scope.get("headers", ()) if name == b"cookie"
            for part in value.decode("latin-1").split(";") if part.split("=", 1)[0].strip() not in ("", TOKEN_COOKIE)]
    headers = [(name, value) for name, value in scope["headers"] if name != b"cookie"]
    headers.append((b"cookie", "; ".join([*kept, f"{TOKEN_COOKIE}={token}"]).encode("latin-1")))
    # As asgi-csrf sets its cookie.
    set_cookie = (b"set-cookie", f"{TOKEN_COOKIE}={token}; Path=/; SameSite=Lax".encode("latin-1"))

    async def sending(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), set_cookie]}
        await send(message)

    return dict(scope, headers=headers), sending
