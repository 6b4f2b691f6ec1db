"""A login lasts twelve hours at most, and ends for good when its user logs out, gets a
new password or is disabled: a copy of the cookie taken before is worth nothing."""
import re
import socket
import sqlite3
import time

import pytest
from datasette.utils import baseconv

from review import auth
from tests.review_helpers import PASSWORD, csrf, log_in, prepare


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


async def opens_queue(ds, cookies) -> bool:
    page = await ds.client.get("/-/qunguan/queue", cookies=cookies)
    assert page.status_code in (200, 403)
    return page.status_code == 200 and "审核队列" in page.text


def drops_the_cookie(response) -> bool:
    return any(c.startswith("ds_actor=") and "Max-Age=0" in c for c in response.headers.get_list("set-cookie"))


def events(db_path, name):
    users = sqlite3.connect(auth.users_path(db_path))
    return [row[0] for row in users.execute("select event from user_events where name = ? order by id", [name])]


async def test_logging_out_ends_the_session_even_for_a_copy_of_the_cookie(ds, db_path):
    cookies = await log_in(ds, "u-supervisor")
    copied = dict(cookies)
    assert await opens_queue(ds, cookies)
    token, cookies = await csrf(ds, "/-/logout", cookies)
    response = await ds.client.post("/-/logout", data={"csrftoken": token}, cookies=cookies)
    assert response.status_code == 302 and drops_the_cookie(response)
    page = await ds.client.get("/-/qunguan/queue", cookies=copied)
    assert page.status_code == 403 and 'action="/-/login"' in page.text  # asked to log in again
    assert drops_the_cookie(page)
    assert events(db_path, "u-supervisor")[-1] == "logged out"
    again = await log_in(ds, "u-supervisor")
    assert again["ds_actor"] != copied["ds_actor"] and await opens_queue(ds, again)


@pytest.mark.parametrize("command, event", [
    (["password", "u-admin", "--password-stdin"], "password changed"),
    (["disable", "u-admin"], "disabled"),
])
async def test_a_new_password_or_disabling_ends_open_sessions(ds, qunguan, db_path, command, event):
    cookies = await log_in(ds, "u-admin")
    assert await opens_queue(ds, cookies)
    assert qunguan("users", *command, "--db", db_path, input="Another-Secret-42\n").exit_code == 0
    assert not await opens_queue(ds, cookies)
    assert events(db_path, "u-admin")[-1] == event


async def test_a_session_lasts_twelve_hours(ds):
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": "u-auditor", "password": PASSWORD, "csrftoken": token},
                                    cookies=cookies)
    assert "Max-Age=43200" in response.headers["set-cookie"]
    session = ds.unsign(response.cookies["ds_actor"], "actor")
    expires = int(baseconv.base62.decode(session["e"]))
    assert abs(expires - (time.time() + 12 * 3600)) < 60
    expired = ds.sign({**session, "e": baseconv.base62.encode(int(time.time()) - 1)}, "actor")
    assert await opens_queue(ds, {"ds_actor": response.cookies["ds_actor"]})
    assert not await opens_queue(ds, {"ds_actor": expired})


async def test_cookies_from_before_sessions_ended_are_refused(ds):
    old = {"ds_actor": ds.sign({"a": {"id": "u-admin"}}, "actor")}  # what every login used to set
    page = await ds.client.get("/-/qunguan/queue", cookies=old)
    assert page.status_code == 403 and 'action="/-/login"' in page.text and drops_the_cookie(page)


def test_a_users_database_from_before_sessions_is_upgraded(tmp_path):
    path = tmp_path / "old.users.db"
    old = sqlite3.connect(path)
    old.executescript("""
        create table users (name text primary key, role text not null, password_hash text not null,
                            disabled integer not null default 0, created_at text not null, created_by text not null);
        create table user_events (id integer primary key, name text not null, event text not null, at text not null,
                                  by text not null);
        create table logins (id integer primary key, name text not null, address text not null, ok integer not null,
                             at text not null);
    """)
    old.execute("insert into users values ('li', 'supervisor', ?, 0, '2024-01-01T00:00:00', 'root')",
                [auth.hash_password(PASSWORD)])
    old.commit()
    old.execute("insert into logins (name, address, ok, at) values ('li', '10.0.0.1', 1, '2024-01-02T00:00:00')")
    # Li typed her password into the name field once: the log kept it as typed.
    old.execute("insert into logins (name, address, ok, at) values (?, '10.0.0.1', 0, '2024-01-02T00:00:00')",
                [PASSWORD])
    old.commit()
    conn = auth.connect(path)
    assert conn.execute("select kind from logins").fetchall() == [("login",)] * 2  # what they all were then
    assert [name for (name,) in conn.execute("select name from logins order by id")] == [
        "li", auth.logged_name(conn, PASSWORD)]
    assert auth.logged_name(conn, PASSWORD).startswith(auth.UNKNOWN_NAME) and PASSWORD not in auth.logged_name(
        conn, PASSWORD)
    assert auth.authenticate(conn, "li", PASSWORD) == auth.get_user(conn, "li")
    auth.log_out(conn, "li")
    assert auth.get_user(conn, "li").epoch == 1


def test_the_served_site_goes_by_the_caller_address_not_the_one_a_header_claims(qunguan, db_path):
    # Logins are locked per address after too many failures, and the login log names the
    # address: a client on this machine claiming another in X-Forwarded-For must not
    # dodge the lock or write a made-up address in the log.
    import subprocess
    import sys
    import urllib.error
    import urllib.parse
    import urllib.request
    from pathlib import Path

    qunguan("users", "add", "li-sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("qunguan")), "serve", "--db", str(db_path),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/-/login"
    try:
        for _ in range(100):
            try:
                form = urllib.request.urlopen(base, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = form.read().decode().split('name="csrftoken" value="')[1].split('"')[0]
        cookie = form.headers["set-cookie"].split(";")[0]
        attempt = urllib.request.Request(base, urllib.parse.urlencode(
            {"username": "li-sup", "password": "wrong-password", "csrftoken": token}).encode(),
            headers={"Cookie": cookie, "X-Forwarded-For": "198.51.100.7"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(attempt, timeout=5)
    finally:
        server.terminate()
        server.wait(10)
    users = sqlite3.connect(auth.users_path(db_path))
    assert users.execute("select name, address, ok from logins").fetchall() == [("li-sup", "127.0.0.1", 0)]


async def test_auditors_see_who_signed_in_and_who_tried(ds):
    token, cookies = await csrf(ds, "/-/login", {})
    failed = await ds.client.post("/-/login", data={"username": "u-supervisor", "password": "wrong", "csrftoken": token},
                                  cookies=cookies)
    assert failed.status_code != 302
    await log_in(ds, "u-supervisor")
    page = await ds.client.get("/-/qunguan/users", cookies=await log_in(ds, "u-auditor"))
    attempts = page.text.split("登录记录", 1)[1]
    rows = re.findall(r"<tr><td>[^<]+</td><td>(u-[a-z]+)</td><td>[^<]*</td><td>登录</td><td>(成功|失败)</td></tr>",
                      attempts)
    assert rows[:3] == [("u-auditor", "成功"), ("u-supervisor", "成功"), ("u-supervisor", "失败")]


async def test_a_password_typed_as_the_name_is_logged_as_no_such_user_never_as_typed(ds, db_path):
    token, cookies = await csrf(ds, "/-/login", {})

    async def attempt(name):
        return await ds.client.post("/-/login", data={"username": name, "password": "wrong-password",
                                                      "csrftoken": token}, cookies=cookies)

    for name in (PASSWORD, PASSWORD, "u-supervisr", "u-supervisor"):
        assert (await attempt(name)).status_code == 401
    users = sqlite3.connect(auth.users_path(db_path))
    logged = [name for (name,) in users.execute("select name from logins order by id")]
    assert logged[3] == "u-supervisor"  # an account's, as it is
    assert logged[0] == logged[1] != logged[2] and all(name.startswith(auth.UNKNOWN_NAME) for name in logged[:3])
    assert not [row for row in users.execute("select * from logins") if any(PASSWORD in str(v) for v in row)]
    page = await ds.client.get("/-/qunguan/users", cookies=await log_in(ds, "u-auditor"))
    attempts = page.text.split("登录记录", 1)[1]
    assert PASSWORD not in attempts and "u-supervisr" not in attempts
    assert attempts.count(f"<td>不存在的用户名（{logged[0].removeprefix(auth.UNKNOWN_NAME)}）</td>") == 2
    # A name no account has is still locked as an account is: the refusals tell no name from an account's.
    for _ in range(auth.LOCK_AFTER["name"] - 2):
        assert (await attempt(PASSWORD)).status_code == 401
    assert (await attempt(PASSWORD)).status_code == 429


def test_serve_on_a_port_in_use_says_so_in_one_line(qunguan, db_path):
    qunguan("users", "add", "li-sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = qunguan("serve", "--db", db_path, "--port", str(port))
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr and "pass --port" in result.stderr
    assert result.stderr.startswith(f"错误：无法在 127.0.0.1:{port} 上提供服务：端口已被其他程序占用；请用 --port 换一个，如 "
                                    f"--port {port + 1}")


def test_serve_of_an_archive_without_users_says_the_command_that_adds_one(qunguan, db_path, fixtures, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # as if stopped at once
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    result = qunguan("serve", "--db", db_path, "--port", "0")
    assert f"add one with `qunguan users add NAME --role supervisor --db {db_path}`" in " ".join(result.stderr.split())
    assert result.stderr.startswith(f"注意：还没有用户，谁都无法登录；请用 `qunguan users add NAME --role supervisor "
                                    f"--db {db_path}` 添加")
    assert f"正在提供档案 {db_path}：http://127.0.0.1:0/-/login（按 Ctrl-C 停止）" in result.stderr
    qunguan("users", "add", "li-sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    assert "no users yet" not in qunguan("serve", "--db", db_path, "--port", "0").stderr


@pytest.mark.parametrize("reading", [True, False], ids=["another program reading", "nobody reading"])
def test_serve_stopped_while_another_program_reads_the_archive_says_to_copy_both_files(qunguan, db_path, fixtures,
                                                                                       monkeypatch, reading):
    import uvicorn

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    reader = sqlite3.connect(db_path)

    def served(*args, **kwargs):  # a change made while serving, and a backup tool reading meanwhile
        with sqlite3.connect(db_path) as writer:
            writer.execute("update groups set unit = '县应急局'")
        if reading:
            reader.execute("begin")
            reader.execute("select count(*) from messages").fetchone()

    monkeypatch.setattr(uvicorn, "run", served)
    result = qunguan("serve", "--db", db_path, "--port", "0")
    reader.close()
    said = f"注意：有其他程序正在读取 {db_path}：最近的改动在它停止前留在 {db_path}-wal 中；备份时请连同两个文件一起复制"
    assert (said in result.stderr) is reading, result.stderr
    assert ("another program is reading" in result.stderr) is reading


def test_serve_on_an_ipv6_address_prints_a_url_a_browser_opens(qunguan, db_path, fixtures, monkeypatch):
    import uvicorn

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # as if stopped at once
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    result = qunguan("serve", "--db", db_path, "--port", "0", "--host", "::1")
    assert "http://[::1]:0/-/login（按 Ctrl-C 停止）" in result.stderr and ":::" not in result.stderr


def test_stopping_serve_leaves_every_decision_in_the_archive_file_itself(qunguan, db_path, fixtures):
    import shutil
    import signal
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from review import handling

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("qunguan")), "serve", "--db", str(db_path),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # until it serves
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        # A decision written while the site holds the archive open lands in its -wal file.
        con = sqlite3.connect(db_path)
        handling.record(con, [1], handling.validate("confirmed", "reminded", "已提醒", None), "u-supervisor")
        con.close()
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        server.wait(15)
    copy = Path(str(db_path) + ".copy")
    shutil.copy(db_path, copy)  # the file alone, as a backup would take it
    assert sqlite3.connect(copy).execute("select count(*) from handling").fetchone()[0] == 1


async def test_a_decision_sent_after_the_session_ended_is_shown_back_unsaved(ds, db_path):
    # She writes a long note; meanwhile her session ends (logged out on another browser).
    from tests.review_helpers import form_fields

    cookies = await log_in(ds, "u-supervisor")
    case = "/-/qunguan/flags/1"
    hidden, cookies = await form_fields(ds, case, cookies)
    auth.log_out(auth.connect(auth.users_path(db_path)), "u-supervisor")
    note = "已电话联系本人，说明情况如下：\n1. 红包为同事婚礼随礼；\n2. 已要求撤回。"
    response = await ds.client.post(case, cookies=cookies, data={
        **hidden, "status": "resolved", "action": "recalled", "note": note, "due_date": "2099-03-20"})
    assert response.status_code == 403 and 'action="/-/login"' in response.text
    assert "登录已失效，处置未保存，请重新登录后再提交" in response.text
    assert f">{note}</textarea>" in response.text  # to copy, not lost
    assert "已处置" in response.text and "要求撤回" in response.text and "2099-03-20" in response.text
    assert "u-supervisor" not in response.text and "退出登录" not in response.text  # nobody is logged in
    assert f'name="next" value="{case}"' in response.text and drops_the_cookie(response)
    archive = sqlite3.connect(db_path)
    assert archive.execute("select count(*) from handling").fetchone()[0] == 0


async def test_a_bulk_decision_sent_after_the_session_ended_is_shown_back_unsaved(ds, qunguan, db_path):
    from tests.review_helpers import form_fields

    cookies = await log_in(ds, "u-admin")
    hidden, cookies = await form_fields(ds, "/-/qunguan/queue?category=red_packet", cookies)
    assert qunguan("users", "disable", "u-admin", "--db", db_path).exit_code == 0
    response = await ds.client.post("/-/qunguan/bulk", cookies=cookies, data={
        **hidden, "flag": ["1", "2"], "status": "dismissed", "note": "同一误报"})
    assert response.status_code == 403 and "登录已失效，处置未保存" in response.text
    assert "#1、#2" in response.text and "误报" in response.text and ">同一误报</textarea>" in response.text
    assert 'name="next" value="/-/qunguan/queue?category=red_packet"' in response.text


@pytest.mark.parametrize("path", ["/-/qunguan/flags/1", "/-/qunguan/bulk"])
async def test_another_site_cannot_put_its_words_on_the_login_page(ds, path):
    # A form on another site posts without cookies: asgi-csrf checks nothing then, and the
    # login page showed its "unsaved decision" under this site's name.
    bait = "系统升级：请将用户名和密码发送至 admin@example.com"
    forged = await ds.client.post(path, data={"flag": "1", "status": "dismissed", "note": bait})
    # Nor from a browser that has no session: only the author of an ended one sees theirs.
    token, cookies = await csrf(ds, "/-/login", {})
    anonymous = await ds.client.post(path, cookies=cookies, data={
        "csrftoken": token, "flag": "1", "status": "dismissed", "note": bait})
    for response in (forged, anonymous):
        assert response.status_code == 403 and 'action="/-/login"' in response.text
        assert "系统升级" not in response.text and "处置未保存" not in response.text


async def test_the_login_forms_of_two_tabs_whose_session_ended_both_log_in(ds, db_path):
    # Logged out on another browser, she clicks on in two tabs: each gets the login form.
    # She logs in in one and works there; the other tab's form logs in too.
    def kept(browser, response):  # the cookies a browser keeps after a response
        return {name: value for name, value in {**browser, **response.cookies}.items() if value}

    def login_form_token(page):
        return re.search(r'action="/-/login".*?name="csrftoken" value="([^"]+)"', page.text, re.S).group(1)

    browser = await log_in(ds, "u-supervisor")
    browser = kept(browser, await ds.client.get("/-/qunguan/queue", cookies=browser))
    auth.log_out(auth.connect(auth.users_path(db_path)), "u-supervisor")
    tabs = []
    for case in ("/-/qunguan/flags/1", "/-/qunguan/flags/2"):
        page = await ds.client.get(case, cookies=browser)
        assert page.status_code == 403
        browser, tabs = kept(browser, page), [*tabs, login_form_token(page)]
    for token in tabs:
        response = await ds.client.post("/-/login", cookies=browser, data={
            "username": "u-supervisor", "password": PASSWORD, "csrftoken": token})
        assert response.status_code == 302
        browser = kept(browser, response)
        browser = kept(browser, await ds.client.get("/-/qunguan/queue", cookies=browser))
    assert await opens_queue(ds, browser)


async def test_a_login_checking_its_password_holds_up_no_other_page(ds, monkeypatch):
    # The password hash takes a fifth of a second: on the server's event loop, every page
    # of every user would wait for each login.
    import asyncio
    import threading

    from tests.review_helpers import cookies_for

    checking, served, served_meanwhile = threading.Event(), threading.Event(), []
    real = auth.verify_password

    def verify_until_a_page_is_served(password, stored):
        checking.set()
        served_meanwhile.append(served.wait(5))
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", verify_until_a_page_is_served)
    token, cookies = await csrf(ds, "/-/login", {})
    login = asyncio.create_task(ds.client.post("/-/login", data={
        "username": "u-supervisor", "password": PASSWORD, "csrftoken": token}, cookies=cookies))
    assert await asyncio.to_thread(checking.wait, 5)  # the password is being checked
    page = await ds.client.get("/-/qunguan/queue", cookies=cookies_for(ds, "u-auditor"))
    served.set()
    assert page.status_code == 200 and (await login).status_code == 302
    assert served_meanwhile == [True]
