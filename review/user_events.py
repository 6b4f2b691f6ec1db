"""The user list's words in Chinese. `auth` stores each change of an account as English
words ("added as supervisor", "disabled", "password changed") and reads them back
(`login_locked` looks for "password changed" and "unlocked"), so the log keeps them and only the page
translates them."""
from __future__ import annotations

from review.auth import ROLE_NAMES, UNKNOWN_NAME

EVENTS = {"disabled": "停用", "enabled": "恢复启用", "password changed": "修改密码", "logged out": "退出登录",
          "unlocked": "解除登录锁定"}


# A logged password check by what it was for (`logins.kind`) and whether the password was right.
ATTEMPTS = {("login", True): ("登录", "成功"), ("login", False): ("登录", "失败"),
            ("password", True): ("修改密码", "当前密码正确"), ("password", False): ("修改密码", "当前密码错误")}


# The locks (`auth.LOCK_AFTER`) as the login log names them on a refused attempt.
LOCKS = {"name": "账号在该地址", "address": "该地址", "account": "账号"}


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def event_name(event: str) -> str:
    """A stored event in Chinese; an event this module does not know is shown as stored."""
    if event.startswith("added as "):
        return f"添加为{role_name(event.removeprefix('added as '))}"
    return EVENTS.get(event, event)


def login_name(name: str) -> str:
    """A logged attempt's name in Chinese: an account's as it is, a name no account has
    (kept as its digest, `auth.logged_name`) said to be one, by its digest."""
    return f"不存在的用户名（{name.removeprefix(UNKNOWN_NAME)}）" if name.startswith(UNKNOWN_NAME) else name


def attempt_name(kind: str, ok, locked: str | None = None) -> tuple[str, str]:
    """What a logged password check was for, and its result, in Chinese: refused unchecked
    while a lock held (`locked`, the lock's kind), said so."""
    what, result = ATTEMPTS[kind, bool(ok)]
    return what, f"已拒绝（{LOCKS[locked]}锁定中，未核对密码）" if locked else result
