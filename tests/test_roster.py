"""Given a roster of real names, exported senders are linked to people by identifier first,
then by exact display name, and unmatched senders stay visible."""
import json

import pytest


def test_roster_links_by_wxid_userid_and_display_name(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "wecom/chatdata.jsonl", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "wechat-share.txt", "--db", db_path, "--silent")
    result = qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)  # GB18030, Chinese headers
    assert result.exit_code == 0, result.stderr
    assert "people added 3" in result.stdout
    assert result.stdout.startswith("花名册：新增 3 人，更新 0，未变 0；")  # said in Chinese first, for the admin
    linked = query("select m.sender_key, m.display_name, p.name from members m left join people p on p.id = m.person_id "
                   "order by m.id")
    by_key = {row["sender_key"]: row["name"] for row in linked}
    assert by_key["wxid_hw001"] == "黄伟"  # by wxid, although exported as 县水利局_黄伟
    assert by_key["PengTao"] == "彭涛"  # by WeCom userid
    assert by_key["name:县农业农村局-彭涛"] == "彭涛"  # by a display name the roster lists
    assert by_key["name:双溪镇-江华"] == "江华"  # unit and name, as 第六条 asks names to be written
    assert by_key["wxid_lf002"] is None


def test_reimporting_the_roster_updates_people_instead_of_duplicating(qunguan, db_path, query, fixtures):
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    again = qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    assert "people added 0\tupdated 0\tunchanged 3" in again.stdout  # the same roster again
    assert query("select count(*) n from people")[0]["n"] == 3


def test_senders_ingested_after_the_roster_are_linked_too(qunguan, db_path, query, fixtures):
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    assert query("select p.name from members m join people p on p.id = m.person_id") == [{"name": "黄伟"}]


def test_stats_reports_groups_members_weeks_and_imports(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    out = qunguan("stats", "--db", db_path).stdout
    assert "groups 1" in out and "messages 6" in out
    assert "2025-W09" in out and "防火群" in out


def test_stats_count_a_sender_two_exporters_archived_apart_once(qunguan, db_path, query, tmp_path):
    # MemoTrace 2025 names senders only, chatlog gives their wxid: one chat, two member rows
    # each for 张伟 and 李娜; 李娜 is linked to the roster by her wxid and her name.
    names = tmp_path / "城关镇工作群.csv"
    names.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                     "7400000000000000001,文本,张伟,2025-03-03 09:00:00,收到,,,more\n"
                     "7400000000000000002,文本,李娜,2025-03-03 09:01:00,好的,,,more\n", encoding="utf-8-sig")
    ids = tmp_path / "chatlog.csv"
    ids.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                   "2025-03-04 09:00:00,张伟,wxid_zw,城关镇工作群,51100077788@chatroom,好的\n"
                   "2025-03-04 09:02:00,李娜,wxid_ln,城关镇工作群,51100077788@chatroom,收到\n"
                   "2025-03-04 09:03:00,王强,wxid_wq,城关镇工作群,51100077788@chatroom,收到\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,微信号\n李娜,城关镇,wxid_ln\n", encoding="utf-8")
    for export in (names, ids):
        qunguan("ingest", export, "--db", db_path, "--silent")
    qunguan("roster", "import", roster, "--db", db_path)
    assert query("select count(*) n from members")[0]["n"] == 5
    assert "members 3 (1 on the roster)" in qunguan("stats", "--db", db_path).stdout


def _people(query):
    return query("select name, unit, position, wxid, wecom_userid, display_names from people order by id")


@pytest.mark.parametrize("name, content, encoding", [
    ("title.csv", "花名册（2025年3月）,,,\n姓名,单位,职务,微信号\n王五,县委办,,wxid_w5\n", "gb18030"),
    ("notes.csv", "姓名*,单位（全称）,微信号\n王五,县委办,wxid_w5\n", "utf-8-sig"),
    ("english.csv", "Name,Unit,WXID\n王五,县委办,wxid_w5\n", "utf-8"),
    ("semicolons.csv", "姓名;单位;微信号\n王五;县委办;wxid_w5\n", "utf-8-sig"),
    ("unicode-text.txt", "姓名\t单位\t微信号\r\n王五\t县委办\twxid_w5\r\n", "utf-16"),
])
def test_a_roster_saved_the_way_offices_save_it_is_read(qunguan, db_path, query, tmp_path, name, content, encoding):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    result = qunguan("roster", "import", path, "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert _people(query) == [{"name": "王五", "unit": "县委办", "position": None, "wxid": "wxid_w5",
                               "wecom_userid": None, "display_names": "[]"}]


def test_a_list_of_names_alone_is_a_roster_and_a_later_list_of_positions_keeps_the_links(qunguan, db_path, query,
                                                                                          fixtures, tmp_path):
    assert "people added 2" in _import(qunguan, db_path, tmp_path, "姓名\n王五\n赵六\n", "名单.csv").stdout
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)  # 黄伟 by wxid_hw001
    linked = query("select count(*) n from members where person_id is not null")[0]["n"]
    # A list without the id columns updates positions; it erases no identifier, unlinks no one.
    _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n黄伟,县水利局,党组书记、局长\n", "职务.csv")
    assert query("select wxid, position from people where name = '黄伟'") == [
        {"wxid": "wxid_hw001", "position": "党组书记、局长"}]
    assert query("select count(*) n from members where person_id is not null")[0]["n"] == linked > 0


@pytest.mark.parametrize("roster", ["花名册（2025年3月）,,,\n姓名,单位,职务\n王五,县委办,科员\n",
                                    "姓名;单位;微信号\n王五;县委办;wxid_w5\n"])
def test_a_roster_in_an_export_folder_is_passed_over_by_ingest(qunguan, db_path, fixtures, tmp_path, roster):
    # What `roster import` reads, `ingest` of the weekly folder recognises and leaves to it.
    folder = tmp_path / "本周导出"
    folder.mkdir()
    (folder / "花名册.csv").write_text(roster, encoding="utf-8")
    (folder / "防火群.csv").write_bytes((fixtures / "memotrace3-week1.csv").read_bytes())
    result = qunguan("ingest", folder, "--db", db_path, "--group", "防火群", "--silent")
    assert result.exit_code == 0 and "a real-name roster" in result.stderr, result.stderr
    assert "memotrace3-csv" in result.stdout


def test_a_chat_that_pastes_a_roster_table_is_a_chat_and_a_names_only_list_is_a_roster(qunguan, db_path, tmp_path):
    folder = tmp_path / "本周导出"
    folder.mkdir()
    (folder / "护林群.txt").write_text("县林业局-邹斌 2025-03-03 09:00\n请各村按以下格式报送护林员名单：\n姓名\t单位\t职务\n"
                                     "张三\t三桥村\t护林员\n\n宜丰县-罗琴 2025-03-03 09:05:30\n收到\n", encoding="utf-8")
    (folder / "名单.csv").write_text("姓名\n张伟\n李娜\n", encoding="utf-8")
    (folder / "花名册.csv").write_text("宜丰县2025年村干部花名册\n姓名,单位,职务\n张伟,三桥村,支书\n", encoding="utf-8")
    # A chat export whose first message pastes a roster table is a chat all the same.
    (folder / "护林群.csv").write_text(
        "消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
        '9700000000000000001,文本,邹斌,2025-03-03 09:00:00,"请按以下格式报送：\n姓名\t单位\t职务\n张三\t三桥村\t护林员",,,more\n',
        encoding="utf-8")
    result = qunguan("ingest", folder, "--db", db_path, "--group", "护林群", "--silent")
    assert result.exit_code == 0 and "护林群.txt\tpasted-text\t护林群\tnew 2" in result.stdout
    stderr = " ".join(result.stderr.split())
    assert "名单.csv: skipped, a real-name roster" in stderr and "花名册.csv: skipped, a real-name roster" in stderr
    assert "护林群.csv\tmemotrace3-csv\t护林群\tnew 1" in result.stdout


def test_a_names_only_list_over_a_roster_updates_the_people_it_names(qunguan, db_path, query, tmp_path):
    _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n张伟,三桥村,支书\n李娜,双溪村,主任\n")
    again = _import(qunguan, db_path, tmp_path, "姓名\n张伟\n李娜\n", "名单.csv")
    assert "people added 0\tupdated 0\tunchanged 2" in again.stdout  # matched, not added
    assert query("select name, unit, position from people order by id") == [
        {"name": "张伟", "unit": "三桥村", "position": "支书"}, {"name": "李娜", "unit": "双溪村", "position": "主任"}]


def test_a_roster_workbook_is_read_from_its_sheet_below_the_title(qunguan, db_path, query, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["填表说明：请填写实名"])
    sheet = book.create_sheet("花名册")
    sheet.append(["花名册（2025年3月）"])
    sheet.append(["序号", "姓名", "单位", "职务", "群昵称"])
    sheet.append([1, " 王五 ", "县委办", "主任", "县委办-王五"])
    book.save(tmp_path / "花名册.xlsx")
    result = qunguan("roster", "import", tmp_path / "花名册.xlsx", "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert _people(query) == [{"name": "王五", "unit": "县委办", "position": "主任", "wxid": None,
                               "wecom_userid": None, "display_names": '["县委办-王五"]'}]


def test_a_roster_headed_as_the_county_office_heads_it_is_read_and_a_column_left_out_is_said(qunguan, db_path, query,
                                                                                             tmp_path):
    # The office's own form: 所在单位 rather than 单位, 群内昵称 rather than 群昵称 …
    result = _import(qunguan, db_path, tmp_path, "序号,姓名,所在单位,职务职级,微信账号,手机号码,群内昵称\n"
                                                 "1,王五,县委办,一级科员,wxid_w5,13912345678,县委办-王五\n")
    assert result.exit_code == 0, result.stderr
    assert _people(query) == [{"name": "王五", "unit": "县委办", "position": "一级科员", "wxid": "wxid_w5",
                               "wecom_userid": None, "display_names": '["县委办-王五"]'}]
    # … and a column under a heading qunguan does not know is named, not dropped unsaid.
    assert "columns not read: 手机号码 (qunguan reads 姓名, 单位, 职务, 微信号, 企业微信账号, 群昵称" in result.stderr
    assert "序号" not in result.stderr


@pytest.mark.parametrize("name, content, message", [
    ("花名册", None, "花名册: a folder; name the roster file in it"),
    ("fake.xlsx", "not a workbook", "not a readable .xlsx workbook"),
    ("empty.csv", "", "an empty file, nothing in it"),
    ("bad.csv", "unit,position\n县水利局,局长\n", "no name column"),
])
def test_a_file_that_is_no_roster_is_refused_in_one_line(qunguan, db_path, tmp_path, name, content, message):
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_text(content, encoding="utf-8")
    result = qunguan("roster", "import", path, "--db", db_path)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("error:") == 1
    assert "Traceback" not in result.stderr


def _import(qunguan, db_path, tmp_path, text, name="花名册.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = qunguan("roster", "import", path, "--db", db_path)
    assert result.exit_code == 0, result.stderr
    return result


def _links(query):
    return {row["sender_key"]: row["person"] for row in query(
        "select m.sender_key, p.name || '/' || p.unit person from members m left join people p on p.id = m.person_id")}


def test_correcting_a_unit_updates_the_person_with_that_wxid(qunguan, db_path, query, tmp_path, fixtures):
    qunguan("ingest", fixtures / "roster/县委办工作群_utf8.csv", "--db", db_path, "--silent")
    _import(qunguan, db_path, tmp_path, "姓名,单位,职务,微信号\n刘强,县农业农村局,股长,wxid_liuqiang\n")
    again = _import(qunguan, db_path, tmp_path, "姓名,单位,职务,微信号\n刘强,县农业农村局（乡村振兴局）,副局长,WXID_LiuQiang\n")
    assert "people added 0\tupdated 1" in again.stdout
    assert _people(query) == [{"name": "刘强", "unit": "县农业农村局（乡村振兴局）", "position": "副局长",
                               "wxid": "WXID_LiuQiang", "wecom_userid": None, "display_names": "[]"}]
    assert _links(query)["wxid_liuqiang"] == "刘强/县农业农村局（乡村振兴局）"


def test_a_corrected_name_that_is_already_someone_else_is_reported_not_merged(qunguan, db_path, query, tmp_path):
    _import(qunguan, db_path, tmp_path, "姓名,单位,微信号\n刘强,县农业农村局,wxid_liuqiang\n刘强,县林业局,\n")
    again = _import(qunguan, db_path, tmp_path, "姓名,单位,微信号\n刘强,县林业局,wxid_liuqiang\n")
    assert "花名册.csv:2: 刘强 (县林业局) is another person" in again.stderr
    assert [(p["unit"], p["wxid"]) for p in _people(query)] == [("县农业农村局", "wxid_liuqiang"), ("县林业局", None)]


def test_a_name_two_people_share_links_nobody_until_the_roster_tells_them_apart(qunguan, db_path, query, tmp_path,
                                                                               fixtures):
    qunguan("ingest", fixtures / "roster/县委办工作群_utf8.csv", "--db", db_path, "--silent")
    first = _import(qunguan, db_path, tmp_path, "姓名,单位\n王伟,城关镇人民政府\n")
    assert "ambiguous 0" in first.stdout
    assert _links(query)["wxid_ww_unknown"] == "王伟/城关镇人民政府"

    # A second 王伟 joins the roster: the guess made when there was one is undone.
    second = _import(qunguan, db_path, tmp_path, "姓名,单位\n王伟,城关镇人民政府\n王伟,县财政局\n")
    assert "ambiguous 1" in second.stdout
    assert "1 senders match several people and are left unlinked: 王伟 (县委办工作群)" in second.stderr
    assert "注意：1 个发送人对应花名册上的多个人，未关联：王伟 (县委办工作群)；请在花名册中写明各人的群昵称或微信号" in second.stderr
    assert _links(query)["wxid_ww_unknown"] is None

    # Their 群昵称 tell them apart, even where one 群昵称 is the name both share.
    third = _import(qunguan, db_path, tmp_path, "姓名,单位,群昵称\n王伟,城关镇人民政府,城关王伟\n王伟,县财政局,王伟\n")
    assert "ambiguous 0" in third.stdout
    links = _links(query)
    assert links["wxid_ww_unknown"] == "王伟/县财政局"
    assert links["wxid_ww_unknown2"] == "王伟/城关镇人民政府"


def test_wecom_userids_and_wxids_match_whatever_their_case(qunguan, db_path, query, tmp_path, fixtures):
    qunguan("ingest", fixtures / "roster/县委办工作群_utf8.csv", "--db", db_path, "--silent")
    _import(qunguan, db_path, tmp_path, "姓名,单位,微信号,企业微信账号\n胡晓东,县应急管理局,,huxiaodong\n"
                                        "刘强,县农业农村局,WXID_LIUQIANG,\n")
    links = _links(query)
    assert links["HuXiaoDong"] == "胡晓东/县应急管理局"
    assert links["wxid_liuqiang"] == "刘强/县农业农村局"


def test_a_person_entered_twice_in_one_file_keeps_the_first_row(qunguan, db_path, query, tmp_path):
    result = _import(qunguan, db_path, tmp_path, "姓名,单位,职务,微信号\n张三,县教育局,老师,wxid_zs\n"
                                                 "张三,县教育局,校长,\n李四,县教育局,,WXID_ZS\n")
    assert "花名册.csv:3: same name and unit as line 2; the first is kept" in result.stderr
    assert "花名册.csv:4: same wxid as line 2; the first is kept" in result.stderr
    assert [(p["name"], p["position"]) for p in _people(query)] == [("张三", "老师")]


def test_display_names_separated_the_ways_clerks_write_them_are_each_matched(qunguan, db_path, query, tmp_path):
    result = _import(qunguan, db_path, tmp_path, "姓名,单位,群昵称\n李四,县财政局,县财政局-李四、李四\n"
                                                 "赵六,县应急局,赵六，县应急局-赵六; 老赵\n钱七,县林业局,钱七/林业局钱七\n")
    assert [p["display_names"] for p in _people(query)] == [
        '["县财政局-李四", "李四"]', '["赵六", "县应急局-赵六", "老赵"]', '["钱七/林业局钱七"]']
    assert "花名册.csv:4: display name '钱七/林业局钱七' looks like several; separate them with ；" in result.stderr


def test_display_names_on_lines_of_their_own_in_one_cell_are_each_matched(qunguan, db_path, query, tmp_path):
    # Alt+Enter between a person's 群昵称 in Excel: a WeChat name never holds a line break.
    _import(qunguan, db_path, tmp_path, '姓名,单位,群昵称\n李四,县财政局,"县财政局-李四\r\n老李"\n')
    assert [p["display_names"] for p in _people(query)] == ['["县财政局-李四", "老李"]']


@pytest.mark.parametrize("file_encoding, edited_encoding", [("utf-8", "gb18030"), ("gb18030", "utf-8")])
def test_a_roster_with_rows_retyped_in_another_encoding_reads_every_name(qunguan, db_path, query, tmp_path,
                                                                         file_encoding, edited_encoding):
    lines = ["姓名,单位,微信号", "王五,县委办,wxid_w5", "袁海燕,袁州区行政审批局,wxid_yhy", "胡婷,秀江街道便民服务中心,wxid_ht"]
    path = tmp_path / "花名册.csv"
    path.write_bytes(b"\r\n".join(line.encode(edited_encoding if i >= 2 else file_encoding)
                                  for i, line in enumerate(lines)) + b"\r\n")
    assert qunguan("roster", "import", path, "--db", db_path).exit_code == 0
    assert [p["name"] for p in _people(query)] == ["王五", "袁海燕", "胡婷"]


def test_two_rosters_joined_into_one_file_read_the_second_ones_names_without_its_bom(qunguan, db_path, query, tmp_path):
    # Each unit's clerk saved a part as "CSV UTF-8"; the office joined them with copy /b.
    # The second part's BOM stands before its first name, where no one sees it.
    path = tmp_path / "花名册.csv"
    path.write_bytes("\ufeff姓名,单位,群昵称\r\n王伟,县应急局,\r\n".encode() + "\ufeff李明,县水利局,\r\n".encode())
    assert qunguan("roster", "import", path, "--db", db_path).exit_code == 0
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("王伟", "县应急局"), ("李明", "县水利局")]


@pytest.mark.parametrize("second_header, second_row", [("姓名,单位,职务", "李明,县水利局,科员"),
                                                       # the other unit's clerk put 单位 first
                                                       ("单位,姓名,职务", "县水利局,李明,科员")])
def test_a_roster_part_pasted_with_its_header_under_another_reads_its_rows_by_that_header(
        qunguan, db_path, query, tmp_path, second_header, second_row):
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,职务\n王伟,县应急局,科长\n\n{second_header}\n{second_row}\n")
    assert [(p["name"], p["unit"], p["position"]) for p in _people(query)] == [("王伟", "县应急局", "科长"),
                                                                             ("李明", "县水利局", "科员")]
    assert "people added 2\t" in result.stdout


@pytest.mark.parametrize("row", ["王伟,县应急局,名字", "Name,外事办,", "王伟,县应急局,姓名"],
                         ids=["群昵称 名字", "English name Name", "群昵称 姓名"])
def test_a_row_with_one_cell_reading_like_a_heading_is_a_person_and_the_rows_after_it_read_as_before(
        qunguan, db_path, query, tmp_path, row):
    # Someone's 群昵称 really is 名字; an English clerk's colleague is called Name.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,群昵称\n{row}\n李明,县水利局,老李\n")
    name, unit, nickname = row.split(",")
    assert [(p["name"], p["unit"], p["display_names"]) for p in _people(query)] == [
        (name, unit, f'["{nickname}"]' if nickname else "[]"), ("李明", "县水利局", '["老李"]')]
    assert "people added 2\t" in result.stdout


def test_a_one_column_roster_repeating_its_header_lists_no_one_called_so(qunguan, db_path, query, tmp_path):
    _import(qunguan, db_path, tmp_path, "姓名\n王伟\n姓名\n李明\n")
    assert [p["name"] for p in _people(query)] == ["王伟", "李明"]


@pytest.mark.parametrize("typed, cell", [('"王伟,县应急局', '"王伟'), ('王伟,"县应急局', '"县应急局')])
def test_a_quote_typed_by_hand_costs_its_own_row_not_the_rows_after_it(qunguan, db_path, query, tmp_path, typed, cell):
    # Typed in Notepad: a quote opening a cell that no quote closes swallowed every row
    # after it into one cell, stored as one person named with all of them.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n{typed}\n李明,县水利局\n张三,城关镇\n")
    # The row with the quote is named for the clerk to fix, not stored with a quote in a
    # name or unit; the rows after it are read.
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("李明", "县水利局"), ("张三", "城关镇")]
    assert f'花名册.csv:2: a quote (") typed by hand in {cell!r}; row skipped' in result.stderr


@pytest.mark.parametrize("end", ["\n", ""], ids=["line end", "no line end"])
def test_a_quote_typed_by_hand_in_the_last_row_costs_that_row_as_in_any_other(qunguan, db_path, query, tmp_path, end):
    # Nothing after it to swallow, it still made one cell of 王伟,县应急局: a person by that name, of no unit.
    result = _import(qunguan, db_path, tmp_path, f'姓名,单位\n李明,县水利局\n"王伟,县应急局{end}')
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("李明", "县水利局")]
    assert "花名册.csv:3: a quote (\") typed by hand in '\"王伟'; row skipped" in result.stderr
    # A last cell quoted and closed, as Excel writes one, is read as ever.
    _import(qunguan, db_path, tmp_path, f'姓名,单位\n李明,县水利局\n王伟,"县应急局"{end}')
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("李明", "县水利局"), ("王伟", "县应急局")]


@pytest.mark.parametrize("typed, cell", [('钱七,县委办"', '县委办"'), ('钱七",县委办', '钱七"')])
def test_a_quote_typed_by_hand_closing_a_cell_no_quote_opened_costs_its_row(qunguan, db_path, query, tmp_path,
                                                                             typed, cell):
    # Read as a character of the cell: a unit 县委办" would be one nobody is in, a person
    # nobody is, at every later import.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n李明,县水利局\n{typed}\n张三,城关镇\n")
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("李明", "县水利局"), ("张三", "城关镇")]
    assert f'花名册.csv:3: a quote (") typed by hand in {cell!r}; row skipped' in result.stderr


@pytest.mark.parametrize("typed, where", [
    ('张三,县委办,"城关-张三\n李明,县水利局,老李\n', 2),  # opening a cell no quote closes
    ('李明,县水利局,老李\n张三,县委办,"城关-张三\n', 3),  # the same, on the last row
    ('张三,县委办,城关-张三"\n李明,县水利局,老李\n', 2),  # closing a cell no quote opened
], ids=["opening", "opening the last row", "closing"])
def test_a_quote_typed_by_hand_in_a_display_name_is_left_out_and_the_person_kept(qunguan, db_path, query, tmp_path,
                                                                                  typed, where):
    # A 群昵称 with the quote in matches no sender, and the group's 城关-张三 stayed unknown.
    export = tmp_path / "城关镇工作群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      "7100000000000000001,文本,城关-张三,2025-03-03 09:00:00,收到,,,more\n", encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    result = _import(qunguan, db_path, tmp_path, "姓名,单位,群昵称\n" + typed)
    assert sorted((p["name"], p["unit"], p["display_names"]) for p in _people(query)) == [
        ("张三", "县委办", '["城关-张三"]'), ("李明", "县水利局", '["老李"]')]
    assert f'花名册.csv:{where}: a quote (") typed by hand in ' in result.stderr
    assert "read as '城关-张三'" in result.stderr
    assert _links(query) == {"name:城关-张三": "张三/县委办"}


@pytest.mark.parametrize("cell, nickname", [('"小""王"""', '小"王"'), ('O"Brien', 'O"Brien')])
def test_a_quote_that_is_a_display_names_own_is_kept(qunguan, db_path, query, tmp_path, cell, nickname):
    # Excel writes a quote inside a cell doubled, the cell quoted; one inside a word is a character.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,群昵称\n张三,县委办,{cell}\n李明,县水利局,老李\n")
    assert [json.loads(p["display_names"]) for p in _people(query)] == [[nickname], ["老李"]]
    assert "typed by hand" not in result.stderr


def test_a_note_in_a_column_without_a_heading_is_named_not_dropped_unsaid(qunguan, db_path, query, tmp_path):
    # Excel keeps the columns a clerk once typed in: 已调走 beside a person was read as nothing.
    result = _import(qunguan, db_path, tmp_path, "姓名,单位,,群昵称,,\r\n王伟,城关镇,,,,已调走\r\n李明,城关镇,退休,老李,,\r\n"
                                                 "张三,城关镇,,,,\r\n")
    assert [(p["name"], p["display_names"]) for p in _people(query)] == [("王伟", "[]"), ("李明", '["老李"]'), ("张三", "[]")]
    assert "花名册.csv:2: '已调走', in a column with no heading, is not read" in result.stderr
    assert "花名册.csv:3: '退休', in a column with no heading, is not read" in result.stderr
    assert "花名册.csv:4" not in result.stderr


def test_row_numbers_in_a_column_without_a_heading_are_no_notes(qunguan, db_path, query, tmp_path):
    # The clerk's 序号 column, its heading left empty: every row was said to hold a note.
    result = _import(qunguan, db_path, tmp_path, ",姓名,单位,群昵称\r\n1,王伟,城关镇,城关-王伟\r\n2,张三,城关镇,城关-张三\r\n"
                                                 "3,李明,城关镇,城关-李明,退休\r\n")
    assert [p["name"] for p in _people(query)] == ["王伟", "张三", "李明"]
    assert result.stderr.count("in a column with no heading") == 1  # only the note the clerk typed:
    assert "花名册.csv:4: '退休', in a column with no heading, is not read" in result.stderr


@pytest.mark.parametrize("opened, closed", [
    ('"王五,县应急局', '李四",县水利局'),  # both in the name
    ('王五,"县应急局', '李四,县水利局"'),  # both in the unit
    ('王五,"县应急局', '李四",县水利局'),  # a unit's, then a name's
], ids=["names", "units", "unit then name"])
def test_two_quotes_typed_by_hand_a_few_lines_apart_cost_their_own_rows_not_those_between(
        qunguan, db_path, query, tmp_path, opened, closed):
    # Typed in Notepad: the second quote closed the cell the first opened, and the rows
    # between were read as one cell, stored as one person named with all of them.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n{opened}\n张三,县财政局\n赵六,县林业局\n{closed}\n钱七,县委办\n")
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("张三", "县财政局"), ("赵六", "县林业局"), ("钱七", "县委办")]
    assert '花名册.csv:2: a quote (") typed by hand in' in result.stderr
    assert '花名册.csv:5: a quote (") typed by hand in' in result.stderr


@pytest.mark.parametrize("roster", ['姓名,单位\n"王五,县应急局\n李四",县水利局\n钱七,县委办\n',
                                    '姓名\n"王五\n李四"\n钱七\n'], ids=["two columns", "names only"])
def test_two_quotes_typed_by_hand_on_lines_next_to_each_other_cost_those_two_rows(qunguan, db_path, query, tmp_path,
                                                                                   roster):
    result = _import(qunguan, db_path, tmp_path, roster)
    assert [p["name"] for p in _people(query)] == ["钱七"]
    assert "花名册.csv:2: a quote" in result.stderr and "花名册.csv:3: a quote" in result.stderr


def test_two_quotes_typed_by_hand_that_read_as_a_cell_of_two_lines_are_told_by_the_rows_width(
        qunguan, db_path, query, tmp_path):
    # A unit's opening quote, and the next line's name's closing one, read as an Excel cell
    # holding a line break: 王五 of unit 县应急局\n李四; but that row has a cell more than the header.
    result = _import(qunguan, db_path, tmp_path, '姓名,单位\n王五,"县应急局\n李四",县水利局\n钱七,县委办\n')
    assert [p["name"] for p in _people(query)] == ["钱七"]
    assert "花名册.csv:2: quotes (\") typed by hand made one cell of two lines, '县应急局\\n李四'" in result.stderr


@pytest.mark.parametrize("row, person", [('王伟,"县""放管服""改革办"', ("王伟", '县"放管服"改革办')),
                                         ('李明,"""双减""工作专班"', ("李明", '"双减"工作专班')),
                                         ("O\"Brien,外事办", ('O"Brien', "外事办"))],
                         ids=["doubled in a unit", "opening a unit", "inside a name"])
def test_a_quote_excel_wrote_inside_a_cell_is_the_cells_own(qunguan, db_path, query, tmp_path, row, person):
    # Excel doubles a quote inside a cell and quotes the cell; one inside a word is a character.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n{row}\n张三,城关镇\n")
    assert [(p["name"], p["unit"]) for p in _people(query)] == [person, ("张三", "城关镇")]
    assert "quote" not in result.stderr


def test_a_cell_excel_quoted_over_two_lines_stays_one_cell_at_the_end_of_the_roster(qunguan, db_path, query, tmp_path):
    # Alt+Enter in a cell: Excel quotes it, and the quote closes, on the last row too.
    result = _import(qunguan, db_path, tmp_path, '姓名,单位,职务\n李明,县水利局,科员\n王伟,县应急局,"科长\n兼办公室主任"\n')
    assert [(p["name"], p["position"]) for p in _people(query)] == [("李明", "科员"), ("王伟", "科长\n兼办公室主任")]
    assert "quote" not in result.stderr


@pytest.mark.parametrize("row, person", [
    ('王伟,"科长\n兼办公室主任",wxid_ww', ("王伟", "科长\n兼办公室主任", "wxid_ww", "[]")),
    ('王伟,"科长\n\n兼办公室主任",', ("王伟", "科长\n\n兼办公室主任", None, "[]")),
    ('王伟,科长,,"城关,王伟\n老王"', ("王伟", "科长", None, '["城关,王伟", "老王"]')),
    ('王伟,"科长\n兼主任",,"城关王伟\n老王"', ("王伟", "科长\n兼主任", None, '["城关王伟", "老王"]')),
], ids=["before another cell", "a blank line inside", "a comma on its first line", "two in a row"])
def test_cells_excel_quoted_over_lines_are_cells_not_quotes_typed_by_hand(qunguan, db_path, query, tmp_path, row, person):
    result = _import(qunguan, db_path, tmp_path, f"姓名,职务,微信号,群昵称\n{row}\n李明,科员,,\n")
    assert [(p["name"], p["position"], p["wxid"], p["display_names"]) for p in _people(query)] == [
        person, ("李明", "科员", None, "[]")]
    assert "typed by hand" not in result.stderr


@pytest.mark.parametrize("row, person", [
    ('王伟,县水利局,,"城关镇王伟\n城关,王伟"', ("王伟", "县水利局", "", '["城关镇王伟", "城关,王伟"]')),
    ('王伟,县水利局,"科长\n兼主任,党组成员",', ("王伟", "县水利局", "科长\n兼主任,党组成员", "[]")),
    ('"王伟",县水利局,"科长\n兼主任,党组成员\n副局长,三级调研员",', ("王伟", "县水利局", "科长\n兼主任,党组成员\n副局长,三级调研员", "[]")),
], ids=["a 群昵称 with a comma on its second line", "a position with one", "three lines with them"])
def test_cells_excel_saved_over_lines_with_commas_in_are_cells(qunguan, db_path, query, tmp_path, row, person):
    # Excel ends a row with CRLF and a line break typed in a cell (Alt+Enter) with LF alone:
    # the cell's later lines, commas and all, are no rows, however many cells they would make.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,职务,群昵称\r\n{row}\r\n李明,县财政局,科员,\r\n")
    assert [(p["name"], p["unit"], p["position"] or "", p["display_names"]) for p in _people(query)] == [
        person, ("李明", "县财政局", "科员", "[]")]
    assert "typed by hand" not in result.stderr


def test_two_quotes_typed_in_notepad_in_a_roster_excel_saved_still_cost_their_own_rows(qunguan, db_path, query, tmp_path):
    # Notepad ends the lines it is given with CRLF, as Excel ends its rows: the lines
    # between two typed quotes are rows, as in a file of LF rows.
    result = _import(qunguan, db_path, tmp_path,
                     '姓名,单位,群昵称\r\n"王五,县应急局,\r\n张三,县财政局,城关,张三\r\n李四",县水利局,\r\n钱七,县委办,\r\n')
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("张三", "县财政局"), ("钱七", "县委办")]
    assert "花名册.csv:2: a quote" in result.stderr and "花名册.csv:4: a quote" in result.stderr


def test_a_wechat_id_excel_rounded_is_left_out_and_said_and_the_person_kept(qunguan, db_path, query, tmp_path):
    # 微信号 that are mobile numbers, shown by Excel as 1.39123E+10 and saved so.
    path = tmp_path / "花名册.csv"
    path.write_bytes("姓名,单位,微信号\r\n王伟,城关镇,1.39123E+10\r\n李强,城关镇,1.39123E+10\r\n张敏,城关镇,wxid_zm\r\n"
                     .encode("gbk"))
    result = qunguan("roster", "import", path, "--db", db_path)
    assert result.exit_code == 0
    assert [(p["name"], p["wxid"]) for p in _people(query)] == [("王伟", None), ("李强", None), ("张敏", "wxid_zm")]
    assert result.stderr.count("rounded by Excel") == 2 and "花名册.csv:2" in result.stderr


def test_display_names_of_name_and_unit_link_and_a_namesake_of_the_groups_unit_is_chosen(qunguan, db_path, query,
                                                                                         tmp_path):
    export = tmp_path / "城关镇工作群.csv"
    rows = ["黄小华（城关镇）", "马静@城关镇", "孙鹏 ", "张伟", "A建国", "王强-县水利局"]
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n" + "".join(
        f"{7100000000000000000 + i},文本,{name},2025-03-03 09:0{i}:00,收到,,,more\n" for i, name in enumerate(rows)),
        encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    qunguan("groups", "set", "城关镇工作群", "--unit", "城关镇", "--db", db_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n黄小华,城关镇\n马静,城关镇\n孙鹏,城关镇\n张伟,城关镇\n张伟,县水利局\n"
                      "王建国,城关镇\n王强,城关镇\n王强,县财政局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    linked = {r["display_name"]: (r["name"], r["unit"]) for r in query(
        "select m.display_name, p.name, p.unit from members m left join people p on p.id = m.person_id")}
    assert linked["黄小华（城关镇）"] == ("黄小华", "城关镇") and linked["马静@城关镇"] == ("马静", "城关镇")
    assert linked["孙鹏 "] == ("孙鹏", "城关镇")  # a space the export left
    assert linked["张伟"] == ("张伟", "城关镇")  # of two 张伟, the one of the group's unit
    assert linked["A建国"] == (None, None)  # not a name: left for a person to settle
    assert linked["王强-县水利局"] == (None, None)  # neither 王强 is of that unit


def _v2_export(path, name: str, epoch: int, text: str):
    path.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                    f"{epoch % 1000},7,1,0,0,{epoch},2,{text},,{name},{name},wxid_kxg\n", encoding="utf-8-sig")
    return path


def test_a_member_is_known_by_the_name_of_its_latest_message_whichever_export_came_last(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,群昵称\n刘敏,城关镇,刘敏-城关镇\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _v2_export(tmp_path / "城关镇工作群_utf8.csv", "开心果", 1740963605, "收到"), "--db", db_path, "--silent")
    member = "select display_name, other_names, p.name from members m left join people p on p.id = m.person_id"
    assert query(member) == [{"display_name": "开心果", "other_names": "[]", "name": None}]
    # A week later she took her real name, as 第六条 asks.
    later = tmp_path / "week2" / "城关镇工作群_utf8.csv"
    later.parent.mkdir()
    qunguan("ingest", _v2_export(later, "刘敏-城关镇", 1741568405, "好的"), "--db", db_path, "--silent")
    assert query(member) == [{"display_name": "刘敏-城关镇", "other_names": '["开心果"]', "name": "刘敏"}]
    # An older export read afterwards does not give her the old name back.
    older = tmp_path / "old" / "城关镇工作群_utf8.csv"
    older.parent.mkdir()
    qunguan("ingest", _v2_export(older, "开心果", 1740877205, "在"), "--db", db_path, "--silent")
    assert query(member)[0]["display_name"] == "刘敏-城关镇"


def test_a_person_who_left_is_taken_off_the_roster_logged_and_can_come_back(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    linked = "select count(*) n from members m join people p on p.id = m.person_id where p.name = '黄伟'"
    assert query(linked) == [{"n": 1}]
    result = qunguan("roster", "remove", "黄伟", "--on", "2025-04-01", "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert query(linked) == [{"n": 0}] and query("select left_on from people where name = '黄伟'") == [{"left_on": "2025-04-01"}]
    assert query("select change from registry_log where name = '黄伟' order by id desc limit 1") == [
        {"change": '{"left_on": [null, "2025-04-01"]}'}]
    # Off the roster, the sender is checked as such (第六条).
    qunguan("classify", "--db", db_path, "--silent")
    assert query("select count(*) n from flags f join members m on f.subject = 'member:' || m.id "
                 "where m.sender_key = 'wxid_hw001' and f.category = 'group_member_unverified'") == [{"n": 1}]
    # Named wrong, or not alone with that name: refused, saying so.
    assert "no such person" in qunguan("roster", "remove", "黄伟伟", "--db", db_path).stderr
    # The roster lists him again: he is back, linked.
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    assert query(linked) == [{"n": 1}] and query("select left_on from people where name = '黄伟'") == [{"left_on": None}]


def test_a_roster_in_the_weeks_zip_is_imported_by_the_name_ingest_gives_it(qunguan, db_path, query, fixtures, tmp_path):
    import zipfile

    week = tmp_path / "week2.zip"
    with zipfile.ZipFile(week, "w") as zf:
        zf.write(fixtures / "防汛工作群_utf8.csv", "防汛工作群_utf8.csv")
        zf.write(fixtures / "roster.csv", "花名册.csv")
    ingested = qunguan("ingest", week, "--db", db_path, "--silent")
    assert f"{week}!花名册.csv: skipped, a real-name roster" in ingested.stderr
    imported = qunguan("roster", "import", f"{week}!花名册.csv", "--db", db_path)
    assert imported.exit_code == 0, imported.stderr
    assert "people added 3" in imported.stdout and query("select count(*) n from people") == [{"n": 3}]
    alone = qunguan("roster", "import", week, "--db", db_path)
    assert alone.exit_code == 1 and f"name the file in it as ZIP!FILE; it holds: {week}!花名册.csv" in alone.stderr


@pytest.mark.parametrize("named, zh, english", [
    ("week2.zip", "week2.zip 是压缩包；请按 压缩包!文件 写出其中的文件，压缩包内有：{week}!花名册.csv",
     "name the file in it as ZIP!FILE; it holds: {week}!花名册.csv"),
    ("week2.zip!名单.csv", "week2.zip 中没有 '名单.csv'；请按 压缩包!文件 写出其中的文件，压缩包内有：{week}!花名册.csv",
     "name the file in it as ZIP!FILE ('名单.csv' is not there)"),
    ("cut.zip!花名册.csv", "cut.zip 不是可读取的压缩包（文件损坏，或并非 zip 文件）", "cut.zip: not a zip file"),
    ("week3.zip!花名册.csv", "week3.zip：文件不存在", "week3.zip: no such file"),
])
def test_a_roster_named_in_a_zip_wrongly_is_said_as_it_is_in_chinese_too(qunguan, db_path, fixtures, tmp_path, named, zh,
                                                                          english):
    # The Chinese said 文件不存在 for all of them: for the zip named alone, the likeliest
    # slip, the clerk was told the file they had just seen was not there.
    import zipfile

    week = tmp_path / "week2.zip"
    with zipfile.ZipFile(week, "w") as zf:
        zf.write(fixtures / "roster.csv", "花名册.csv")
    (tmp_path / "cut.zip").write_bytes(b"PK\x03\x04cut short")
    refused = qunguan("roster", "import", tmp_path / named, "--db", db_path)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1
    assert zh.format(week=week) in said and english.format(week=week) in said, said
    assert "文件不存在" not in said or named.startswith("week3")


@pytest.mark.parametrize("member, content, message", [
    ("花名册.xls", b"x", "old .xls workbooks are not read"),
    ("花名册.xlsx", b"PK\x03\x04cut short", "not a readable .xlsx workbook"),
    ("花名册.csv", b"\x00\x01\x02", "binary data, not a CSV or .xlsx file"),
    ("花名册.csv", "序号,备注\n1,无\n".encode(), "no header row with recognised columns"),
])
def test_a_roster_in_a_zip_that_cannot_be_read_is_named_as_in_the_zip(qunguan, db_path, tmp_path, member, content,
                                                                      message):
    # The message named the temporary copy read (/tmp/qunguan-…/花名册.xls), a file the
    # clerk has never seen, rather than the zip's member.
    import zipfile

    week = tmp_path / "第2周.zip"
    with zipfile.ZipFile(week, "w") as zf:
        zf.writestr(member, content)
    result = qunguan("roster", "import", f"{week}!{member}", "--db", db_path)
    assert result.exit_code == 1 and f"error: {week}!{member}: {message}" in result.stderr
    assert result.stderr.startswith(f"错误：{week}!{member}：")


def test_two_accounts_of_one_name_are_not_both_given_to_one_person_nor_a_name_stating_another_unit(qunguan, db_path,
                                                                                                   query, tmp_path):
    export = tmp_path / "县政府办工作群_utf8.csv"
    export.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                      + "".join(f"{i},7,1,0,0,{1740963605 + i},2,收到,,{name},{name},{wxid}\n" for i, (name, wxid) in
                                enumerate([("王伟", "wxid_w1"), ("王伟", "wxid_w2"), ("城关镇-周敏", "wxid_zm")])),
                      encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    qunguan("groups", "set", "县政府办工作群", "--unit", "县政府办", "--db", db_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n王伟,县政府办\n王伟,城关镇\n周敏,县应急局\n", encoding="utf-8")
    result = qunguan("roster", "import", roster, "--db", db_path)
    assert query("select count(*) n from members where person_id is not null") == [{"n": 0}]
    assert "ambiguous 2" in result.stdout


def test_a_member_stays_linked_by_a_name_it_was_exported_under_before(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,群昵称\n张三,城关镇,城关镇-张三\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _v2_export(tmp_path / "城关镇工作群_utf8.csv", "城关镇-张三", 1740963605, "收到"), "--db", db_path,
            "--silent")
    # A later export gives the account's own nickname, not the group's.
    later = tmp_path / "week2" / "城关镇工作群_utf8.csv"
    later.parent.mkdir()
    qunguan("ingest", _v2_export(later, "🌹🌹", 1741568405, "好的"), "--db", db_path, "--silent")
    assert query("select display_name, p.name from members m left join people p on p.id = m.person_id") == [
        {"display_name": "🌹🌹", "name": "张三"}]


def _export_of(tmp_path, folder: str, senders: list[tuple[str, str]], epoch: int = 1740963605):
    """A MemoTrace 2.0 export of 县应急局工作群 with one 收到 from each (name, wxid)."""
    path = tmp_path / folder / "县应急局工作群_utf8.csv"
    path.parent.mkdir()
    path.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                    + "".join(f"{i},7,1,0,0,{epoch + i},2,收到,,{name},{name},{wxid}\n"
                              for i, (name, wxid) in enumerate(senders)), encoding="utf-8-sig")
    return path


def _linked(query) -> dict[str, str | None]:
    return {r["sender_id"]: r["name"] for r in query(
        "select m.sender_id, p.name from members m left join people p on p.id = m.person_id")}


def test_one_person_with_two_accounts_the_roster_lists_both_nicknames_of_is_linked_twice(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,群昵称\n王伟,县应急管理局,王伟；应急局王伟\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w", [("王伟", "wxid_w1"), ("应急局王伟", "wxid_w2")]), "--db", db_path,
            "--silent")
    assert _linked(query) == {"wxid_w1": "王伟", "wxid_w2": "王伟"}


def test_two_accounts_of_one_name_are_unlinked_whichever_week_brought_each(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n王伟,县应急管理局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w1", [("王伟", "wxid_w1")]), "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_w1": "王伟"}
    qunguan("ingest", _export_of(tmp_path, "w2", [("王伟", "wxid_w2")], 1741568405), "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_w1": None, "wxid_w2": None}


def test_short_unit_names_and_divisions_link_and_a_later_name_stating_another_unit_unlinks(qunguan, db_path, query,
                                                                                          tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n周敏,宜丰县应急管理局\n李四,宜丰县应急管理局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w1", [("县应急局-周敏", "wxid_zm"), ("李四（办公室）", "wxid_ls")]),
            "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_zm": "周敏", "wxid_ls": "李四"}
    qunguan("ingest", _export_of(tmp_path, "w2", [("城关镇-周敏", "wxid_zm")], 1741568405), "--db", db_path, "--silent")
    assert _linked(query)["wxid_zm"] is None


def test_a_namesake_is_not_linked_to_a_person_whose_account_is_another_sender(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,微信号\n黄伟,县水利局,wxid_hw001\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w1", [("黄伟", "wxid_hw001")]), "--db", db_path, "--silent")
    qunguan("ingest", _export_of(tmp_path, "w2", [("黄伟", "wxid_other")], 1741568405), "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_hw001": "黄伟", "wxid_other": None}


def test_a_sender_of_someone_who_left_is_not_passed_to_a_namesake(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n王伟,县财政局\n王伟,县应急管理局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w1", [("王伟", "wxid_w")]), "--db", db_path, "--silent")
    qunguan("groups", "set", "县应急局工作群", "--unit", "县应急管理局", "--db", db_path)  # picks one 王伟
    assert [r["unit"] for r in query("select p.unit from members m join people p on p.id = m.person_id")] == ["县应急管理局"]
    qunguan("roster", "remove", "王伟", "--unit", "县应急管理局", "--db", db_path)
    assert _linked(query) == {"wxid_w": None}
    roster.write_text("姓名,单位\n王伟,县财政局\n", encoding="utf-8")  # next month's roster, without him
    qunguan("roster", "import", roster, "--db", db_path)  # every later relink remembers it
    qunguan("ingest", _export_of(tmp_path, "w2", [("王伟", "wxid_w")], 1741568405), "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_w": None}


def test_a_short_name_of_another_unit_does_not_link_the_only_person_of_that_name(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n周敏,县应急管理局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w", [("财政-周敏", "wxid_a"), ("城关-周敏", "wxid_b"), ("周敏-科员", "wxid_c"),
                                                  ("城关镇网格员-周敏", "wxid_d")]),
            "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_a": None, "wxid_b": None, "wxid_c": "周敏", "wxid_d": None}


def test_removing_someone_already_gone_or_under_another_unit_says_which(qunguan, db_path, fixtures, tmp_path):
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    qunguan("roster", "remove", "黄伟", "--on", "2025-04-01", "--db", db_path)
    assert "already left: 县水利局 (left 2025-04-01)" in qunguan("roster", "remove", "黄伟", "--db", db_path).stderr
    assert "江华 is on it with --unit 双溪镇" in qunguan("roster", "remove", "江华", "--unit", "水利局", "--db", db_path).stderr
    missing = qunguan("roster", "import", tmp_path / "第2周.zip!花名册.xlsx", "--db", db_path)
    assert missing.exit_code == 1 and "no such file" in missing.stderr


@pytest.mark.parametrize("unit", ["双溪镇 ", "　双溪镇"])
def test_a_unit_pasted_with_spaces_around_it_names_the_person_who_left(qunguan, db_path, query, fixtures, unit):
    # The unit copied from the roster spreadsheet, a space with it: the roster stores the
    # cell without them, and so does `roster import` when it reads it.
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    result = qunguan("roster", "remove", "江华", "--unit", unit, "--on", "2025-04-01", "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert query("select unit, left_on from people where name = '江华'") == [{"unit": "双溪镇", "left_on": "2025-04-01"}]


def test_one_person_posting_from_two_accounts_in_two_groups_is_linked_by_name_in_both(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,微信号\n李明,县财政局,wxid_lm01\n马静,城关镇\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("ingest", _export_of(tmp_path, "w1", [("李明", "wxid_lm01")]), "--db", db_path, "--silent")
    other = tmp_path / "w2" / "县财政局QQ群_utf8.csv"
    other.parent.mkdir()
    other.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                     "1,7,1,0,0,1740963605,2,收到,,李明,李明,123456789\n"
                     "2,7,1,0,0,1740963606,2,收到,,马静 13912345678,马静,987654321\n", encoding="utf-8-sig")
    qunguan("ingest", other, "--db", db_path, "--silent")
    assert _linked(query) == {"wxid_lm01": "李明", "123456789": "李明", "987654321": "马静"}


def test_names_padded_to_line_up_in_the_roster_are_the_names_members_go_by(qunguan, db_path, query, tmp_path):
    # The office pads two-character names with a full-width space so they line up with the
    # three-character ones; one member typed a space into his 群昵称 the same way.
    share = tmp_path / "护林群.txt"
    share.write_text('微信群"护林群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n'
                     "王伟  08:50\n今天巡山情况正常\n\n李 明  08:52\n收到\n", encoding="utf-8")
    qunguan("ingest", share, "--db", db_path, "--silent")
    result = _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n王　伟,县林业局,护林员\n李　明,县林业局,护林员\n"
                                                 "欧阳志远,县林业局,站长\n")
    assert "members linked 2" in result.stdout
    assert _links(query) == {"name:王伟": "王伟/县林业局", "name:李 明": "李明/县林业局"}
    # The roster keeps the name, not its padding: a later roster typed without it, and
    # `roster remove` typed either way, find the same person.
    again = _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n王伟,县林业局,副站长\n", "职务.csv")
    assert "people added 0\tupdated 1" in again.stdout
    assert qunguan("roster", "remove", "李　明", "--db", db_path).exit_code == 0
    assert query("select name, position, left_on is not null gone from people order by id") == [
        {"name": "王伟", "position": "副站长", "gone": 0}, {"name": "李明", "position": "护林员", "gone": 1},
        {"name": "欧阳志远", "position": "站长", "gone": 0}]


def test_a_name_an_earlier_version_stored_padded_is_updated_not_added_again(qunguan, db_path, query, tmp_path):
    import sqlite3

    _import(qunguan, db_path, tmp_path, "姓名,单位\n赵六,县委办\n")
    with sqlite3.connect(db_path) as conn:  # as versions that kept the padding stored it
        conn.execute("update people set name = '赵　六'")
    again = _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n赵　六,县委办,科员\n", "再次.csv")
    assert "people added 0\tupdated 1" in again.stdout
    assert query("select name, position from people") == [{"name": "赵六", "position": "科员"}]


@pytest.mark.parametrize("before, after, people, said", [
    ("赵六,县", "委办,科员,", [("王五", "县委办", '["县委办-王五"]')], "in 单位 '县�委办'; row skipped"),
    # In a 群昵称 it costs the cell: the person, name and unit intact, is real.
    ("赵六,县委办,科员,县委", "办-赵六", [("王五", "县委办", '["县委办-王五"]'), ("赵六", "县委办", "[]")],
     "in 群昵称 '县委�办-赵六'; left out, the person kept"),
], ids=["unit", "display name"])
def test_a_roster_cell_with_a_byte_no_encoding_reads_is_reported_not_made_a_person(qunguan, db_path, query, tmp_path,
                                                                                   before, after, people, said):
    # A GBK roster in which a clerk's editor cut one character in half.
    path = tmp_path / "花名册.csv"
    path.write_bytes("姓名,单位,职务,群昵称\r\n王五,县委办,科员,县委办-王五\r\n".encode("gbk")
                     + before.encode("gbk") + b"\xff" + (after + "\r\n").encode("gbk"))
    result = qunguan("roster", "import", path, "--db", db_path)
    assert result.exit_code == 0 and f"people added {len(people)}\t" in result.stdout
    assert f"{path}:3: unreadable characters (shown as �) {said}" in result.stderr
    assert [(p["name"], p["unit"], p["display_names"]) for p in _people(query)] == people


def test_a_roster_reimported_without_someone_says_they_stay_and_how_to_record_that_they_left(qunguan, db_path, query,
                                                                                              tmp_path):
    _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n张丽,城关镇,干事\n刘洋,城关镇,科员\n周敏,县应急局,科员\n")
    # Next month the town's clerk sends the roster with 张丽 struck out: she was transferred.
    again = _import(qunguan, db_path, tmp_path, "姓名,单位,职务\n刘洋,城关镇,科员\n", "花名册-5月.csv")
    assert "people added 0\tupdated 0\tunchanged 1" in again.stdout
    assert ("1 people of these units are on the roster but not in this file, and stay on it: 张丽 (城关镇); record one "
            "who left with `qunguan roster remove NAME --unit UNIT") in again.stderr
    assert "周敏" not in again.stderr  # another unit's roster: not this file's business
    assert ("注意：这些单位有 1 人在花名册上、但不在本文件中，仍保留在花名册上：张丽 (城关镇)；已调离或退休的人请用 "
            f"`qunguan roster remove NAME --unit UNIT --db {db_path}` 记录") in again.stderr
    qunguan("roster", "remove", "张丽", "--unit", "城关镇", "--db", db_path)
    assert "on the roster but not in this file" not in _import(qunguan, db_path, tmp_path, "姓名,单位\n刘洋,城关镇\n",
                                                               "花名册-6月.csv").stderr


@pytest.mark.parametrize("last, people, said", [
    # The copy stopped inside 城关镇政府: a unit nobody is in would make 张三 another person.
    ("张三,城关镇政", [("李四", "城关镇政府", "副镇长")],
     "花名册.csv:3: the file stops in this row with no line end, and its 单位 '城关镇政' is the start of '城关镇政府' "
     "(line 2): cut off when copied; row skipped: copy the roster again, or finish the row and import again (if the row "
     "is whole as typed, end it with a line break and import again)"),
    # Cut in a 职务: the person is real, the cell is left out.
    ("张三,城关镇政府,副镇", [("李四", "城关镇政府", "副镇长"), ("张三", "城关镇政府", None)],
     "花名册.csv:3: the file stops in this row with no line end, and its 职务 '副镇' is the start of '副镇长' "
     "(line 2): cut off when copied; left out, the person kept"),
    # Typed in Notepad without its empty cell, or cut just before it: nothing tells which.
    ("张三,城关镇政府", [("李四", "城关镇政府", "副镇长"), ("张三", "城关镇政府", None)],
     "花名册.csv:3: the file stops in this row with no line end, and the row has 2 of the header's 3 cells: if the "
     "copy was cut off there, '城关镇政府' may be cut; the person is kept"),
], ids=["unit cut", "position cut", "short row"])
def test_a_roster_copy_cut_off_in_its_last_row_is_said_and_a_cut_unit_makes_no_person(qunguan, db_path, query, tmp_path,
                                                                                       last, people, said):
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,职务\n李四,城关镇政府,副镇长\n{last}")
    assert f"{tmp_path / said}" in result.stderr
    assert [(p["name"], p["unit"], p["position"]) for p in _people(query)] == people
    # A row typed whole that only reads like a cut is kept once it ends with its line end.
    _import(qunguan, db_path, tmp_path, f"姓名,单位,职务\n李四,城关镇政府,副镇长\n{last}\n")
    assert _people(query)[-1]["name"] == "张三"


@pytest.mark.parametrize("text", [
    "姓名,单位,职务\n李四,城关镇政府,副镇长\n张三,城关镇政,科员",  # the unit is whole: the row goes on
    "姓名,单位,职务\n李四,城关镇政府,副镇长\n王五,城关镇,科员\n张三,城关镇,科员",  # 城关镇 is a unit of its own
    "姓名,单位\n李四,城关镇政府\n张三,城关镇政\n",  # the file ends with its line: not cut there
])
def test_a_roster_last_row_whole_is_read_without_a_word_of_a_cut(qunguan, db_path, query, tmp_path, text):
    result = _import(qunguan, db_path, tmp_path, text)
    assert "cut" not in result.stderr
    assert _people(query)[-1]["name"] == "张三"


@pytest.mark.parametrize("tail, kept", [
    ("\n  ", True),  # spaces typed on the line under it
    ("\n,,", True),  # a row of empty cells left under it
    ("\r\n\u3000\t", True),  # Excel's line end, then blanks typed by hand
    ("  ", False),  # spaces after the cut: still no line end
], ids=["spaces", "empty cells", "CRLF and blanks", "no line end"])
def test_a_roster_last_row_ended_with_its_line_is_whole_whatever_blank_follows(qunguan, db_path, query, tmp_path,
                                                                               tail, kept):
    # 张三's 城关镇 reads like the start of 李四's 城关镇政府, but the clerk ended the row:
    # what Notepad shows as nothing after it says nothing of a cut.
    result = _import(qunguan, db_path, tmp_path, "姓名,单位\n李四,城关镇政府\n张三,城关镇" + tail)
    assert ("cut off when copied" in result.stderr) is not kept
    assert [p["name"] for p in _people(query)] == ["李四", "张三"][:1 + kept]


@pytest.mark.parametrize("encoding, cut, end, said", [
    ("utf-8", -2, b"", "the file stops there, inside a character: cut off when copied; row skipped"),
    ("gbk", -1, b"", "the file stops there, inside a character: cut off when copied; row skipped"),
    ("utf-8", -2, b"\n", "row skipped: retype those cells"),  # a byte lost, the line goes on to its end
], ids=["half a UTF-8 character", "a GBK lead byte", "line end after it"])
def test_a_roster_copy_cut_inside_a_character_of_its_last_unit_says_it_was_cut(qunguan, db_path, query, tmp_path,
                                                                               encoding, cut, end, said):
    path = tmp_path / "花名册.csv"
    path.write_bytes("姓名,单位\n李四,县委办\n张三,城关镇政府".encode(encoding)[:cut] + end)
    result = qunguan("roster", "import", path, "--db", db_path)
    assert f"{path}:3: unreadable characters (shown as �) in 单位 '城关镇政�'; {said}" in result.stderr
    assert [p["name"] for p in _people(query)] == ["李四"]


@pytest.mark.parametrize("encoding, cut, end, said", [
    ("gbk", -1, b"", "the file stops there, inside a character: cut off when copied: copy the roster again"),
    ("gbk", -1, b"\n", "retype it and import the roster again"),  # a byte lost, the line goes on to its end
], ids=["a GBK lead byte", "line end after it"])
def test_a_roster_copy_cut_inside_a_character_of_its_last_display_name_says_so_once(qunguan, db_path, query, tmp_path,
                                                                                    encoding, cut, end, said):
    # 张三 is kept without the 群昵称 the copy cut: one line says why, not a second one
    # calling the cell it left out an empty one.
    path = tmp_path / "花名册.csv"
    path.write_bytes("姓名,单位,群昵称\n李四,县委办,县委办-李四\n张三,县委办,县委办-张三".encode(encoding)[:cut] + end)
    result = qunguan("roster", "import", path, "--db", db_path)
    assert f"{path}:3: unreadable characters (shown as �) in 群昵称 '县委办-张�'; left out, the person kept: {said}" \
        in result.stderr
    assert "last cell is empty" not in result.stderr
    assert [(p["name"], p["display_names"]) for p in _people(query)] == [("李四", '["县委办-李四"]'), ("张三", "[]")]


@pytest.mark.parametrize("last, cut", [("张三,城关镇", False), ("张三,城关镇政", True)], ids=["archived unit", "cut unit"])
def test_a_roster_saved_again_without_its_last_line_end_keeps_a_unit_the_archive_holds_whole(qunguan, db_path, query,
                                                                                              tmp_path, last, cut):
    # March's roster, its rows ended, put 张三 in 城关镇 beside 李四's 城关镇政府; April's, saved
    # in Notepad, has no line end after him. 城关镇 is a unit the roster holds whole: not a
    # cut. A unit no one is in (城关镇政) is still one.
    _import(qunguan, db_path, tmp_path, "姓名,单位\n李四,城关镇政府\n张三,城关镇\n", "花名册-3月.csv")
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位,职务\n李四,城关镇政府,副镇长\n{last}", "花名册-4月.csv")
    assert ("cut off when copied" in result.stderr) is cut
    assert [(p["name"], p["unit"]) for p in _people(query)] == [("李四", "城关镇政府"), ("张三", "城关镇")]


@pytest.mark.parametrize("source", ["roster", "group"])
@pytest.mark.parametrize("last, kept, said", [
    # The archive holds 城关镇政府 whole (March's roster, or the unit a group was set to);
    # April's roster from another clerk lists only 王五 and a 张三 the copy cut in his unit.
    ("张三,城关镇政", False, "its 单位 '城关镇政' is the start of '城关镇政府' (in the archive): cut off when copied; "
                            "row skipped"),
    ("张三,城关镇政\n", True, None),  # ended with its line: a unit of its own
    ("张三,城关镇政府", True, None),  # the whole unit, just no line end
], ids=["cut", "ended", "whole"])
def test_a_roster_copy_cut_in_a_unit_only_the_archive_holds_whole_makes_no_person(qunguan, db_path, query, tmp_path,
                                                                                 fixtures, source, last, kept, said):
    if source == "roster":
        _import(qunguan, db_path, tmp_path, "姓名,单位\n李四,城关镇政府\n", "花名册-3月.csv")
    else:
        qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
        qunguan("groups", "set", "防汛工作群", "--db", db_path, "--unit", "城关镇政府")
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n王五,县应急局\n{last}", "花名册-4月.csv")
    assert ("张三" in [p["name"] for p in _people(query)]) is kept
    if said:
        assert f"{tmp_path / '花名册-4月.csv'}:3: the file stops in this row with no line end, and {said}" in result.stderr
    else:
        assert "the file stops in this row" not in result.stderr


@pytest.mark.parametrize("last, warned", [("张三,水利局", True), ("张三,水利局\n", False), ("张三,县应急局", False)],
                         ids=["new unit, no line end", "new unit, ended", "unit of another row"])
def test_a_roster_last_unit_no_row_nor_archive_has_is_kept_with_a_word_to_check_it(qunguan, db_path, query, tmp_path,
                                                                                    last, warned):
    # 水利局 may be whole, or 水利局机关 cut between two characters: nothing in the file
    # tells which, so 张三 is kept and the clerk asked to look.
    result = _import(qunguan, db_path, tmp_path, f"姓名,单位\n王五,县应急局\n{last}")
    assert ("花名册.csv:3: the file stops in this row with no line end, and its 单位 '水利局' is on no other row nor in "
            "the archive: if the copy was cut off there, it is cut; the person is kept" in result.stderr) is warned
    assert [p["name"] for p in _people(query)] == ["王五", "张三"]
