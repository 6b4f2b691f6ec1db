"""Tables on stdout (`stats`, `groups list`, `accounts list`): whole values, tab-separated,
when piped or redirected; drawn by rich at a terminal; names shown as written, markup and all."""
import io

import pytest
from rich.console import Console

import cli_output

GROUP = "宜春市袁州区应急管理局防汛抗旱指挥部办公室2025年汛期值班调度[i]工作群"


@pytest.fixture
def archive(qunguan, db_path, fixtures, tmp_path):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", GROUP, "--silent")
    qunguan("groups", "set", GROUP, "--db", db_path, "--unit", "宜春市袁州区应急管理局[bold]", "--admin", "周敏")
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位,平台,账号名称,类别\n宜春市袁州区应急管理局防汛抗旱指挥部办公室,微信公众号,袁州应急[red]发布,政务\n",
                      encoding="utf-8")
    qunguan("accounts", "import", ledger, "--db", db_path)
    return db_path


def test_piped_tables_are_tab_separated_with_every_value_whole(qunguan, archive):
    groups = qunguan("groups", "list", "--db", archive).stdout.splitlines()
    assert groups[1:] == [f"1\t{GROUP}\t宜春市袁州区应急管理局[bold]\t周敏\t\t\t\t\t0\t6"]
    accounts = qunguan("accounts", "list", "--db", archive).stdout.splitlines()
    assert accounts[1] == "1\t宜春市袁州区应急管理局防汛抗旱指挥部办公室\t微信公众号\t袁州应急[red]发布\t政务\t政府办\t运行\t0"
    stats = qunguan("stats", "--db", archive).stdout.splitlines()
    weeks = stats.index("每周消息数（messages per week）")
    assert stats[weeks + 2] == f"2025-W09\t{GROUP}\t6"
    imported = stats[stats.index("导入台账（imports）") + 2].split("\t")
    assert imported[1].endswith("memotrace3-week1.csv") and imported[3] == "6"


def test_users_list_says_what_each_column_is_in_chinese_first(qunguan, archive):
    for name in ("王芳", "李强"):
        qunguan("users", "add", name, "--role", "auditor", "--db", archive, "--password-stdin", input="Correct-Horse-9\n")
    qunguan("users", "disable", "王芳", "--db", archive)
    header, *rows = qunguan("users", "list", "--db", archive).stdout.splitlines()
    assert header == "登录名（name）\t角色（role）\t状态（status）\t建立时间（created）"
    assert sorted(row.rsplit("\t", 1)[0] for row in rows) == ["李强\tauditor\t可登录（active）",
                                                              "王芳\tauditor\t已停用（disabled）"]


def test_the_admin_reads_stats_and_the_groups_list_in_chinese_first(qunguan, archive):
    # A county office's admin reads these each week: English alone ("dup", "exempt") left
    # them guessing, as the users list did before.
    stats = qunguan("stats", "--db", archive).stdout.splitlines()
    assert stats[0] == ("群 1（groups 1）\t成员 4，花名册上 0（members 4 (0 on the roster)）\t消息 6（messages 6）\t"
                        "拒收记录 0（rejected records 0）")
    assert stats[stats.index("每周消息数（messages per week）") + 1] == "周（week）\t群（group）\t消息数（messages）"
    assert stats[stats.index("导入台账（imports）") + 1] == ("编号（id）\t文件（file）\t格式（format）\t新增（new）\t"
                                                         "已存在（dup）\t拒收（rejected）\t完成时间（finished）\t导入人（by）")
    assert qunguan("groups", "list", "--db", archive).stdout.splitlines()[0] == (
        "编号（id）\t群名（name）\t单位（unit）\t管理员（admin）\t建群人（owner）\t经批准的用途（purpose）\t"
        "临时群截止日期（temporary until）\t解散日期（dissolved）\t豁免（exempt）\t消息数（messages）")


def test_at_a_terminal_the_table_is_drawn_and_markup_in_names_is_shown_not_applied(qunguan, archive, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli_output, "out", Console(file=screen, force_terminal=True, width=300, color_system=None))
    qunguan("groups", "list", "--db", archive)
    assert "│" in screen.getvalue() and GROUP in screen.getvalue() and "[bold]" in screen.getvalue()


def test_a_file_named_with_a_tab_keeps_its_ingest_line_to_six_fields(qunguan, db_path, fixtures, tmp_path):
    path = tmp_path / "防火群\t第2周\n.csv"
    path.write_bytes((fixtures / "memotrace3-week1.csv").read_bytes())
    [line] = qunguan("ingest", path, "--db", db_path, "--group", "防火\t群", "--silent").stdout.splitlines()
    assert line.split("\t")[1:] == ["memotrace3-csv", "防火 群", "new 6", "already present 0", "rejected 0"]


@pytest.mark.parametrize("command", [["stats"], ["classify", "--silent"], ["groups", "list"], ["config", "show"],
                                     ["config", "unset", "after_hours.min_chars"], ["verify"], ["users", "list"],
                                     ["accounts", "list"], ["train", "--no-select", "--with-reviews"]])
def test_a_mistyped_archive_is_refused_not_made_anew(qunguan, tmp_path, command):
    typo = tmp_path / "archiv.db"
    result = qunguan(*command, typo) if command[-1].startswith("--with") else qunguan(*command, "--db", typo)
    assert result.exit_code == 1 and "no such archive" in result.stderr
    assert not typo.exists()


@pytest.mark.parametrize("args", [["--format", "excel", "{fixture}"], ["{missing}"]])
def test_an_ingest_that_can_read_nothing_makes_no_archive(qunguan, tmp_path, fixtures, args):
    archive = tmp_path / "档案.db"
    args = [a.format(fixture=fixtures / "pasted.txt", missing=tmp_path / "nope.csv") for a in args]
    result = qunguan("ingest", *args, "--db", archive, "--group", "g", "--silent")
    assert result.exit_code == 1 and not archive.exists()


def test_groups_list_shows_the_owner_and_the_approved_purpose(qunguan, archive):
    qunguan("groups", "set", GROUP, "--db", archive, "--owner", "李华", "--purpose", "2025年汛期值班调度专班")
    row = qunguan("groups", "list", "--db", archive).stdout.splitlines()[1].split("\t")
    assert row[4:6] == ["李华", "2025年汛期值班调度专班"]


def test_a_folder_of_pictures_dragged_in_by_mistake_says_they_were_passed_over(qunguan, db_path, fixtures, tmp_path):
    # The clerk dragged the export's image folder instead of the export: nothing is read,
    # and the summary must not read as a quiet success of nothing.
    import shutil

    images = tmp_path / "image"
    images.mkdir()
    for name in ("b798abe6.png", "c1d2e3f4.png"):
        shutil.copy(fixtures / "photo.png", images / name)
    result = qunguan("ingest", images, "--db", db_path, "--group", "g", "--silent")
    assert result.stderr.rstrip().endswith("导入完成：读取 0 个文件，新增消息 0 条，已存在 0 条，拒收记录 0 条；"
                                            "跳过 2 个不是聊天记录的文件（图片、附件、名单等，见上方“跳过”行）。")


def test_an_ingest_ends_with_a_summary_in_chinese_saying_what_to_do(qunguan, db_path, fixtures, tmp_path):
    import shutil

    result = qunguan("ingest", fixtures / "memotrace3-truncated.csv", fixtures / "pasted.txt", "--db", db_path,
                     "--group", "g", "--silent")
    assert result.stderr.rstrip().endswith("导入完成：读取 2 个文件，新增消息 4 条，已存在 0 条，拒收记录 1 条"
                                            "（见上方“拒收”行：文件名与行号，改正后重新导入该文件即可，已导入的不会重复）。")
    alone = qunguan("ingest", fixtures / "pasted.txt", "--db", tmp_path / "other.db", "--silent")
    assert "1 个文件未能导入" in alone.stderr and "请对该文件加 --group 群名 单独导入" in alone.stderr
    # An empty file refused beside a week's exports is no file --group would settle.
    week = tmp_path / "week"
    week.mkdir()
    shutil.copy(fixtures / "memotrace3-week1.csv", week / "防火群.csv")
    (week / "新建文本文档.txt").write_bytes(b"")
    empty = qunguan("ingest", week, "--db", tmp_path / "third.db", "--silent")
    assert "1 个文件未能导入（见上方“未导入”行）" in empty.stderr and "--group" not in empty.stderr.splitlines()[-1]


def test_a_rerun_summary_points_at_the_earlier_listing_of_the_same_files_bad_records(qunguan, db_path, fixtures):
    # Monday's re-run of the folder: the file's bad record was listed line by line last
    # week, and is not again; the summary must not send the admin to rejected lines above.
    truncated = fixtures / "memotrace3-truncated.csv"
    qunguan("ingest", truncated, "--db", db_path, "--group", "g", "--silent")
    again = qunguan("ingest", truncated, "--db", db_path, "--group", "g", "--silent")
    assert "rejected " + str(truncated) not in again.stderr
    assert again.stderr.rstrip().endswith("导入完成：读取 1 个文件，新增消息 0 条，已存在 2 条，拒收记录 1 条（此前导入同一文件时已逐条列出，"
                                           "见上方“已读过”行；改正后重新导入该文件即可，已导入的不会重复）。")


def test_a_rerun_with_a_new_file_points_at_both_listings_of_bad_records(qunguan, db_path, fixtures):
    # Monday's re-run of the folder: last week's file (its bad record listed then) and
    # this week's, whose bad records are listed now. The summary counts both.
    truncated, bad_times = fixtures / "memotrace3-truncated.csv", fixtures / "memotrace3-bad-times.csv"
    qunguan("ingest", truncated, "--db", db_path, "--silent")
    week = qunguan("ingest", truncated, bad_times, "--db", db_path, "--silent")
    assert f"rejected {truncated}" not in week.stderr and f"rejected {bad_times}:" in week.stderr
    assert "拒收记录 3 条（见上方“拒收”行：文件名与行号；此前导入同一文件时已逐条列出的，见上方“已读过”行；" \
           "改正后重新导入该文件即可，已导入的不会重复）。" in week.stderr
