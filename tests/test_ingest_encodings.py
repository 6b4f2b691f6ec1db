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


def test_a_utf8_export_cut_mid_character_keeps_its_last_line_readable(qunguan, db_path, query, tmp_path):
    data = SHARE.encode("utf-8")
    cut = tmp_path / "share.txt"
    cut.write_bytes(data[:-2])  # the line end and the last byte of 理 are missing
    result = ingest(qunguan, db_path, cut)
    assert "new 4\talready present 0\trejected 0" in result.stdout
    assert texts(query)[-1] == "好的，马上办\ufffd"


def test_a_utf8_csv_cut_mid_character_rejects_its_last_record_in_readable_text(qunguan, db_path, query, fixtures, tmp_path):
    data = (fixtures / "memotrace3-week1.csv").read_bytes().rstrip(b"\r\n")
    cut = tmp_path / "防火群.csv"
    cut.write_bytes(data[:data.rindex("看看".encode())] + "看".encode()[:2])
    result = ingest(qunguan, db_path, cut)
    assert "rejected 1" in result.stdout and "防火群.csv:line 8" in result.stderr
    assert query("select raw from rejects")[0]["raw"].endswith("谁有抢红包的截图，发群里\ufffd")


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
