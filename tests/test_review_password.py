"""Any logged-in user changes their own password on 修改密码: they give the current one
(checked as a login is, so the page is no way round the login's lock), then the new one
twice. Their other sessions end; this browser stays logged in."""
import re
import sqlite3

import pytest

from review import auth
from tests.review_helpers import PASSWORD, ROLES, csrf, form_fields, log_in, prepare

NEW = "Fresh-Start-2025"


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


async def change(ds, cookies, current=PASSWORD, new=NEW, again=None, with_token=True):
    """Fill in and send the 修改密码 form as a browser does, from the form page."""
    token, cookies = await csrf(ds, "/-/password", cookies)
    form = {"current_password": current, "new_password": new, "new_password_again": new if again is None else again}
    if with_token:
        form["csrftoken"] = token
    return await ds.client.post("/-/password", data=form, cookies=cookies), cookies


async def opens_queue(ds, cookies) -> bool:
    page = await ds.client.get("/-/qunguan/queue", cookies=cookies)
    return page.status_code == 200 and "审核队列" in page.text


async def login_status(ds, name, password) -> int:
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                    cookies=cookies)
    return response.status_code


def user_events(db_path, name):
    users = sqlite3.connect(auth.users_path(db_path))
    return users.execute("select event, by from user_events where name = ? order by id", [name]).fetchall()


def failed_logins(db_path, name) -> int:
    users = sqlite3.connect(auth.users_path(db_path))
    return users.execute("select count(*) from logins where name = ? and not ok", [name]).fetchone()[0]


@pytest.mark.parametrize("role", ROLES)
async def test_a_user_changes_their_password_and_stays_logged_in_here(ds, role):
    cookies = await log_in(ds, f"u-{role}")
    page = await ds.client.get("/-/password", cookies=cookies)
    assert page.status_code == 200
    assert all(label in page.text for label in ("当前密码", "新密码", "再次输入新密码"))
    response, cookies = await change(ds, cookies)
    assert response.status_code == 302 and response.headers["location"] == "/-/password"
    here = {**cookies, **response.cookies}
    assert here["ds_actor"] != cookies["ds_actor"]  # a new session for this browser
    after = await ds.client.get("/-/password", cookies=here)
    assert "密码已修改" in after.text
    assert await opens_queue(ds, here)
    assert await login_status(ds, f"u-{role}", PASSWORD) == 401
    assert await login_status(ds, f"u-{role}", NEW) == 302


async def test_the_change_ends_the_users_sessions_on_other_browsers(ds):
    office = await log_in(ds, "u-supervisor")
    phone = await log_in(ds, "u-supervisor")
    colleague = await log_in(ds, "u-admin")
    response, office = await change(ds, office)
    assert response.status_code == 302
    assert not await opens_queue(ds, phone)
    assert await opens_queue(ds, {**office, **response.cookies})
    assert await opens_queue(ds, colleague)  # nobody else's


async def test_the_change_is_in_the_user_list_as_made_by_the_user(ds, db_path):
    response, _ = await change(ds, await log_in(ds, "u-auditor"))
    assert response.status_code == 302
    assert user_events(db_path, "u-auditor")[-1] == ("password changed", "u-auditor")
    page = await ds.client.get("/-/qunguan/users", cookies=await log_in(ds, "u-admin"))
    changes = page.text.split("账号变更记录", 1)[1].split("登录记录", 1)[0]
    assert "u-auditor：修改密码（u-auditor）" in changes


async def test_a_wrong_current_password_is_refused_and_counts_toward_the_login_lock(ds, db_path):
    cookies = await log_in(ds, "u-supervisor")
    for _ in range(auth.LOCK_AFTER["name"] - 1):
        response, cookies = await change(ds, cookies, current="guess-guess-guess")
        assert response.status_code == 400 and "当前密码错误" in response.text
    assert await login_status(ds, "u-supervisor", "one-more-guess") == 401  # the lock's last try, at the login
    assert failed_logins(db_path, "u-supervisor") == auth.LOCK_AFTER["name"]
    # Now locked, on both pages, even with the right password.
    response, cookies = await change(ds, cookies)
    assert response.status_code == 429 and "次数过多" in response.text
    assert await login_status(ds, "u-supervisor", PASSWORD) == 429
    assert user_events(db_path, "u-supervisor")[-1][0] != "password changed"


def logged_checks(db_path, name) -> list[tuple[str, int]]:
    users = sqlite3.connect(auth.users_path(db_path))
    return users.execute("select kind, ok from logins where name = ? order by id", [name]).fetchall()


async def test_the_current_password_check_is_logged_as_a_password_change_not_a_login(ds, db_path):
    cookies = await log_in(ds, "u-supervisor")
    response, cookies = await change(ds, cookies, current="guess-guess-guess")
    assert response.status_code == 400
    response, _ = await change(ds, cookies)
    assert response.status_code == 302
    assert logged_checks(db_path, "u-supervisor") == [("login", 1), ("password", 0), ("password", 1)]
    page = await ds.client.get("/-/qunguan/users", cookies=await log_in(ds, "u-auditor"))
    attempts = page.text.split("登录记录", 1)[1]
    rows = re.findall(r"<tr><td>[^<]+</td><td>u-supervisor</td><td>[^<]*</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
                      attempts)
    assert rows == [("修改密码", "当前密码正确"), ("修改密码", "当前密码错误"), ("登录", "成功")]


@pytest.mark.parametrize("current, new, again, says", [
    (PASSWORD, NEW, "Fresh-Start-2026", "两次输入的新密码不一致"),
    (PASSWORD, "short-1", "short-1", f"至少需要 {auth.MIN_PASSWORD} 个字符"),
    (PASSWORD, PASSWORD, PASSWORD, "不能与当前密码相同"),
    ("", NEW, NEW, "请输入当前密码"),
])
async def test_a_form_that_does_not_add_up_is_refused_and_changes_nothing(ds, db_path, current, new, again, says):
    cookies = await log_in(ds, "u-admin")
    response, cookies = await change(ds, cookies, current, new, again)
    assert response.status_code == 400 and says in response.text
    for typed in {current, new, again} - {""}:
        assert typed not in response.text  # the form comes back empty
    assert await opens_queue(ds, cookies)  # still logged in
    assert [event for event, _ in user_events(db_path, "u-admin")] == ["added as admin"]
    assert await login_status(ds, "u-admin", PASSWORD) == 302


async def test_a_change_without_the_forms_token_is_refused(ds, db_path):
    cookies = await log_in(ds, "u-supervisor")
    response, cookies = await change(ds, cookies, with_token=False)
    assert response.status_code == 403 and "CSRF" in response.text
    assert await login_status(ds, "u-supervisor", PASSWORD) == 302
    assert [event for event, _ in user_events(db_path, "u-supervisor")] == ["added as supervisor"]


async def test_a_visitor_changes_nothing_and_is_sent_to_the_login_then_back_to_the_form(ds, db_path):
    posted = await ds.client.post("/-/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                       "new_password_again": NEW})
    assert posted.status_code == 403 and 'action="/-/login"' in posted.text
    assert failed_logins(db_path, "u-auditor") == 0
    page = await ds.client.get("/-/password")
    assert page.status_code == 403 and 'name="next" value="/-/password"' in page.text
    fields, cookies = await form_fields(ds, "/-/password", {})
    login = await ds.client.post("/-/login", data={**fields, "username": "u-auditor", "password": PASSWORD},
                                 cookies=cookies)
    assert login.headers["location"] == "/-/password"  # the password is still the old one
    form = await ds.client.get("/-/password", cookies={**cookies, **login.cookies})
    assert form.status_code == 200 and "再次输入新密码" in form.text


@pytest.mark.parametrize("role", ROLES)
async def test_the_page_menu_offers_the_change_beside_logging_out(ds, role):
    page = await ds.client.get("/-/qunguan/dashboard", cookies=await log_in(ds, f"u-{role}"))
    menu = page.text.split('class="nav-menu-inner"', 1)[1].split("</details>", 1)[0]
    assert '<a href="/-/password">修改密码</a>' in menu and "退出登录" in menu
    assert "修改密码" not in (await ds.client.get("/-/login")).text


async def test_a_new_password_longer_than_a_login_can_carry_is_refused_unread(ds, db_path):
    """The login refuses a form over 32 KB: a longer password set here could never be used."""
    cookies = await log_in(ds, "u-supervisor")
    huge = "长" * 20_000  # 180 KB form-encoded, twice
    response, cookies = await change(ds, cookies, new=huge)
    assert response.status_code == 413 and "修改密码表单上限 32 KB" in response.text and "备注" not in response.text
    assert logged_checks(db_path, "u-supervisor") == [("login", 1)]  # not even checked
    assert await login_status(ds, "u-supervisor", PASSWORD) == 302
