"""The people using this read Chinese: Datasette's own pages, where auditors browse
tables and run SQL, speak Chinese like qunguan's pages."""
import html
import re
import sqlite3
from pathlib import Path

import datasette
import pytest

from review import auth
from review.datasette_zh import (ERRORS, FLASHES, INTERRUPTED_PHRASES, PHRASES, TABLE_JS_PHRASES, datasette_table_js,
                                 error_message, sql_error)
from review.errors import in_chinese
from tests.review_helpers import PASSWORD, cookies_for, csrf, log_in, prepare

ENGLISH_CHROME = ["Log out", "Run SQL", "Format SQL", "This data as", "Next page", 'value="Apply"', "Search:",
                  "Custom SQL query", "Powered by", "Queries took", " rows", "Advanced export", "Sort by",
                  ">home<", ">hide<", ">show<"]
ENGLISH_ERRORS = ["Forbidden", "permission", "not found", "Cannot", "Invalid", "Statement", "execute-sql", "Error"]


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


@pytest.mark.parametrize("path, chinese", [
    ("/archive", ["数据表", "预设查询", "运行 SQL"]),
    ("/archive/messages", ["搜索：", "按 sent_at 排序", "应用", "导出为", "开头是"]),
    ("/archive/messages/1", ["其他表中引用此行的记录"]),
    ("/archive?sql=select+1", ["自定义 SQL 查询，返回 1 行", "（<a href=\"/archive?sql=select+1&amp;_hide_sql=1\">隐藏</a>）"]),
    ("/archive?sql=select+1&_hide_sql=1", [">显示</a>）"]),
    ("/-/logout", ["退出登录", "当前登录"]),
])
async def test_datasettes_own_pages_speak_chinese(ds, path, chinese):
    page = await ds.client.get(path, cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 200
    for words in chinese:
        assert words in page.text
    assert [words for words in ENGLISH_CHROME if words in page.text] == []


@pytest.mark.parametrize("path", ["/-/qunguan/queue", "/-/qunguan/dashboard", "/-/qunguan/users", "/-/qunguan/flags/1",
                                  "/-/qunguan/search?q=会议", "/archive", "/archive/messages", "/archive/messages/1"])
async def test_every_page_leads_home_in_chinese(ds, path):
    page = await ds.client.get(path, cookies=cookies_for(ds, "u-auditor"))
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page.text, re.S).group(1)
    assert re.search(r'<a href="/">\s*首页\s*</a>', crumbs)
    assert "home" not in crumbs


async def test_the_home_page_counts_tables_in_chinese_sentences(ds):
    page = await ds.client.get("/", cookies=cookies_for(ds, "u-auditor"))
    counts = re.sub(r"\s+", "", re.search(r"</h2>\s*<p>(.*?)</p>", page.text, re.S).group(1))
    assert re.fullmatch(r"[\d,]+行，分属\d+张表；[\d,]+行，分属\d+张隐藏表；\d+个视图", counts), counts
    assert re.search(r"<title>[^<]*：archive</title>", page.text)


@pytest.mark.parametrize("user, path", [(None, "/-/login"), ("u-supervisor", "/-/qunguan/queue"),
                                        ("u-supervisor", "/-/qunguan/flags/1"), ("u-auditor", "/archive/messages"),
                                        ("u-auditor", "/archive?sql=select+1"), ("u-supervisor", "/archive/imports")])
async def test_every_page_tells_the_browser_it_is_in_chinese(ds, user, path):
    # Browsers choose the Chinese font by it (not a Japanese one), and screen readers the voice.
    page = await ds.client.get(path, cookies=cookies_for(ds, user))
    assert '<html lang="zh-CN">' in page.text


@pytest.mark.parametrize("user, path, status, chinese", [
    ("u-supervisor", "/archive/imports", 403, ["无权访问", "没有查看此表的权限"]),
    ("u-supervisor", "/archive?sql=select+1", 403, ["无权访问", "没有执行 SQL 查询的权限"]),
    ("u-auditor", "/archive/nosuch", 404, ["找不到该表"]),
    ("u-auditor", "/nosuch", 404, ["找不到该数据库"]),
    ("u-auditor", "/archive/messages/999999", 404, ["找不到该行"]),
    ("u-auditor", "/archive/flags?_sort=nosuch", 400, ["无法按 nosuch 排序"]),  # the address's fault, not the server's
    ("u-auditor", "/archive/flags?_size=abc", 400, ["_size 必须是正整数"]),
    ("u-auditor", "/archive?sql=update+flags+set+note=1", 400, ["SQL 有误", "只能执行 SELECT 语句"]),
])
async def test_a_logged_in_user_reads_error_pages_in_chinese(ds, user, path, status, chinese):
    page = await ds.client.get(path, cookies=cookies_for(ds, user))
    assert page.status_code == status
    for words in chinese:
        assert words in page.text
    assert [words for words in ENGLISH_ERRORS if words in page.text] == []


@pytest.mark.parametrize("method, path, status", [
    ("POST", "/archive/messages", 405), ("POST", "/archive/stale_open_flags", 405), ("POST", "/archive", 405),
    ("POST", "/archive/messages.json", 405), ("GET", "/archive/messages?_sort=nonexist", 400),
    ("GET", "/archive/messages?_sort=id&_sort_desc=id", 400), ("GET", "/archive/nosuch.json", 404),
    ("GET", "/archive/messages.json?_sort=zz", 400), ("GET", "/archive/imports.json", 403),
    # Filters Datasette reads as JSON without checking it
    ("GET", "/archive/flags?_through=zzz", 400), ("GET", '/archive/flags?_through={"table":"x"}', 400),
    ("GET", '/archive/flags?_through={"table":"messages","column":"id","value":"1"}', 400),
    ("GET", "/archive/flags?id__in=%5B", 400), ("GET", "/archive/flags.json?id__notin=[[1]]", 400),
    ("GET", "/archive/flags.json?_shape=zzz", 400),
    # One object per primary key, asked of what has none: Datasette said so in English, with 200
    ("GET", "/archive/stale_open_flags.json?_shape=object", 400), ("GET", "/archive/messages_fts.json?_shape=object", 400),
    # Rows asked of the database page, a list of tables and queries: Datasette failed with a server error
    ("GET", "/archive.json?_shape=array", 400), ("GET", "/archive.json?_shape=arrayfirst", 400),
    # The database page's CSV (no rows either: a server error, 'columns'); a whole table's from a page on
    ("GET", "/archive.csv", 400), ("GET", "/archive.csv?sql=", 400), ("GET", "/archive/flags.csv?_stream=on&_next=1", 400),
    # Methods no page takes: the handling forms were served or run as if posted
    ("DELETE", "/-/qunguan/flags/1", 405), ("PUT", "/-/qunguan/bulk", 405), ("PATCH", "/archive/messages.json", 405),
])
async def test_a_supervisor_going_astray_is_told_in_chinese_never_with_a_server_error(ds, method, path, status):
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-supervisor"))
    if method == "GET":
        response = await ds.client.get(path, cookies=cookies)
    else:
        response = await ds.client.request(method, path, data={"csrftoken": token, "flag": "1", "status": "dismissed"},
                                           cookies=cookies)
    assert response.status_code == status
    if path.split("?")[0].endswith(".json"):  # a script gets JSON it can read, whatever went wrong
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()
        assert error["ok"] is False and error["status"] == status and re.search(r"[\u4e00-\u9fff]", error["error"])
        text = error["error"] + (error["title"] or "")
    else:
        assert response.headers["content-type"].startswith("text/html")
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", response.text, flags=re.S)
    assert [words for words in ENGLISH_ERRORS + ["POST", "Method", "tuple", "allowed", "columns"] if words in text] == []


async def test_a_table_with_a_primary_key_still_gives_one_object_per_row(ds):
    data = await ds.client.get("/archive/flags.json?_shape=object", cookies=cookies_for(ds, "u-supervisor"))
    assert data.status_code == 200
    rows = data.json()
    assert rows and all(key == str(row["id"]) for key, row in rows.items())


async def test_the_database_page_still_lists_its_tables_in_each_shape_it_has(ds):
    cookies = cookies_for(ds, "u-supervisor")
    for shape in ("", "?_shape=objects", "?_shape=arrays"):
        page = await ds.client.get(f"/archive.json{shape}", cookies=cookies)
        assert page.status_code == 200 and "flags" in [table["name"] for table in page.json()["tables"]]
    rows = await ds.client.get("/archive.json?_shape=array&sql=select+1+as+n", cookies=cookies_for(ds, "u-auditor"))
    assert rows.json() == [{"n": 1}]  # a query's rows, asked of the same address


async def test_a_query_over_the_time_limit_is_explained_in_chinese(ds):
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000000) select count(*) from n"
    page = await ds.client.get("/archive", params={"sql": slow, "_timelimit": 1}, cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 400
    assert "SQL 查询已中断" in page.text and "SQL 查询用时过长。时间上限由" in page.text
    assert html.escape(slow) in page.text  # the query is still quoted for the auditor to edit
    assert "took too long" not in page.text and "Interrupted" not in page.text
    data = await ds.client.get("/archive.json", params={"sql": slow, "_timelimit": 1}, cookies=cookies_for(ds, "u-auditor"))
    assert data.status_code == 400 and data.json()["title"] == "SQL 查询已中断"
    # A script reads plain words: Datasette's HTML, made for its error page, was all the JSON had.
    assert data.json()["error"].startswith("SQL 查询用时过长") and "<" not in data.json()["error"]


async def test_a_query_within_the_time_limit_answers_its_json_as_before(ds):
    data = await ds.client.get("/archive.json", params={"sql": "select count(*) from messages", "_timelimit": 1000},
                               cookies=cookies_for(ds, "u-auditor"))
    assert data.status_code == 200 and data.json()["ok"] is True and data.json()["error"] is None


async def test_a_csv_export_over_the_time_limit_is_explained_in_chinese_not_a_server_error(ds):
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000000) select count(*) from n"
    for path, params in [("/archive.csv", {"sql": slow}), ("/archive/flags.csv", {"_where": f"({slow}) > 0"})]:
        page = await ds.client.get(path, params={**params, "_timelimit": 1}, cookies=cookies_for(ds, "u-auditor"))
        assert page.status_code == 400 and "SQL 查询已中断" in page.text and "SQL 查询用时过长" in page.text
        assert "interrupted" not in page.text and "OperationalError" not in page.text
    within = await ds.client.get("/archive.csv", params={"sql": "select count(*) as n from flags", "_timelimit": 1000},
                                 cookies=cookies_for(ds, "u-auditor"))
    assert within.status_code == 200 and within.text.splitlines()[0].lstrip("\ufeff") == "n"


@pytest.mark.parametrize("sql, chinese", [
    ("select nonsense", "没有名为 nonsense 的列"),
    ("select * from nosuch", "没有名为 nosuch 的表或视图"),
    ("select json_extract('{', '$')", "JSON 格式有误"),  # fails while it runs, not when it is read
])
async def test_a_failed_querys_csv_says_why_rather_than_downloading_an_empty_file(ds, sql, chinese):
    # Datasette wrote it as an empty file with 200: the auditor took it for a query that found nothing.
    for extra in ({}, {"_header": "off", "_dl": "1"}, {"_shape": "array"}):
        page = await ds.client.get("/archive.csv", params={"sql": sql, **extra}, cookies=cookies_for(ds, "u-auditor"))
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
        assert "content-disposition" not in page.headers
        assert "SQL 有误" in page.text and chinese in html.unescape(page.text) and "（SQLite：" in html.unescape(page.text)


async def test_a_failed_querys_csv_runs_the_query_once(ds, monkeypatch):
    # The export used to fail, then ask the JSON of the same address to learn why: a slow
    # query that failed at its end cost the auditor twice its time.
    from datasette.database import Database

    sql = "select json_extract('{', '$') as broken"
    ran = []
    execute = Database.execute

    async def counted(self, query, *args, **kwargs):
        ran.append(query)
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", counted)
    page = await ds.client.get("/archive.csv", params={"sql": sql}, cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 400 and "JSON 格式有误" in html.unescape(page.text)
    assert ran.count(sql) == 1


# From message 5 on (the first page of 3 peeks at message 4 for the next): SQLite's
# integer overflow, or a count that runs past the time limit.
SLOW = "(with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000000) select count(*) from n)"
FAILING_FROM = {"整数超出范围": "abs(case when id > {} then -9223372036854775807 - 1 else 1 end) > 0",
                "SQL 查询用时过长": f"(case when id > {{}} then {SLOW} else 1 end) > 0"}


@pytest.mark.parametrize("reason", FAILING_FROM)
async def test_a_csv_export_cut_off_midway_says_so_in_its_last_line(ds, reason):
    # Page after page of a streamed table, a later page's query failing: the rows before it
    # were sent with 200, so the file must say itself that it stops short, and why, where
    # Excel shows it.
    import csv
    import io

    async def export(where):
        return await ds.client.get("/archive/messages.csv", params={
            "_stream": "on", "_size": "3", "_sort": "id", "_col": "group_id", "_where": where, "_timelimit": 200},
            cookies=cookies_for(ds, "u-auditor"))

    cut = await export(FAILING_FROM[reason].format(4))
    assert cut.status_code == 200
    rows = list(csv.reader(io.StringIO(cut.content.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[:4]] == ["id", "1", "2", "3"]
    [last] = rows[4:]
    assert len(last) == 1 and last[0].startswith("导出未完成") and "已导出 3 行" in last[0] and reason in last[0]
    # The whole file, its last page too, ends with its last row as before.
    whole = await export(FAILING_FROM[reason].format(10 ** 9))
    text = whole.content.decode("utf-8-sig")
    assert whole.status_code == 200 and "导出未完成" not in text and text.endswith("\r\n")
    assert len(text.splitlines()) > 4


async def test_an_auditors_sql_cannot_make_the_server_hold_a_huge_value(ds):
    # select randomblob(999999999) had the server hold a gigabyte, and its JSON twice that:
    # a few at once and it runs out of memory for everyone.
    cookies = cookies_for(ds, "u-auditor")
    huge = await ds.client.get("/archive.json", params={"sql": "select length(randomblob(100000000)) as n"},
                               cookies=cookies)
    assert huge.status_code == 400 and "内容过长，超出了数据库的上限" in huge.json()["error"]
    large = await ds.client.get("/archive.json", params={"sql": "select length(randomblob(1000000)) as n",
                                                         "_shape": "array"}, cookies=cookies)
    assert large.status_code == 200 and large.json() == [{"n": 1000000}]


async def test_a_query_that_finds_nothing_still_downloads_its_csv(ds):
    cookies = cookies_for(ds, "u-auditor")
    found = {"sql": "select id, text from messages where 0"}
    for path, params, body in [("/archive.csv", found, "id,text\r\n"), ("/archive.csv", {**found, "_header": "off"}, ""),
                               ("/archive/flags.csv", {"id": "-1", "_header": "off"}, "")]:
        csv = await ds.client.get(path, params=params, cookies=cookies)
        assert csv.status_code == 200 and csv.headers["content-disposition"].startswith("attachment")
        assert csv.content.decode("utf-8-sig") == body


@pytest.mark.parametrize("path, params", [
    ("/archive.csv", {"sql": "select id, text from messages where text like '%' || :q || '%'", "q": "红包"}),
    ("/archive.csv", {"sql": "select id, text from messages where text like '%' || :q || '%'", "q": "没有这句话"}),
    ("/archive/messages.csv", {"text__contains": "没有这句话"}),
    ("/archive/messages.csv", {"_stream": "on", "_size": "5"}),
    ("/archive/stale_open_flags.csv", {}),
    ("/archive.csv", {"sql": 'select 1 as "两行\n列名", 2 as b'}),  # the header is one record, not one line
])
async def test_an_export_without_its_header_line_runs_its_query_once_as_with_it(ds, monkeypatch, path, params):
    # Without the header a query that finds nothing is an empty file, as a failed one was:
    # telling them apart must not run a slow query a second time.
    from datasette.database import Database

    ran = []
    execute = Database.execute

    async def counted(self, sql, *args, **kwargs):
        if self.name == "archive" and "sqlite_master" not in sql and not sql.lower().startswith("pragma"):
            ran.append(sql)  # the export's own queries, not Datasette's look at the schema
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", counted)
    cookies = cookies_for(ds, "u-auditor")
    exports = {}
    for header in ("on", "off"):
        ran.clear()
        csv = await ds.client.get(path, params={**params, "_header": header}, cookies=cookies)
        assert csv.status_code == 200 and csv.headers["content-disposition"].startswith("attachment")
        exports[header] = (csv.content.decode("utf-8-sig"), list(ran))
    (whole, queries), (rows, queries_without) = exports["on"], exports["off"]
    assert queries_without == queries
    assert rows == whole.split("\r\n", 1)[1]


def test_an_unknown_error_message_is_shown_as_it_is():
    assert error_message("no such column: nosuch") == "no such column: nosuch"  # SQLite's: `sql_error`
    assert error_message("Cannot sort table by 发送时间") == "无法按 发送时间 排序"


SQL_MISTAKES = ["select nosuch from messages", "select * from nosuch", "select nosuch(1)", "select id from messages, flags",
                "select * frm messages", "select (1", "select 1 ? 2", "select 1; select 2", "select substr()",
                "select count(*) from messages where count(*) > 1", "select (select 1, 2)",
                "select 1 union select 1, 2", "select 1 order by 2", "select json_extract('{', '$')",
                "select json_extract('{}', 'name')",
                "select * from messages_fts where messages_fts match '\"'", "select :p"]


def test_every_mistake_an_auditor_is_likely_to_make_is_explained_in_chinese():
    """SQLite's messages are in its C library, not in any source a test can read: these
    are made by SQLite itself, so a reworded one shows here."""
    conn = sqlite3.connect(":memory:")
    conn.executescript("create table messages (id, text); create table flags (id);"
                       "create virtual table messages_fts using fts5(text);")
    for sql in SQL_MISTAKES:
        with pytest.raises(sqlite3.Error) as raised:
            conn.execute(sql).fetchall()
        message = str(raised.value)
        explained = sql_error(message)
        assert not explained.startswith("数据库执行 SQL 时出错"), message
        assert explained.endswith(f"（SQLite：{message}）")  # the exact words, to look up
    assert sql_error("no such column: nosuch") == "没有名为 nosuch 的列（列名有误，或未写明所属的表）（SQLite：no such column: nosuch）"
    assert sql_error("something new") == "数据库执行 SQL 时出错（SQLite：something new）"


@pytest.mark.parametrize("path, status, chinese, english", [
    ("/archive?sql=select+nosuch+from+messages", 400, "没有名为 nosuch 的列", "no such column: nosuch"),
    ("/archive?sql=select+1%3Bselect+2", 400, "一次只能执行一条 SQL 语句", "You can only execute one statement at a time."),
    ("/archive/messages?_where=nosuch%3D1", 400, "没有名为 nosuch 的列", "no such column: nosuch"),
    ("/archive/messages?_facet=nosuch", 400, "没有名为 nosuch 的列", "no such column: nosuch"),
    ("/archive/messages?_search=%22", 400, "全文检索语法有误", 'fts5: syntax error near ""'),
    ("/archive/messages.json?_where=nosuch%3D1", 400, "没有名为 nosuch 的列", "no such column: nosuch"),
    # An auditor's own query as JSON (the error page's JSON link): Datasette put SQLite's words alone in it.
    ("/archive.json?sql=select+nosuch+from+messages", 400, "没有名为 nosuch 的列", "no such column: nosuch"),
    ("/archive.json?sql=select+*+frm+messages", 400, "SQL 语法错误", 'near "frm": syntax error'),
])
async def test_an_sql_mistake_is_explained_in_chinese_with_sqlites_words_after(ds, path, status, chinese, english):
    page = await ds.client.get(path, cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == status
    text = page.json()["error"] if path.split("?")[0].endswith(".json") else html.unescape(page.text)
    assert chinese in text and f"（SQLite：{english}）" in text


def test_an_error_out_of_sqlite_on_any_page_is_explained_in_chinese():
    """Not raised by Datasette, so not wrapped by it: a 500 that said only SQLite's words."""
    broken = in_chinese(sqlite3.DatabaseError("database disk image is malformed"))
    assert (broken.status, broken.title) == (500, "数据库出错")
    assert broken.message == "数据库文件已损坏，请联系管理员（SQLite：database disk image is malformed）"
    busy = in_chinese(sqlite3.OperationalError("database is locked"))
    assert (busy.status, busy.title) == (503, "数据库正忙") and busy.message.startswith("数据库正忙：")


def test_every_error_message_still_matches_datasettes_source():
    """A new Datasette that rewords an error or a flashed message would bring the English back unnoticed."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(datasette.__file__).parent.rglob("*.py"))
    assert [english for english, _ in ERRORS + FLASHES if f'"{english}"' not in source] == []
    assert [english for english, _ in INTERRUPTED_PHRASES if english not in source] == []


async def test_the_user_list_tells_account_changes_in_chinese(ds, qunguan, db_path):
    qunguan("users", "password", "u-auditor", "--db", db_path, "--password-stdin", input=PASSWORD + "\n")
    token, cookies = await csrf(ds, "/-/logout", cookies_for(ds, "u-supervisor"))
    await ds.client.post("/-/logout", data={"csrftoken": token}, cookies=cookies)
    page = await ds.client.get("/-/qunguan/users", cookies=cookies_for(ds, "u-admin"))
    log = page.text.split("账号变更记录", 1)[1]
    for words in ("u-supervisor：添加为核查人（党组）", "u-auditor：添加为审计", "u-admin：添加为管理员",
                  "u-gone：停用", "u-auditor：修改密码", "u-supervisor：退出登录"):
        assert words in log
    assert not re.search(r"added as|disabled|password changed|logged out", log)
    users = sqlite3.connect(auth.users_path(db_path))
    stored = users.execute("select event from user_events").fetchall()
    users.close()
    assert ("password changed",) in stored  # the log itself keeps the words auth reads back


@pytest.mark.parametrize("query, described", [
    ("kind=text&_sort_desc=id", "其中 kind 为“text”，按 id 降序排列"),
    ("_search=防火&group_id=1", "其中 搜索“防火”，group_id = 1"),
    ("kind__in=image,file&text__contains=会议&_sort=sent_at", "其中 kind 属于 “image”、“file”，text 包含“会议”，按 sent_at 升序排列"),
    ("text__notblank=1", "其中 text 不为空"),
    ("kind=text", "其中 kind 为“text”"),
])
async def test_an_auditor_reads_which_rows_a_table_page_shows_in_chinese(ds, query, described):
    page = await ds.client.get(f"/archive/messages?{query}", cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 200
    heading = re.search(r"<h3>(.*?)</h3>", page.text, re.S).group(1)
    assert html.unescape(heading).split("行", 1)[1].strip() == described
    assert described in html.unescape(re.search(r"<title>(.*?)</title>", page.text, re.S).group(1))
    assert not re.search(r"\b(where|sorted by|descending|search matches|contains)\b", heading)


def test_every_phrase_still_matches_a_datasette_template():
    """A new Datasette that rewords a phrase would bring the English back unnoticed."""
    templates = Path(datasette.__file__).parent / "templates"
    sources = [p.read_text(encoding="utf-8") for p in templates.glob("*.html")]
    assert [english for english, _ in PHRASES if not any(english in source for source in sources)] == []


async def test_the_column_menus_of_a_table_speak_chinese(ds):
    page = await ds.client.get("/archive/messages", cookies=cookies_for(ds, "u-auditor"))
    assert '<script src="/-/qunguan/table.js" defer></script>' in page.text and "table.js" not in page.text.replace(
        "/-/qunguan/table.js", "")
    script = await ds.client.get("/-/qunguan/table.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    for words in ("升序排列", "降序排列", "按此列分面统计", "隐藏此列", "显示全部列", "只看非空的行", "类型：", "删除此筛选"):
        assert words in script.text
    assert [english for english, _ in TABLE_JS_PHRASES if english in script.text] == []


def test_every_column_menu_phrase_still_matches_datasettes_script():
    script = datasette_table_js()
    assert [english for english, _ in TABLE_JS_PHRASES if english not in script] == []


async def test_logging_out_says_so_in_chinese(ds):
    token, cookies = await csrf(ds, "/-/logout", await log_in(ds, "u-supervisor"))
    response = await ds.client.post("/-/logout", data={"csrftoken": token}, cookies=cookies)
    cookies = {**cookies, **response.cookies}
    page = await ds.client.get(response.headers["location"], cookies=cookies)
    assert "您已退出登录" in page.text and "logged out" not in page.text
    assert any(c.startswith("ds_messages=") and "Max-Age=0" in c for c in page.headers.get_list("set-cookie"))  # once
