"""Request bodies read within a size limit before any view sees them.

Datasette reads a POST body whole, joining its pieces one by one (time in the square of
its size), and the login view does so before it checks the login lock: one visitor's
150 MB form held the server for most of a minute. Every form here is small, so a body
over its route's limit is refused unread (by its Content-Length) or as soon as the part
read passes the limit, and a body within it reaches the app as one piece."""
from __future__ import annotations

LOGIN_PATH = "/-/login"
# Beside Datasette's /-/login and /-/logout, as the account's other page.
PASSWORD_PATH = "/-/password"
# A login form is a name, a password, a token and the page to return to, which may carry
# a search the case page was opened from, encoded twice (the login caps it: NEXT_LIMIT).
# The password form, three passwords and a token, has the same limit: a new password
# longer than a login can carry would lock its user out.
LOGIN_LIMIT = 32 * 1024
NEXT_LIMIT = 8000
_PASSWORD_FORMS = {LOGIN_PATH: "登录表单", PASSWORD_PATH: "修改密码表单"}
# The longest handling note (4000 characters, 9 bytes each form-encoded) or a bulk
# decision on a whole queue page, many times over.
FORM_LIMIT = 1024 * 1024


def limit_for(path: str) -> int:
    return LOGIN_LIMIT if path in _PASSWORD_FORMS else FORM_LIMIT


TOO_LARGE = "提交的内容过大"


def too_large(path: str) -> str:
    """What a refused sender is told, in the words of the form they sent."""
    if path in _PASSWORD_FORMS:
        return f"提交的内容过大（{_PASSWORD_FORMS[path]}上限 {LOGIN_LIMIT // 1024} KB），未处理。"
    return f"提交的内容过大（上限 {FORM_LIMIT // 1024} KB），未处理。请缩短备注或减少一次勾选的条数后重新提交。"


def declared_length(scope: dict) -> int | None:
    """The Content-Length the client declared, None when it declared none (or nonsense,
    which the server in front refuses anyway)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


async def read_within(receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as more than `limit` bytes have arrived (the rest
    is never read). A client gone before the end leaves the part it sent."""
    parts, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


# Where the wrapper leaves the body in the request's scope, for a page that answers a
# form after its view has refused it (a session ended before the form was sent).
SCOPE_KEY = "qunguan.body"


async def within_limit(scope: dict, receive) -> tuple[dict, object] | None:
    """The request's scope with its whole body kept under SCOPE_KEY, and a `receive` that
    gives that body at once; or None, when the body is over its route's limit (to be
    answered 413, `too_large`)."""
    limit = limit_for(scope.get("path", ""))
    declared = declared_length(scope)
    body = await read_within(receive, limit) if (declared or 0) <= limit else None
    return None if body is None else ({**scope, SCOPE_KEY: body}, replaying(body, receive))


def replaying(body: bytes, receive):
    """A `receive` that gives `body` in one message, then passes on to `receive` (which
    tells the app when the client disconnects)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay
