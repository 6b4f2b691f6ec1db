"""Given a roster of real names, exported senders are linked to people by identifier first,
then by exact display name, and unmatched senders stay visible."""


def test_roster_links_by_wxid_userid_and_display_name(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "wecom/chatdata.jsonl", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "wechat-share.txt", "--db", db_path, "--silent")
    result = qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)  # GB18030, Chinese headers
    assert result.exit_code == 0, result.stderr
    assert "people added 3" in result.stdout
    linked = query("select m.sender_key, m.display_name, p.name from members m left join people p on p.id = m.person_id "
                   "order by m.id")
    by_key = {row["sender_key"]: row["name"] for row in linked}
    assert by_key["wxid_hw001"] == "黄伟"  # by wxid, although exported as 县水利局_黄伟
    assert by_key["PengTao"] == "彭涛"  # by WeCom userid
    assert by_key["name:县农业农村局-彭涛"] == "彭涛"  # by a display name the roster lists
    assert by_key["name:双溪镇-江华"] is None  # not the exact roster name: stays unmatched, visible
    assert by_key["wxid_lf002"] is None


def test_reimporting_the_roster_updates_people_instead_of_duplicating(qunguan, db_path, query, fixtures):
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    again = qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    assert "people added 0\tupdated 3" in again.stdout
    assert query("select count(*) n from people")[0]["n"] == 3


def test_senders_ingested_after_the_roster_are_linked_too(qunguan, db_path, query, fixtures):
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    assert query("select p.name from members m join people p on p.id = m.person_id") == [{"name": "黄伟"}]


def test_a_roster_without_a_name_column_is_refused(qunguan, db_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,position\n县水利局,局长\n", encoding="utf-8")
    result = qunguan("roster", "import", bad, "--db", db_path)
    assert result.exit_code == 1 and "no name column" in result.stderr


def test_stats_reports_groups_members_weeks_and_imports(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    out = qunguan("stats", "--db", db_path).stdout
    assert "groups 1" in out and "messages 6" in out
    assert "2025-W09" in out and "防火群" in out
