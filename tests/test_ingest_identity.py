"""Given weekly exports that overlap, come in other encodings or are re-run, each message
is stored exactly once, and different messages are never merged."""
import csv
import json
import re
import shlex
import shutil
import sqlite3
import zipfile
from datetime import datetime

import pytest


def ingest(qunguan, db_path, *paths, group="防火群"):
    return qunguan("ingest", *paths, "--db", db_path, "--group", group, "--silent")


def count(query, sql="select count(*) n from messages"):
    return query(sql)[0]["n"]


def test_reingesting_the_same_file_adds_nothing_and_does_not_read_it_again(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    again = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    assert "new 0\talready present 6\trejected 0" in again.stdout
    assert "unchanged since import #1" in again.stderr
    assert count(query) == 6
    assert count(query, "select count(*) n from messages_fts") == 6
    assert [r["new"] for r in query("select new from imports order by id")] == [6]


def test_the_same_file_run_again_with_another_group_is_not_filed_twice(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    other = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", group="防汛群")
    assert "防火群\tnew 0\talready present 6" in other.stdout and "unchanged since import #1" in other.stderr
    assert count(query) == 6


def test_group_names_only_the_files_that_do_not_name_their_group(qunguan, db_path, query, fixtures, tmp_path):
    # The week's folder: a paste that names no group, a WeFlow export naming its chat
    # inside, a MemoTrace CSV named after its group; the admin passes --group for the paste.
    week = tmp_path / "week"
    week.mkdir()
    for name in ("pasted.txt", "weflow.json", "防汛工作群_utf8.csv"):
        shutil.copy(fixtures / name, week / name)
    result = ingest(qunguan, db_path, week, group="林业群")
    assert result.exit_code == 0
    assert query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id group by g.name "
                 "order by g.name") == [{"name": "林业群", "n": 2}, {"name": "樟树市卫健工作群", "n": 3},
                                        {"name": "防汛工作群", "n": 6}]
    assert "weflow.json: --group 林业群 not used for the group 樟树市卫健工作群, which the file names itself" in result.stderr
    assert "weflow.json：文件自己写明了群 樟树市卫健工作群，未按 --group 林业群 归入" in result.stderr
    # A chat archived under its id stays in its group, whatever --group says, and the
    # group keeps its chat id alone.
    moved = tmp_path / "卫健群.json"
    shutil.copy(fixtures / "weflow.json", moved)
    assert "樟树市卫健工作群\tnew 0\talready present 3" in ingest(qunguan, db_path, moved, group="防汛群").stdout
    assert query("select source_ids from groups where name = '防汛群'") == []


def test_a_file_named_on_the_command_line_goes_to_group_whatever_it_calls_its_chat(qunguan, db_path, query, fixtures,
                                                                                   tmp_path):
    # Two townships' 工作群: a WeFlow export of one, then the other's phone share, which
    # has no chat id to tell them apart; the admin names it.
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    share = tmp_path / "share.txt"
    share.write_text((fixtures / "wechat-share.txt").read_text(encoding="utf-8").replace("靖安县乡村振兴工作群", "樟树市卫健工作群"),
                     encoding="utf-8")
    named = query("select count(*) n from groups")[0]["n"]
    assert ingest(qunguan, db_path, share, group="城关工作群").exit_code == 0
    assert query("select g.name from messages m join groups g on g.id = m.group_id order by m.id desc limit 1") == [
        {"name": "城关工作群"}]
    assert query("select count(*) n from groups")[0]["n"] == named + 1


@pytest.mark.parametrize("typed", ["防火群　", " 防火群", "防火群\t"])
def test_a_group_name_pasted_with_spaces_around_it_is_the_group(qunguan, db_path, query, fixtures, typed):
    # The admin copied the group's name from the registry spreadsheet or a chat, a
    # full-width space or a tab with it: the same group, not a second one named alike.
    ingest(qunguan, db_path, fixtures / "pasted.txt", group="防火群")
    result = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", group=typed)
    assert "\tmemotrace3-csv\t防火群\tnew 6\t" in result.stdout
    assert query("select name from groups") == [{"name": "防火群"}]


def test_a_group_an_earlier_version_stored_with_the_spaces_pasted_around_it_is_still_the_group(
        qunguan, db_path, query, fixtures, tmp_path):
    # Versions that kept the spaces stored --group " 防火群 " as typed; the weekly run,
    # pasted the same way, files the next export there, not under a second 防火群.
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    with sqlite3.connect(db_path) as conn:
        conn.execute("update groups set name = ' 防火群 '")
    week2 = ingest(qunguan, db_path, fixtures / "memotrace3-week2.csv", group="防火群　")
    assert "\tmemotrace3-csv\t 防火群 \tnew 2\talready present 2\t" in week2.stdout
    assert query("select name from groups") == [{"name": " 防火群 "}]
    # A group named exactly so is the one meant, the stored one with spaces another.
    ingest(qunguan, db_path, fixtures / "pasted.txt", group="城关群")
    with sqlite3.connect(db_path) as conn:
        conn.execute("update groups set name = '防火群' where name = '城关群'")
    other = shutil.copy(fixtures / "memotrace3-week1.csv", tmp_path / "另一个防火群.csv")
    assert "\tmemotrace3-csv\t防火群\tnew 6\t" in ingest(qunguan, db_path, other, group=" 防火群").stdout


def test_a_file_that_had_rejects_is_read_again(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-truncated.csv")
    again = ingest(qunguan, db_path, fixtures / "memotrace3-truncated.csv")
    assert "unchanged since" not in again.stderr and "rejected 1" in again.stdout
    assert len(query("select id from imports")) == 2


def test_a_file_with_rejects_filed_by_group_and_read_again_without_it_stays_in_its_group(qunguan, db_path, query,
                                                                                         fixtures):
    # The admin filed a cut-off weekly export under its real group name; next week the
    # whole folder is run again, without --group: the file is read again for its rejects,
    # into the group it was filed under, not a new one named after the file.
    ingest(qunguan, db_path, fixtures / "memotrace3-truncated.csv", group="防火工作群")
    again = qunguan("ingest", fixtures / "memotrace3-truncated.csv", "--db", db_path, "--silent")
    assert "\t防火工作群\tnew 0\t" in again.stdout and "rejected 1" in again.stdout
    assert [r["name"] for r in query("select name from groups")] == ["防火工作群"]
    assert count(query) == query("select new from imports where id = 1")[0]["new"]


def _share_with_a_bad_time(fixtures, folder):
    share = folder / "分享.txt"
    share.write_text((fixtures / "wechat-share.txt").read_text(encoding="utf-8")
                     + "\n县农业农村局-彭涛  25:61\n请各乡镇明天上午报送名单\n", encoding="utf-8")
    return share


def _weflow_with_a_bad_time(fixtures, folder):
    export = json.loads((fixtures / "weflow.json").read_text(encoding="utf-8"))
    export["messages"].append({**export["messages"][0], "localId": 99, "createTime": "昨天", "formattedTime": "昨天"})
    del export["session"]["wxid"]  # named, not numbered: its id would find the group it was filed under
    path = folder / "卫健群.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("export", [_share_with_a_bad_time, _weflow_with_a_bad_time])
def test_a_chat_named_inside_with_rejects_filed_by_group_and_read_again_without_it_stays_in_its_group(
        qunguan, db_path, query, fixtures, tmp_path, export):
    # The same for a phone share whose title names the chat, or a WeFlow export of one
    # session: given alone with --group, it was filed there, whatever it says; read again
    # in the week's folder, it stays.
    first = ingest(qunguan, db_path, export(fixtures, tmp_path), group="乡村振兴群")
    kept, rejected = re.search(r"\t乡村振兴群\tnew (\d+)\talready present 0\trejected ([1-9]\d*)", first.stdout).groups()
    again = qunguan("ingest", tmp_path, "--db", db_path, "--silent")
    assert f"\t乡村振兴群\tnew 0\talready present {kept}\trejected {rejected}" in again.stdout
    assert [r["name"] for r in query("select name from groups")] == ["乡村振兴群"]


def test_overlapping_weeks_add_only_the_new_days(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    week2 = ingest(qunguan, db_path, fixtures / "memotrace3-week2.csv")
    assert "new 2\talready present 2" in week2.stdout
    assert count(query) == 8


def test_the_same_week_in_gb18030_maps_to_the_same_rows(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    gbk = ingest(qunguan, db_path, fixtures / "memotrace3-week1-gb18030.csv")
    assert "new 0\talready present 6" in gbk.stdout
    texts = {r["text"] for r in query("select text from messages")}
    assert "谁有抢红包的截图，发群里看看" in texts


def test_two_identical_replies_in_the_same_second_stay_two_messages(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")  # different source ids
    ingest(qunguan, db_path, fixtures / "防汛工作群_utf8.csv", group="防汛群")  # no ids: run position
    rows = query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id "
                 "where text = '收到' and sent_at = '2025-03-03T09:01:10' group by g.name order by g.name")
    assert rows == [{"name": "防汛群", "n": 2}, {"name": "防火群", "n": 2}]
    again = ingest(qunguan, db_path, fixtures / "防汛工作群_utf8.csv", group="防汛群")
    assert "new 0\talready present 6" in again.stdout


def test_two_overlapping_exports_pasted_into_one_file_store_each_message_once(qunguan, db_path, tmp_path):
    # Without ids, the n-th of identical records at one time is the n-th message. The count
    # starts again when the time moves on, so a stretch pasted twice is recognised; the price
    # is that identical records split by a later one (a file out of time order) are merged.
    header = "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender"
    week = ["1,7,1,0,1,1740963670,2,收到,2025-03-03 09:01:10,,,wxid_me",
            "2,7,1,0,1,1740963670,2,收到,2025-03-03 09:01:10,,,wxid_me",
            "3,7,1,0,0,1740963700,2,请各村报送台账,2025-03-03 09:01:40,,,wxid_hw001"]
    path = tmp_path / "防汛工作群.csv"
    path.write_text("\n".join([header, *week, *week, "4,7,1,0,0,1741050000,2,台账已汇总,2025-03-04 09:00:00,,,wxid_hw001"])
                    + "\n", encoding="utf-8-sig")
    assert "new 4\talready present 3" in ingest(qunguan, db_path, path, group="防汛群").stdout


def test_a_stretch_pasted_twice_into_a_first_import_is_stored_and_searched_once(qunguan, db_path, query, fixtures,
                                                                                tmp_path):
    # Into an empty archive too (no earlier import to look the messages up in), each
    # message is kept once, the first of its copies, and search finds it once.
    lines = (fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path / "防火群.csv"
    path.write_text("".join(lines + lines[1:4]), encoding="utf-8-sig")
    assert "new 6\talready present 3" in ingest(qunguan, db_path, path).stdout
    assert query("select source_id, source_line from messages order by id")[:3] == [
        {"source_id": "9100000000000000001", "source_line": 2}, {"source_id": "9100000000000000002", "source_line": 3},
        {"source_id": "9100000000000000003", "source_line": 4}]
    assert count(query, "select count(*) n from messages_fts where messages_fts match '\"收到\"'") == 3
    assert count(query, "select count(*) n from messages_fts") == 6
    assert "new 0\talready present 9" in ingest(qunguan, db_path, path, group="防汛群").stdout


def excel_rows(fixtures) -> list[list[str]]:
    """memotrace3-week1.csv as Excel shows it: 19-digit ids as 9.1E+18, times as
    2025/3/3 9:01; saved so, the ids and the seconds are lost, the messages are not."""
    with open(fixtures / "memotrace3-week1.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        sent = datetime.fromisoformat(row[3])
        row[0], row[3] = f"{float(row[0]):.1E}", f"{sent.year}/{sent.month}/{sent.day} {sent.hour}:{sent.minute:02}"
    return rows


def save_as_excel(path, rows, line_end="\r\n"):
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f, lineterminator=line_end).writerows(rows)
    return path


def test_a_copy_re_saved_by_excel_adds_only_its_new_messages(qunguan, db_path, query, fixtures, tmp_path):
    rows = excel_rows(fixtures) + [["9.1E+18", "文本", "黄坑乡-刘洋", "2025/3/9 10:00", "本周台账已报送", "", "", "more"]]
    excel = save_as_excel(tmp_path / "防火群 - 副本.csv", rows)
    first = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    archived = count(query)
    again = ingest(qunguan, db_path, excel)
    assert f"new 1\talready present {archived}" in again.stdout, (first.stdout, again.stdout)
    assert count(query) == archived + 1
    save_as_excel(excel, rows, line_end="\n")  # saved once more, with other line ends
    assert f"new 0\talready present {archived + 1}" in ingest(qunguan, db_path, excel).stdout


@pytest.mark.parametrize("shown", ["{y}年{m}月{d}日 {H}:{M:02}", "{y}年{m}月{d}日 {H}:{M:02}:{S:02}",
                                   "{y}-{m}-{d} {H}:{M:02}"])
def test_a_copy_whose_times_excel_shows_in_another_date_format_finds_its_messages(qunguan, db_path, fixtures, tmp_path,
                                                                                 shown):
    # The clerk set the 时间 column to the long Chinese date format before saving.
    with open(fixtures / "memotrace3-week1.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        t = datetime.fromisoformat(row[3])
        row[0], row[3] = "9.1E+18", shown.format(y=t.year, m=t.month, d=t.day, H=t.hour, M=t.minute, S=t.second)
    excel = save_as_excel(tmp_path / "防火群 - 副本.csv", rows)
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    again = ingest(qunguan, db_path, excel)
    assert "new 0\talready present 6\trejected 0" in again.stdout, again.stderr


@pytest.mark.parametrize("delimiter, encoding, name", [("\t", "utf-16", "防火群.txt"), (";", "utf-8-sig", "防火群.csv"),
                                                      (",", "gb18030", "防火群.csv")],
                         ids=["unicode text", "semicolons", "commas"])
def test_a_copy_excel_saved_with_tabs_or_semicolons_reads_like_its_csv(qunguan, db_path, query, fixtures, tmp_path,
                                                                       delimiter, encoding, name):
    # Excel's "Unicode 文本" writes UTF-16 with tabs, and "CSV" writes semicolons where the
    # system's list separator is one. A text holding tabs and semicolons stays one cell.
    rows = excel_rows(fixtures) + [["9.1E+18", "文本", "黄坑乡-刘洋", "2025/3/9 10:00", "已报送；见附件\t台账, 第2版", "", "",
                                    "more"]]
    with open(tmp_path / name, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv")
    result = ingest(qunguan, db_path, tmp_path / name)
    assert "\tmemotrace3-csv\t防火群\tnew 1\talready present 6\trejected 0" in result.stdout, result.stderr
    assert query("select text from messages order by id desc limit 1") == [{"text": "已报送；见附件\t台账, 第2版"}]


def test_the_clean_export_after_a_copy_re_saved_by_excel_adds_nothing(qunguan, db_path, query, fixtures, tmp_path):
    # The other order: the admin was handed the Excel copy first (its messages are archived
    # by their content), the exporter's own file a week later.
    first = ingest(qunguan, db_path, save_as_excel(tmp_path / "防火群 - 副本.csv", excel_rows(fixtures)), group="防火群")
    archived = count(query)
    assert f"new {archived}" in first.stdout
    clean = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", group="防火群")
    assert f"new 0\talready present {archived}" in clean.stdout, (first.stdout, clean.stdout)
    assert count(query) == archived
    # The clean week 2 overlaps it: only what week 1 did not hold is new.
    week2 = ingest(qunguan, db_path, fixtures / "memotrace3-week2.csv", group="防火群")
    assert count(query) == archived + int(week2.stdout.split("new ")[1].split("\t")[0]) and "new 0" not in week2.stdout


def test_a_copy_excel_saved_in_gbk_matches_though_mentions_and_emoji_became_question_marks(qunguan, db_path, query,
                                                                                           fixtures, tmp_path):
    # Excel on a Chinese Windows saves a CSV in GBK: the space closing "@所有人" (U+2005)
    # and an emoji, which GBK lacks, are written as "?". Either order, nothing is doubled.
    rows = excel_rows(fixtures) + [["9.1E+18", "文本", "黄坑乡-刘洋", "2025/3/3 9:30", "收到👍", "", "", "more"]]
    with open(tmp_path / "防火群 - 副本.csv", "w", encoding="gbk", errors="replace", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    clean = tmp_path / "防火群.csv"
    clean.write_text((fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig")
                     + "9100000000000000099,文本,黄坑乡-刘洋,2025-03-03 09:30:07,收到👍,,,more\n", encoding="utf-8-sig")
    ingest(qunguan, db_path, clean)
    archived = count(query)
    again = ingest(qunguan, db_path, tmp_path / "防火群 - 副本.csv", group="防火群")
    assert f"new 0\talready present {archived}" in again.stdout
    db_path.unlink()
    ingest(qunguan, db_path, tmp_path / "防火群 - 副本.csv", group="防火群")
    assert f"new 0\talready present {archived}" in ingest(qunguan, db_path, clean).stdout
    # The copy's messages, archived first without ids, took the clean export's.
    assert query("select count(*) n from messages where source_id is null")[0]["n"] == 0


def test_a_question_mark_typed_in_a_phone_share_is_not_an_emoji_excel_lost(qunguan, db_path, query, tmp_path):
    # 江华 answers 收到👍, then, within the minute, 收到? (typed). The clerk shares the first
    # from the phone, later a longer selection holding both, then one holding the second
    # alone. Neither file went through Excel: the "?" is his, and both messages stay.
    def share(name, *texts):
        path = tmp_path / name
        path.write_text('微信群"靖安县乡村振兴工作群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n'
                        + "".join(f"双溪镇-江华  08:52\n{text}\n\n" for text in texts), encoding="utf-8")
        return path

    ingest(qunguan, db_path, share("first.txt", "收到👍"))
    assert "new 1\talready present 1" in ingest(qunguan, db_path, share("longer.txt", "收到👍", "收到?")).stdout
    assert "new 0\talready present 1" in ingest(qunguan, db_path, share("second.txt", "收到?")).stdout
    db_path.unlink()
    ingest(qunguan, db_path, share("first.txt", "收到👍"))
    assert "new 1\talready present 0" in ingest(qunguan, db_path, share("second.txt", "收到?")).stdout
    assert [r["text"] for r in query("select text from messages order by id")] == ["收到👍", "收到?"]


def test_a_message_recognised_as_itself_is_not_also_the_one_typed_to_the_minute_beside_it(qunguan, db_path, query,
                                                                                         tmp_path):
    # 罗琴 said 收到 twice within 09:30. The first paste has the first to the second; the
    # next repeats it and adds the other, its time typed to the minute. Two messages.
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("宜丰县-罗琴 2025-03-03 09:30:05\n收到\n", encoding="utf-8")
    second.write_text("宜丰县-罗琴 2025-03-03 09:30:05\n收到\n\n宜丰县-罗琴 2025-03-03 09:30\n收到\n", encoding="utf-8")
    ingest(qunguan, db_path, first)
    assert "new 1\talready present 1" in ingest(qunguan, db_path, second).stdout
    assert count(query) == 2


MENTIONS = {  # a notice to everyone, as each exporter writes it
    "chatlog.csv": ["2025-03-03 09:30:00", "县公安局-吴强", "wxid_wq", "袁州区平安建设群", "51100033344@chatroom",
                    "@所有人\u2005今晚夜巡改到九点"],
    "防汛工作群_utf8.csv": ["109", "7", "1", "0", "0", "1740965400", "2", "@所有人\u2005明天的会改到下午", "2025-03-03 09:30:00",
                           "县水利局_黄伟", "黄伟", "wxid_hw001"],
}


@pytest.mark.parametrize("export", list(MENTIONS))
def test_an_export_without_ids_and_its_copy_excel_re_saved_store_each_message_once(qunguan, db_path, query, fixtures,
                                                                                  tmp_path, export):
    # chatlog and MemoTrace 2.0 give no message ids: Excel's copy (times shown to the
    # minute, GBK with "?" for what GBK lacks) must still be the same messages, either order.
    with open(fixtures / export, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f)) + [MENTIONS[export]]
    clean = tmp_path / export
    with open(clean, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    when = rows[0].index("Time" if export == "chatlog.csv" else "StrTime")
    for row in rows[1:]:
        sent = datetime.fromisoformat(row[when])
        row[when] = f"{sent.year}/{sent.month}/{sent.day} {sent.hour}:{sent.minute:02}"
    copy = tmp_path / export.replace(".csv", " - 副本.csv")
    with open(copy, "w", encoding="gbk", errors="replace", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    assert "@所有人?" in copy.read_bytes().decode("gbk")
    first = ingest(qunguan, db_path, clean, group="防汛群")
    archived = count(query)
    assert f"new {archived}\t" in first.stdout
    assert f"new 0\talready present {archived}" in ingest(qunguan, db_path, copy, group="防汛群").stdout
    db_path.unlink()
    ingest(qunguan, db_path, copy, group="防汛群")
    assert f"new 0\talready present {archived}" in ingest(qunguan, db_path, clean, group="防汛群").stdout
    assert count(query) == archived


def test_a_directory_and_a_zip_of_the_same_files_ingest_once(qunguan, db_path, query, fixtures, tmp_path):
    # Two weeks of one group, each exported by MemoTrace under the group's name.
    folder = tmp_path / "weekly"
    for week, name in (("第1周", "memotrace3-week1.csv"), ("第2周", "memotrace3-week2.csv")):
        (folder / week).mkdir(parents=True)
        shutil.copy(fixtures / name, folder / week / "防火群.csv")
    first = ingest(qunguan, db_path, folder)
    assert first.exit_code == 0 and first.stdout.count("memotrace3-csv\t防火群") == 2
    bundle = tmp_path / "weekly.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for child in sorted(folder.rglob("*.csv")):
            zf.write(child, f"周报/{child.parent.name}/{child.name}")
    second = ingest(qunguan, db_path, bundle)
    assert second.exit_code == 0
    assert "weekly.zip!周报/第1周/防火群.csv" in second.stdout
    assert second.stdout.count("new 0") == 2
    assert count(query) == 8


def test_ids_are_stable_across_archives(qunguan, tmp_path, fixtures):
    import sqlite3

    ids = []
    for name in ("a.db", "b.db"):
        qunguan("ingest", fixtures / "weflow.json", "--db", tmp_path / name, "--silent")
        con = sqlite3.connect(tmp_path / name)
        ids.append(sorted(r[0] for r in con.execute("select id from messages")))
        con.close()
    assert ids[0] == ids[1]


def test_messages_an_export_numbers_zero_are_told_apart_by_their_content(qunguan, db_path, query, fixtures, tmp_path):
    # PyWxDump writes MsgSvrID 0 for notices the server did not number: two such are two messages.
    folder = tmp_path / "wxid_me" / "csv" / "48800011122@chatroom"
    folder.mkdir(parents=True)
    source = fixtures / "pywxdump/wxid_me/csv/48800011122@chatroom"
    (folder / "users.json").write_bytes((source / "users.json").read_bytes())
    lines = (source / "48800011122@chatroom_0_5.csv").read_text(encoding="utf-8").splitlines()
    notices = ['90,0,系统通知,0,10000,48800011122@chatroom,"""王建国""邀请""刘洋""加入了群聊",,2025-03-03 08:55:00',
               '91,0,系统通知,0,10000,48800011122@chatroom,"""王建国""邀请""陈静""加入了群聊",,2025-03-03 10:30:00']
    export = folder / "48800011122@chatroom_0_7.csv"
    export.write_text("\n".join(lines[:1] + notices + lines[1:]) + "\n", encoding="utf-8")
    qunguan("ingest", export, "--db", db_path, "--group", "返乡群", "--silent")
    assert [r["text"] for r in query("select text from messages where text like '%邀请%' order by sent_at")] == [
        '"王建国"邀请"刘洋"加入了群聊', '"王建国"邀请"陈静"加入了群聊']
    assert query("select count(*) n from messages where source_id = '0'") == [{"n": 0}]
    again = qunguan("ingest", export, "--db", db_path, "--group", "返乡群", "--silent", "--date", "2025-03-03")
    assert "new 0\t" in again.stdout  # read again (--date), and nothing stored twice


PYWXDUMP_CHAT = "pywxdump/wxid_me/csv/48800011122@chatroom"


def chatlog_json_of_the_pywxdump_chat(tmp_path):
    """chatlog's JSON of the PyWxDump fixture's chat (it has no message ids): its first
    message, and one the PyWxDump export does not hold."""
    said = [("2025-03-03T09:00:05+08:00", "wxid_hw001", "黄伟", "请各村今天统计返乡人员名单"),
            ("2025-03-03T10:30:00+08:00", "wxid_lf002", "李芳", "名单已汇总")]
    path = tmp_path / "chatlog.json"
    path.write_text(json.dumps([{"seq": number, "time": at, "talker": "48800011122@chatroom", "talkerName": "返乡群", "isChatRoom": True,
                                 "sender": wxid, "senderName": name, "isSelf": False, "type": 1, "subType": 0,
                                 "content": text} for number, (at, wxid, name, text) in enumerate(said)], ensure_ascii=False), encoding="utf-8")
    return path


def test_an_export_without_ids_after_one_with_ids_of_the_chat_adds_only_what_is_new(qunguan, db_path, query, fixtures,
                                                                                    tmp_path):
    ingest(qunguan, db_path, fixtures / PYWXDUMP_CHAT, group="返乡群")
    archived = count(query)
    again = ingest(qunguan, db_path, chatlog_json_of_the_pywxdump_chat(tmp_path), group="返乡群")
    assert "返乡群\tnew 1\talready present 1" in again.stdout
    assert count(query) == archived + 1


def test_an_export_with_ids_after_one_without_gives_the_archived_message_its_id(qunguan, db_path, query, fixtures,
                                                                               tmp_path):
    ingest(qunguan, db_path, chatlog_json_of_the_pywxdump_chat(tmp_path), group="返乡群")
    again = ingest(qunguan, db_path, fixtures / PYWXDUMP_CHAT, group="返乡群")
    assert "返乡群\tnew 3\talready present 1" in again.stdout
    assert query("select source_id from messages where text = '请各村今天统计返乡人员名单'") == [
        {"source_id": "8200000000000000001"}]


def test_an_excel_copy_naming_senders_matches_messages_archived_under_their_wechat_ids(qunguan, db_path, query,
                                                                                    fixtures, tmp_path):
    # PyWxDump names senders by wxid (their names from users.json); MemoTrace 2025 by
    # display name only, and Excel lost its ids and seconds.
    ingest(qunguan, db_path, fixtures / PYWXDUMP_CHAT, group="返乡群")
    archived = count(query)
    rows = [["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"],
            ["8.2E+18", "文本", "县水利局 黄伟", "2025/3/3 9:00", "请各村今天统计返乡人员名单", "", "", "more"],
            ["8.2E+18", "文本", "县水利局 黄伟", "2025/3/3 9:00", "请各村今天统计返乡人员名单", "", "", "more"],
            ["8.2E+18", "文本", "李芳", "2025/3/3 11:00", "返乡人员名单已报镇里", "", "", "more"]]
    result = ingest(qunguan, db_path, save_as_excel(tmp_path / "返乡群.csv", rows), group="返乡群")
    # The second of two identical rows is a message of its own: one archived message
    # answers for one record.
    assert "返乡群\tnew 2\talready present 1" in result.stdout
    assert count(query) == archived + 2


def test_a_renamed_chat_stays_its_group_says_so_and_the_group_can_follow(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    renamed = tmp_path / "weflow.json"
    renamed.write_text((fixtures / "weflow.json").read_text(encoding="utf-8").replace("樟树市卫健工作群", "樟树市卫健委工作群"),
                       encoding="utf-8")
    result = qunguan("ingest", renamed, "--db", db_path, "--silent")
    assert "樟树市卫健工作群\tnew 0\talready present 3" in result.stdout
    assert "the chat is named 樟树市卫健委工作群 here; archived as the group 樟树市卫健工作群" in result.stderr
    assert f"注意：{renamed}：文件中的群名是 樟树市卫健委工作群，已归入群 樟树市卫健工作群（" in result.stderr
    assert qunguan("groups", "rename", "樟树市卫健工作群", "樟树市卫健委工作群", "--db", db_path).exit_code == 0
    assert query("select name, source_ids from groups") == [{"name": "樟树市卫健委工作群", "source_ids": '["39900022233@chatroom"]'}]
    qunguan("ingest", fixtures / "pasted.txt", "--db", db_path, "--group", "林业群", "--silent")
    assert "another group has that name" in qunguan("groups", "rename", "樟树市卫健委工作群", "林业群",
                                                    "--db", db_path).stderr
    assert json.loads(query("select change from registry_log")[0]["change"]) == {"name": ["樟树市卫健工作群", "樟树市卫健委工作群"]}
    # A file named after the old name (a MemoTrace CSV is named by the chat's remark) still
    # finds the group.
    old_name = tmp_path / "樟树市卫健工作群_utf8.csv"
    old_name.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                        "1,7,1,0,0,1740963605,2,请各卫生院周五前上报疫苗接种进度,,卫健委-王军,王军,wxid_wj01\n",
                        encoding="utf-8-sig")
    assert "樟树市卫健委工作群\tnew 0\talready present 1" in qunguan("ingest", old_name, "--db", db_path, "--silent").stdout


def _share_of_the_weflow_chat(tmp_path):
    """The phone's share of the WeFlow fixture's first message: minute precision, names only."""
    path = tmp_path / "share.txt"
    path.write_text('微信群"樟树市卫健工作群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n'
                    "卫健委-王军  09:00\n请各卫生院周五前上报疫苗接种进度\n", encoding="utf-8")
    return path


def test_a_share_read_after_the_export_with_ids_adds_neither_messages_nor_members(qunguan, db_path, query, fixtures,
                                                                                  tmp_path):
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    members = query("select count(*) n from members")[0]["n"]
    result = qunguan("ingest", _share_of_the_weflow_chat(tmp_path), "--db", db_path, "--silent")
    assert "new 0\talready present 1" in result.stdout
    assert query("select count(*) n from members")[0]["n"] == members


def test_a_message_archived_from_the_share_takes_the_exports_id_and_second(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", _share_of_the_weflow_chat(tmp_path), "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    assert query("select m.source_id, m.sent_at, m.time_precision, b.display_name from messages m join members b "
                 "on b.id = m.member_id where m.text = '请各卫生院周五前上报疫苗接种进度'") == [
        {"source_id": "7300000000000000001", "sent_at": "2025-03-03T09:00:05", "time_precision": "second",
         "display_name": "卫健委-王军"}]


def _one_weflow_reply(tmp_path, chat: str, epoch: int, wxid: str, name: str, message_id: str):
    """WeFlow's JSON of 应急群 (`chat`) with one 收到."""
    path = tmp_path / "weflow.json"
    path.write_text(json.dumps({"weflow": {"version": "1.0.3"}, "session": {"wxid": chat, "displayName": "应急群"},
                                "messages": [{"localId": 1, "createTime": epoch, "localType": 1, "content": "收到",
                                              "senderUsername": wxid, "senderDisplayName": name,
                                              "platformMessageId": message_id}]}, ensure_ascii=False), encoding="utf-8")
    return path


def test_two_accounts_of_one_name_saying_the_same_in_the_same_second_stay_two_messages(qunguan, db_path, query, tmp_path):
    chatlog = tmp_path / "chatlog.csv"
    chatlog.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                       "2025-03-03 09:00:05,王伟,wxid_w1,应急群,8880001@chatroom,收到\n", encoding="utf-8")
    weflow = _one_weflow_reply(tmp_path, "8880001@chatroom", 1740963605, "wxid_w2", "王伟", "9200000000000000002")
    for path in (chatlog, weflow):
        qunguan("ingest", path, "--db", db_path, "--silent")
    assert query("select b.sender_id from messages m join members b on b.id = m.member_id order by b.sender_id") == [
        {"sender_id": "wxid_w1"}, {"sender_id": "wxid_w2"}]


def test_an_excel_copy_matches_messages_of_the_same_roster_person_under_another_name(qunguan, db_path, query,
                                                                                     fixtures, tmp_path):
    # PyWxDump names 黄伟 by wxid (县水利局 黄伟 in users.json); a MemoTrace export names him
    # 水利局-黄伟; the roster knows both as one person.
    ingest(qunguan, db_path, fixtures / PYWXDUMP_CHAT, group="返乡群")
    header = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]
    clean = tmp_path / "clean" / "返乡群.csv"
    clean.parent.mkdir()
    save_as_excel(clean, [header, ["8200000000000000099", "文本", "水利局-黄伟", "2025-03-02 18:00:00", "明天统计返乡人员", "", "", "more"]])
    ingest(qunguan, db_path, clean, group="返乡群")
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    assert query("select count(distinct person_id) n from members where person_id is not null and "
                 "(sender_key = 'wxid_hw001' or display_name = '水利局-黄伟')") == [{"n": 1}]
    copy = save_as_excel(tmp_path / "返乡群 - 副本.csv",
                         [header, ["8.2E+18", "文本", "水利局-黄伟", "2025/3/3 9:00", "请各村今天统计返乡人员名单", "", "", "more"]])
    assert "返乡群\tnew 0\talready present 1" in ingest(qunguan, db_path, copy, group="返乡群").stdout


def test_files_named_together_keep_their_own_groups_like_a_folder(qunguan, db_path, query, fixtures, tmp_path):
    for name in ("pasted.txt", "weflow.json", "防汛工作群_utf8.csv"):
        shutil.copy(fixtures / name, tmp_path / name)
    ingest(qunguan, db_path, *sorted(tmp_path.glob("*.*")), group="林业群")  # as the shell expands week/*
    assert query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id group by g.name "
                 "order by g.name") == [{"name": "林业群", "n": 2}, {"name": "樟树市卫健工作群", "n": 3},
                                        {"name": "防汛工作群", "n": 6}]


def test_a_former_name_does_not_capture_a_new_chat_nor_another_groups_rename(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    qunguan("groups", "rename", "樟树市卫健工作群", "樟树市卫健委工作群", "--db", db_path)
    # Another chat, with an id of its own, now called what the renamed group was.
    doc = json.loads((fixtures / "weflow.json").read_text(encoding="utf-8"))
    doc["session"]["wxid"] = "5550001@chatroom"
    for i, message in enumerate(doc["messages"]):
        message["platformMessageId"] = str(7400000000000000001 + i)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "樟树市卫健工作群\tnew 3" in qunguan("ingest", other, "--db", db_path, "--silent").stdout
    assert query("select name, source_ids from groups order by id") == [
        {"name": "樟树市卫健委工作群", "source_ids": '["39900022233@chatroom"]'},
        {"name": "樟树市卫健工作群", "source_ids": '["5550001@chatroom"]'}]
    qunguan("ingest", fixtures / "pasted.txt", "--db", db_path, "--group", "林业群", "--silent")
    refused = qunguan("groups", "rename", "林业群", "樟树市卫健工作群", "--db", db_path)
    assert refused.exit_code == 1 and "another group has that name" in refused.stderr
    # Nor may a group take a name another group had: exports named so go to that one.
    qunguan("groups", "rename", "樟树市卫健委工作群", "樟树市卫健局工作群", "--db", db_path)
    former = qunguan("groups", "rename", "林业群", "樟树市卫健委工作群", "--db", db_path)
    assert former.exit_code == 1 and "was the name of the group '樟树市卫健局工作群' before it was renamed" in former.stderr


def test_ids_excel_rounded_but_wrote_as_digits_are_lost_ids_not_one_message(qunguan, db_path, query, fixtures, tmp_path):
    # The 消息ID column formatted as a number: 15 significant digits, the rest zeros.
    with open(fixtures / "memotrace3-week1.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        row[0] = row[0][:15] + "0000"
    rounded = save_as_excel(tmp_path / "防火群.csv", rows)
    assert "new 6\talready present 0" in ingest(qunguan, db_path, rounded).stdout  # six messages, not one
    assert "new 0\talready present 6" in ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv").stdout
    assert count(query) == 6


def test_group_refuses_to_make_one_group_of_a_files_several_chats(qunguan, db_path, query, tmp_path):
    rooms = tmp_path / "chatlog.csv"
    rooms.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                     "2025-03-03 09:00:05,王伟,wxid_w1,工作群,111@chatroom,请报送台账\n"
                     "2025-03-03 09:10:05,李明,wxid_lm,工作群,222@chatroom,明天下村\n", encoding="utf-8")
    result = ingest(qunguan, db_path, rooms, group="甲乡工作群")
    assert result.exit_code == 1 and "the file holds several chats (111@chatroom, 222@chatroom)" in result.stderr
    assert query("select count(*) n from messages") == [{"n": 0}]


def test_a_share_titled_with_a_chats_new_name_finds_its_group(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    renamed = tmp_path / "renamed.json"
    renamed.write_text((fixtures / "weflow.json").read_text(encoding="utf-8").replace("樟树市卫健工作群", "樟树市卫健委工作群"),
                       encoding="utf-8")
    qunguan("ingest", renamed, "--db", db_path, "--silent")
    share = _share_of_the_weflow_chat(tmp_path)
    share.write_text(share.read_text(encoding="utf-8").replace("樟树市卫健工作群", "樟树市卫健委工作群"), encoding="utf-8")
    assert "樟树市卫健工作群\tnew 0\talready present 1" in qunguan("ingest", share, "--db", db_path, "--silent").stdout
    assert qunguan("groups", "rename", "樟树市卫健工作群", "樟树市卫健委工作群", "--db", db_path).exit_code == 0
    assert query("select count(*) n from groups") == [{"n": 1}]


def test_a_quoted_reply_in_the_share_is_the_quote_the_export_with_ids_has(qunguan, db_path, query, fixtures, tmp_path):
    # The share does not mark quotes: WeFlow's 收到[引用 …] is 收到 there.
    share = tmp_path / "share.txt"
    share.write_text('微信群"樟树市卫健工作群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n我  09:01\n收到\n',
                     encoding="utf-8")
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    assert "new 0\talready present 1" in qunguan("ingest", share, "--db", db_path, "--silent").stdout


def test_senders_new_to_the_archive_are_known_by_the_roster_imported_before(qunguan, db_path, query, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,微信号,群昵称\n周敏,县应急管理局,wxid_zm,老周；县应急局-周敏\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    share = tmp_path / "share.txt"
    share.write_text('微信群"应急群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n老周  09:01\n收到\n', encoding="utf-8")
    weflow = _one_weflow_reply(tmp_path, "999@chatroom", 1740963670, "wxid_zm", "县应急局-周敏", "9300000000000000001")
    for path in (share, weflow):
        qunguan("ingest", path, "--db", db_path, "--silent")
    assert query("select count(*) n from messages") == [{"n": 1}]


_CHATLOG_WEEK = ("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                 "2024-06-17 09:00:05,王建国,wxid_w,城关镇工作群,111@chatroom,明天上午九点开会\n"
                 "2024-06-17 09:01:12,李明,wxid_l,城关镇工作群,111@chatroom,收到\n"
                 "2024-06-17 09:01:47,李明,wxid_l,城关镇工作群,111@chatroom,收到\n")


def _share(*messages: str) -> str:
    return '微信群"城关镇工作群"的聊天记录如下:\n\n—————  2024-06-17  —————\n\n' + "".join(messages)


@pytest.mark.parametrize("order", [("chatlog.csv", "share.txt"), ("share.txt", "chatlog.csv")])
def test_a_phone_share_and_a_chatlog_export_of_the_same_chat_store_each_message_once(qunguan, db_path, query,
                                                                                    tmp_path, order):
    # The office PC exports the week with chatlog (to the second, no ids); a clerk shares the
    # same messages from the phone (to the minute, names only). Neither has ids, so their
    # identities never meet: matched by minute, sender name, kind and text, each archived
    # message answering for one record, so 李明's two 收到 in one minute stay two.
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK, encoding="utf-8")
    (tmp_path / "share.txt").write_text(_share("王建国  09:00\n明天上午九点开会\n\n", "李明  09:01\n收到\n\n",
                                               "李明  09:01\n收到\n"), encoding="utf-8")
    first, second = (qunguan("ingest", tmp_path / name, "--db", db_path, "--silent") for name in order)
    assert "new 3\talready present 0" in first.stdout and "new 0\talready present 3" in second.stdout
    assert [r["text"] for r in query("select text from messages order by id")] == ["明天上午九点开会", "收到", "收到"]


def test_a_share_of_part_of_a_minute_takes_one_message_and_the_chatlog_export_adds_the_other(qunguan, db_path, query,
                                                                                           tmp_path):
    # The clerk ticked only one of 李明's two 收到 in the share; chatlog has both.
    share = tmp_path / "share.txt"
    share.write_text(_share("李明  09:01\n收到\n"), encoding="utf-8")
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK, encoding="utf-8")
    assert "new 1\t" in qunguan("ingest", share, "--db", db_path, "--silent").stdout
    assert "new 2\talready present 1" in qunguan("ingest", tmp_path / "chatlog.csv", "--db", db_path, "--silent").stdout
    assert query("select count(*) n from messages where text = '收到'") == [{"n": 2}]



@pytest.mark.parametrize("order", [("share.txt", "overlap.txt", "chatlog.csv"), ("overlap.txt", "share.txt", "chatlog.csv"),
                                   ("chatlog.csv", "overlap.txt", "share.txt")])
def test_a_share_starting_inside_a_minutes_run_of_replies_adds_only_what_is_new(qunguan, db_path, query, tmp_path,
                                                                                order):
    # Monday's share holds 李明's two 收到 of 09:01; Tuesday's was ticked from the second
    # of them on. Whatever the order, with chatlog's export and every file read twice,
    # the two 收到 stay two and nothing is stored again.
    (tmp_path / "share.txt").write_text(_share("王建国  09:00\n明天上午九点开会\n\n", "李明  09:01\n收到\n\n",
                                               "李明  09:01\n收到\n"), encoding="utf-8")
    (tmp_path / "overlap.txt").write_text(_share("李明  09:01\n收到\n\n", "张丽  09:05\n好的\n"), encoding="utf-8")
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK, encoding="utf-8")
    for name in order + order:
        qunguan("ingest", tmp_path / name, "--db", db_path, "--date", "2024-06-17", "--silent")
    assert [r["text"] for r in query("select text from messages order by sent_at")] == [
        "明天上午九点开会", "收到", "收到", "好的"]

_CHATLOG_HEADER = "Time,SenderName,Sender,TalkerName,Talker,Content\n"


@pytest.mark.parametrize("order", [("share.txt", "monday.csv", "tuesday.csv"), ("share.txt", "tuesday.csv", "monday.csv"),
                                   ("monday.csv", "share.txt", "tuesday.csv"), ("monday.csv", "tuesday.csv", "share.txt")])
def test_a_minute_in_a_share_answers_for_one_of_two_replies_chatlog_brought_in_two_files(qunguan, db_path, query,
                                                                                        tmp_path, order):
    # Monday's chatlog run stopped at 09:01:30, between 李明's two 收到; Tuesday's picks up
    # from there. The clerk's share ticked one 收到 at 09:01. Whatever the order, the share's
    # message is one of the two, and the other is not taken for it: two messages, each at
    # its second.
    (tmp_path / "monday.csv").write_text(_CHATLOG_HEADER + "2024-06-17 09:01:12,李明,wxid_l,城关镇工作群,111@chatroom,收到\n",
                                         encoding="utf-8")
    (tmp_path / "tuesday.csv").write_text(_CHATLOG_HEADER + "2024-06-17 09:01:47,李明,wxid_l,城关镇工作群,111@chatroom,收到\n",
                                          encoding="utf-8")
    (tmp_path / "share.txt").write_text(_share("李明  09:01\n收到\n"), encoding="utf-8")
    for name in order + order:  # and the week's folder run again
        qunguan("ingest", tmp_path / name, "--db", db_path, "--silent")
    assert query("select sent_at, time_precision from messages order by sent_at") == [
        {"sent_at": "2024-06-17T09:01:12", "time_precision": "second"},
        {"sent_at": "2024-06-17T09:01:47", "time_precision": "second"}]


def test_two_shares_each_holding_one_of_two_identical_replies_in_a_minute_keep_one_a_known_limit(qunguan, db_path,
                                                                                                 query, tmp_path):
    # Known limit, kept on purpose: two phone shares (minute precision, no ids) that each
    # hold one 收到 of 李明's at 09:01 cannot be told from the same message shared twice
    # (overlapping shares are the common case, and re-running must not duplicate). So they
    # are one message; an export timed to the second (chatlog, MemoTrace) brings the other.
    for name in ("monday.txt", "tuesday.txt"):
        (tmp_path / name).write_text(_share("李明  09:01\n收到\n"), encoding="utf-8")
        qunguan("ingest", tmp_path / name, "--db", db_path, "--silent")
    assert query("select count(*) n from messages") == [{"n": 1}]
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK, encoding="utf-8")
    assert "new 2\talready present 1" in qunguan("ingest", tmp_path / "chatlog.csv", "--db", db_path, "--silent").stdout
    assert query("select count(*) n from messages where text = '收到'") == [{"n": 2}]


def test_two_shares_holding_a_members_replies_of_a_minute_in_opposite_orders_keep_all_three(qunguan, db_path, query,
                                                                                            tmp_path):
    # At 09:01 李明 wrote 收到, 好的, 收到. Monday's share ticked the first two, Tuesday's the
    # last two: each lists a sender's messages in the order sent, so the one the shares hold
    # in opposite orders cannot be one message. Three are kept, and reading either share
    # again, or the three shared later in one file, adds nothing.
    first, second = "李明  09:01\n收到\n\n", "李明  09:01\n好的\n\n"
    (tmp_path / "monday.txt").write_text(_share(first, second), encoding="utf-8")
    (tmp_path / "tuesday.txt").write_text(_share(second, first), encoding="utf-8")
    for name in ("monday.txt", "tuesday.txt", "monday.txt", "tuesday.txt"):
        qunguan("ingest", tmp_path / name, "--db", db_path, "--silent")
    assert query("select count(*) n from messages") == [{"n": 3}]
    # The three, shared later in one file, are the three archived.
    (tmp_path / "week.txt").write_text(_share(first, second, first), encoding="utf-8")
    assert "new 0\talready present 3" in qunguan("ingest", tmp_path / "week.txt", "--db", db_path, "--silent").stdout


def test_two_shares_holding_two_members_replies_of_a_minute_in_opposite_orders_keep_two(qunguan, db_path, query,
                                                                                        tmp_path):
    # Two phones may show 李明's 收到 and 张丽's 好的 of one minute in either order (each its
    # own clock and arrival): only a sender's own messages keep one order everywhere. So
    # these are the same two messages, shared from two phones.
    (tmp_path / "clerk.txt").write_text(_share("李明  09:01\n收到\n\n", "张丽  09:01\n好的\n\n"), encoding="utf-8")
    (tmp_path / "deputy.txt").write_text(_share("张丽  09:01\n好的\n\n", "李明  09:01\n收到\n\n"), encoding="utf-8")
    for name in ("clerk.txt", "deputy.txt"):
        qunguan("ingest", tmp_path / name, "--db", db_path, "--silent")
    assert query("select count(*) n from messages") == [{"n": 2}]


_MEMOTRACE_WEEK = ("\ufeff消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\r\n"
                   "9100000000000000001,文本,王建国,2024-06-17 09:00:05,明天上午九点开会,,,more\r\n"
                   "9100000000000000002,文本,李明,2024-06-17 09:01:12,收到,,,more\r\n"
                   "9100000000000000003,文本,李明,2024-06-17 09:01:47,收到,,,more\r\n")


def test_a_memotrace_file_named_after_the_admins_remark_finds_the_chat_by_folder_messages_or_group(qunguan, db_path,
                                                                                                  query, tmp_path):
    # chatlog names the chat 城关镇工作群 (111@chatroom); MemoTrace names its file after the
    # exporter's remark for it, 城关群（王）. In its folder <备注>(<id>@chatroom) the chat id
    # joins them. Loose, the file says only "城关群（王）": its messages, archived with the
    # same senders, times and words, are the chat's (one notice forwarded word for word
    # into many groups would not be enough: test_ingest_copies.py); --group names it too.
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK, encoding="utf-8")
    memotrace = _MEMOTRACE_WEEK
    folder = tmp_path / "城关群（王）(111@chatroom)"
    folder.mkdir()
    (folder / "城关群（王）.csv").write_text(memotrace, encoding="utf-8")
    loose = tmp_path / "loose" / "城关群（王）.csv"
    loose.parent.mkdir()
    loose.write_text(memotrace, encoding="utf-8")
    qunguan("ingest", tmp_path / "chatlog.csv", "--db", db_path, "--silent")
    assert "new 0\talready present 3" in qunguan("ingest", folder / "城关群（王）.csv", "--db", db_path, "--silent").stdout
    named = qunguan("ingest", loose, "--db", db_path, "--group", "城关镇工作群", "--silent")
    assert "城关镇工作群\tnew 0\talready present 3" in named.stdout
    other = tmp_path / "other.db"  # without --group
    qunguan("ingest", tmp_path / "chatlog.csv", "--db", other, "--silent")
    assert "城关镇工作群\tnew 0\talready present 3" in qunguan("ingest", loose, "--db", other, "--silent").stdout
    assert query("select name from groups order by id") == [{"name": "城关镇工作群"}]


@pytest.mark.parametrize("chat, group", [("城关镇工作群(2)", "城关镇工作群(2)"), ("城关镇工作群", "城关镇工作群")])
def test_a_memotrace_file_named_like_a_copy_goes_to_the_chat_chatlog_archived_under_that_name(
        qunguan, db_path, query, tmp_path, chat, group):
    # The chat is really called 城关镇工作群(2), and chatlog archived it so; MemoTrace named its
    # file after it, which reads like a copy "(2)" of 城关镇工作群's export. The archived
    # group of the whole name is the chat's. Where only 城关镇工作群 is archived, the file
    # is a copy of its export, as before.
    (tmp_path / "chatlog.csv").write_text(_CHATLOG_WEEK.replace("城关镇工作群", chat), encoding="utf-8")
    (tmp_path / "城关镇工作群(2).csv").write_text(_MEMOTRACE_WEEK, encoding="utf-8")
    for name in ("chatlog.csv", "城关镇工作群(2).csv"):
        qunguan("ingest", tmp_path / name, "--db", db_path, "--silent")
    assert query("select g.name, count(*) n from messages join groups g on g.id = group_id group by 1") == [
        {"name": group, "n": 3}]


@pytest.mark.parametrize("chat", ["城关镇工作群(2)", "城关镇工作群"])
def test_a_memotrace_file_named_like_a_copy_finds_its_group_whichever_file_of_one_run_sorts_first(
        qunguan, db_path, query, tmp_path, chat):
    # The chatlog export was saved as 城关镇工作群(2)_chatlog.csv: it sorts after the MemoTrace
    # file 城关镇工作群(2).csv, which is read once the chatlog export has named the group.
    (tmp_path / "城关镇工作群(2)_chatlog.csv").write_text(_CHATLOG_WEEK.replace("城关镇工作群", chat), encoding="utf-8")
    (tmp_path / "城关镇工作群(2).csv").write_text(_MEMOTRACE_WEEK, encoding="utf-8")
    result = qunguan("ingest", tmp_path, "--db", db_path, "--silent")
    assert query("select g.name, count(*) n from messages join groups g on g.id = group_id group by 1") == [
        {"name": chat, "n": 3}]
    assert "副本读" not in result.stderr


def test_a_memotrace_file_named_like_a_copy_read_before_its_chat_is_archived_says_how_to_name_it(
        qunguan, db_path, query, tmp_path):
    # Read alone, 城关镇工作群(2).csv may be a copy of 城关镇工作群's export or the export of
    # a chat so named: it makes the group 城关镇工作群, and the admin is told how to rename it.
    (tmp_path / "城关镇工作群(2).csv").write_text(_MEMOTRACE_WEEK, encoding="utf-8")
    first = qunguan("ingest", tmp_path / "城关镇工作群(2).csv", "--db", db_path, "--silent")
    assert (f"城关镇工作群(2).csv：文件名 城关镇工作群(2) 按群 城关镇工作群 的导出副本读，新建群 城关镇工作群；若这个群本名就是 "
            f"城关镇工作群(2)，请用 `qunguan groups rename '城关镇工作群' '城关镇工作群(2)' --db {db_path}` 改名"
            in " ".join(first.stderr.split()))  # the terminal's wrapping undone
    # A copy of that export goes to the group it made: nothing to say.
    (tmp_path / "城关镇工作群 - 副本.csv").write_text(_MEMOTRACE_WEEK + "\r\n", encoding="utf-8")
    again = qunguan("ingest", tmp_path / "城关镇工作群 - 副本.csv", "--db", db_path, "--silent")
    assert "new 0\talready present 3" in again.stdout and "副本读" not in again.stderr
    # Renamed as told, the chat's next export named so finds it.
    qunguan("groups", "rename", "城关镇工作群", "城关镇工作群(2)", "--db", db_path)
    (tmp_path / "城关镇工作群(2).csv").write_text(_MEMOTRACE_WEEK + "\r\n", encoding="utf-8")
    later = qunguan("ingest", tmp_path / "城关镇工作群(2).csv", "--db", db_path, "--silent")
    assert "城关镇工作群(2)\tnew 0\talready present 3" in later.stdout and "副本读" not in later.stderr
    assert query("select name from groups") == [{"name": "城关镇工作群(2)"}]


@pytest.mark.parametrize("chat", ["防汛群[b]", "防汛群"])
def test_the_rename_offered_for_a_file_named_like_a_copy_pastes_as_it_is_with_brackets_in_its_name(
        qunguan, tmp_path, chat):
    # Names are printed as written, [b] and all: the command said is the one to paste.
    (tmp_path / f"{chat}(2).csv").write_text(_MEMOTRACE_WEEK, encoding="utf-8")
    db = tmp_path / "档案[i].db"
    result = qunguan("ingest", tmp_path / f"{chat}(2).csv", "--db", db, "--silent")
    said = " ".join(result.stderr.split())
    rename = re.search(r"请用 `(qunguan groups rename [^`]*)` 改名", said)[1]
    assert shlex.split(rename) == ["qunguan", "groups", "rename", chat, f"{chat}(2)", "--db", str(db)], rename
    assert qunguan(*shlex.split(rename)[1:]).exit_code == 0
    assert sqlite3.connect(db).execute("select name from groups").fetchall() == [(f"{chat}(2)",)]


def test_a_memotrace_file_copied_by_windows_makes_its_group_without_a_word_of_renaming(qunguan, db_path, tmp_path):
    # No chat is named 城关镇工作群 - 副本: the copy mark is only a copy's.
    (tmp_path / "城关镇工作群 - 副本.csv").write_text(_MEMOTRACE_WEEK, encoding="utf-8")
    result = qunguan("ingest", tmp_path / "城关镇工作群 - 副本.csv", "--db", db_path, "--silent")
    assert "城关镇工作群\tnew 3" in result.stdout and "副本读" not in result.stderr
