"""Given exports cut off mid-character, padded with NULs by a crash, or mixing UTF-8 and
GBK lines, every message reads as its author wrote it, and a clean copy adds nothing."""
import pytest

SHARE = ('微信群"城关镇工作群"的聊天记录如下:\n\n—————  2024-06-17  —————\n\n'
         "王建国  09:00\n请各股室报送本周安全生产台账\n李明  09:01\n收到\n"
         "张丽  09:02\n收到，已安排专人整理\n刘洋  09:03\n好的，马上办理\n")


def ingest(qunguan, db_path, *paths, group=None):
    args = ["ingest", *paths, "--db", db_path, "--silent"] + (["--group", group] if group else [])
    return qunguan(*args)


def texts(query):
    return [r["text"] for r in query("select text from messages order by id")]


def test_a_utf8_share_cut_mid_character_rejects_its_last_message_in_readable_text(qunguan, db_path, query, tmp_path):
    data = SHARE.encode("utf-8")
    cut = tmp_path / "share.txt"
    cut.write_bytes(data[:-2])  # the line end and the last byte of 理 are missing
    result = ingest(qunguan, db_path, cut)
    # Cut off inside its last message: rejected as the CSV's last record is, its text kept readable.
    assert "new 3\talready present 0\trejected 1" in result.stdout
    assert query("select raw from rejects")[0]["raw"].endswith("好的，马上办\ufffd")


def test_a_utf8_csv_cut_mid_character_rejects_its_last_record_in_readable_text(qunguan, db_path, query, fixtures, tmp_path):
    data = (fixtures / "memotrace3-week1.csv").read_bytes().rstrip(b"\r\n")
    cut = tmp_path / "防火群.csv"
    cut.write_bytes(data[:data.rindex("看看".encode())] + "看".encode()[:2])
    result = ingest(qunguan, db_path, cut)
    assert "rejected 1" in result.stdout and "防火群.csv:line 8" in result.stderr
    assert query("select raw from rejects")[0]["raw"].endswith("谁有抢红包的截图，发群里\ufffd")


@pytest.mark.parametrize("keep", [1, 0], ids=["half of 抢", "before 抢"])
def test_a_gbk_csv_cut_off_says_its_last_record_was_cut_and_the_whole_copy_adds_it(qunguan, db_path, query, fixtures,
                                                                                   tmp_path, keep):
    # The USB stick was pulled while a GBK copy was written: the last record stops inside
    # its text, after the first byte of a character or between two.
    whole = (fixtures / "memotrace3-week1-gb18030.csv").read_bytes()
    cut = tmp_path / "防火群.csv"
    cut.write_bytes(whole[:whole.index("抢红包".encode("gb18030")) + keep])
    result = ingest(qunguan, db_path, cut, group="防火群")
    assert "new 5\talready present 0\trejected 1" in result.stdout
    assert ("防火群.csv:line 8: 5 fields where the header has 8: the file ends inside this record, it looks truncated"
            in result.stderr)
    complete = tmp_path / "whole" / "防火群.csv"
    complete.parent.mkdir()
    complete.write_bytes(whole)
    assert "new 1\talready present 5\trejected 0" in ingest(qunguan, db_path, complete, group="防火群").stdout
    assert "new 0\talready present 6\trejected 0" in ingest(qunguan, db_path, complete, group="防火群").stdout
    assert query("select count(*) n from messages") == [{"n": 6}]


def test_a_short_record_the_file_goes_on_after_is_not_called_truncated(qunguan, db_path, tmp_path):
    path = tmp_path / "防火群.csv"
    path.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n9500000000000000001,文本,张三,2025-03-03 09:00:00,收到\n"
                    "9500000000000000002,文本,张三,2025-03-03 09:01:00,好的,,,more\n9500000000000000003,文本,张三\n",
                    encoding="utf-8")
    result = ingest(qunguan, db_path, path, group="g")
    assert "new 1\talready present 0\trejected 2" in result.stdout
    assert "line 2: 5 fields where the header has 8）\n" in result.stderr
    assert "line 4: 3 fields where the header has 8" in result.stderr and "truncated" not in result.stderr


def test_a_utf8_line_with_a_few_lost_bytes_stays_utf8(qunguan, db_path, query, tmp_path):
    """Losing a byte each from 安 and 专 leaves bytes that GB18030 reads without error."""
    line = "收到，已安排专人整理".encode("utf-8")
    damaged = line.replace("安".encode(), "安".encode()[::2]).replace("专".encode(), "专".encode()[::2])
    path = tmp_path / "share.txt"
    path.write_bytes(SHARE.encode("utf-8").replace(line, damaged))
    assert "rejected 0" in ingest(qunguan, db_path, path).stdout
    assert texts(query)[2] == "收到，已\ufffd排\ufffd人整理"


@pytest.mark.parametrize("ending", ["whole", "cut off mid-character"])
def test_a_gbk_export_with_one_line_in_utf8_reads_right_throughout(qunguan, db_path, query, tmp_path, ending):
    """The UTF-8 bytes of 张丽 and 收到 are valid GB18030 too: they must not be read as 寮犱附 and 鏀跺埌."""
    lines = SHARE.splitlines(keepends=True)
    utf8 = {lines.index("张丽  09:02\n"), lines.index("收到，已安排专人整理\n")}
    data = b"".join(line.encode("utf-8" if number in utf8 else "gb18030") for number, line in enumerate(lines))
    if ending != "whole":
        data += "王建国  09:04\n谢谢".encode("gb18030")[:-1]
    path = tmp_path / "share.txt"
    path.write_bytes(data)
    ingest(qunguan, db_path, path)
    assert texts(query)[:4] == ["请各股室报送本周安全生产台账", "收到", "收到，已安排专人整理", "好的，马上办理"]
    assert {r["display_name"] for r in query("select display_name from members")} >= {"张丽", "刘洋"}
    clean = tmp_path / "clean.txt"
    clean.write_text(SHARE, encoding="gb18030")
    assert "new 0\talready present 4" in ingest(qunguan, db_path, clean).stdout


def _long_share() -> str:
    """A share over 64 KB: more than the head that detection reads."""
    return SHARE + "".join(f"王建国  {i // 60:02d}:{i % 60:02d}\n第{i}条通知：请各股室报送本周安全生产检查台账。\n"
                           for i in range(1440))


@pytest.mark.parametrize("name, export, group", [
    ("share.txt", lambda fixtures: SHARE.encode("utf-8"), None),
    ("long-share.txt", lambda fixtures: _long_share().encode("utf-8"), None),
    ("防火群.csv", lambda fixtures: (fixtures / "memotrace3-week1.csv").read_bytes(), None),
    ("wecom.jsonl", lambda fixtures: (fixtures / "wecom-forward.jsonl").read_bytes(), "g"),
    ("weflow.json", lambda fixtures: (fixtures / "weflow.json").read_bytes(), None),
])
def test_a_copy_padded_with_nuls_by_a_crash_reads_like_the_clean_copy(qunguan, db_path, query, fixtures, tmp_path,
                                                                      name, export, group):
    clean = tmp_path / "clean" / name
    padded = tmp_path / "padded" / name
    clean.parent.mkdir(), padded.parent.mkdir()
    clean.write_bytes(export(fixtures))
    padded.write_bytes(export(fixtures) + b"\x00" * 4096)
    first = ingest(qunguan, db_path, padded, group=group)
    assert first.exit_code == 0 and "new 0" not in first.stdout, first.stdout + first.stderr
    again = ingest(qunguan, db_path, clean, group=group)
    assert "new 0\talready present" in again.stdout
    assert first.stdout.rsplit("\t", 1)[1] == again.stdout.rsplit("\t", 1)[1]  # the same "rejected N"
    assert query("select count(*) n from messages where instr(text, char(0))")[0]["n"] == 0


@pytest.mark.parametrize("name, export, word", [
    ("share.txt", lambda fixtures: SHARE, "报送"),
    ("pasted.txt", lambda fixtures: (fixtures / "pasted.txt").read_text(encoding="utf-8"), "森林"),
    ("袁州区平安建设群_2025-03-03_2025-03-09.txt",
     lambda fixtures: (fixtures / "袁州区平安建设群_2025-03-03_2025-03-09.txt").read_text(encoding="utf-8"), "夜巡"),
    ("wecom.jsonl", lambda fixtures: (fixtures / "wecom-forward.jsonl").read_text(encoding="utf-8"), "工资"),
])
def test_a_nul_inside_a_message_line_is_dropped(qunguan, db_path, query, fixtures, tmp_path, name, export, word):
    clean = tmp_path / "clean" / name
    stray = tmp_path / "stray" / name
    clean.parent.mkdir(), stray.parent.mkdir()
    clean.write_text(export(fixtures), encoding="utf-8")
    stray.write_text(export(fixtures).replace(word, word[0] + "\x00" + word[1:], 1), encoding="utf-8")
    first = ingest(qunguan, db_path, stray, group="g")
    assert first.exit_code == 0 and "rejected 0" in first.stdout, first.stdout + first.stderr
    assert "new 0\talready present" in ingest(qunguan, db_path, clean, group="g").stdout
    assert any(word in text for text in texts(query))


def test_a_nul_in_a_csv_header_does_not_hide_the_format(qunguan, db_path, fixtures, tmp_path):
    path = tmp_path / "chatlog.csv"
    path.write_bytes((fixtures / "chatlog.csv").read_bytes().replace(b"SenderName", b"Sender\x00Name", 1))
    assert "chatlog-csv\t袁州区平安建设群\tnew 3\talready present 0\trejected 0" in ingest(qunguan, db_path, path).stdout


@pytest.mark.parametrize("name", ["chatlog.csv", "memotrace3-week1.csv"])
def test_a_csv_saved_with_mac_line_ends_is_recognised_and_reads_like_the_original(qunguan, db_path, query, fixtures,
                                                                                  tmp_path, name):
    # Old Mac Excel's "CSV (Macintosh)" ends lines with a lone CR.
    path = tmp_path / name
    path.write_bytes((fixtures / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert ingest(qunguan, db_path, path, group="g").exit_code == 0
    assert "new 0\talready present" in ingest(qunguan, db_path, fixtures / name, group="g").stdout


@pytest.mark.parametrize("content", [b"\x00" * 8192, (b"\x10\x00\x00\x00" + bytes(range(32, 96))) * 256 + b"\x00" * 64])
def test_a_file_of_nuls_or_binary_is_still_refused(qunguan, db_path, tmp_path, content):
    path = tmp_path / "聊天记录.txt"
    path.write_bytes(content)
    result = ingest(qunguan, db_path, path, group="g")
    assert result.exit_code == 1 and "a binary file, not a chat export" in result.stderr


def test_a_utf16_export_cut_mid_character_does_not_stop_the_files_after_it(qunguan, db_path, query, fixtures, tmp_path):
    cut = tmp_path / "防火群.csv"
    cut.write_bytes((fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").encode("utf-16")[:-3])
    result = ingest(qunguan, db_path, cut, fixtures / "chatlog.json", group="g")
    assert result.exit_code == 0 and "Traceback" not in result.stdout + result.stderr
    assert "new 6\talready present 0\trejected 0" in result.stdout  # the cut character is replaced
    assert "chatlog.json" in result.stdout


def test_a_message_kept_with_a_byte_no_encoding_reads_is_named_with_its_line(qunguan, db_path, query, fixtures, tmp_path):
    # A GBK export in which one byte of 周敏's name was lost when it was copied by hand:
    # the rest of the name reads as other characters, and the member is one nobody is.
    text = (fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").replace("\u2005", " ")
    data = text.encode("gbk")
    name = "县应急局-周敏".encode("gbk")
    at = data.index(name) + len(name) - 1
    export = tmp_path / "防火群.csv"
    export.write_bytes(data[:at] + data[at + 1:])
    result = qunguan("ingest", export, "--db", db_path, "--silent")
    assert result.exit_code == 0 and "new 6\talready present 0\trejected 0" in result.stdout
    assert (f"garbled {export}:line 2: bytes no encoding reads, shown as �, in the sender's name; the message is "
            "kept as read: check the file there") in result.stderr
    assert "1 条消息含无法识别的字节，已按原样保存" in result.stderr
    assert query("select count(*) n from messages")[0]["n"] == 6


BOM = "\ufeff".encode()


def test_a_row_pasted_with_its_bom_after_the_header_keeps_its_message_id(qunguan, db_path, query, fixtures, tmp_path):
    # Only week 10's rows pasted, their BOM before the first of them, into a GBK copy.
    week9 = (fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").replace("\u2005", " ")
    week10_rows = (fixtures / "memotrace3-week2.csv").read_bytes().split(b"\r\n", 1)[1]
    pasted = tmp_path / "防火群.csv"
    pasted.write_bytes(week9.encode("gbk") + BOM + week10_rows)
    result = ingest(qunguan, db_path, pasted)
    assert "\tnew 8\talready present 2\trejected 0" in result.stdout, result.stderr
    assert query("select source_id from messages where text like '【红包】%'") == [{"source_id": "9100000000000000005"}]


def test_json_lines_joined_with_a_bom_between_them_are_each_read(qunguan, db_path, query, fixtures, tmp_path):
    # Two ChatLab JSON-lines parts saved by Notepad (with a BOM each), then joined.
    lines = (fixtures / "chatlab.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    joined = tmp_path / "chatlab.jsonl"
    joined.write_bytes(BOM + "".join(lines[:4]).encode() + BOM + "".join(lines[4:]).encode())
    result = ingest(qunguan, db_path, joined)
    # Only the fixture's own two broken lines are rejected, as in the file before it was split.
    assert "\tnew 3\talready present 0\trejected 2" in result.stdout, result.stderr
    assert [r["line"] for r in query("select line from rejects order by line")] == [6, 8]
    clean = ingest(qunguan, db_path, fixtures / "chatlab.jsonl")
    assert "\tnew 0\talready present 3\t" in clean.stdout


def test_a_bom_opening_a_line_inside_a_message_is_the_messages_own(qunguan, db_path, query, fixtures, tmp_path):
    # A notice pasted from a web page's editor keeps its invisible marks (U+FEFF) where a
    # paragraph began. chatlog gives no message ids: the text is the message's identity,
    # and archives made before hold it with the mark.
    notice = "关于开展夜巡的通知\n\ufeff请各派出所于周五前报送台账"
    header, *rows = (fixtures / "chatlog.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    row = f'2025-03-03 10:00:00,县公安局-吴强,wxid_wq,袁州区平安建设群,51100033344@chatroom,"{notice}"\n'
    week = tmp_path / "平安建设群.csv"
    week.write_text(header + row, encoding="utf-8")
    assert "new 1\t" in ingest(qunguan, db_path, week).stdout
    assert query("select text from messages") == [{"text": notice}]
    # The export of the whole chat, a week on, holds it again: it is found, not filed twice.
    week.write_text("".join([header, *rows, row]), encoding="utf-8")
    assert "\tnew 3\talready present 1\trejected 0" in ingest(qunguan, db_path, week).stdout
