"""Driving the web UI in tests: an archive with flags, users of every role, logged-in clients."""
import re

from review.site import make_datasette

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
    if name is None:
        return {}
    return {"ds_actor": ds.sign({"a": {"id": name}}, "actor")}


async def csrf(ds, path, cookies):
    """A CSRF token as a logged-in browser would get it from the form page."""
    page = await ds.client.get(path, cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return token, {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken") or cookies.get("ds_csrftoken", "")}
