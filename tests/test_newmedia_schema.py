"""新媒体 tables come with one migration that upgrades an archive in use, and every
supervisor's canned query runs on a filled archive."""
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from ingest.schema import _NEWMEDIA, MIGRATIONS, open_archive
from newmedia.checks import run_newmedia
from review.site import canned_queries

QUERIES = Path(__file__).resolve().parent.parent / "datasette" / "queries" / "newmedia.yml"
NEWMEDIA_QUERIES = set(yaml.safe_load(QUERIES.read_text(encoding="utf-8")))


def test_an_archive_from_before_new_media_is_upgraded_and_keeps_its_flags(db_path):
    old = sqlite_utils.Database(db_path)
    for number, script in enumerate(MIGRATIONS[:MIGRATIONS.index(_NEWMEDIA)], start=1):  # made before new media
        old.conn.executescript(script)
        old.conn.execute(f"pragma user_version = {number}")
    old.conn.execute("insert into flags (subject, category, score, detector, article, evidence, created_at) "
                     "values ('group:1', 'group_no_admin', 1, 't', '群规 第四条', '未登记群管理员', '2025-03-01T10:00:00')")
    old.conn.commit()
    old.conn.close()
    db = open_archive(str(db_path))
    assert db.conn.execute("pragma user_version").fetchone()[0] == len(MIGRATIONS)
    assert {"accounts", "account_filings", "posts"} <= set(db.table_names())
    assert {fk.other_table for fk in db["flags"].foreign_keys} >= {"posts", "accounts", "messages"}
    assert db.conn.execute("select subject, post_id, account_id, severity from flags").fetchall() == [("group:1", None, None, 1)]


def test_flag_inserts_of_the_chat_detectors_are_unchanged(db_path):
    from classifiers.classify import insert_flags

    conn = open_archive(str(db_path)).conn
    assert insert_flags(conn, [{"subject": "group:9", "category": "group_no_admin", "score": 1.0, "detector": "t",
                                "article": "群规 第四条", "evidence": "x"}]) == 1
    assert conn.execute("select post_id, account_id, message_id from flags").fetchall() == [(None, None, None)]


def _filled(qunguan, db_path, fixtures):
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "变更", "--filed-on", "2025-09-30",
            "--effective-on", "2025-10-09")
    conn = open_archive(str(db_path)).conn
    run_newmedia(conn, date(2025, 10, 1), models_dir=None)
    return conn


def test_every_canned_query_has_a_chinese_title_and_runs(qunguan, db_path, fixtures):
    queries = {name: query for name, query in canned_queries().items() if name in NEWMEDIA_QUERIES}
    conn = _filled(qunguan, db_path, fixtures)
    for name, query in queries.items():
        assert name.startswith("newmedia_") and query["title"].startswith("新媒体：") and query["description"]
        params = {p: "" for p in ("supervising_body", "category")} | {"account": 1}
        conn.execute(query["sql"], params).fetchall()


@pytest.mark.parametrize("name, params, expected", [
    ("newmedia_duplicate_platform", {}, [("宜春市教育局", "宜春教育发布")]),
    ("newmedia_late_filing", {}, [("中共宜春市委宣传部", "宜春发布")]),
    ("newmedia_by_supervisor", {"supervising_body": "宣传部"}, [("中共宜春市委宣传部", "宜春发布")]),
    ("newmedia_post_flags", {"category": "advertising"}, [("宜春市教育局", "宜春教育")]),
    ("newmedia_post_flags", {"category": "商业广告"}, [("宜春市教育局", "宜春教育")]),  # as the column shows it
])
def test_a_supervisor_sees_each_check_in_its_own_query(qunguan, db_path, fixtures, name, params, expected):
    conn = _filled(qunguan, db_path, fixtures)
    conn.row_factory = sqlite3.Row
    sql = canned_queries()[name]["sql"]
    rows = conn.execute(sql, {"supervising_body": "", "category": "", **params}).fetchall()
    assert [(r["单位"], r["账号名称"]) for r in rows] == expected


def test_an_accounts_history_lists_its_registration_filings_and_flags(qunguan, db_path, fixtures):
    conn = _filled(qunguan, db_path, fixtures)
    sql = canned_queries()["newmedia_account_history"]["sql"]
    events = [r[1] for r in conn.execute(sql, {"account": 4})]
    assert events[0] == "台账登记" and "备案：变更" in events
    assert "标记：开设/变更/关停未提前7个工作日备案（新媒体 第六条）" in events
    from review import handling

    flag = conn.execute("select id from flags where account_id = 4 order by id limit 1").fetchone()[0]
    handling.record(conn, [flag], handling.validate("confirmed", "reminded", "已提醒", None), "u-sup")
    assert "处置：属实 / 提醒" in [r[1] for r in conn.execute(sql, {"account": 4})]
    assert "标记：账号名称与单位职责关联不明（新媒体 第七条）" in events


def test_an_archive_made_when_accounts_were_only_party_or_government_takes_the_other_kinds(db_path):
    from ingest.schema import _ACCOUNT_KINDS_OF_ARTICLE_FIVE, _KINDS_CHECK_BEFORE, migrate

    old = sqlite_utils.Database(db_path)
    migrate(old.conn, MIGRATIONS[:MIGRATIONS.index(_ACCOUNT_KINDS_OF_ARTICLE_FIVE)])
    # accounts.kind as it was created then: 党务 or 政务 only.
    old.conn.execute("pragma writable_schema = on")
    old.conn.execute("update sqlite_master set sql = replace(sql, ?, ?) where name = 'accounts'",
                     ["check (kind in ('党务', '政务', '国有企事业单位', '人民团体'))", _KINDS_CHECK_BEFORE])
    old.conn.execute("pragma writable_schema = off")
    old.conn.commit()
    old.conn.close()
    assert "kind in ('党务', '政务')" in sqlite3.connect(db_path).execute(
        "select sql from sqlite_master where name = 'accounts'").fetchone()[0]
    conn = open_archive(str(db_path)).conn
    with conn:
        conn.execute("insert into accounts (unit, platform, name, kind, created_at, updated_at) values "
                     "('共青团宜春市委', '微信公众号', '宜春青年', '人民团体', '2025-10-01', '2025-10-01')")
    assert conn.execute("select supervising_body from account_supervision").fetchall() == [("宣传部/网信办",)]
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_a_category_added_after_an_archive_was_made_gets_its_severity_there(db_path):
    from classifiers.classify import insert_flags
    from ingest.schema import _SEVERITY_AS_DECLARED, _SEVERITY_SQL, migrate

    old = sqlite_utils.Database(db_path)
    migrate(old.conn, MIGRATIONS[:MIGRATIONS.index(_SEVERITY_AS_DECLARED)])
    # flags.severity as written when the archive was made, before account_closed_posting.
    old.conn.execute("pragma writable_schema = on")
    old.conn.execute("update sqlite_master set sql = replace(sql, ?, ?) where name = 'flags'",
                     [_SEVERITY_SQL, _SEVERITY_SQL.replace(" when 'account_closed_posting' then 3", "")])
    old.conn.execute("pragma writable_schema = off")
    old.conn.commit()
    old.conn.close()
    conn = open_archive(str(db_path)).conn
    with conn:
        insert_flags(conn, [{"subject": f"account:1{n}", "category": category, "score": 1.0, "detector": "t",
                             "article": "新媒体 第六条", "evidence": "x"}
                            for n, category in enumerate(("account_dormant", "account_closed_posting"))])
    assert conn.execute("select category, severity from flags order by severity desc, id desc").fetchall() == [
        ("account_closed_posting", 3), ("account_dormant", 1)]
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
