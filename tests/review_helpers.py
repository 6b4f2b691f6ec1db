"""Driving the web UI in tests: an archive with flags, users of every role, logged-in clients."""
import html
import re
from pathlib import Path

from classifiers.classify import insert_flags
from detectors.groups import DETECTOR as GROUP_CHECKS
from ingest.schema import open_archive
from review import auth, handling
from review.site import actor_cookie, make_datasette

PASSWORD = "Correct-Horse-9"
ROLES = ("supervisor", "auditor", "admin")


def prepare(qunguan, db_path, fixtures):
    """An archive with one week of messages classified, and one user per role plus a disabled one."""
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    for role in ROLES:
        qunguan("users", "add", f"u-{role}", "--role", role, "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    qunguan("users", "add", "u-gone", "--role", "supervisor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    qunguan("users", "disable", "u-gone", "--db", db_path)
    return make_datasette(db_path)


def cookies_for(ds, name):
    """The session cookie a login as `name` would set now (none for None)."""
    if name is None:
        return {}
    conn = auth.connect(Path(ds.plugin_config("qunguan")["users_db"]))
    try:
        return {"ds_actor": actor_cookie(ds, auth.get_user(conn, name))}
    finally:
        conn.close()


async def log_in(ds, name, password=PASSWORD):
    """Log in as a browser does, the form page and then its POST; the browser's cookies after."""
    token, cookies = await csrf(ds, "/-/login", {})
    response = await ds.client.post("/-/login", data={"username": name, "password": password, "csrftoken": token},
                                    cookies=cookies)
    assert response.status_code == 302, response.text
    return {**cookies, **response.cookies}


async def csrf(ds, path, cookies):
    """A CSRF token as a logged-in browser would get it from the form page."""
    page = await ds.client.get(path, cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return token, {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken") or cookies.get("ds_csrftoken", "")}


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


async def form_fields(ds, path, cookies):
    """The hidden fields of the form on the page at `path` (its CSRF token, the latest
    decision it was shown with ...), as a browser would post them; and the cookies after."""
    page = await ds.client.get(path, cookies=cookies)
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    return fields, {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken") or cookies.get("ds_csrftoken", "")}


def flag_as_chatter(conn, messages):
    """The model's verdict that `messages` (rows with their id and group_id) are chatter
    (第八条), recorded as classify records it."""
    with conn:
        insert_flags(conn, [{"subject": f"message:{m['id']}", "message_id": m["id"], "group_id": m["group_id"],
                             "category": "offtopic", "score": 0.9, "detector": "test", "article": "群规 第八条",
                             "evidence": "x"} for m in messages])


def new_year_part_weeks(qunguan, db_path, decided: bool) -> None:
    """防火群's week of New Year flagged as the chatter check flagged it when it cut the week at
    New Year: two part weeks, 2024-W53 (which goes on as the whole week) and 2025-W00, the
    latter confirmed by a supervisor when `decided`; then `classify`, which closes it if not."""
    conn = open_archive(str(db_path)).conn
    with conn:
        insert_flags(conn, [{"subject": f"group:1:{week}", "category": "group_chatter_share", "group_id": 1,
                             "score": 1.0, "detector": GROUP_CHECKS, "article": "群规 第十二条", "occurred_at": day,
                             "evidence": "「防火群」这一周闲聊/吹捧占比 50%"}
                            for week, day in (("2024-W53", "2024-12-30T00:00:00"), ("2025-W00", "2025-01-01T00:00:00"))])
    if decided:
        [stub] = conn.execute("select id from flags where subject = 'group:1:2025-W00'").fetchone()
        handling.record(conn, [stub], handling.validate("confirmed", "talked", "已约谈群主", None), "u-supervisor")
    conn.close()
    qunguan("classify", "--db", db_path, "--silent")
