"""The admins read Chinese: what ingest and roster import say on stderr about each file and
record is said in Chinese first, the English kept after it in parentheses for scripts."""
import json
import shutil

import pytest


@pytest.fixture
def week(tmp_path, fixtures):
    """A week's folder as an admin drags it in: a chat export with two records whose time is
    broken, the real-name roster, and the clerk's note about the exports."""
    folder = tmp_path / "第10周"
    folder.mkdir()
    shutil.copy(fixtures / "memotrace3-bad-times.csv", folder / "防火群.csv")
    shutil.copy(fixtures / "roster.csv", folder / "花名册.csv")
    (folder / "说明.txt").write_text("本周导出说明\n防火群由办公室导出\n", encoding="utf-8")
    return folder


def test_an_admin_ingesting_a_week_reads_in_chinese_what_happened_to_each_file_and_line(qunguan, db_path, week):
    result = qunguan("ingest", week, "--db", db_path, "--silent")
    chat, roster, note = week / "防火群.csv", week / "花名册.csv", week / "说明.txt"

    assert f"{chat}\tmemotrace3-csv\t防火群\tnew 2\talready present 0\trejected 2" in result.stdout
    said = result.stderr.splitlines()
    assert sorted(said[:-1]) == sorted([
        f"拒收 {chat} 第 3 行：时间 '2025-13-45 99:00:00' 无法识别"
        f"（rejected {chat}:line 3: unreadable time '2025-13-45 99:00:00'）",
        f"拒收 {chat} 第 4 行：时间 '昨天下午' 无法识别（rejected {chat}:line 4: unreadable time '昨天下午'）",
        f"跳过 {roster}：这是实名花名册：请用 `qunguan roster import FILE` 导入，FILE 写本行中显示的文件名"
        f"（{roster}: skipped, a real-name roster: load it with `qunguan roster import FILE`, FILE as named on this line）",
        f"未导入 {note}：不是群管能读的聊天导出（第一行：'本周导出说明'）：如果是说明之类的文字，不影响导入；"
        "如果其中是聊天记录，请单独导入它，并用 --format 写明导出工具的格式"
        f"（refused {note}: not a chat export qunguan knows (first line: '本周导出说明'): if it is a note such as a "
        "readme, nothing is lost; if it holds a chat, ingest it alone with --format naming its exporter）",
    ])
    # The summary's pointers still find their lines.
    assert "见上方“拒收”行" in said[-1] and "见上方“跳过”行" in said[-1] and "见上方“未导入”行" in said[-1]
    assert result.exit_code == 1


def test_the_same_week_ingested_again_says_in_chinese_which_files_were_read_before(qunguan, db_path, week):
    qunguan("ingest", week, "--db", db_path, "--silent")
    result = qunguan("ingest", week / "防火群.csv", "--db", db_path, "--silent")
    chat = week / "防火群.csv"
    assert f"已读过 {chat}：与导入记录 #1（" in result.stderr
    assert f"（{chat}: the same file as import #1, " in result.stderr
    assert "rejected records listed then and kept in the rejects table: 2 (not stored again)" in result.stderr
    # Lines to fix, or a file cut short to export again: nothing in a cut file can be fixed.
    assert "请改正这些行后重新导入该文件（文件在中途断了的，请重新导出）" in result.stderr


def test_a_roster_saved_as_json_is_refused_saying_in_chinese_a_roster_is_a_table_with_a_header(
        qunguan, db_path, tmp_path):
    roster = tmp_path / "花名册.json"
    roster.write_text(json.dumps([{"姓名": "王伟", "单位": "县应急局"}], ensure_ascii=False), encoding="utf-8")
    result = qunguan("roster", "import", roster, "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误：{roster} 不是花名册：花名册应是 CSV（或 .xlsx）表格，第一行是表头，"
                                    "写明各列（姓名、单位、职务、微信号、企业微信账号、群昵称 等）；"
                                    """而这个文件是 JSON（第一行：'[{"姓名": "王伟", "单位": "县应急局"}]'）""")
    assert f"（error: {roster}: not a roster: a roster is a CSV (or .xlsx) table with a header row" in result.stderr
    assert "no header row" not in result.stderr


def test_a_chat_export_given_as_the_roster_is_said_to_be_one_for_ingest(qunguan, db_path, fixtures):
    result = qunguan("roster", "import", fixtures / "wecom" / "chatdata.jsonl", "--db", db_path)
    assert "而这个文件是聊天导出（wecom-archive）：请用 `qunguan ingest FILE` 导入" in result.stderr
    assert "this file is a chat export (wecom-archive): ingest it with `qunguan ingest FILE`" in result.stderr


def test_a_roster_row_skipped_is_said_in_chinese_with_its_line(qunguan, db_path, tmp_path):
    roster = tmp_path / "花名册.csv"
    roster.write_text("姓名,单位\n王伟,县应急局\n,县应急局\n王伟,县应急局\n", encoding="utf-8")
    result = qunguan("roster", "import", roster, "--db", db_path)
    assert "people added 1" in result.stdout
    assert result.stderr.splitlines() == [
        f"注意：{roster}:3：姓名为空，这一行未导入（{roster}:3: empty name）",
        f"注意：{roster}:4：姓名和单位与第 2 行相同；保留前一行，这一行未导入"
        f"（{roster}:4: same name and unit as line 2; the first is kept）",
    ]
