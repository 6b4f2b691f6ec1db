"""Given messy, truncated or wrong files, valid records are kept, bad ones are reported with
file and line, and files that are not chat exports are refused with one clear line."""
import pytest


def ingest(qunguan, db_path, *paths, group=None):
    args = ["ingest", *paths, "--db", db_path, "--silent"] + (["--group", group] if group else [])
    return qunguan(*args)


def test_truncated_export_keeps_complete_records_and_rejects_the_cut_one(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "memotrace3-truncated.csv", group="g")
    assert result.exit_code == 0
    assert "new 2\talready present 0\trejected 1" in result.stdout
    assert "memotrace3-truncated.csv:line 4" in result.stderr and "truncated" in result.stderr
    reject = query("select line, record, reason, raw from rejects")[0]
    assert reject["line"] == 4 and reject["record"] == 3
    assert "这条消息被截断了" in reject["raw"]


def test_unparseable_times_are_rejected_with_their_line_numbers(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "memotrace3-bad-times.csv", group="g")
    assert result.exit_code == 0
    assert "new 2\talready present 0\trejected 2" in result.stdout
    assert [r["line"] for r in query("select line from rejects order by line")] == [3, 4]
    assert "bad-times.csv:line 3: unreadable time '2025-13-45 99:00:00'" in result.stderr


@pytest.mark.parametrize("name, says", [
    ("memotrace-ai.json", "AI training"),
    ("photo.png", "PNG image"),
    ("empty.txt", "empty file"),
    ("unknown-shape.json", "JSON of an unknown shape (top-level keys: data, ok)"),
])
def test_files_that_are_not_chat_exports_are_refused_in_one_line(qunguan, db_path, query, fixtures, name, says):
    result = ingest(qunguan, db_path, fixtures / name, group="g")
    assert result.exit_code == 1
    assert f"refused {fixtures / name}: " in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert query("select count(*) n from imports")[0]["n"] == 0


def test_a_refused_file_does_not_stop_the_others(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "photo.png", fixtures / "memotrace3-week1.csv", group="g")
    assert result.exit_code == 1
    assert "new 6" in result.stdout
    assert query("select count(*) n from messages")[0]["n"] == 6


def test_a_file_that_names_no_group_is_refused_until_one_is_given(qunguan, db_path, fixtures):
    result = ingest(qunguan, db_path, fixtures / "pasted.txt")
    assert result.exit_code == 1 and "pass --group NAME" in result.stderr
    assert ingest(qunguan, db_path, fixtures / "pasted.txt", group="林业群").exit_code == 0


def test_the_lenient_text_reader_refuses_a_file_it_cannot_fully_read(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "pasted-broken.txt", group="g")
    assert result.exit_code == 1 and "line 4" in result.stderr and "2025-03-33" in result.stderr
    assert query("select count(*) n from messages")[0]["n"] == 0


def test_format_can_be_forced_and_unknown_names_are_listed(qunguan, db_path, fixtures):
    ok = qunguan("ingest", fixtures / "pasted.txt", "--db", db_path, "--group", "g", "--format", "pasted-text", "--silent")
    assert ok.exit_code == 0
    bad = qunguan("ingest", fixtures / "pasted.txt", "--db", db_path, "--group", "g", "--format", "excel", "--silent")
    assert bad.exit_code == 1 and "unknown format 'excel'" in bad.stderr


def test_a_missing_path_is_one_line_error(qunguan, db_path, tmp_path):
    result = qunguan("ingest", tmp_path / "nope.csv", "--db", db_path)
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_a_utf8_export_with_one_line_saved_in_gbk_keeps_every_record(qunguan, db_path, query, tmp_path):
    header = "消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\r\n".encode("utf-8-sig")
    good = "9300000000000000001,文本,张三,2025-03-03 09:00:00,请各村报送台账,,,more\r\n".encode("utf-8")
    edited = "9300000000000000002,文本,李四,2025-03-03 09:01:00,收到，马上报送,,,more\r\n".encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(header + good + edited + good.replace(b"0001", b"0003"))
    result = qunguan("ingest", path, "--db", db_path, "--group", "g", "--silent")
    assert "new 3\talready present 0\trejected 0" in result.stdout
    assert "收到，马上报送" in {r["text"] for r in query("select text from messages")}


def test_odd_values_in_number_fields_are_kept_or_rejected_not_fatal(qunguan, db_path, query, fixtures, tmp_path):
    memotrace = tmp_path / "防汛工作群_utf8.csv"
    memotrace.write_text((fixtures / "防汛工作群_utf8.csv").read_text(encoding="utf-8-sig")
                         .replace("101,7,1,0,0,", "101,7,1,0,²,"),
                         encoding="utf-8-sig")
    chatlog = tmp_path / "chatlog.json"
    chatlog.write_text((fixtures / "chatlog.json").read_text(encoding="utf-8").replace('"type": 1,', '"type": "文本",', 1),
                       encoding="utf-8")
    result = ingest(qunguan, db_path, memotrace, chatlog, group="防汛群")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "is not a number" in result.stderr  # the chatlog record, with the reason
    assert query("select is_self from messages where text like '各位，明天上午9点%'") == [{"is_self": None}]


def test_a_file_a_reader_fails_on_is_refused_and_the_others_are_read(qunguan, db_path, query, fixtures, monkeypatch):
    from ingest.formats import memotrace

    def broken(lines, ctx):
        raise KeyError("a reader's bug")
        yield

    monkeypatch.setattr(memotrace.V3Csv, "parse", staticmethod(broken))
    result = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", fixtures / "chatlog.json", group="g")
    assert result.exit_code == 1
    assert "memotrace3-week1.csv: could not be read (KeyError" in result.stderr
    assert query("select count(*) n from messages")[0]["n"] == 2  # the chatlog file's
