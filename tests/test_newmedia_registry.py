"""新媒体 台账: an office's ledger, as .xlsx or as a GB18030 CSV with Chinese headers, goes
into `accounts`; bad rows are reported by row number, unknown columns are kept, a
re-import updates instead of duplicating; filings are an append-only, chained log."""
import json
import re
import sqlite3
from datetime import date, datetime

import openpyxl
import pytest

from ingest import chain
from ingest.schema import open_archive

HEADER = ["序号", "单位名称", "平台", "账号名称", "账号ID", "类别", "分管领导", "主要编辑", "开设时间", "状态", "账号头像"]


@pytest.fixture
def ledger_xlsx(tmp_path):
    """A 台账 the way offices keep it: instructions first, then a title line, Chinese headers, real date cells."""
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按实际情况填写，日期格式为年-月-日。"])
    sheet = book.create_sheet("台账")
    sheet.append(["袁州区党务政务新媒体账号台账"])
    sheet.append(HEADER)
    sheet.append([1, "宜春市袁州区应急管理局", "微信公众号", "袁州应急", "gh_yzyj", "政务", "李华", "周敏",
                  datetime(2020, 4, 1), "正常", "蓝色盾牌"])
    sheet.append([2, "宜春市袁州区应急管理局", "抖音", "袁州应急", "yzyj_dy", "政务", "李华", "周敏", date(2022, 7, 15), "运行", ""])
    sheet.append([3, "宜春市袁州区应急管理局", "微博", "", "", "政务", "", "", None, "", ""])
    sheet.append([4, "宜春市袁州区应急管理局", "快手", "袁州应急快讯", "", "其他", "", "", None, "", ""])
    path = tmp_path / "袁州区台账.xlsx"
    book.save(path)
    return path


def test_an_xlsx_ledger_is_imported_and_bad_rows_are_named_by_row(qunguan, db_path, query, ledger_xlsx):
    result = qunguan("accounts", "import", ledger_xlsx, "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("accounts added 3\tupdated 0\tunchanged 0")
    assert "第 5 行：缺少账号名称" in result.stderr
    # An unknown 类别 costs the cell, not the account.
    assert "第 6 行：类别「其他」不可识别（可填：党务、政务、国有企事业单位、人民团体），此项未导入" in result.stderr
    assert query("select unit, platform, name, account_ref, kind, leader, opened_on, status, extra from accounts order by id") == [
        {"unit": "宜春市袁州区应急管理局", "platform": "微信公众号", "name": "袁州应急", "account_ref": "gh_yzyj", "kind": "政务",
         "leader": "李华", "opened_on": "2020-04-01", "status": "运行", "extra": json.dumps({"序号": "1", "账号头像": "蓝色盾牌"}, ensure_ascii=False)},
        {"unit": "宜春市袁州区应急管理局", "platform": "抖音", "name": "袁州应急", "account_ref": "yzyj_dy", "kind": "政务",
         "leader": "李华", "opened_on": "2022-07-15", "status": "运行", "extra": json.dumps({"序号": "2"}, ensure_ascii=False)},
        {"unit": "宜春市袁州区应急管理局", "platform": "快手", "name": "袁州应急快讯", "account_ref": None, "kind": None,
         "leader": None, "opened_on": None, "status": "运行", "extra": json.dumps({"序号": "4"}, ensure_ascii=False)},
    ]


def test_a_gb18030_csv_ledger_with_a_title_line_and_chinese_headers(qunguan, db_path, query, fixtures):
    result = qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("accounts added 5\tupdated 0\tunchanged 0\tfilings 1\tbad rows 2")
    assert "第 8 行：缺少平台" in result.stderr and "第 9 行：开设时间：「2018-02-30」不是有效日期" in result.stderr
    rows = query("select unit, unit_short, division, platform, name, kind, registrant_type, opened_on, last_post_on, extra "
                 "from accounts order by id")
    assert [r["platform"] for r in rows] == ["微信公众号", "微信公众号", "微博", "微信公众号", "抖音"]  # 公众号, 新浪微博 normalised
    assert rows[1]["opened_on"] == "2021-03" and rows[1]["last_post_on"] == "2025-01"  # month precision kept
    assert rows[2]["division"] == "基础教育科" and rows[4]["registrant_type"] == "个人"
    assert json.loads(rows[0]["extra"]) == {"序号": "1", "联系电话": "0795-3200001"}  # unknown columns kept
    assert query("select action, filed_on, effective_on, details from account_filings") == [
        {"action": "开设", "filed_on": "2019-04-26", "effective_on": "2019-05-10", "details": "台账导入"}]


@pytest.mark.parametrize("keep, message", [
    (5, "第 5 行：「宜春�」中有无法识别的字节（显示为 �）：此行未导入"),  # half of 市
    (6, "第 5 行：文件在这一行中断（只有 6 列，表头有 18 列），像是复制时被截断：此行未导入"),  # between 宜春 and 市
], ids=["mid-character", "mid-name"])
def test_a_ledger_copy_cut_off_adds_no_account_nobody_keeps(qunguan, db_path, query, fixtures, tmp_path, keep, message):
    # Stored as read, 宜春� or 宜春 was a second account of its unit on 微博, flagged as such.
    whole = (fixtures / "newmedia" / "台账-gb18030.csv").read_bytes()
    cut = tmp_path / "台账.csv"
    cut.write_bytes(whole[:whole.index("宜春市教育局基础教育科".encode("gb18030")) + keep])
    result = qunguan("accounts", "import", cut, "--db", db_path)
    assert result.stdout.startswith("accounts added 2\t") and message in result.stderr
    assert [r["name"] for r in query("select name from accounts order by id")] == ["宜春教育", "宜春教育发布"]
    again = qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    assert again.stdout.startswith("accounts added 3\tupdated 0\tunchanged 2")


def test_a_ledger_saved_without_a_last_line_end_keeps_its_last_row(qunguan, db_path, query, tmp_path):
    ledger = _csv(tmp_path, "台账.csv", "单位,平台,账号名称,账号ID\n宜春市教育局,微信公众号,宜春教育,gh_1\n宜春市公安局,微博,宜春公安,wb_1")
    assert qunguan("accounts", "import", ledger, "--db", db_path).stdout.startswith("accounts added 2\t")


def test_a_row_typed_by_hand_at_the_end_without_its_empty_cells_says_how_to_keep_it(qunguan, db_path, query, tmp_path):
    # Notepad adds no line end: a last row typed short reads like a copy cut off there.
    ledger = _csv(tmp_path, "台账.csv", "单位,平台,账号名称,账号ID,分管领导,联系电话\r\n宜春市教育局,微信公众号,宜春教育,gh_1,王强,1\r\n"
                                       "宜春市民政局,微信公众号,宜春民政,gh_mz,赵六")
    result = qunguan("accounts", "import", ledger, "--db", db_path)
    assert "第 3 行：文件在这一行中断" in result.stderr and "在行末按回车换行后重新导入即可" in result.stderr
    with open(ledger, "a", encoding="utf-8", newline="") as f:  # as the message says
        f.write("\r\n")
    assert qunguan("accounts", "import", ledger, "--db", db_path).stdout.startswith("accounts added 1\t")
    assert [r["name"] for r in query("select name from accounts order by id")] == ["宜春教育", "宜春民政"]


def test_reimporting_updates_the_same_accounts_and_never_duplicates(qunguan, db_path, query, fixtures, tmp_path):
    ledger = fixtures / "newmedia" / "台账-gb18030.csv"
    qunguan("accounts", "import", ledger, "--db", db_path)
    again = qunguan("accounts", "import", ledger, "--db", db_path)
    assert again.stdout.startswith("accounts added 0\tupdated 0\tunchanged 5\tfilings 0")
    changed = tmp_path / "changed.csv"
    changed.write_text("平台,账号名称,账号ID,单位名称,主要编辑,状态\n"
                       "微信公众号,宜春教育（新）,gh_yc_jy01,宜春市教育局,孙丽,停更\n", encoding="gb18030")
    result = qunguan("accounts", "import", changed, "--db", db_path)
    assert result.stdout.startswith("accounts added 0\tupdated 1\tunchanged 0")
    assert query("select count(*) as n from accounts") == [{"n": 5}]
    assert query("select name, editor, status, kind from accounts where account_ref = 'gh_yc_jy01'") == [
        {"name": "宜春教育（新）", "editor": "孙丽", "status": "停更", "kind": "政务"}]  # columns not in the file stay


@pytest.mark.parametrize("name, content, message", [
    ("photo.png", None, "binary data, not a CSV or .xlsx file"),
    ("roster.csv", None, "no 平台/账号名称 column"),
    ("empty.txt", None, "an empty file, nothing in it"),
    ("fake.xlsx", "单位名称,平台\n", "not a readable .xlsx workbook"),
    ("old.xls", "x", "old .xls workbooks are not read"),
    ("nope.xlsx", False, "no such file"),
])
def test_a_file_that_is_not_a_ledger_is_refused_in_one_line(qunguan, db_path, fixtures, tmp_path, name, content, message):
    path = fixtures / name if content is None else tmp_path / name
    if content:
        path.write_text(content, encoding="utf-8")
    result = qunguan("accounts", "import", path, "--db", db_path)
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_filings_are_recorded_appended_and_chained(qunguan, db_path, query, fixtures):
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    result = qunguan("accounts", "file", "宜春教育发布", "--db", db_path, "--action", "关停",
                     "--filed-on", "2025-09-30", "--effective-on", "2025-10-14", "--details", "并入「宜春教育」")
    assert result.exit_code == 0, result.stderr
    assert "working days ahead 5" in result.stdout and "late" in result.stderr
    assert query("select status, closed_on from accounts where name = '宜春教育发布'") == [{"status": "关停", "closed_on": "2025-10-14"}]
    conn = sqlite3.connect(db_path)
    assert chain.first_break(conn, "account_filings") is None
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("update account_filings set filed_on = '2025-09-01'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("delete from account_filings")
    [filings] = [line for line in qunguan("verify", "--db", db_path).stdout.splitlines() if line.startswith("account_filings")]
    assert filings.startswith("account_filings\t2 rows\thead ") and filings.endswith("\tchain intact")
    # An edit made around the triggers is what verify is for.
    conn.executescript("drop trigger account_filings_no_update; "
                       "update account_filings set filed_on = '2025-09-01' where action = '关停';")
    conn.close()
    broken = qunguan("verify", "--db", db_path)
    assert broken.exit_code == 1 and re.search(r"^account_filings\t2 rows\thead \w+\tchain broken at id", broken.stdout, re.M)
    assert "append-only triggers missing: account_filings_no_update" in broken.stdout


@pytest.mark.parametrize("args, message", [
    (["无此账号", "--action", "开设"], "no account '无此账号'"),
    (["宜春教育", "--action", "注销"], "--action must be one of 开设/变更/关停"),
    (["宜春教育", "--action", "变更", "--filed-on", "9月30日"], "--filed-on must be a date"),
])
def test_a_bad_filing_is_refused_in_one_line(qunguan, db_path, fixtures, args, message):
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    defaults = {"--filed-on": "2025-09-01", "--effective-on": "2025-09-20"}
    extra = [x for k, v in defaults.items() if k not in args for x in (k, v)]
    result = qunguan("accounts", "file", *args, *extra, "--db", db_path)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_every_account_is_routed_to_its_supervising_body_by_kind(fixtures, tmp_path):
    from newmedia.registry import import_accounts, read_accounts

    conn = open_archive(str(tmp_path / "a.db")).conn
    accounts, _ = read_accounts(fixtures / "newmedia" / "台账-gb18030.csv")
    import_accounts(conn, accounts)
    conn.execute("update accounts set kind = null where name = '小李说文旅'")
    routed = dict(conn.execute("select name, supervising_body from account_supervision"))
    assert routed["宜春发布"] == "宣传部/网信办" and routed["宜春教育"] == "政府办"
    assert routed["小李说文旅"].startswith("未定")


def _csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="gb18030")
    return path


@pytest.mark.parametrize("header, row", [
    ("单位,平台,账号名称,分管领导,最近更新时间,状态", "靖安县人民政府,微信公众号,靖安发布,李四,2025-04-01,正常"),
    ("单位,平台,账号名称,账号ID,分管领导,最近更新时间,状态", "靖安县人民政府,微信公众号,靖安发布,,李四,2025-04-01,正常"),
])
def test_a_later_ledger_without_the_id_updates_the_account_it_names(qunguan, db_path, query, tmp_path, header, row):
    first = _csv(tmp_path, "台账.csv", "单位,平台,账号名称,账号ID,状态\n靖安县人民政府,公众号,靖安发布,gh_abc123,正常\n")
    later = _csv(tmp_path, "台账v2.csv", f"{header}\n{row}\n")
    qunguan("accounts", "import", first, "--db", db_path)
    result = qunguan("accounts", "import", later, "--db", db_path)
    assert result.stdout.startswith("accounts added 0\tupdated 1\tunchanged 0")
    assert query("select name, account_ref, leader, last_post_on from accounts") == [
        {"name": "靖安发布", "account_ref": "gh_abc123", "leader": "李四", "last_post_on": "2025-04-01"}]
    check = qunguan("accounts", "check", "--db", db_path, "--today", "2025-06-01")
    assert check.exit_code == 0, check.stderr
    assert query("select count(*) as n from flags where category = 'account_duplicate_platform'") == [{"n": 0}]


def test_within_one_ledger_a_row_without_an_id_repeats_the_account_with_one(qunguan, db_path, query, tmp_path):
    ledger = _csv(tmp_path, "台账.csv", "单位,平台,账号名称,账号ID\n宜春市教育局,微信公众号,宜春教育,gh_1\n"
                                        "宜春市教育局,公众号,宜春教育,\n宜春市教育局,微信公众号,宜春教育,gh_2\n")
    result = qunguan("accounts", "import", ledger, "--db", db_path)
    assert result.stdout.startswith("accounts added 2\t")  # gh_1 and gh_2 are two accounts
    assert "第 3 行：与第 2 行是同一账号" in result.stderr
    assert query("select account_ref from accounts order by id") == [{"account_ref": "gh_1"}, {"account_ref": "gh_2"}]


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_two_quotes_typed_by_hand_a_few_rows_apart_cost_no_account(qunguan, db_path, query, tmp_path, end):
    # Edited in Notepad: the second quote closed the cell the first opened, and the
    # accounts between them were one 分管领导's name, so nothing was said of them.
    rows = ["单位,平台,账号名称,账号ID,分管领导", '宜春市教育局,微信公众号,宜春教育,gh_1,"王强',
            "宜春市教育局,抖音,宜春教育,dy_1,王强", '宜春市公安局,微博,宜春公安,wb_1,李明"', "宜春市公安局,抖音,宜春公安,dy_2,李明"]
    result = qunguan("accounts", "import", _csv(tmp_path, "台账.csv", end.join(rows) + end), "--db", db_path)
    assert result.stdout.startswith("accounts added 4\t"), result.stderr
    # The quotes themselves are left out of the names they were typed in, and said.
    assert [(r["account_ref"], r["leader"]) for r in query("select account_ref, leader from accounts order by id")] == [
        ("gh_1", "王强"), ("dy_1", "王强"), ("wb_1", "李明"), ("dy_2", "李明")]
    assert "台账.csv 第 2 行：分管领导「\"王强」中手工输入的引号（\"）已去掉" in result.stderr
    assert "台账.csv 第 4 行：分管领导「李明\"」中手工输入的引号（\"）已去掉" in result.stderr


@pytest.mark.parametrize("typed, cell", [
    ('宜春市教育局,微信公众号,"宜春教育,gh_1', '"宜春教育'),  # opening a cell no quote closes
    ('宜春市教育局,微信公众号,宜春教育,gh_1"', 'gh_1"'),  # closing a cell no quote opened
    ('"宜春市教育局,微信公众号,宜春教育,gh_1', '"宜春市教育局'),
], ids=["name", "id", "unit"])
@pytest.mark.parametrize("last", [False, True], ids=["rows after", "the last row"])
def test_a_quote_typed_by_hand_in_what_names_an_account_costs_its_row_only(qunguan, db_path, query, tmp_path,
                                                                            typed, cell, last):
    # Stored so, it was an account nobody keeps, its own unit's second on the platform.
    rows = ["宜春市公安局,微博,宜春公安,wb_1", typed] if last else [typed, "宜春市公安局,微博,宜春公安,wb_1"]
    result = qunguan("accounts", "import", _csv(tmp_path, "台账.csv", "单位,平台,账号名称,账号ID\n" + "\n".join(rows) + "\n"),
                     "--db", db_path)
    assert result.stdout.startswith("accounts added 1\t")
    assert f'台账.csv 第 {2 + last} 行：「{cell}」中有手工输入的引号（"），此行未导入' in result.stderr
    assert query("select name from accounts") == [{"name": "宜春公安"}]


def test_quotes_a_name_holds_as_its_own_are_kept(qunguan, db_path, query, tmp_path):
    result = qunguan("accounts", "import", _csv(tmp_path, "台账.csv", '单位,平台,账号名称\n宜春市文明办,微博,"宜春""文明""号"\n'
                                                                     '宜春市文明办,抖音,宜春"文明"\n'), "--db", db_path)
    assert result.stdout.startswith("accounts added 2\t"), result.stderr
    assert query("select name from accounts order by id") == [{"name": '宜春"文明"号'}, {"name": '宜春"文明"'}]


@pytest.mark.parametrize("command, module, step", [
    ("accounts", "newmedia.registry", "_save_account"), ("posts", "newmedia.posts", "_store"),
    ("roster", "ingest.roster", "link_members"),
])
def test_a_ledger_posts_or_roster_import_failing_mid_file_leaves_the_archive_as_it_was(
        qunguan, db_path, query, fixtures, tmp_path, monkeypatch, command, module, step):
    # The disk filled up at the second row: nothing of the file is kept, so running it
    # again once there is room adds it whole, with no half import to find and undo.
    import importlib

    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    tables = ("accounts", "account_filings", "posts", "imports", "people", "registry_log")
    before = {table: query(f"select * from {table}") for table in tables}
    target = importlib.import_module(module)
    real, calls = getattr(target, step), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 or step == "link_members":
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, step, failing)
    files = {"accounts": _csv(tmp_path, "台账.csv", "单位,平台,账号名称\n宜春市公安局,微博,宜春公安\n宜春市公安局,抖音,宜春公安\n"),
             "posts": fixtures / "newmedia" / "posts.csv", "roster": _csv(tmp_path, "花名册.csv", "姓名,单位\n王伟,城关镇\n")}
    assert qunguan(command, "import", files[command], "--db", db_path).exit_code != 0
    assert {table: query(f"select * from {table}") for table in tables} == before
    monkeypatch.undo()
    assert qunguan(command, "import", files[command], "--db", db_path).exit_code == 0
    assert {table: query(f"select * from {table}") for table in tables} != before


def test_a_row_without_an_id_that_names_two_accounts_is_reported_not_guessed(qunguan, db_path, query, tmp_path):
    qunguan("accounts", "import", _csv(tmp_path, "a.csv", "单位,平台,账号名称,账号ID\n宜春市教育局,抖音,宜春教育,dy_1\n"
                                                           "宜春市教育局,抖音,宜春教育,dy_2\n"), "--db", db_path)
    result = qunguan("accounts", "import", _csv(tmp_path, "b.csv", "单位,平台,账号名称,账号ID,分管领导\n"
                                                                    "宜春市教育局,抖音,宜春教育,,王五\n"), "--db", db_path)
    assert result.stdout.startswith("accounts added 0\tupdated 0\tunchanged 0\tfilings 0\tbad rows 1")
    assert "b.csv 第 2 行：抖音「宜春教育」有 2 个账号（dy_1、dy_2），请填账号ID以区分" in result.stderr
    assert query("select account_ref, leader from accounts order by id") == [
        {"account_ref": "dy_1", "leader": None}, {"account_ref": "dy_2", "leader": None}]


def test_cells_past_the_last_header_and_excel_serial_dates_are_kept(qunguan, db_path, query, tmp_path):
    ledger = tmp_path / "台账.csv"
    # 45717 is how a date cell formatted 常规 comes out of Excel: 2025-03-01.
    ledger.write_text("单位名称,平台,账号名称,账号ID,开设时间,备注\n宜春市水利局,微信公众号,宜春水利,gh_sl,45717,说明1,"
                      "2025年已整改见附件3\n", encoding="utf-8")
    result = qunguan("accounts", "import", ledger, "--db", db_path)
    assert result.exit_code == 0 and "bad rows 0" in result.stdout, result.stderr
    [row] = query("select opened_on, extra from accounts")
    assert row["opened_on"] == "2025-03-01"
    assert json.loads(row["extra"]) == {"备注": "说明1", "列7": "2025年已整改见附件3"}


def test_a_unit_merged_down_its_accounts_rows_names_each_of_them(qunguan, db_path, query, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位名称", "平台", "账号名称", "账号ID"])
    sheet.append(["宜春市水利局", "微信公众号", "宜春水利", "gh_sl"])
    sheet.append([None, "抖音", "宜春水利", "sl_dy"])
    sheet.append([None, "微博", "宜春水利微博", "sl_wb"])
    sheet.merge_cells("A2:A4")  # as registers keep one unit's accounts together
    path = tmp_path / "台账.xlsx"
    book.save(path)
    result = qunguan("accounts", "import", path, "--db", db_path)
    assert result.exit_code == 0 and "accounts added 3" in result.stdout, result.stderr
    assert [r["unit"] for r in query("select unit from accounts order by id")] == ["宜春市水利局"] * 3


def test_a_header_two_rows_high_names_the_columns_under_a_merged_parent(qunguan, db_path, query, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位名称", "平台", "账号名称", "负责人", None])
    sheet.append([None, None, None, "分管领导", "主要编辑"])
    sheet.append(["宜春市水利局", "微信公众号", "宜春水利", "周杰", "李明"])
    for merged in ("A1:A2", "B1:B2", "C1:C2", "D1:E1"):
        sheet.merge_cells(merged)
    path = tmp_path / "台账.xlsx"
    book.save(path)
    result = qunguan("accounts", "import", path, "--db", db_path)
    assert "accounts added 1" in result.stdout and "bad rows 0" in result.stdout, result.stderr
    assert query("select name, leader, editor from accounts") == [{"name": "宜春水利", "leader": "周杰", "editor": "李明"}]


def test_a_wechat_id_written_in_capitals_is_the_same_account(qunguan, db_path, query, fixtures, tmp_path):
    # The 台账 says gh_yc_jy01; next month's copy, typed again, says GH_YC_JY01.
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    retyped = tmp_path / "台账-10月.csv"
    retyped.write_text("单位名称,平台,账号名称,账号ID,分管领导\n宜春市教育局,微信公众号,宜春教育,GH_YC_JY01,陈刚\n"
                       "宜春市教育局,微信公众号,宜春教育,Gh_Yc_Jy01,陈刚\n", encoding="utf-8")
    result = qunguan("accounts", "import", retyped, "--db", db_path)
    assert result.stdout.startswith("accounts added 0\tupdated 1\t"), result.stderr
    assert "第 3 行：与第 2 行是同一账号" in result.stderr
    assert query("select account_ref, leader from accounts where name = '宜春教育' and platform = '微信公众号'") == [
        {"account_ref": "gh_yc_jy01", "leader": "陈刚"}]  # the id as first written
    export = tmp_path / "导出.csv"
    export.write_text("标题,发布时间\n开学通知,2025-09-01 09:00\n", encoding="utf-8")
    assert "new 1" in qunguan("posts", "import", export, "--db", db_path, "--account", "GH_YC_JY01").stdout


@pytest.mark.parametrize("first, again, accounts", [
    ("gh_yc_jy01", "GH_YC_JY01", 1),
    ("https://v.douyin.com/iRNBho9/", "https://v.douyin.com/irnbho9/", 2),  # a short link's path is case-sensitive
])
def test_ids_match_whatever_their_case_and_links_as_written(qunguan, db_path, query, tmp_path, first, again, accounts):
    for number, ref in enumerate((first, again)):
        ledger = tmp_path / f"台账{number}.csv"
        ledger.write_text(f"单位名称,平台,账号名称,账号ID\n宜春市教育局,抖音,宜春教育{number},{ref}\n", encoding="utf-8")
        qunguan("accounts", "import", ledger, "--db", db_path)
    assert query("select count(*) n from accounts") == [{"n": accounts}]


@pytest.mark.parametrize("kind, status, stored", [
    ("事业单位", "运行中", ("国有企事业单位", "运行", "宣传部/网信办")),
    ("国有企业", "正常运营", ("国有企事业单位", "运行", "宣传部/网信办")),
    ("人民团体", "在运营", ("人民团体", "运行", "宣传部/网信办")),
    ("政务类", "正常使用", ("政务", "运行", "政府办")),
    ("党务", "已停更", ("党务", "停更", "宣传部/网信办")),
    ("政府部门", "停止运营", ("政务", "停更", "政府办")),
    ("政务", "已关闭", ("政务", "关停", "政府办")),
    ("政务", "已停用", ("政务", "关停", "政府办")),
    ("私人", "看情况", (None, "运行", "未定（台账未登记或无法识别类别）")),  # unknown: kept empty, said
])
def test_the_kinds_and_statuses_offices_write_are_understood_and_routed_by_article_five(qunguan, db_path, query,
                                                                                       tmp_path, kind, status, stored):
    ledger = tmp_path / "台账.csv"
    ledger.write_text(f"单位名称,平台,账号名称,类别,状态\n宜春市共青团,微信公众号,宜春青年,{kind},{status}\n", encoding="utf-8")
    result = qunguan("accounts", "import", ledger, "--db", db_path)
    assert "accounts added 1" in result.stdout, result.stderr
    assert ("不可识别" in result.stderr) is (stored[0] is None)
    assert query("select a.kind, a.status, v.supervising_body from accounts a join account_supervision v "
                 "on v.account_id = a.id") == [dict(zip(("kind", "status", "supervising_body"), stored))]



@pytest.mark.parametrize("opened", [("2020-01-01", "2021/3/5", "2022年6月1日 09:00"),
                                    ("2020-01-01 09:30", "2021/3/5", "2022-06-01 10:00:00")],
                         ids=["a time last", "a time first"])
def test_two_quotes_typed_a_few_rows_apart_in_a_ledger_whose_dates_are_typed_each_its_way_cost_no_account(
        qunguan, db_path, query, tmp_path, opened):
    # A 台账 typed by hand writes its 开设时间 as each clerk does (2020-01-01, 2021/3/5,
    # 2022年6月1日 09:00), a time of day in its first row too: the rows a typed quote
    # joined are rows all the same.
    first, second, third = opened
    rows = ["单位,平台,账号名称,账号ID,开设时间,分管领导", f'宜春市教育局,微信公众号,宜春教育,gh_1,{first},"王强',
            f"宜春市教育局,抖音,宜春教育,dy_1,{second},王强", f'宜春市公安局,微博,宜春公安,wb_1,{third},李明"']
    result = qunguan("accounts", "import", _csv(tmp_path, "台账.csv", "\n".join(rows) + "\n"), "--db", db_path)
    assert result.stdout.startswith("accounts added 3\t"), result.stderr
    assert [r["account_ref"] for r in query("select account_ref from accounts order by id")] == ["gh_1", "dy_1", "wb_1"]
