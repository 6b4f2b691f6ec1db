"""Changing one's own password: the form, the change (`auth.change_own_password`), and a
new session for this browser, since the change ends every session the user had."""
from __future__ import annotations

import asyncio
from contextlib import closing

from datasette import Response

from review import auth, site
from review.views_login import address_of, device_logins, start_session
from review.web import PASSWORD_PATH, require, users_db

# Why a change was refused, by `change_own_password`'s reasons and the form's own.
_REFUSED = {
    "missing": "请输入当前密码和新密码",
    "mismatch": "两次输入的新密码不一致",
    "short": f"新密码至少需要 {auth.MIN_PASSWORD} 个字符",
    "wrong": "当前密码错误",
    "same": "新密码不能与当前密码相同",
}
# The login's locks (auth.LOCK_AFTER): this page counts toward them and is refused by them.
_LOCKED = {"name": "此账号在本网络地址密码错误次数过多（登录失败一并计算），请 {minutes} 分钟后再试",
           "address": "此网络地址密码错误次数过多，请 {minutes} 分钟后再试",
           "account": "此账号近期密码错误次数过多（登录失败一并计算），请 {minutes} 分钟后再试"}
_CHANGED = "密码已修改。您在其他浏览器或设备上的登录均已退出，本浏览器保持登录。"


async def password_view(datasette, request):
    await require(datasette, request, "qunguan-password")
    refused = None
    if request.method == "POST":
        form = await request.post_vars()
        current, new = form.get("current_password", ""), form.get("new_password", "")
        if not current or not new:
            refused = "missing"
        elif new != form.get("new_password_again", ""):
            refused = "mismatch"
        else:
            device = device_logins(datasette, request)
            # In a thread, as the login: each password hash takes a fifth of a second.
            refused, user = await asyncio.to_thread(_change, datasette, request.actor["id"], current, new,
                                                    address_of(request), device)
            if refused is None:
                datasette.add_message(request, _CHANGED)
                response = Response.redirect(PASSWORD_PATH)
                start_session(datasette, response, user, device)
                return response
    # The form comes back empty: a password is never written into a page.
    locked = isinstance(refused, auth.Lock)
    error = _LOCKED[refused.kind].format(minutes=refused.minutes) if locked else _REFUSED.get(refused)
    return Response.html(await datasette.render_template("qunguan_password.html", {
        "error": error, "min_length": auth.MIN_PASSWORD}, request=request),
        status=200 if refused is None else 429 if locked else 400)


def _change(datasette, name: str, current: str, new: str, address: str, device: list[list]):
    with closing(users_db(datasette)) as conn:
        trusted = site.device_knows(device, auth.get_user(conn, name))
        return auth.change_own_password(conn, name, current, new, address, trusted), auth.get_user(conn, name)
