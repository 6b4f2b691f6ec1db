"""Given an ingest that is killed or interrupted mid-file, the archive is exactly as it
was before that file."""
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

QUNGUAN = Path(sys.executable).with_name("qunguan")
HEADER = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]


@pytest.fixture
def big_export(tmp_path) -> Path:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(150_000):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_740_000_000 + i))
            out.writerow([str(5_000_000_000_000_000_000 + i), "文本", f"乡镇{i % 40}", when,
                          f"第{i}号：请各村报送防汛物资清单", "", "", "more"])
    return path


def read_position(pid: int, path: Path) -> int:
    """How far the ingest process has read `path` (Linux /proc), 0 before it opens it."""
    fds = Path(f"/proc/{pid}/fd")
    for fd in fds.iterdir() if fds.exists() else ():
        try:
            if os.readlink(fd) == str(path):
                info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                return int(info.split("pos:")[1].split()[0])
        except OSError:
            continue
    return 0


def _sigint_as_in_a_terminal():
    # A shell's background job inherits SIGINT ignored, and Python then keeps ignoring it:
    # give the ingest the disposition a user's Ctrl-C meets, however pytest was started.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def snapshot(db_path):
    con = sqlite3.connect(db_path)
    try:
        return [con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("messages", "imports", "members", "groups", "rejects", "messages_fts")]
    finally:
        con.close()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_file_interrupted_mid_ingest_leaves_the_archive_as_before(qunguan, db_path, fixtures, big_export, how):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    before = snapshot(db_path)
    proc = subprocess.Popen([str(QUNGUAN), "ingest", str(big_export), "--db", str(db_path), "--group", "防火群", "--silent"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_sigint_as_in_a_terminal)
    size = big_export.stat().st_size
    deadline = time.time() + 60
    while time.time() < deadline and read_position(proc.pid, big_export) < size * 0.4:
        assert proc.poll() is None, "the ingest finished before it could be interrupted"
        time.sleep(0.01)
    assert read_position(proc.pid, big_export) < size, "the file was read to its end before the signal"
    os.kill(proc.pid, how)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert snapshot(db_path) == before
    again = qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    assert "new 0\talready present 6" in again.stdout


def test_a_big_file_lands_whole_and_once(qunguan, db_path, query, big_export):
    first = qunguan("ingest", big_export, "--db", db_path, "--group", "防汛群", "--silent")
    assert "new 150000\talready present 0" in first.stdout
    assert query("select count(*) n from messages_fts")[0]["n"] == 150000
    again = qunguan("ingest", big_export, "--db", db_path, "--group", "防汛群", "--silent")
    assert "new 0\talready present 150000" in again.stdout
    assert query("select count(*) n from imports")[0]["n"] == 1  # recognised, not read again


def test_a_big_file_parsed_slower_than_it_is_written_is_searchable_whole(qunguan, db_path, query, big_export,
                                                                        monkeypatch):
    # The writer, kept waiting for the parsing process, segments the next batch itself:
    # every message is searchable by its words all the same, whichever process cut them.
    from classifiers.tokenizer import tokens
    from ingest.formats import memotrace

    parse = memotrace.V3Csv.parse

    def slow(lines, ctx):
        for number, item in enumerate(parse(lines, ctx)):
            if number % 5000 == 0:
                time.sleep(0.05)
            yield item

    monkeypatch.setattr(memotrace.V3Csv, "parse", staticmethod(slow))
    result = qunguan("ingest", big_export, "--db", db_path, "--group", "防汛群", "--silent")
    assert "new 150000\talready present 0" in result.stdout
    stored = query("select text, tokens from messages order by id")
    assert [r["tokens"] for r in stored] == [tokens(r["text"]) for r in stored]
    assert query("select count(*) n from messages_fts where messages_fts match '\"防汛\"'")[0]["n"] == 150000


def test_a_big_hand_edited_file_keeps_every_valid_record(qunguan, db_path, query, big_export):
    # Big files are parsed in a second process: its rejects, line numbers and the
    # fallback for a line saved in another encoding must reach the archive the same way.
    data = big_export.read_bytes()
    lines = data.split(b"\r\n")
    lines[1000] = b'5000000000000999999,\xce\xc4\xb1\xbe,\xcf\xe7\xd5\xf2,2025-02-20 05:20:00,\xca\xd5\xb5\xbd,,,more'
    lines[2000] = b"5000000000000888888,text,only three fields"
    big_export.write_bytes(b"\r\n".join(lines))
    result = qunguan("ingest", big_export, "--db", db_path, "--group", "防汛群", "--silent")
    assert result.exit_code == 0, result.stderr
    assert "new 149999\talready present 0\trejected 1" in result.stdout
    assert "big.csv:line 2001" in result.stderr
    assert query("select text from messages where source_id = '5000000000000999999'") == [{"text": "收到"}]


def test_a_reader_failing_mid_way_through_a_big_file_leaves_it_out(qunguan, db_path, query, big_export, monkeypatch):
    # The big file is parsed in a second process; its failure is reported like any refusal.
    from ingest.formats import memotrace

    parse = memotrace.V3Csv.parse

    def failing(lines, ctx):
        for number, item in enumerate(parse(lines, ctx)):
            if number == 100_000:
                raise KeyError("a reader's bug")
            yield item

    monkeypatch.setattr(memotrace.V3Csv, "parse", staticmethod(failing))
    result = qunguan("ingest", big_export, "--db", db_path, "--group", "防汛群", "--silent")
    assert result.exit_code == 1 and "could not be read (KeyError" in result.stderr
    assert query("select count(*) n from messages")[0]["n"] == 0


def test_ctrl_c_says_which_file_was_left_out_and_that_the_ones_before_are_kept(db_path, fixtures, big_export):
    # The admin starts the week's folder, sees it will take a while, and presses Ctrl-C.
    week = fixtures / "memotrace3-week1.csv"
    proc = subprocess.Popen([str(QUNGUAN), "ingest", str(week), str(big_export), "--db", str(db_path), "--silent"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_in_a_terminal)
    deadline = time.time() + 60
    while time.time() < deadline and read_position(proc.pid, big_export) < big_export.stat().st_size * 0.4:
        assert proc.poll() is None, "the ingest finished before it could be interrupted"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert out.startswith(f"{week}\tmemotrace3-csv\t") and str(big_export) not in out
    assert (f"导入已中断：读取 1 个文件，新增消息 6 条" in err and f"正在读取的 {big_export} 未导入（档案保持读取它之前的状态），"
            "以上各文件已导入。重新运行同一命令即可继续" in err)
    assert "Traceback" not in err
    assert snapshot(db_path)[:2] == [6, 1]


def _after_commit(where: str):
    """(object, attribute) of a step an ingest takes once its file is committed."""
    from rich.progress import Progress

    from ingest import writer
    from ingest.sources import HashingReader

    return {"commit": (writer, "commit"), "connection closed": (writer.Transaction, "close"),
            "export file closed": (HashingReader, "close"), "progress bar": (Progress, "update")}[where]


@pytest.mark.parametrize("where", ["commit", "connection closed", "export file closed", "progress bar"])
def test_ctrl_c_as_a_file_is_committed_keeps_it_says_so_and_stops_the_run(qunguan, db_path, fixtures, monkeypatch,
                                                                          tmp_path, where):
    # The admin presses Ctrl-C while the file's transaction is being committed (for a big
    # file that takes a while), or in the moment after it: Python raises the interrupt
    # once SQLite's commit is done, in whatever step comes next. The file is in the
    # archive: it is not "refused", not "left out", and the run stops there, as Ctrl-C asks.
    owner, name = _after_commit(where)
    step = getattr(owner, name)

    def interrupted(*args, **kwargs):
        step(*args, **kwargs)
        if snapshot(db_path)[:2] == [6, 1]:  # the first file is committed
            monkeypatch.setattr(owner, name, step)
            raise KeyboardInterrupt

    monkeypatch.setattr(owner, name, interrupted)
    week1, week2 = tmp_path / "第9周" / "防火群.csv", tmp_path / "第10周" / "防火群.csv"
    for week, fixture in ((week1, "memotrace3-week1.csv"), (week2, "memotrace3-week2.csv")):
        week.parent.mkdir()
        week.write_bytes((fixtures / fixture).read_bytes())
    result = qunguan("ingest", week1, week2, "--db", db_path, "--silent")
    assert result.exit_code == 130
    assert result.stdout == f"{week1}\tmemotrace3-csv\t防火群\tnew 6\talready present 0\trejected 0\n"
    assert "refused" not in result.stderr and "未导入" not in result.stderr
    assert "导入已中断：读取 1 个文件，新增消息 6 条" in result.stderr and "以上各文件已导入" in result.stderr
    assert snapshot(db_path)[:2] == [6, 1]
    again = qunguan("ingest", week1, week2, "--db", db_path, "--silent")
    assert f"{week1}: unchanged since import #1" in again.stderr
    assert f"{week2}\tmemotrace3-csv\t防火群\tnew 2\talready present 2" in again.stdout


def test_ctrl_c_between_two_files_says_the_files_read_are_kept(qunguan, db_path, fixtures, monkeypatch):
    # Ctrl-C while the first file's line is printed (or the folder is walked): no file is
    # being written, every file read is kept; the run ends as Ctrl-C mid-file does, with
    # the summary and status 130, not click's bare "Aborted!".
    import cli

    printed = cli.echo_fields

    def interrupted(*values):
        printed(*values)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "echo_fields", interrupted)
    week1, week2 = fixtures / "memotrace3-week1.csv", fixtures / "memotrace3-week2.csv"
    result = qunguan("ingest", week1, week2, "--db", db_path, "--group", "防火群", "--silent")
    assert result.exit_code == 130 and "Aborted" not in result.output
    assert result.stderr.rstrip().endswith("导入已中断：读取 1 个文件，新增消息 6 条，已存在 0 条，拒收记录 0 条，以上各文件已导入。"
                                           "重新运行同一命令即可继续，已导入的文件不会重复读取。")
    assert snapshot(db_path)[:2] == [6, 1]
