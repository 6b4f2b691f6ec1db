"""Logging in and out: the login form, the attempt (locks and log in `auth`), the session
and device cookies."""
from __future__ import annotations

import asyncio
from contextlib import closing

from datasette import Response
from datasette.views.special import LogoutView

from review import auth, csrf, hosts, site
from review.web import carries_token, from_this_site, role_of, safe_next, users_db


async def login_page(datasette, request, error: str | None, next_url: str, status: int,
                     unsaved: dict | None = None, username: str = "") -> Response:
    """The login form; `username` the name a refused attempt typed, to try again with (only
    from a form with this browser's token, another site's words never reach the page; and
    only a name this browser has logged in with, `_name_to_show`)."""
    return Response.html(await datasette.render_template(
        "qunguan_login.html", {"error": error, "next": next_url, "unsaved": unsaved, "username": username,
                               "login_token": csrf.login_token(request)}, request=request), status=status)


# By the lock that holds (auth.LOCK_AFTER), with the minutes until it lifts.
# The account's locks an admin lifts at once (`qunguan users unlock`): the page says whom to ask.
_ASK_ADMIN = "；急需登录请联系管理员解除锁定"
_LOCKED = {"name": "此账号在本网络地址登录失败次数过多，请 {minutes} 分钟后再试" + _ASK_ADMIN,
           "address": "此网络地址登录失败次数过多，请 {minutes} 分钟后再试（在本浏览器上登录过的账号不受影响）",
           "account": "此账号近期登录失败次数过多，请 {minutes} 分钟后再试（曾在本浏览器上登录过此账号的不受影响）" + _ASK_ADMIN}


_ELSEWHERE = "登录表单不是从本服务的地址提交的，未能登录：" + hosts.USE_A_SERVED_NAME


async def login(datasette, request):
    next_url = safe_next(request.args.get("next"))
    if request.method == "POST":
        form = await request.post_vars()
        next_url = safe_next(form.get("next"))
        if not carries_token(request, form):
            return await login_page(datasette, request, "登录页面已失效，请重新登录", next_url, 403)
        if not from_this_site(datasette, request):
            # Not "expired": logging in again from the same page fails again. A browser that
            # reaches serve by a name it was not started with (a reverse proxy that passes
            # on its own Host, not the browser's) is told how to get in.
            return await login_page(datasette, request, _ELSEWHERE, next_url, 403)
        name = form.get("username", "").strip()
        address = address_of(request)
        device = device_logins(datasette, request)
        # In a thread: the password hash takes a fifth of a second, which on the event loop
        # would hold up every page of every user.
        lock, user = await asyncio.to_thread(_attempt_login, datasette, name, form.get("password", ""), address,
                                             device)
        if user:
            response = Response.redirect(next_url)
            start_session(datasette, response, user, device)
            return response
        error = _LOCKED[lock.kind].format(minutes=lock.minutes) if lock else "用户名或密码错误，或账号已停用"
        return await login_page(datasette, request, error, next_url, 429 if lock else 401,
                                username=_name_to_show(name, device))
    return await login_page(datasette, request, None, next_url, 200)


def _name_to_show(name: str, device: list[list]) -> str:
    """The name a refused login typed, to fill the form in again, when this browser has
    logged in with it before; else nothing. What else was typed into the name field may
    be the password, typed into the wrong field: not shown on screen for anyone to read.
    (Filling in only the names of accounts would tell a stranger which names are accounts.)"""
    return name if name in {entry[0] for entry in device} else ""


def address_of(request) -> str:
    """The address a login attempt is logged and locked under."""
    return (request.scope.get("client") or ("unknown",))[0]


def device_logins(datasette, request) -> list[list]:
    """The logins this browser remembers (`site.device_logins`)."""
    return site.device_logins(datasette, request.cookies.get(site.DEVICE_COOKIE))


def _attempt_login(datasette, name: str, password: str, address: str, device: list[list]):
    with closing(users_db(datasette)) as conn:
        trusted = site.device_knows(device, auth.get_user(conn, name))
        return auth.attempt_login(conn, name, password, address, trusted)


def start_session(datasette, response, user, device: list[list]) -> None:
    """Log this browser in as `user` with `response`: a new session cookie, and the
    browser known as one where they have logged in (`device`: the logins it remembered)."""
    response.set_cookie("ds_actor", site.actor_cookie(datasette, user),
                        httponly=True, samesite="lax", max_age=site.SESSION_SECONDS)
    _remember_device(datasette, response, user, device)


def _remember_device(datasette, response, user, device: list[list]) -> None:
    response.set_cookie(site.DEVICE_COOKIE, site.device_cookie(datasette, user, device),
                        httponly=True, samesite="lax", max_age=site.DEVICE_SECONDS)


async def logout(datasette, request):
    # Datasette's own logout only deletes the cookie in this browser, and a copy of it
    # would still work: a live session first moves its user's epoch on, ending them all.
    # The device cookie of every other browser ends with them; this one stays known.
    user = None
    if request.method == "POST" and role_of(datasette, request.actor):
        with closing(users_db(datasette)) as conn:
            auth.log_out(conn, request.actor["id"])
            user = auth.get_user(conn, request.actor["id"])
    response = await LogoutView.as_view(datasette)(request, None)
    if user:
        _remember_device(datasette, response, user, device_logins(datasette, request))
    return response
