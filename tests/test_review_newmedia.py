"""New-media flags reach the same queue; their case page shows the post and its account
in place of a conversation."""
import sqlite3

from tests.review_helpers import cookies_for
from review.site import make_datasette


async def test_post_and_account_flags_show_in_the_queue_and_case_page(qunguan, db_path, query, fixtures):
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    assert qunguan("classify", "--db", db_path, "--silent").exit_code == 0
    qunguan("users", "add", "sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input="Sup-Password-1\n")
    ds = make_datasette(db_path)
    cookies = cookies_for(ds, "sup")
    post_flag = query("select id from flags where post_id is not null and category = 'advertising' "
                      "and evidence like '%taobao%'")[0]["id"]
    queue = await ds.client.get("/-/qunguan/queue?category=advertising", cookies=cookies)
    assert f"/-/qunguan/flags/{post_flag}" in queue.text and "商业广告" in queue.text
    case = await ds.client.get(f"/-/qunguan/flags/{post_flag}", cookies=cookies)
    assert "被标记的文章" in case.text and "账号" in case.text and "taobao" in case.text
    account_flag = query("select id from flags where category = 'account_personal'")[0]["id"]
    page = await ds.client.get(f"/-/qunguan/flags/{account_flag}", cookies=cookies)
    assert "小李说文旅" in page.text and "新媒体 第八条" in page.text


async def test_a_post_link_that_is_not_a_web_address_is_shown_never_followed(qunguan, db_path, query, fixtures):
    # The link comes from an export anyone could have edited: a javascript: link would run
    # as the supervisor who clicks it, and could record decisions in their name.
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("users", "add", "sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input="Sup-Password-1\n")
    flag = query("select id, post_id from flags where post_id is not null and category = 'advertising'")[0]
    with sqlite3.connect(db_path) as con:
        con.execute("update posts set url = 'JavaScript:alert(document.domain)' where id = ?", [flag["post_id"]])
    ds = make_datasette(db_path)
    case = await ds.client.get(f"/-/qunguan/flags/{flag['id']}", cookies=cookies_for(ds, "sup"))
    assert case.status_code == 200 and "原文链接：JavaScript:alert(document.domain)" in case.text
    assert 'href="JavaScript' not in case.text and 'href="javascript' not in case.text.lower()


async def test_new_media_canned_queries_name_categories_and_statuses_in_chinese(qunguan, db_path, fixtures):
    from ingest.schema import CATEGORY_NAMES

    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("users", "add", "aud", "--role", "auditor", "--db", db_path, "--password-stdin", input="Aud-Password-1\n")
    ds = make_datasette(db_path)
    rows = (await ds.client.get("/archive/newmedia_open_flags_per_account.json?_shape=array", cookies=cookies_for(ds, "aud"))).json()
    assert rows and {r["类别"] for r in rows} <= set(CATEGORY_NAMES.values()) and {r["状态"] for r in rows} == {"待核查"}


async def test_the_dashboard_counts_new_media_flags_under_their_units_as_the_queue_does(qunguan, db_path, fixtures):
    import re

    from ingest.schema import open_archive
    from review.queue import choices, queue

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("groups", "set", "防火群", "--unit", "县林业局", "--db", db_path)
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("users", "add", "aud", "--role", "auditor", "--db", db_path, "--password-stdin", input="Aud-Password-1\n")
    ds = make_datasette(db_path)
    page = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "aud"))
    table = page.text.split("<h2>各单位</h2>")[1]
    shown = {unit: int(n) for unit, n in re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>", table)}
    conn = open_archive(str(db_path)).conn
    in_queue = {unit: sum(queue(conn, {"unit": unit, "status": "all"}).counts.values()) for unit in choices(conn)["unit"]}
    assert len(in_queue) > 2 and shown == {unit: n for unit, n in in_queue.items() if n}


async def test_each_flag_is_offered_the_measures_that_fit_what_it_is_about(qunguan, db_path, query, fixtures):
    # 移出群聊 needs a group's member, 要求撤回 a message or an article: an account, or a
    # group itself (no admin named), takes neither.
    import re

    from tests.review_helpers import form_fields

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("users", "add", "sup", "--role", "supervisor", "--db", db_path, "--password-stdin", input="Sup-Password-1\n")
    ds = make_datasette(db_path)
    cases = {  # flag: (the row naming where it is, whether 移出群聊 and 要求撤回 are offered)
        "post_id is not null": ("账号", False, True),
        "category = 'account_personal'": ("账号", False, False),
        "message_id is not null": ("群", True, True),
        "category = 'group_no_admin'": ("群", False, False),
    }
    for where, (label, removed, recalled) in cases.items():
        case = f"/-/qunguan/flags/{query(f'select id from flags where {where} limit 1')[0]['id']}"
        page = await ds.client.get(case, cookies=cookies_for(ds, "sup"))
        assert f"<tr><th>{label}</th>" in page.text, where
        menu = page.text.split('name="action"')[1].split("</select>")[0]
        offered = set(re.findall(r'<option value="(\w+)"', menu))
        assert ("removed" in offered, "recalled" in offered) == (removed, recalled), where
        if not removed:
            hidden, cookies = await form_fields(ds, case, cookies_for(ds, "sup"))
            refused = await ds.client.post(case, cookies=cookies, data={**hidden, "status": "confirmed", "action": "removed"})
            assert refused.status_code == 400 and "此类标记不适用“移出群聊”" in refused.text
    assert query("select count(*) n from handling")[0]["n"] == 0


async def test_who_handled_an_accounts_flags_is_for_auditors_and_admins_as_every_decision_by_its_author_is(
        qunguan, db_path, query, fixtures):
    # The account history lists each decision on the account's flags with who made it:
    # account by account, a supervisor collected every colleague's decisions by name, as
    # the handling table (closed to supervisors) would have given them.
    from ingest.schema import open_archive
    from review import handling

    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    for name, role in (("sup", "supervisor"), ("aud", "auditor"), ("adm", "admin")):
        qunguan("users", "add", name, "--role", role, "--db", db_path, "--password-stdin", input="Secret-Pass-12\n")
    flag = query("select id, account_id from flags where account_id is not null order by id limit 1")[0]
    conn = open_archive(str(db_path)).conn
    handling.record(conn, [flag["id"]], handling.validate("confirmed", "reminded", "已提醒", None), "colleague")
    ds = make_datasette(db_path)
    history = "/archive/newmedia_account_history"
    for name, reads in (("sup", False), ("aud", True), ("adm", True)):
        cookies = cookies_for(ds, name)
        for ext in ("", ".json", ".csv"):
            answer = await ds.client.get(f"{history}{ext}?account={flag['account_id']}", cookies=cookies)
            assert answer.status_code == (200 if reads else 403), (name, ext)
            assert ("colleague" in answer.text) == reads, (name, ext)
        listed = await ds.client.get("/archive", cookies=cookies)
        assert ("newmedia_account_history" in listed.text) == reads
        # Nor can a query of one's own read it: supervisors run no SQL.
        sql = await ds.client.get("/archive.json", params={"sql": "select actor_id from handling"}, cookies=cookies)
        assert (sql.status_code == 200) == (name == "aud")
    # The supervisor still sees who decided the case on its own page.
    case = await ds.client.get(f"/-/qunguan/flags/{flag['id']}", cookies=cookies_for(ds, "sup"))
    assert case.status_code == 200 and "<td>colleague</td>" in case.text
