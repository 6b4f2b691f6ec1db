"""Nothing is served without a login (but scripts, which hold no data); roles decide who
may read and who may write. A matrix of actors (anonymous, each role, a disabled user)
over every route."""
import html
import re
import socket
import sqlite3

import pytest

from ingest.records import stamp
from review.site import make_datasette
from tests.review_helpers import PASSWORD, cookies_for, csrf, form_fields, log_in, prepare

ACTORS = [None, "u-supervisor", "u-auditor", "u-admin", "u-gone"]
# route -> actors that get 200 (everyone else: 403, or a redirect to the login for pages)
ROUTES = {
    "/": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive.json": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/messages": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/messages.json": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/messages.csv": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/messages/1": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/flags.json": {"u-supervisor", "u-auditor", "u-admin"},
    # Every decision by its author: supervisors see them case by case, on the case page.
    "/archive/handling.json": {"u-auditor", "u-admin"},
    "/archive/flag_state.json": {"u-auditor", "u-admin"},
    "/archive/handling_trail": {"u-auditor", "u-admin"},
    "/archive/newmedia_account_history.csv?account=1": {"u-auditor", "u-admin"},  # who handled each flag, too
    "/archive/imports": {"u-auditor", "u-admin"},
    "/archive/rejects.json": {"u-auditor", "u-admin"},
    "/archive/import_ledger": {"u-auditor", "u-admin"},
    "/archive/stale_open_flags": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive/stale_open_flags.csv": {"u-supervisor", "u-auditor", "u-admin"},
    # Each supervisor's handling time by name ranks colleagues; per unit it is everyone's.
    "/archive/time_to_handle": {"u-auditor", "u-admin"},
    "/archive/time_to_handle.csv": {"u-auditor", "u-admin"},
    "/archive/time_to_handle_per_unit": {"u-supervisor", "u-auditor", "u-admin"},
    "/archive.json?sql=select+1": {"u-auditor"},
    "/archive/settings.json": {"u-auditor"},
    "/archive/settings_told.json": {"u-auditor"},  # which of them classify has told of
    "/archive/reread_doubts.json": {"u-auditor"},  # the checks' own bookkeeping
    "/archive/settings_log.json": {"u-auditor", "u-admin"},
    "/archive.db": set(),
    "/-/qunguan/queue": {"u-supervisor", "u-auditor", "u-admin"},
    "/-/qunguan/flags/1": {"u-supervisor", "u-auditor", "u-admin"},
    "/-/qunguan/dashboard": {"u-supervisor", "u-auditor", "u-admin"},
    "/-/qunguan/search?q=红包": {"u-supervisor", "u-auditor", "u-admin"},
    "/-/qunguan/users": {"u-auditor", "u-admin"},
    "/-/password": {"u-supervisor", "u-auditor", "u-admin"},  # each their own
    "/-/qunguan/table.js": set(ACTORS),  # the column menus' script, like Datasette's static files: no data
    "/-/qunguan/flags/abc": set(),
    "/-/qunguan/flags/99999999999999999999": set(),
    # Datasette's debugging pages, in English: the allow-block tester, the flash-message
    # tester, the pattern portfolio.
    **{f"/-/{page}": {"u-admin"} for page in ("allow-debug", "messages", "patterns")},
    "/-/allow-debug?actor=%7B%7D&allow=%7B%7D": {"u-admin"},
    # Datasette's pages about the server: its paths, plugins, settings, every query's SQL,
    # who is logged in with which session.
    **{f"/-/{page}{ext}": {"u-admin"} for page in ("metadata", "databases", "threads", "plugins", "versions", "settings",
                                                   "config", "actor") for ext in (".json", "")},
    # Datasette's own catalogue (every database, table and column): nobody's business here.
    "/_internal": set(),
    "/_internal/databases.json": set(),
    "/_internal/columns": set(),
    "/_internal.json?sql=select+1": set(),
}


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


@pytest.mark.parametrize("actor", ACTORS)
async def test_every_route_answers_by_role(ds, actor):
    cookies = cookies_for(ds, actor)
    wrong = {}
    for route, readers in ROUTES.items():
        response = await ds.client.get(route, cookies=cookies)
        ok = response.status_code == 200
        if ok != (actor in readers) or (not ok and response.status_code not in (302, 403, 404)):
            wrong[route] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize("actor, method, path, said", [
    ("u-auditor", "POST", "/-/qunguan/flags/1", "只有核查人和管理员可以记录处置，审计账号只读"),
    ("u-auditor", "POST", "/-/qunguan/bulk", "只有核查人和管理员可以记录处置，审计账号只读"),
    ("u-supervisor", "GET", "/-/qunguan/users", "只有管理员和审计人员可以查看用户列表"),
])
async def test_a_user_refused_a_form_or_page_is_told_why(ds, query, actor, method, path, said):
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, actor))
    form = {"csrftoken": token, "status": "dismissed", "action": "none", "flag": "1"}
    response = await ds.client.request(method, path, data=form if method == "POST" else None, cookies=cookies)
    assert response.status_code == 403 and said in response.text
    assert query("select count(*) n from handling")[0]["n"] == 0


@pytest.mark.parametrize("actor", [None, "u-supervisor"])
@pytest.mark.parametrize("method, path", [("GET", "/-/login"), ("GET", "/-/qunguan/flags/1"), ("GET", "/-/qunguan/queue"),
                                          ("GET", "/archive/messages.csv"), ("GET", "/archive/flags?_size=abc"),
                                          ("DELETE", "/-/qunguan/flags/1"), ("GET", "/-/qunguan/table.js"),
                                          ("GET", "/archive/flags.json?_shape=<script>alert(1)</script>")])
async def test_no_page_may_be_shown_inside_another_sites_or_as_another_type(ds, actor, method, path):
    # A site framing the case page could have a supervisor click 误报 unawares; browsers
    # that ignore SameSite (old ones, still on office desktops) send the login cookie there.
    # A JSON error repeating the address's <script> must not be taken for a page.
    response = await ds.client.request(method, path, cookies=cookies_for(ds, actor))
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_anonymous_pages_show_the_login_form_and_json_is_refused(ds):
    page = await ds.client.get("/-/qunguan/queue")
    assert page.status_code == 403 and 'action="/-/login"' in page.text
    assert 'name="next" value="/-/qunguan/queue"' in page.text
    data = await ds.client.get("/archive/messages.json")
    assert data.status_code == 403
    assert "messages" not in data.text or "rows" not in data.text


@pytest.mark.parametrize("method, path", [("POST", "/archive/handling"), ("POST", "/archive/handling.json"),
                                          ("DELETE", "/-/qunguan/flags/1"), ("PUT", "/-/qunguan/bulk"),
                                          ("PATCH", "/archive/nosuch"), ("OPTIONS", "/archive")])
async def test_a_visitor_gets_only_the_refusal_whatever_the_method(ds, method, path):
    # A POST to a table told a visitor "此地址不接受提交" instead, and so named what exists.
    response = await ds.client.request(method, path, data={"flag": "1", "status": "dismissed"})
    assert response.status_code == 403
    if path.endswith(".json"):
        assert response.json()["error"] == "请先登录"
    else:
        assert 'action="/-/login"' in response.text and "不接受" not in response.text


@pytest.mark.parametrize("path", ["/-/qunguan/flags/abc", "/-/qunguan/flags/99999999999999999999",
                                  "/-/qunguan/flags/%D9%A1"])
async def test_a_mistyped_case_address_is_not_found(ds, path):
    page = await ds.client.get(path, cookies=cookies_for(ds, "u-supervisor"))
    assert page.status_code == 404 and "不存在" in page.text and "返回审核队列" in page.text
    anonymous = await ds.client.get(path)
    assert anonymous.status_code == 403 and 'action="/-/login"' in anonymous.text


# (an address that exists, one that does not) of each kind a visitor might try names of.
DATA_PAIRS = [("/archive", "/other_archive"), ("/archive/messages", "/archive/no_such_table"),
              ("/archive/stale_open_flags", "/archive/no_such_query"),
              ("/archive/messages.json", "/archive/no_such_table.json"), ("/archive.json", "/other_archive.json"),
              ("/archive/stale_open_flags.json", "/archive/no_such_query.json")]
TOKEN = re.compile(r'name="csrftoken" value="[^"]*"')


def same_answers(answers, paths) -> bool:
    """The same status and page but for the address it sends the visitor back to after the
    login (and the form's fresh CSRF token)."""
    bodies = {TOKEN.sub("", a.text.replace(path, "")) for a, path in zip(answers, paths)}
    return len({a.status_code for a in answers}) == 1 and len(bodies) == 1


@pytest.mark.parametrize("there, not_there", [*DATA_PAIRS, ("/-/qunguan/queue", "/-/qunguan/no_such_page")])
async def test_a_visitor_cannot_tell_which_databases_tables_and_queries_exist(ds, there, not_there):
    answers = [await ds.client.get(path) for path in (there, not_there)]
    assert answers[0].status_code == 403 and same_answers(answers, (there, not_there))
    # Someone logged in is told what is not there.
    missing = await ds.client.get(not_there, cookies=cookies_for(ds, "u-auditor"))
    assert missing.status_code == 404


@pytest.mark.parametrize("there, not_there", DATA_PAIRS)
async def test_a_visitor_posting_to_names_learns_nothing_either(ds, there, not_there):
    # Datasette takes a POST only for a canned query, and answers one to anything else with a
    # 500 that says so, before it asks who is asking.
    answers = [await ds.client.post(path) for path in (there, not_there)]
    assert answers[0].status_code in (403, 405) and same_answers(answers, (there, not_there))


async def test_an_unknown_address_is_not_found_and_the_server_log_keeps_no_session(ds, capfd):
    cookies = cookies_for(ds, "u-auditor")
    page = await ds.client.get("/archive/a/b/c", cookies=cookies)
    assert page.status_code == 404
    printed = "".join(capfd.readouterr())
    assert cookies["ds_actor"] not in printed and "u-auditor" not in printed


async def test_login_sets_a_session_and_wrong_or_disabled_logins_fail(ds):
    token, cookies = await csrf(ds, "/-/login", {})
    good = await ds.client.post("/-/login", data={"username": "u-supervisor", "password": PASSWORD,
                                                  "csrftoken": token, "next": "/-/qunguan/queue"}, cookies=cookies)
    assert good.status_code == 302 and good.headers["location"] == "/-/qunguan/queue"
    assert ds.unsign(good.cookies["ds_actor"], "actor")["a"]["id"] == "u-supervisor"
    for name, password in (("u-supervisor", "wrong-password"), ("u-gone", PASSWORD), ("nobody", PASSWORD)):
        bad = await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                   cookies=cookies)
        assert bad.status_code == 401 and "ds_actor" not in bad.cookies


async def test_a_wrong_password_brings_back_a_name_this_browser_logged_in_with_never_the_password(ds, qunguan, db_path):
    qunguan("users", "add", "张三<b>", "--role", "auditor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    browser = {}
    for name in ("u-supervisor", "张三<b>"):  # both have logged in here before
        token, browser = await csrf(ds, "/-/login", browser)
        good = await ds.client.post("/-/login", data={"username": name, "password": PASSWORD, "csrftoken": token},
                                    cookies=browser)
        assert good.status_code == 302
        browser = {**browser, "qg_device": good.cookies["qg_device"]}
    token, cookies = await csrf(ds, "/-/login", browser)
    for name in ("u-supervisor", "张三<b>"):
        bad = await ds.client.post("/-/login", data={"username": name, "password": "wrong-password", "csrftoken": token},
                                   cookies=cookies)
        assert bad.status_code == 401 and "用户名或密码错误" in bad.text
        assert f'name="username" value="{html.escape(name)}"' in bad.text and "wrong-password" not in bad.text
    # The password typed into the name field, a name never used here, an account never used
    # here: none is shown back (the last would tell a stranger it is an account).
    for typed in (PASSWORD, "u-supervisr", "u-auditor"):
        for form in (cookies, (await csrf(ds, "/-/login", {}))[1]):
            token = (await csrf(ds, "/-/login", form))[0]
            bad = await ds.client.post("/-/login", data={"username": typed, "password": "wrong-password",
                                                         "csrftoken": token}, cookies=form)
            assert bad.status_code == 401 and typed not in bad.text
            assert 'name="username" value="" autocomplete="username" required autofocus' in bad.text
    # A form another site posts, without this browser's token, puts no words of its own on the page.
    forged = await ds.client.post("/-/login", data={"username": "请致电 400-000-0000 解锁", "password": "x"})
    assert forged.status_code == 403 and "400-000-0000" not in forged.text


# Browsers read a backslash as a slash and drop tabs and newlines, so each of these
# leads to evil.example; none is a path on this site.
OFF_SITE = ["//evil.example/", "/\\evil.example/", "\\/evil.example/", "/\t/evil.example/", "/\r\n/evil.example/",
            "https://evil.example/", "javascript:alert(1)", "/\x00/evil.example/", "evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
async def test_login_never_redirects_off_site(ds, target):
    page = await ds.client.get("/-/login", params={"next": target})
    assert 'name="next" value="/-/qunguan/queue"' in page.text
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": token,
                                                      "next": target}, cookies=cookies)
    assert response.headers["location"] == "/-/qunguan/queue"


async def test_login_returns_to_the_page_that_asked_for_it(ds):
    target = "/archive/messages?_search=%E7%BA%A2%E5%8C%85&_sort_desc=sent_at"
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": token,
                                                      "next": target}, cookies=cookies)
    assert response.headers["location"] == target


@pytest.mark.parametrize("repeats, back_kept", [(100, True), (750, False)])
async def test_a_login_returns_to_a_case_opened_from_a_long_search(ds, repeats, back_kept):
    # The case's address carries the search encoded twice, the login form once more: a
    # search of 400 characters made a login body over its 8 KB limit, refused as plain text.
    from urllib.parse import urlencode

    from tests.review_helpers import form_fields

    search = "/-/qunguan/search?" + urlencode({"q": "违规红包" * repeats})
    case = "/-/qunguan/flags/1?" + urlencode({"back": search})
    fields, cookies = await form_fields(ds, case, {})  # the login form in place of the case
    response = await ds.client.post("/-/login", cookies=cookies, data={
        **fields, "username": "u-supervisor", "password": PASSWORD})
    assert response.status_code == 302
    # Back to the case, with the way back to the search unless it was too long to carry.
    assert response.headers["location"] == (case if back_kept else "/-/qunguan/flags/1")


@pytest.mark.parametrize("target", OFF_SITE)
async def test_bulk_decisions_never_go_back_off_site(ds, target):
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-admin"))
    response = await ds.client.post("/-/qunguan/bulk", data={"csrftoken": token, "flag": "1", "status": "dismissed",
                                                             "back": target}, cookies=cookies)
    assert response.status_code == 302 and response.headers["location"] == "/-/qunguan/queue"


async def test_a_post_without_csrf_token_is_refused(ds):
    cookies = cookies_for(ds, "u-supervisor")
    for path in ("/-/qunguan/flags/1", "/-/qunguan/bulk", "/-/login"):
        response = await ds.client.post(path, data={"status": "dismissed", "action": "none", "flag": "1"}, cookies=cookies)
        assert response.status_code == 403, path


@pytest.mark.parametrize("form, fields", [
    ("/-/qunguan/flags/1", {"status": "dismissed", "action": "none", "note": "误报"}),
    ("/-/qunguan/queue", {"flag": "1", "status": "dismissed", "note": "误报"}),
    ("/-/logout", {})])
async def test_a_token_of_one_session_is_refused_with_anothers(ds, query, form, fields):
    # Datasette's token is a double-submit cookie: any token it signed passed with the
    # cookie holding it. Someone who can set a cookie in a supervisor's browser (a sibling
    # subdomain, plain http on the way) sets the one of their own session and has her
    # browser post their form: 误报 recorded in her name, or her sessions ended.
    theirs, cookies = await form_fields(ds, form, await log_in(ds, "u-admin"))
    hers = cookies_for(ds, "u-supervisor")
    action = {"/-/qunguan/queue": "/-/qunguan/bulk"}.get(form, form)
    tossed = await ds.client.post(action, data={**theirs, **fields}, cookies={**hers, "ds_csrftoken": cookies["ds_csrftoken"]})
    assert tossed.status_code == 403 and query("select count(*) as n from handling")[0]["n"] == 0
    assert (await ds.client.get("/-/qunguan/queue", cookies=hers)).status_code == 200  # still logged in
    # Her own page's token goes through, whatever CSRF cookie her browser held before.
    own, cookies = await form_fields(ds, form, {**hers, "ds_csrftoken": cookies["ds_csrftoken"]})
    done = await ds.client.post(action, data={**own, **fields}, cookies=cookies)
    assert done.status_code == 302
    assert query("select count(*) as n from handling")[0]["n"] == (0 if form == "/-/logout" else 1)


async def test_a_login_form_opened_before_logging_in_in_another_tab_still_logs_in(ds, query):
    # Two tabs show the login form (or Back leads to it, or 登录 is clicked twice). She logs
    # in in one and goes on working there, then submits the other: she is logged in, not
    # told her form has expired.
    token, browser = await csrf(ds, "/-/login", {})
    first = await ds.client.post("/-/login", data={"username": "u-supervisor", "password": PASSWORD, "csrftoken": token},
                                 cookies=browser)
    browser = {**browser, **first.cookies}
    browser = {**browser, **(await ds.client.get("/-/qunguan/queue", cookies=browser)).cookies}
    other_tab = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": token},
                                     cookies=browser)
    assert other_tab.status_code == 302 and other_tab.headers["location"] == "/-/qunguan/queue"
    # The login form's token is still this browser's own: another browser's is refused,
    # and it is no token for the forms of her session.
    theirs, _ = await csrf(ds, "/-/login", {})
    refused = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": theirs},
                                   cookies=browser)
    assert refused.status_code == 403 and "ds_actor" not in refused.cookies
    case = await ds.client.post("/-/qunguan/flags/1", data={"csrftoken": token, "status": "dismissed", "action": "none"},
                                cookies=browser)
    assert case.status_code == 403 and query("select count(*) as n from handling")[0]["n"] == 0


async def test_a_login_posted_from_another_site_is_refused(ds):
    # A form on another site posts without our cookies (they are SameSite=Lax), and
    # asgi-csrf checks nothing on a request without cookies: the login must check itself.
    token, _ = await csrf(ds, "/-/login", {})
    for data in ({}, {"csrftoken": token}):
        response = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD,
                                                          "next": "/-/qunguan/queue", **data})
        assert response.status_code == 403 and "ds_actor" not in response.cookies
        assert "登录页面已失效" in response.text and 'action="/-/login"' in response.text
        assert "ds_csrftoken" in response.cookies  # the form shown again works


@pytest.mark.parametrize("origin, logs_in", [("http://evil.example.gov.cn", False), ("null", False),
                                             ("http://localhost", True), ("http://LOCALHOST:80", True),
                                             ("http://localhost:8001", False), ("https://localhost", False),
                                             (None, True)])  # a browser too old to say
async def test_a_login_posted_with_a_tossed_cookie_from_a_sibling_site_is_refused(ds, origin, logs_in):
    # A page on a sibling subdomain is same-site: the browser sends it our cookies, and it
    # may set the CSRF cookie to a token it got from this site itself. Posted with its
    # owner's name and password, the login put the victim in that account, her decisions
    # theirs. The browser says where the form was: its Origin.
    token, tossed = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": token},
                                    cookies=tossed, headers={"origin": origin} if origin else {})
    assert response.status_code == (302 if logs_in else 403) and ("ds_actor" in response.cookies) == logs_in
    assert logs_in or "--allow-host" in response.text


@pytest.mark.parametrize("origin, logs_in", [
    ("http://127.0.0.1:8001", True), ("http://127.0.0.1:9999", False), ("http://127.0.0.1", False),
    ("https://127.0.0.1:8001", False), ("http://localhost:8001", False)])
async def test_a_login_posted_from_another_port_of_the_same_machine_is_refused(ds, origin, logs_in):
    # Any other web program on the machine (a colleague's tool on port 9999) is another
    # site to the browser, yet its name is the server's: the port tells them apart.
    served = {"host": "127.0.0.1:8001"}
    page = await ds.client.get("/-/login", headers=served)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    response = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD, "csrftoken": token},
                                    cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
                                    headers={**served, "origin": origin})
    assert response.status_code == (302 if logs_in else 403) and ("ds_actor" in response.cookies) == logs_in


async def test_an_office_behind_a_proxy_that_passes_its_own_host_is_told_to_allow_its_name(ds, db_path):
    # nginx's default passes the upstream's name as Host, 127.0.0.1:8001, which the site
    # answers; the browser's Origin is the office's name for the site. Told the page had
    # expired, the supervisor would log in again and again to no end.
    token, cookies = await csrf(ds, "/-/login", {})
    form = {"username": "u-supervisor", "password": PASSWORD, "csrftoken": token}
    office = {"origin": "https://qunguan.office.gov.cn"}
    refused = await ds.client.post("/-/login", data=form, cookies=cookies, headers=office)
    assert refused.status_code == 403 and "ds_actor" not in refused.cookies
    assert "--allow-host" in refused.text and "登录页面已失效" not in refused.text
    # Started with the office's name allowed, the same login goes in.
    allowed = make_datasette(db_path, allow_hosts=("qunguan.office.gov.cn",))
    token, cookies = await csrf(allowed, "/-/login", {})
    response = await allowed.client.post("/-/login", data={**form, "csrftoken": token}, cookies=cookies, headers=office)
    assert response.status_code == 302 and "ds_actor" in response.cookies
    # So does one through a proxy that passes the browser's Host on, its https and port
    # the proxy's, which the server never sees.
    passed_on = {**office, "host": "qunguan.office.gov.cn"}
    token, cookies = await csrf(allowed, "/-/login", {})
    response = await allowed.client.post("/-/login", data={**form, "csrftoken": token}, cookies=cookies,
                                         headers=passed_on)
    assert response.status_code == 302 and "ds_actor" in response.cookies


async def test_datasette_write_actions_are_refused_to_everyone(ds):
    from review.permissions import allowed

    for role in (None, "supervisor", "auditor", "admin"):
        for action in ("insert-row", "delete-row", "update-row", "create-table", "drop-table", "alter-table",
                       "view-database-download", "permissions-debug", "debug-menu"):
            assert not allowed(role, action, ("archive", "messages")), (role, action)


async def test_a_changed_password_replaces_the_old_one(ds, qunguan, db_path):
    from review import auth

    assert qunguan("users", "password", "u-admin", "--db", db_path, "--password-stdin",
                   input="Another-Secret-42\n").exit_code == 0
    conn = auth.connect(auth.users_path(db_path))
    assert auth.authenticate(conn, "u-admin", PASSWORD) is None
    assert auth.authenticate(conn, "u-admin", "Another-Secret-42").role == "admin"
    short = qunguan("users", "password", "u-admin", "--db", db_path, "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr


async def test_repeated_wrong_passwords_lock_the_account_for_a_while(ds, db_path):
    from review import auth

    token, cookies = await csrf(ds, "/-/login", {})

    async def login(name, password):
        return await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                    cookies=cookies)

    for _ in range(auth.LOCK_AFTER["name"]):
        assert (await login("u-auditor", "guess-guess-guess")).status_code == 401
    locked = await login("u-auditor", PASSWORD)  # even the right password, for now
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text and "ds_actor" not in locked.cookies
    assert (await login("u-admin", PASSWORD)).status_code == 302  # other accounts are not affected
    users = sqlite3.connect(auth.users_path(db_path))
    assert users.execute("select count(*) from logins where name = 'u-auditor' and not ok and locked is null"
                         ).fetchone()[0] == 5
    users.execute("update logins set at = '2000-01-01T00:00:00'")  # the window has passed
    users.commit()
    assert (await login("u-auditor", PASSWORD)).status_code == 302


async def test_guesses_sent_all_at_once_get_no_more_tries_than_one_by_one(ds, db_path, monkeypatch):
    # Each password is checked in a thread: guesses sent together all passed the lock
    # before any was logged, and seven wrong ones with the right one last got it in.
    import asyncio
    import threading

    from review import auth

    guesses = [f"guess-{i}-guess" for i in range(7)] + [PASSWORD]
    checked, answered, everyone_in = [], [], threading.Event()
    real = auth.verify_password

    def verify_with_every_guess_in(password, stored):
        checked.append(password)
        everyone_in.wait(10)  # until every guess is being checked or has been answered
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", verify_with_every_guess_in)
    token, cookies = await csrf(ds, "/-/login", {})

    async def guess(password):
        response = await ds.client.post("/-/login", data={"username": "u-auditor", "password": password,
                                                          "csrftoken": token}, cookies=cookies)
        answered.append(response.status_code)

    sent = [asyncio.create_task(guess(password)) for password in guesses]
    for _ in range(1000):
        if len(checked) + len(answered) == len(guesses):
            break
        await asyncio.sleep(0.01)
    everyone_in.set()
    await asyncio.gather(*sent)
    assert len(checked) == auth.LOCK_AFTER["name"]
    assert answered.count(429) == len(guesses) - auth.LOCK_AFTER["name"]
    users = sqlite3.connect(auth.users_path(db_path))
    # Those checked, and the first refused unchecked (one a minute is logged).
    assert users.execute("select count(locked) from logins where name = 'u-auditor' group by locked is null "
                         "order by 1").fetchall() == [(0,), (1,)]
    assert users.execute("select count(*) from logins where name = 'u-auditor'").fetchone()[0] == len(checked) + 1


async def test_tries_refused_while_locked_are_logged_but_keep_no_one_locked_out_longer(ds, db_path):
    # The refused tries were logged nowhere: an auditor tracing a guesser saw nothing while
    # the lock held. Counted toward the lock, they would hold it for as long as they go on.
    from review import auth

    async with browser_at(ds, "203.0.113.9") as stranger:
        for _ in range(auth.LOCK_AFTER["name"]):
            assert (await log_in_from(stranger, "u-supervisor", "guess-guess-guess")).status_code == 401
        for _ in range(auth.LOCK_AFTER["name"]):  # as many as would lock it anew, were they counted
            assert (await log_in_from(stranger, "u-supervisor", "guess-while-locked")).status_code == 429
        users = sqlite3.connect(auth.users_path(db_path))
        logged = users.execute("select address, ok, locked from logins where name = 'u-supervisor' order by id")
        # One refused try a minute is logged: they cost no password check, and one a commit
        # they would fill the log as fast as a guesser sends them.
        assert logged.fetchall() == [("203.0.113.9", 0, None)] * 5 + [("203.0.113.9", 0, "name")]
        page = await ds.client.get("/-/qunguan/users", cookies=cookies_for(ds, "u-auditor"))
        assert page.text.count("<td>203.0.113.9</td><td>登录</td><td>已拒绝（账号在该地址锁定中，未核对密码）</td>") == 1
        assert page.text.count("<td>203.0.113.9</td><td>登录</td><td>失败</td>") == 5
        users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-61 seconds') where locked is not null")
        users.commit()
        assert (await log_in_from(stranger, "u-supervisor", "guess-a-minute-on")).status_code == 429
        assert users.execute("select count(*) from logins where locked = 'name'").fetchone()[0] == 2
        # The five guesses leave the window; the refused tries, later, hold no lock.
        users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-16 minutes') where locked is null")
        users.commit()
        assert (await log_in_from(stranger, "u-supervisor")).status_code == 302


async def test_a_locked_out_guesser_typing_new_names_fills_no_log(ds, db_path):
    # Refused tries cost no password check: logged each, a guesser locked out by address
    # wrote a row and a commit per request, under the write lock every login needs, and a
    # new name each time was a new account's lock to log under.
    from review import auth

    async with browser_at(ds, "198.51.100.4") as guesser:
        for i in range(auth.LOCK_AFTER["address"]):
            assert (await log_in_from(guesser, f"guess-{i % 4}", "Summer-2025!")).status_code == 401
        for i in range(12):
            assert (await log_in_from(guesser, f"another-{i}", "Winter-2025!")).status_code == 429
        users = sqlite3.connect(auth.users_path(db_path))
        assert users.execute("select locked, count(*) from logins where address = '198.51.100.4' group by 1 "
                             "order by 1").fetchall() == [(None, 20), ("address", 1)]
        # Another address's refusals are its own.
        async with browser_at(ds, "198.51.100.5") as other:
            for i in range(auth.LOCK_AFTER["address"]):
                await log_in_from(other, f"guess-{i % 4}", "Summer-2025!")
            assert (await log_in_from(other, "another-0", "Winter-2025!")).status_code == 429
        assert users.execute("select count(*) from logins where locked = 'address'").fetchone()[0] == 2


async def test_an_admin_resetting_the_password_unlocks_a_locked_account(ds, qunguan, db_path):
    from review import auth

    token, cookies = await csrf(ds, "/-/login", {})

    async def login(password):
        return await ds.client.post("/-/login", data={"username": "u-supervisor", "password": password,
                                                      "csrftoken": token}, cookies=cookies)

    for _ in range(auth.LOCK_AFTER["name"]):
        await login("guess-guess-guess")
    assert (await login(PASSWORD)).status_code == 429
    users = sqlite3.connect(auth.users_path(db_path))  # the failures happened a moment before the reset
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-2 seconds')")
    users.commit()
    qunguan("users", "password", "u-supervisor", "--db", db_path, "--password-stdin", input="Brand-New-Pass-7\n")
    assert (await login("Brand-New-Pass-7")).status_code == 302


async def test_a_huge_login_post_is_refused_at_once_without_reading_it(ds, db_path):
    # One visitor's 150 MB login form used to hold the whole server while it was read.
    from urllib.parse import urlencode

    from review import auth

    token, cookies = await csrf(ds, "/-/login", {})
    read = []

    async def huge_form():
        yield urlencode({"csrftoken": token, "username": "u-admin", "password": PASSWORD}).encode() + b"&x="
        for _ in range(2400):  # 150 MB in 64 KB pieces, made only as the server asks for them
            read.append(1)
            yield b"a" * 65536

    form = {"content-type": "application/x-www-form-urlencoded"}
    streamed = await ds.client.post("/-/login", content=huge_form(), cookies=cookies, headers=form)
    assert streamed.status_code == 413 and "提交的内容过大" in streamed.text and "ds_actor" not in streamed.cookies
    assert streamed.headers["content-type"].startswith("text/html")  # a page, in the browser that sent the form
    assert len(read) == 1  # it stopped at the first piece past the limit
    declared = await ds.client.post("/-/login", content=b"username=u-admin", cookies=cookies,
                                    headers={**form, "content-length": str(150 * 2**20)})
    assert declared.status_code == 413  # refused by its declared length, nothing read
    users = sqlite3.connect(auth.users_path(db_path))
    assert users.execute("select count(*) from logins").fetchone()[0] == 0


async def test_a_decision_with_a_long_note_is_taken_but_a_megabyte_form_is_refused(ds, query):
    flag_id = query("select id from flags order by id limit 1")[0]["id"]
    token, cookies = await csrf(ds, f"/-/qunguan/flags/{flag_id}", cookies_for(ds, "u-supervisor"))
    for note, status in (("核实情况：" * 795, 302), ("很长" * 60_000, 413)):
        response = await ds.client.post(f"/-/qunguan/flags/{flag_id}", cookies=cookies, data={
            "csrftoken": token, "status": "confirmed", "action": "reminded", "note": note})
        assert response.status_code == status
    assert [r["note"] for r in query("select note from handling")] == ["核实情况：" * 795]


async def test_guesses_from_a_shared_address_do_not_lock_the_office_out(ds, db_path):
    # Behind the office's NAT everyone shares one address: someone there sprays guesses
    # over many accounts until the address is locked.
    from review import auth

    hers = await log_in(ds, "u-supervisor")  # her browser, where she logged in yesterday
    users = sqlite3.connect(auth.users_path(db_path))
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-1 day')")
    users.commit()
    token, stranger = await csrf(ds, "/-/login", {})

    async def login(name, password, cookies, token=token):
        return await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                    cookies=cookies)

    for i in range(auth.LOCK_AFTER["address"]):
        assert (await login(f"guess-{i % 7}", "Summer-2025!", stranger)).status_code == 401
    # The sprayer, and any browser new to the account, must wait ...
    refused = await login("u-admin", PASSWORD, stranger)
    assert refused.status_code == 429 and "此网络地址登录失败次数过多" in refused.text
    # ... but she logs in on her own browser, for her own account only.
    token, hers = await csrf(ds, "/-/login", {k: v for k, v in hers.items() if k != "ds_actor"})
    assert (await login("u-supervisor", PASSWORD, hers, token)).status_code == 302
    assert (await login("u-admin", PASSWORD, hers, token)).status_code == 429
    assert (await login("u-admin", PASSWORD, stranger)).status_code == 429  # her login lifts no lock
    # A forged device cookie is no way round the lock.
    forged = {**stranger, "qg_device": ds.sign(["u-admin"], "other")}
    assert (await login("u-admin", PASSWORD, forged)).status_code == 429
    # Her account's own lock still holds on her browser (the guesses a moment after her login).
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-2 seconds')")
    users.commit()
    for _ in range(auth.LOCK_AFTER["name"]):
        assert (await login("u-supervisor", "guess-guess-guess", hers, token)).status_code == 401
    assert (await login("u-supervisor", PASSWORD, hers, token)).status_code == 429


def browser_at(ds, address):
    """A new browser on another machine, at `address`: it keeps its own cookies."""
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=ds.app(), client=(address, 40000)),
                             base_url="http://localhost")


async def log_in_from(browser, name, password=PASSWORD):
    page = await browser.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return await browser.post("/-/login", data={"username": name, "password": password, "csrftoken": token})


async def test_wrong_passwords_from_elsewhere_never_lock_the_owner_out(ds, db_path):
    # Five wrong passwords locked the account for everyone, whoever typed them: anyone
    # could keep a supervisor out for good, five guesses every 15 minutes.
    from review import auth

    async with browser_at(ds, "203.0.113.9") as stranger:
        for _ in range(auth.LOCK_AFTER["name"]):
            assert (await log_in_from(stranger, "u-supervisor", "guess-guess-guess")).status_code == 401
        refused = await log_in_from(stranger, "u-supervisor")  # the right one too, from there
        assert refused.status_code == 429 and "此账号在本网络地址登录失败次数过多，请 15 分钟后再试" in refused.text
        await log_in(ds, "u-supervisor")  # she logs in at her desk, as ever
        assert (await log_in_from(stranger, "u-supervisor")).status_code == 429  # her login lifts no lock there
        users = sqlite3.connect(auth.users_path(db_path))
        failed = users.execute("select address, count(*) from logins where not ok and locked is null group by 1"
                               ).fetchall()
        assert failed == [("203.0.113.9", auth.LOCK_AFTER["name"])]  # the guesses are on record
        users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-11 minutes')")
        users.commit()
        assert "请 4 分钟后再试" in (await log_in_from(stranger, "u-supervisor")).text  # how long is left


@pytest.mark.parametrize("short_of_the_lock, locked", [(0, True), (1, False)])
async def test_guesses_spread_over_many_addresses_lock_only_browsers_new_to_the_account(ds, db_path, short_of_the_lock,
                                                                                      locked):
    from review import auth

    spread = auth.LOCK_AFTER["account"] - short_of_the_lock
    hers = await log_in(ds, "u-supervisor")  # her browser, where she logged in yesterday
    users = sqlite3.connect(auth.users_path(db_path))
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-1 day')")
    users.commit()
    spray(db_path, "u-supervisor", spread)
    async with browser_at(ds, "192.0.2.7") as new:
        answer = await log_in_from(new, "u-supervisor")
        assert answer.status_code == (429 if locked else 302)
        assert ("此账号近期登录失败次数过多" in answer.text) == locked
    token, hers = await csrf(ds, "/-/login", {k: v for k, v in hers.items() if k != "ds_actor"})
    assert (await ds.client.post("/-/login", data={"username": "u-supervisor", "password": PASSWORD,
                                                   "csrftoken": token}, cookies=hers)).status_code == 302


def spray(db_path, name, guesses):
    """`guesses` wrong passwords for `name`, two or so from each of 25 addresses, just now."""
    from review import auth

    users = sqlite3.connect(auth.users_path(db_path))
    users.executemany("insert into logins (name, address, ok, at) values (?, ?, 0, ?)",
                      [(name, f"198.51.100.{i % 25}", stamp()) for i in range(guesses)])
    users.commit()
    return users


async def test_an_admin_unlocks_an_account_sprayed_from_many_addresses_and_the_unlock_is_kept(ds, qunguan, db_path):
    # Locked by guesses from everywhere, the owner on a new browser could only wait, as long
    # as the guessing went on: the page told her nothing more.
    from review import auth

    elsewhere = await log_in(ds, "u-supervisor")  # a session she has open on another browser
    users = spray(db_path, "u-supervisor", auth.LOCK_AFTER["account"])
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-2 seconds')")  # before the unlock
    users.commit()
    async with browser_at(ds, "192.0.2.7") as new:
        refused = await log_in_from(new, "u-supervisor")
        assert refused.status_code == 429 and "此账号近期登录失败次数过多" in refused.text
        assert "急需登录请联系管理员解除锁定" in refused.text
        unlocked = qunguan("users", "unlock", "u-supervisor", "--db", db_path)
        assert unlocked.exit_code == 0 and unlocked.stdout == "user u-supervisor\tunlocked\n"
        assert unlocked.stderr.startswith("已解除 u-supervisor 的登录锁定，此前的失败登录不再计入")
        assert (await log_in_from(new, "u-supervisor")).status_code == 302
    assert await opens(ds, elsewhere)  # her other sessions go on
    page = await ds.client.get("/-/qunguan/users", cookies=cookies_for(ds, "u-auditor"))
    assert re.search(r"u-supervisor：解除登录锁定（[^）]+）", page.text)  # who lifted it, kept
    # Guessing on locks it again, for browsers new to the account.
    spray(db_path, "u-supervisor", auth.LOCK_AFTER["account"])
    async with browser_at(ds, "192.0.2.8") as another:
        assert (await log_in_from(another, "u-supervisor")).status_code == 429


@pytest.mark.parametrize("name, says", [
    ("nobody", "没有用户 'nobody'"),
    ("u-gone", None)])  # a disabled user's locks are lifted too, for when they are enabled again
def test_unlocking_names_a_user_there_is(ds, qunguan, db_path, name, says):
    from review import auth

    spray(db_path, name, auth.LOCK_AFTER["account"])  # guesses from everywhere
    unlocked = qunguan("users", "unlock", name, "--db", db_path)
    assert unlocked.exit_code == (1 if says else 0)
    assert (says in unlocked.stderr) if says else unlocked.stdout == f"user {name}\tunlocked\n"


@pytest.mark.parametrize("name, disabled", [("u-gone", True), ("u-supervisor", False)])
def test_unlocking_a_disabled_user_says_they_still_cannot_log_in(ds, qunguan, db_path, name, disabled):
    # Told only 已解除登录锁定, the admin would tell the owner to log in, to no end, as a new
    # password alone does not let a disabled user in either (`users password` says so).
    from review import auth

    spray(db_path, name, auth.LOCK_AFTER["account"])  # guesses from everywhere
    unlocked = qunguan("users", "unlock", name, "--db", db_path)
    assert unlocked.exit_code == 0 and unlocked.stdout == f"user {name}\tunlocked\n"
    assert ("已停用，解除锁定后在 `qunguan users enable u-gone" in unlocked.stderr) == disabled


@pytest.mark.parametrize("failures", [0, 4])  # none, or short of the lock
def test_unlocking_a_user_who_is_not_locked_says_so_and_changes_nothing(ds, qunguan, db_path, failures):
    # The owner says she cannot log in; the admin unlocks her account. Told 已解除, he would
    # look no further, when no lock kept her out (a mistyped password, a disabled account).
    from review import auth

    users = sqlite3.connect(auth.users_path(db_path))
    users.executemany("insert into logins (name, address, ok, at) values ('u-supervisor', '203.0.113.9', 0, ?)",
                      [(stamp(),)] * failures)
    users.commit()
    unlocked = qunguan("users", "unlock", "u-supervisor", "--db", db_path)
    assert unlocked.exit_code == 0 and unlocked.stdout == "user u-supervisor\tnot locked\n"
    assert unlocked.stderr.startswith("u-supervisor 的账号未被锁定，无需解除")
    assert "已解除" not in unlocked.stderr
    assert users.execute("select count(*) from user_events where event = 'unlocked'").fetchone() == (0,)


def test_unlocking_a_disabled_user_who_is_not_locked_says_why_they_cannot_log_in(ds, qunguan, db_path):
    unlocked = qunguan("users", "unlock", "u-gone", "--db", db_path)
    assert unlocked.exit_code == 0 and unlocked.stdout == "user u-gone\tnot locked\n"
    assert "未被锁定" in unlocked.stderr and "u-gone 已停用，在 `qunguan users enable u-gone" in unlocked.stderr


async def opens(ds, cookies) -> bool:
    return (await ds.client.get("/-/qunguan/queue", cookies=cookies)).status_code == 200


@pytest.mark.parametrize("lock, asks_admin", [("name", True), ("address", False)])
async def test_the_refusal_sends_to_an_admin_only_for_the_locks_an_admin_lifts(ds, db_path, lock, asks_admin):
    from review import auth

    async with browser_at(ds, "203.0.113.9") as stranger:
        for i in range(auth.LOCK_AFTER[lock]):
            await log_in_from(stranger, "u-supervisor" if lock == "name" else f"guess-{i}", "guess-guess-guess")
        refused = await log_in_from(stranger, "u-supervisor")
        assert refused.status_code == 429 and ("联系管理员解除锁定" in refused.text) == asks_admin


async def test_a_browser_is_known_for_90_days_and_only_until_its_users_sessions_end(ds, qunguan, db_path):
    # The device cookie that spares a browser the address lock never expired and could
    # not be revoked: a copy of it spared any browser for ever.
    import time

    from review import auth

    hers, his, theirs = [await log_in(ds, name) for name in ("u-supervisor", "u-admin", "u-auditor")]
    taken = {k: v for k, v in hers.items() if k != "ds_actor"}  # a copy of her browser's cookies
    token, stranger = await csrf(ds, "/-/login", {})
    for i in range(auth.LOCK_AFTER["address"]):  # the address is locked
        await ds.client.post("/-/login", data={"username": f"guess-{i}", "password": "Summer-2025!",
                                               "csrftoken": token}, cookies=stranger)

    async def spared(name, browser, password=PASSWORD):
        token, cookies = await csrf(ds, "/-/login", {k: v for k, v in browser.items() if k != "ds_actor"})
        response = await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                        cookies=cookies)
        assert response.status_code in (302, 429)
        return response.status_code == 302

    # She logs out (everywhere): her own browser stays known, the copy does not.
    token, hers = await csrf(ds, "/-/logout", hers)
    out = await ds.client.post("/-/logout", data={"csrftoken": token}, cookies=hers)
    assert await spared("u-supervisor", {**hers, **out.cookies}) and not await spared("u-supervisor", taken)
    # An admin gives him a new password; nor is a browser known after 90 days.
    qunguan("users", "password", "u-admin", "--db", db_path, "--password-stdin", input="Another-Secret-42\n")
    assert not await spared("u-admin", his, "Another-Secret-42")
    logins = ds.unsign(theirs["qg_device"], "device")
    aged = ds.sign([[name, epoch, at - 91 * 24 * 3600] for name, epoch, at in logins], "device")
    assert not await spared("u-auditor", {**theirs, "qg_device": aged}) and await spared("u-auditor", theirs)
    assert int(time.time()) - logins[0][2] < 60


async def test_only_admins_see_how_the_server_is_set_up(ds):
    # The metadata names the users database and holds import_ledger's SQL, which supervisors
    # may not open; /-/databases.json the archive's full path.
    for actor, status in (("u-supervisor", 403), ("u-auditor", 403), ("u-admin", 200)):
        cookies = cookies_for(ds, actor)
        metadata = await ds.client.get("/-/metadata.json", cookies=cookies)
        assert metadata.status_code == status and ("users_db" in metadata.text) == (status == 200)
        config = await ds.client.get("/-/config.json", cookies=cookies)  # an old name for the settings
        assert config.status_code == status and ("max_csv_mb" in config.text) == (status == 200)
    databases = await ds.client.get("/-/databases.json", cookies=cookies_for(ds, "u-admin"))
    assert databases.json()[0]["path"].endswith("archive.db")


@pytest.mark.parametrize("host, served", [
    ("localhost", True), ("LOCALHOST:8001", True), ("127.0.0.1:8001", True), ("[::1]:8001", True),
    ("evil.example", False), ("evil.example:8001", False), ("localhost.evil.example", False),
    ("127.0.0.1.nip.io:8001", False), ("192.168.1.20:8001", False), ("", False)])
@pytest.mark.parametrize("actor", [None, "u-auditor"])
async def test_a_page_rebinding_its_name_to_this_server_is_answered_nothing(ds, host, served, actor):
    # A page of evil.example whose name then resolves to 127.0.0.1 reads this server as its
    # own site: its requests say Host: evil.example.
    cookies = cookies_for(ds, actor)
    pages = [await ds.client.get(path, cookies=cookies, headers={"host": host})
             for path in ("/-/login", "/archive/messages.json", "/-/qunguan/table.js")]
    posted = await ds.client.post("/-/login", data={"username": "u-admin", "password": PASSWORD}, headers={"host": host})
    for response in (*pages, posted):
        assert (response.status_code == 400) != served, (host, response.status_code)
        if not served:
            assert "主机名" in response.text and not response.cookies
            assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("bound, extra, host, served", [
    ("0.0.0.0", (), "192.168.1.20:8001", True), ("::", (), "[fe80::1]:8001", True),
    ("0.0.0.0", (), "qunguan.office:8001", False), ("0.0.0.0", ("qunguan.office",), "QunGuan.office:8001", True),
    ("192.168.1.20", (), "192.168.1.20:8001", True), ("192.168.1.20", (), "192.168.1.21:8001", False),
    ("192.168.1.20", ("qunguan.office",), "localhost:8001", True),
    # A name typed whole, with DNS's trailing dot, is the same name.
    ("127.0.0.1", (), "localhost.:8001", True), ("0.0.0.0", ("qunguan.office",), "QunGuan.Office.:8001", True),
    ("127.0.0.1", (), "evil.example.:8001", False)])
async def test_serve_answers_to_the_address_it_is_bound_to_and_the_names_it_is_given(db_path, fixtures, qunguan, bound,
                                                                                     extra, host, served):
    from review.site import make_datasette

    prepare(qunguan, db_path, fixtures)
    ds = make_datasette(db_path, bound, extra)
    response = await ds.client.get("/-/login", headers={"host": host})
    assert response.status_code == (200 if served else 400)


@pytest.mark.parametrize("bound, served", [("0.0.0.0", True), ("::", True), ("192.168.1.20", True),
                                           ("127.0.0.1", False), ("::1", False)])
async def test_serve_to_the_network_answers_to_the_machines_own_name(db_path, fixtures, qunguan, bound, served):
    # Colleagues in the office type the server's name (http://zhengwu-pc:8001), as the
    # network knows it, whether it is served on every address or on the office's one;
    # served on 127.0.0.1 alone, nobody else reaches it by any name.
    from review.site import make_datasette

    prepare(qunguan, db_path, fixtures)
    ds = make_datasette(db_path, bound)
    for name in {socket.gethostname(), socket.getfqdn()} - {"localhost"}:
        response = await ds.client.get("/-/login", headers={"host": f"{name.upper()}:8001"})
        assert response.status_code == (200 if served else 400), name


@pytest.mark.parametrize("sql", [
    "select file from pragma_database_list", "select * from PRAGMA_DATABASE_LIST",
    "select count(*) from main.pragma_database_list", "select (select file from pragma_database_list) as f",
    # Datasette's own check skips the lines that start with --, here one inside a string.
    "select '\n-- ', * from pragma_compile_options", "select '\n-- ', * from pragma_busy_timeout"])
async def test_an_auditors_sql_reads_neither_the_archives_path_nor_the_servers_settings(ds, db_path, sql):
    response = await ds.client.get("/archive.json", params={"sql": sql}, cookies=cookies_for(ds, "u-auditor"))
    assert response.status_code == 400 and response.json()["error"].startswith("无权")
    assert str(db_path.parent) not in response.text and "COMPILER" not in response.text


@pytest.mark.parametrize("sql", ["select sql from sqlite_stmt", "select * from SQLITE_STMT",
                                 "select (select group_concat(sql) from main.sqlite_stmt) as s"])
async def test_an_auditors_sql_reads_no_other_statement_the_server_runs(ds, sql):
    # sqlite_stmt lists the SQL of every statement open on the connection: other users'
    # queries, a search's words among them.
    response = await ds.client.get("/archive.json", params={"sql": sql}, cookies=cookies_for(ds, "u-auditor"))
    assert response.status_code == 400 and response.json()["error"].startswith("无权读取 sqlite_stmt")
    where = await ds.client.get("/archive/flags.json", params={"_where": "id in (select nscan from sqlite_stmt)"},
                                cookies=cookies_for(ds, "u-auditor"))
    assert where.status_code == 400 and where.json()["error"].startswith("无权读取 sqlite_stmt")


@pytest.mark.parametrize("path", ["/archive/flags", "/archive/flags.json"])
async def test_a_table_pages_where_reading_the_archives_path_is_refused_not_a_server_error(ds, db_path, path):
    response = await ds.client.get(path, params={"_where": "id in (select seq from pragma_database_list)"},
                                   cookies=cookies_for(ds, "u-auditor"))
    text = response.json()["error"] if path.endswith(".json") else response.text
    assert response.status_code == 400 and "无权读取 pragma_database_list" in text
    assert str(db_path.parent) not in response.text


@pytest.mark.parametrize("sql, answer", [
    # The functions a query may call, by name and arguments, as Datasette's own check allows.
    ("select count(*) from pragma_function_list where name = 'json_extract'", [1]),
    ("select distinct narg from pragma_function_list where name = 'substr' order by 1", [2, 3]),
    ("select name from pragma_function_list, pragma_database_list limit 1", None),  # the path still, never
    ("select '\n-- ', * from pragma_module_list", None)])  # nor what Datasette's own check refuses
async def test_an_auditor_reads_which_sql_functions_there_are_but_no_more(ds, db_path, sql, answer):
    response = await ds.client.get("/archive.json", params={"sql": sql, "_shape": "arrayfirst"},
                                   cookies=cookies_for(ds, "u-auditor"))
    if answer is None:
        assert response.status_code == 400 and str(db_path.parent) not in response.text
    else:
        assert response.status_code == 200 and response.json() == answer


async def test_an_auditor_still_reads_a_tables_columns_and_every_role_its_pages(ds):
    # What Datasette reads with PRAGMA statements (the database page its attached
    # databases, table pages their columns and keys) is no pragma read as a table.
    columns = await ds.client.get("/archive.json", params={"sql": "select name from pragma_table_info('flags')",
                                                           "_shape": "arrayfirst"}, cookies=cookies_for(ds, "u-auditor"))
    assert "category" in columns.json()
    for actor in ("u-supervisor", "u-auditor", "u-admin"):
        cookies = cookies_for(ds, actor)
        for path in ("/archive", "/archive/flags?_facet=category", "/archive/messages?_search=红包",
                     "/archive/flags.csv", "/archive/messages/1", "/archive/stale_open_flags.csv"):
            assert (await ds.client.get(path, cookies=cookies)).status_code == 200, (actor, path)


async def test_a_row_page_links_only_to_tables_the_user_may_open(ds):
    links = {}
    for actor in ("u-supervisor", "u-auditor"):
        page = await ds.client.get("/archive/groups/1", cookies=cookies_for(ds, actor))
        links[actor] = set(re.findall(r"（(\w+) 表的 group_id 列）", page.text))
    assert "imports" in links["u-auditor"] and links["u-supervisor"] == links["u-auditor"] - {"imports"}
    assert {"messages", "flags"} <= links["u-supervisor"]


async def test_a_table_page_links_to_rows_only_of_tables_the_user_may_open(ds):
    # Each message names the import it came from; supervisors may not open the import ledger.
    for actor, links in (("u-supervisor", False), ("u-auditor", True)):
        page = await ds.client.get("/archive/messages", cookies=cookies_for(ds, actor))
        assert page.status_code == 200 and ('href="/archive/imports/1"' in page.text) == links, actor
        assert ('<td class="col-import_id type-int">1</td>' in page.text) != links  # the key alone
        assert 'href="/archive/groups/1"' in page.text  # groups they may open


@pytest.mark.parametrize("name, taken", [("rules@groups", True), ("cli:root", True), ("rules@", True), ("chat@1549a32eba66", True),
                                         ("RULES@groups", True), ("Cli:root", True), ("rules-groups", False),
                                         ("ops@rules", False), ("cli", False), ("王cli:", False)])
def test_no_user_is_named_as_the_checks_and_commands_sign_their_decisions(ds, qunguan, db_path, name, taken):
    # A supervisor named rules@groups would have their decisions taken for the group
    # check's own: reopened or closed by it, and left out of the handling times.
    added = qunguan("users", "add", name, "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    if taken:
        assert added.exit_code == 1 and "may not start with rules@, chat@ or cli:" in added.stderr
        assert name not in qunguan("users", "list", "--db", db_path).stdout
    else:
        assert added.exit_code == 0


async def test_a_disabled_users_name_is_not_offered_back_through_a_new_password(ds, qunguan, db_path):
    """The admin disabled 王芳 by mistake and tries to add her again: told the name is
    taken by a disabled user, not sent to `users password`, which would not let her in."""
    assert qunguan("users", "add", "王芳", "--db", db_path, "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    assert qunguan("users", "disable", "王芳", "--db", db_path).exit_code == 0
    again = qunguan("users", "add", "王芳", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code == 1
    # The command to paste as it is: without --db it would be refused.
    assert again.stderr.startswith("错误：用户 '王芳' 已存在且已停用（用户从不删除，以便过去的处理记录保留其处理人）；"
                                   f"如是同一人，用 `qunguan users enable 王芳 --db {db_path}` 恢复其登录；否则请给新账号另起名，"
                                   "如 王芳2")
    assert again.stderr.strip().endswith("（error: user '王芳' exists and is disabled (users are never deleted, so that "
                                         "past decisions keep their author); if it is the same person, `qunguan users "
                                         f"enable 王芳 --db {db_path}` lets them log in again; else give the new account "
                                         "another name, e.g. 王芳2）")
    changed = qunguan("users", "password", "王芳", "--db", db_path, "--password-stdin", input="Another-Secret-42\n")
    assert changed.exit_code == 0 and changed.stdout == "user 王芳\tpassword changed\n"
    enable = f"`qunguan users enable '王芳' --db {db_path}`"
    assert changed.stderr.startswith(f"注意：王芳 已停用，新密码在 {enable} 恢复其登录之前不能登录")
    assert f"王芳 is disabled: the new password does not let them log in until {enable}" in changed.stderr


async def test_a_user_disabled_by_mistake_is_enabled_again_and_logs_in_with_their_password(ds, qunguan, db_path):
    from review import auth

    login = {"username": "u-supervisor", "password": PASSWORD}
    assert qunguan("users", "disable", "u-supervisor", "--db", db_path).exit_code == 0
    token, cookies = await csrf(ds, "/-/login", {})
    refused = await ds.client.post("/-/login", data={**login, "csrftoken": token}, cookies=cookies)
    assert refused.status_code == 401
    enabled = qunguan("users", "enable", "u-supervisor", "--db", db_path)
    assert enabled.exit_code == 0 and enabled.stdout == "user u-supervisor\tenabled\n"
    let_in = await ds.client.post("/-/login", data={**login, "csrftoken": token}, cookies=cookies)
    assert let_in.status_code == 302
    # Who let them in again is kept, as for every change to a user.
    users = auth.connect(auth.users_path(db_path))
    assert users.execute("select event from user_events where name = 'u-supervisor' order by id desc").fetchone() == (
        "enabled",)
    users.close()
    again = qunguan("users", "enable", "u-supervisor", "--db", db_path)
    assert again.exit_code == 1
    assert again.stderr.strip() == "错误：用户 'u-supervisor' 未被停用，无需恢复（error: user 'u-supervisor' is not disabled）"
    assert qunguan("users", "enable", "nobody", "--db", db_path).stderr.strip() == (
        f"错误：没有用户 'nobody'（`qunguan users list --db {db_path}` 列出全部用户）（error: no user 'nobody'）")


async def test_a_user_who_tried_their_password_while_disabled_logs_in_once_enabled(ds, qunguan, db_path):
    """Disabled by mistake, the user tried their (right) password again and again before
    calling the admin: each try counted as a failed login. Once the admin enables them
    they log in at once, not after the lock's quarter of an hour."""
    from review import auth

    assert qunguan("users", "disable", "u-supervisor", "--db", db_path).exit_code == 0
    token, cookies = await csrf(ds, "/-/login", {})

    async def login():
        return await ds.client.post("/-/login", data={"username": "u-supervisor", "password": PASSWORD,
                                                      "csrftoken": token}, cookies=cookies)

    for _ in range(auth.LOCK_AFTER["name"]):
        assert (await login()).status_code == 401
    assert (await login()).status_code == 429
    users = sqlite3.connect(auth.users_path(db_path))  # the tries were a moment before the admin's command
    users.execute("update logins set at = strftime('%Y-%m-%dT%H:%M:%S', at, '-2 seconds')")
    users.commit()
    users.close()
    assert qunguan("users", "enable", "u-supervisor", "--db", db_path).exit_code == 0
    assert (await login()).status_code == 302


async def test_the_same_user_added_twice_at_once_is_refused_in_one_line(ds, qunguan, db_path, monkeypatch):
    from review import auth

    hash_password = auth.hash_password

    def colleague_adds_him_meanwhile(password, *args):
        # While this command hashes the password, another admin's command adds the user.
        other = auth.connect(auth.users_path(db_path))
        with other:
            other.execute("insert into users (name, role, password_hash, created_at, created_by) "
                          "values ('李强', 'supervisor', 'x', '2025-03-03T09:00:00', 'other')")
        other.close()
        monkeypatch.setattr(auth, "hash_password", hash_password)
        return hash_password(password, *args)

    monkeypatch.setattr(auth, "hash_password", colleague_adds_him_meanwhile)
    result = qunguan("users", "add", "李强", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # no IntegrityError
    password = f"`qunguan users password 李强 --db {db_path}`"
    assert result.stderr.strip() == (f"错误：用户 '李强' 已存在；修改密码请用 {password}（error: user '李强' exists "
                                     f"already; change a password with {password}）")
