"""What every view of the review site needs: the plugin's settings, the archive, the users
database, who is asking and what they may do, and which addresses it may lead to."""
from __future__ import annotations

import functools
import secrets
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from datasette import Forbidden

from ingest.schema import is_busy
from review import auth, handling, hosts, request_body

ROUTES_PREFIX = "/-/qunguan"
PASSWORD_PATH = request_body.PASSWORD_PATH


def config(datasette) -> dict:
    return datasette.plugin_config("qunguan") or {}


def users_db(datasette) -> sqlite3.Connection:
    return auth.connect(Path(config(datasette)["users_db"]))


@functools.lru_cache(maxsize=4)
def _users_reader(path: str) -> sqlite3.Connection:
    # Permission checks run many times a page: one open connection, read afresh each time.
    return sqlite3.connect(path, check_same_thread=False)


def allowed_hosts(datasette) -> list[str]:
    """The host names the site answers to (`hosts`)."""
    return config(datasette).get("allowed_hosts") or hosts.allowed_hosts("127.0.0.1")


def archive(datasette):
    name = config(datasette).get("database")
    return datasette.get_database(name) if name else datasette.get_database()


async def write_decision(datasette, fn):
    """`fn` run on the archive's write connection, as a handling form records a decision;
    `handling.Busy` when another writer kept the archive past the wait, so the form comes
    back with what was filled in rather than a server error."""
    try:
        return await archive(datasette).execute_write_fn(fn, block=True)
    except sqlite3.OperationalError as e:
        if not is_busy(e):
            raise
        raise handling.Busy() from e


def role_of(datasette, actor) -> str | None:
    """The role of a logged-in, enabled user whose session is still open, read fresh so
    disabling, a new password or logging out takes effect at once."""
    if not actor or not actor.get("id") or "users_db" not in config(datasette):
        return None
    user = auth.get_user(_users_reader(config(datasette)["users_db"]), actor["id"])
    return user.role if user and not user.disabled and actor.get("epoch") == user.epoch else None


# Why a role is refused a page or form of the site, said to whoever is refused it.
_REFUSALS = {"qunguan-handle": "只有核查人和管理员可以记录处置，审计账号只读",
             "qunguan-users": "只有管理员和审计人员可以查看用户列表"}


async def require(datasette, request, action):
    if not await datasette.permission_allowed(request.actor, action):
        raise Forbidden(_REFUSALS.get(action, "没有权限"))


async def menu(datasette, actor) -> list[dict]:
    """The links of the header's menu that `actor` may follow."""
    links = []
    if await datasette.permission_allowed(actor, "qunguan-review"):
        links += [{"href": f"{ROUTES_PREFIX}/queue", "label": "审核队列"},
                  {"href": f"{ROUTES_PREFIX}/search", "label": "全文检索"},
                  {"href": f"{ROUTES_PREFIX}/dashboard", "label": "统计看板"}]
    if await datasette.permission_allowed(actor, "qunguan-users"):
        links.append({"href": f"{ROUTES_PREFIX}/users", "label": "用户列表"})
    if await datasette.permission_allowed(actor, "qunguan-password"):
        # Last, right above the menu's 退出登录.
        links.append({"href": PASSWORD_PATH, "label": "修改密码"})
    return links


def safe_next(value: str | None) -> str:
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


def carries_token(request, form) -> bool:
    """Whether a form POST carries the CSRF token a form of this site set in this browser.
    asgi-csrf checks nothing on a request without cookies, and a form on another site
    sends none (they are SameSite=Lax): unchecked, any site could log a browser into an
    account of its choosing, and the decisions made there would be misattributed."""
    cookie = request.cookies.get("ds_csrftoken", "")
    return bool(cookie) and secrets.compare_digest(form.get("csrftoken", "").encode(), cookie.encode())


async def may_read_trail(datasette, actor) -> bool:
    """Whether `actor` may open the decision trail (`trail_url`), every decision by its author."""
    return await datasette.permission_allowed(actor, "view-query", (archive(datasette).name, "handling_trail"))


def from_this_site(datasette, request) -> bool:
    """Whether a login was posted from a page of this site, as its browser says: the Origin
    header, which every current browser sends with a POST, is the site as the request
    reached it, scheme, host and port (none sent: a browser too old to, let through); or
    names a host `serve --allow-host` gave, which a reverse proxy may stand for, its
    scheme and port and perhaps its Host the server never sees. The double-submit token
    alone does not tell: a page on a sibling subdomain, same-site to the browser, or on
    another port of this machine, can set the CSRF cookie to a token of its own and post it
    with its owner's name and password, logging the victim into that account, where her
    decisions would be theirs."""
    origin = request.headers.get("origin")
    return origin is None or hosts.same_origin(origin, request.scheme, request.headers.get("host")) \
        or hosts.is_allowed(urlsplit(origin).netloc or None, config(datasette).get("proxied_hosts", []))


def trail_url(datasette) -> str:
    """The decision trail in Chinese (datasette/queries/handling.yml), where auditors look."""
    return datasette.urls.query(archive(datasette).name, "handling_trail")
