"""An archive that cannot be opened where --db says is refused in one line saying why and
what to do, not with SQLite's traceback: admins mix up the arguments, mistype a folder, or
keep the archive on a share they may only read."""
import os

import pytest


def test_an_export_given_as_the_archive_is_refused_and_left_as_it_was(qunguan, fixtures, tmp_path):
    export = tmp_path / "防汛群.csv"
    export.write_bytes((fixtures / "memotrace3-week1.csv").read_bytes())
    before = export.read_bytes()
    # The admin put the export after --db, where the archive goes.
    result = qunguan("stats", "--db", export)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (f"错误：{export} 不是群管档案（不是 SQLite 数据库）；--db 后面写档案，要导入的导出文件写在 "
                                     f"--db 前面（error: {export}: not a qunguan archive (not an SQLite database); "
                                     "--db names the archive, the exports to read come before it）")
    assert qunguan("ingest", fixtures / "memotrace3-week2.csv", "--db", export).exit_code == 1
    assert export.read_bytes() == before


@pytest.mark.parametrize("where, message", [
    ("missing/档案.db", "the folder {tmp}/missing does not exist; create it or name another place for the archive"),
    ("", "a folder; --db names the archive file, e.g. {tmp}/档案.db"),
])
def test_an_archive_in_no_folder_or_a_folder_itself_is_refused_in_one_line(qunguan, fixtures, tmp_path, where, message):
    result = qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", tmp_path / where, "--silent")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message.format(tmp=tmp_path) in result.stderr


def test_an_archive_on_a_read_only_share_is_refused_saying_to_copy_it(qunguan, fixtures, tmp_path, monkeypatch):
    share = tmp_path / "共享 文件夹"
    share.mkdir()
    archive = share / "档案.db"
    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", archive, "--silent").exit_code == 0
    share.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: answer as the kernel does any other user
        access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: access(p, mode) and not (
            os.fspath(p) == os.fspath(share) and mode & os.W_OK))
    try:
        for command in (["stats"], ["report"], ["ingest", fixtures / "memotrace3-week2.csv", "--silent"]):
            result = qunguan(*command, "--db", archive)
            assert result.exit_code == 1 and "Traceback" not in result.output, command
            assert (f"the folder {share} is read-only, and qunguan writes beside the archive (档案.db-wal); "
                    "copy the archive to a folder you can write") in result.stderr
    finally:
        share.chmod(0o755)


def test_a_command_that_waits_too_long_for_a_busy_archive_says_so_in_one_line(qunguan, fixtures, db_path, monkeypatch):
    import sqlite3

    from ingest import schema

    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群",
                   "--silent").exit_code == 0
    # A colleague's ingest of last year's folder holds the archive's write lock meanwhile
    # (here a connection in a transaction; the wait made short for the test).
    monkeypatch.setattr(schema, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("begin immediate")
    try:
        setting = qunguan("groups", "set", "防火群", "--unit", "县林业局", "--db", db_path)
        assert setting.exit_code == 1 and not isinstance(setting.exception, sqlite3.OperationalError)
        assert setting.stderr.startswith("错误：档案正忙：另一个 qunguan 命令（较长的导入或识别）写入已超过 30 秒；"
                                         "请等它结束后再运行本命令（error: the archive is busy: another qunguan command "
                                         "(a long ingest or classify) has been writing to it") and "run this again" in setting.stderr
        week = qunguan("ingest", fixtures / "memotrace3-week2.csv", "--db", db_path, "--group", "防火群", "--silent")
        assert week.exit_code == 1
        assert "the archive is busy: another qunguan command" in week.stderr and "please report" not in week.stderr
    finally:
        other.rollback()
        other.close()
    assert qunguan("groups", "set", "防火群", "--unit", "县林业局", "--db", db_path).exit_code == 0
    assert "new " in qunguan("ingest", fixtures / "memotrace3-week2.csv", "--db", db_path, "--group", "防火群",
                             "--silent").stdout


def test_another_programs_database_given_as_the_archive_is_refused_and_left_as_it_was(qunguan, fixtures, tmp_path):
    import sqlite3

    # The admin's own 台账 kept in SQLite, named where the archive goes.
    ledger = tmp_path / "台账.db"
    with sqlite3.connect(ledger) as conn:
        conn.execute("create table 台账 (村 text, 户数 integer)")
        conn.execute("insert into 台账 values ('新庄村', 312)")
    conn.close()
    before = ledger.read_bytes()
    result = qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", ledger, "--group", "防火群", "--silent")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (f"错误：{ledger} 是其他程序的 SQLite 数据库，不是群管档案，用作档案会被群管添加它的表；"
                                     f"--db 请写新文件名或群管建立的档案（error: {ledger}: an SQLite database of another "
                                     "program (tables 台账), not a qunguan archive; qunguan would add its tables to it. "
                                     "--db names the archive: a new file, or one qunguan made）")
    assert qunguan("stats", "--db", ledger).exit_code == 1
    assert ledger.read_bytes() == before


def test_an_archive_qunguan_made_and_an_empty_file_are_opened(qunguan, fixtures, tmp_path):
    archive, empty = tmp_path / "档案.db", tmp_path / "新档案.db"
    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", archive, "--group", "防火群", "--silent").exit_code == 0
    assert qunguan("stats", "--db", archive).exit_code == 0
    empty.touch()  # made beforehand by the admin, as 0600
    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", empty, "--group", "防火群", "--silent").exit_code == 0


@pytest.mark.parametrize("damage", ["cut short", "overwritten"])
def test_a_damaged_archive_is_refused_in_one_line_naming_it(qunguan, fixtures, db_path, damage):
    # The archive copied back from a USB stick pulled too early, or overwritten past its
    # header: SQLite cannot read it. The admin hears so in one line, not a traceback.
    import gc

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--silent")
    gc.collect()  # the command ran in this process: its connection closes, the archive is whole in its file
    data = db_path.read_bytes()
    db_path.write_bytes(data[:len(data) // 3] if damage == "cut short" else data[:100] + b"\xff" * (len(data) - 100))
    for command in (["stats"], ["ingest", fixtures / "memotrace3-week2.csv", "--silent"], ["groups", "list"]):
        result = qunguan(*command, "--db", db_path)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.startswith(f"错误：{db_path}：档案已损坏，SQLite 无法读取；"), command
        assert f"（error: {db_path}: the archive is damaged, SQLite cannot read it (" in result.stderr, command


def test_an_archive_found_damaged_mid_ingest_stops_the_run_and_is_not_blamed_on_the_file(qunguan, fixtures, db_path,
                                                                                         monkeypatch):
    # SQLite meets a damaged page of the archive while a file is written: the file is not
    # "refused ... please report this file", nor is every file after it.
    import sqlite3

    from ingest import writer

    def damaged(conn, rows):
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorname = "SQLITE_CORRUPT"
        raise error

    monkeypatch.setattr(writer, "insert_messages", damaged)
    result = qunguan("ingest", fixtures / "memotrace3-week1.csv", fixtures / "memotrace3-week2.csv", "--db", db_path,
                     "--silent")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"错误：{db_path}：档案已损坏，SQLite 无法读取；没复制完整的副本就会这样：请从原处重新复制，"
                             f"或恢复最近的备份（error: {db_path}: the archive is damaged, SQLite cannot read it "
                             "(database disk image is malformed); a copy cut short reads so: copy it again from where it "
                             "came, or restore the latest backup）\n")


@pytest.mark.parametrize("ahead", [1, 0], ids=["made by a newer version", "made by this version"])
def test_an_archive_a_newer_version_made_is_refused_saying_to_upgrade(qunguan, fixtures, db_path, ahead):
    import sqlite3

    from ingest.schema import MIGRATIONS

    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--silent").exit_code == 0
    with sqlite3.connect(db_path) as conn:  # as the next version's first command leaves it
        conn.execute(f"pragma user_version = {len(MIGRATIONS) + ahead}")
    for command in (["stats"], ["classify", "--silent"], ["ingest", fixtures / "memotrace3-week2.csv", "--silent"]):
        result = qunguan(*command, "--db", db_path)
        if ahead:
            assert result.exit_code == 1 and "Traceback" not in result.output
            assert result.stderr.startswith(f"错误：{db_path} 由更新版本的群管建立（档案结构第 {len(MIGRATIONS) + 1} 版，"
                                            f"本版本只认识到第 {len(MIGRATIONS)} 版）；请先升级群管"), result.stderr
            assert "made by a newer version of qunguan" in result.stderr
        else:
            assert result.exit_code == 0, result.output


# Every command that takes --db, with what else it needs; `ingest` and the imports read a file first.
COMMANDS_ON_THE_ARCHIVE = [
    ["ingest", "{fixtures}/memotrace3-week2.csv", "--silent"], ["stats"], ["verify"], ["report"], ["classify"],
    ["roster", "import", "{fixtures}/roster.csv"], ["roster", "remove", "张三"], ["groups", "set", "防火群", "--unit", "县应急局"],
    ["groups", "rename", "防火群", "森林防火群"], ["groups", "list"], ["config", "set", "after_hours.enabled", "false"],
    ["config", "show"], ["config", "unset", "after_hours.enabled"], ["accounts", "import", "{fixtures}/newmedia/台账-gb18030.csv"],
    ["accounts", "file", "宜春发布", "--action", "开设", "--filed-on", "2025-06-02", "--effective-on", "2025-06-09"],
    ["accounts", "list"], ["accounts", "config", "dormant_days", "90"], ["accounts", "check"],
    ["posts", "import", "{fixtures}/newmedia/posts.csv"], ["users", "add", "李强", "--password-stdin"],
    ["users", "password", "u-admin", "--password-stdin"], ["users", "list"], ["users", "disable", "u-admin"],
    ["users", "enable", "u-admin"], ["users", "unlock", "u-admin"], ["reviews", "export"], ["serve", "--port", "0"]]


@pytest.mark.parametrize("command", COMMANDS_ON_THE_ARCHIVE, ids=" ".join)
def test_the_users_database_given_as_the_archive_is_refused_naming_the_archive(qunguan, fixtures, tmp_path, command):
    # The admin sees 档案.db and 档案.users.db side by side and picks the wrong one.
    archive = tmp_path / "档案.db"
    assert qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", archive, "--group", "防火群", "--silent").exit_code == 0
    assert qunguan("users", "add", "u-admin", "--role", "admin", "--db", archive, "--password-stdin",
                   input="Correct-Horse-9\n").exit_code == 0
    users = tmp_path / "档案.users.db"
    before = users.read_bytes()
    result = qunguan(*[word.format(fixtures=fixtures) for word in command], "--db", users, input="Another-Secret-42\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (f"错误：{users} 是登录账号的用户数据库，不是档案；--db 后面写档案 {archive}"
                                     f"（error: {users}: the users database (the logins), not the archive; "
                                     f"--db names the archive, {archive}）")
    assert users.read_bytes() == before


def test_the_users_database_given_to_learn_from_is_refused_naming_the_archive(qunguan, fixtures, tmp_path):
    archive = tmp_path / "档案.db"
    assert qunguan("users", "add", "u-admin", "--role", "admin", "--db", archive, "--password-stdin",
                   input="Correct-Horse-9\n").exit_code == 0
    result = qunguan("train", "--with-reviews", tmp_path / "档案.users.db", "--data", fixtures / "corpus")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"是登录账号的用户数据库，不是档案；--with-reviews 后面写档案 {archive}" in result.stderr
