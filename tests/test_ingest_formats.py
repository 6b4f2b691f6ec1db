"""Given the export files admins really receive, each lands in the archive as typed rows."""
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.schema import open_archive


def ingest(qunguan, db_path, *paths, group=None):
    args = ["ingest", *paths, "--db", db_path, "--silent"]
    if group:
        args += ["--group", group]
    return qunguan(*args)


MEMOTRACE_HTML = "memotrace3-html/城关镇防汛群(45600011122@chatroom)"


@pytest.mark.parametrize("path, group, fmt, expected", [
    ("memotrace3-week1.csv", "防火群", "memotrace3-csv", 6),
    ("防汛工作群_utf8.csv", None, "memotrace-csv", 6),
    (f"{MEMOTRACE_HTML}/城关镇防汛群.html.json", None, "memotrace3-json", 12),
    ("pywxdump/wxid_me/csv/48800011122@chatroom/48800011122@chatroom_0_5.csv", "返乡群", "pywxdump-csv", 4),
    ("weflow.json", None, "weflow-json", 3),
    ("chatlab.json", None, "chatlab-json", 4),
    ("chatlab.jsonl", None, "chatlab-jsonl", 3),
    ("chatlog.csv", None, "chatlog-csv", 3),
    ("chatlog.json", None, "chatlog-json", 2),
    ("袁州区平安建设群_2025-03-03_2025-03-09.txt", None, "chatlog-text", 6),
    ("wechat-share.txt", None, "wechat-share", 4),
    ("wecom/chatdata.jsonl", None, "wecom-archive", 4),
    ("pasted.txt", "林业群", "pasted-text", 2),
])
def test_each_format_is_detected_and_stored(qunguan, db_path, query, fixtures, path, group, fmt, expected):
    result = ingest(qunguan, db_path, fixtures / path, group=group)
    assert result.exit_code == 0, result.stderr
    assert f"\t{fmt}\t" in result.stdout
    assert query("select count(*) n from messages")[0]["n"] == expected
    imports = query("select format, new from imports")
    assert imports == [{"format": fmt, "new": expected}]


def test_memotrace_v3_rows_keep_ids_kinds_quotes_and_local_time(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", group="防火群")
    rows = query("select source_id, sent_at, kind, text, quote, tokens from messages order by sent_at, source_id")
    assert rows[0]["source_id"] == "9100000000000000001"  # 19 digits, above 2^53: kept as text
    assert rows[0]["sent_at"] == "2025-03-03T09:00:05"
    quote = next(r for r in rows if r["kind"] == "quote")
    assert quote["text"] == "收到，马上安排"
    assert quote["quote"].startswith("【通知】请各乡镇")
    assert [r["kind"] for r in rows].count("red_packet") == 1
    assert "红包" in next(r for r in rows if r["text"].startswith("谁有"))["tokens"].split()


def test_a_memotrace_v3_file_says_its_name_and_size_not_the_exporters_path(qunguan, db_path, query, tmp_path):
    # The path on the computer that exported it and the md5 are no words of the chat: a
    # supervisor read them in the conversation, and the detectors and search saw them.
    path = tmp_path / "文件群.csv"
    row = ("【文件】高效办成一件事清单 (1).xlsx 0.04 MB FileStorage\\File\\2025-03\\高效办成一件事清单 (1).xlsx xlsx "
           "b5496c1d9a8f918ac290ca5b327b5bab")
    path.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                    f"5651468971006346498,文件,区行政审批局-袁海燕,2025-03-03 10:05:16,{row},,,more\n", encoding="utf-8-sig")
    ingest(qunguan, db_path, path, group="文件群")
    [stored] = query("select kind, text, raw from messages")
    assert stored["kind"] == "file" and stored["text"] == "【文件】高效办成一件事清单 (1).xlsx 0.04 MB"
    assert "b5496c1d9a8f918ac290ca5b327b5bab" in stored["raw"]
    assert "already present 1" in ingest(qunguan, db_path, path, group="文件群").stdout


def test_memotrace_v2_uses_epoch_names_file_as_group_and_types_media(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "防汛工作群_utf8.csv")
    assert query("select name from groups") == [{"name": "防汛工作群"}]
    kinds = [r["kind"] for r in query("select kind from messages order by sent_at, id")]
    assert sorted(kinds) == sorted(["text", "text", "text", "image", "red_packet", "recall"])
    image = query("select text, raw from messages where kind = 'image'")[0]
    assert image["text"] == "" and "<img" in json.loads(image["raw"])["StrContent"]
    recall = query("select member_id from messages where kind = 'recall'")[0]
    assert recall["member_id"] is None  # system rows have no sender


def test_memotrace_html_export_is_read_from_its_json_and_meets_the_csv_of_the_chat(qunguan, db_path, query, fixtures):
    # The folder MemoTrace wrote: the page, the JSON it shows, and a CSV export of the chat.
    result = ingest(qunguan, db_path, fixtures / MEMOTRACE_HTML)
    assert result.exit_code == 0, result.stderr
    assert "城关镇防汛群.html: skipped, an HTML page; its messages are read from 城关镇防汛群.html.json" in result.stderr
    assert "城关镇防汛群.html.json:line 162: message lacks timestamp/type" in result.stderr
    assert query("select name, source_ids from groups") == [{"name": "城关镇防汛群", "source_ids": '["45600011122@chatroom"]'}]
    assert query("select format, new, duplicate from imports order by id") == [
        {"format": "memotrace3-csv", "new": 3, "duplicate": 0}, {"format": "memotrace3-json", "new": 10, "duplicate": 2}]
    by_id = {r["source_id"][-2:]: r for r in query(
        "select m.source_id, m.kind, m.text, m.quote, m.is_self, o.source_id replied_to, p.display_name sender "
        "from messages m left join messages o on o.id = m.reply_to left join members p on p.id = m.member_id")}
    assert by_id["03"]["kind"] == "quote" and by_id["03"]["replied_to"] == "7300000000000000001"
    assert by_id["03"]["text"] == "南庙村三座山塘已安排专人值守" and by_id["03"]["quote"].startswith("【通知】今晚起有强降雨")
    assert (by_id["04"]["kind"], by_id["04"]["text"]) == ("image", "")
    assert by_id["05"]["text"] == "防汛值班表（3月10日-16日）.xlsx"
    assert by_id["06"]["text"].startswith("宜春市防汛抗旱指挥部发布暴雨黄色预警")
    assert by_id["07"]["kind"] == "transfer" and "午饭钱" in by_id["07"]["text"]
    assert by_id["08"]["kind"] == "red_packet"
    # A forwarded bundle is judged by what it forwards.
    assert "带班领导在岗在位" in by_id["09"]["text"]
    assert by_id["10"]["text"] == "水位已经退到警戒线以下了"
    assert (by_id["11"]["kind"], by_id["11"]["sender"]) == ("pat", None)
    assert by_id["12"]["kind"] == "recall"
    assert by_id["01"]["sender"] == "城关镇-彭涛"


def test_an_html_page_alone_asks_for_the_json_beside_it(qunguan, db_path, fixtures, tmp_path):
    page = tmp_path / "城关镇防汛群.html"
    page.write_bytes((fixtures / MEMOTRACE_HTML / "城关镇防汛群.html").read_bytes())
    result = ingest(qunguan, db_path, page)
    assert result.exit_code == 1
    assert "an HTML page, not a chat export: for MemoTrace's HTML export, ingest the 城关镇防汛群.html.json" in result.stderr


def test_pywxdump_names_come_from_users_json_beside_the_csv(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "pywxdump/wxid_me/csv/48800011122@chatroom/48800011122@chatroom_0_5.csv", group="返乡群")
    members = {r["sender_id"]: r["display_name"] for r in query("select sender_id, display_name from members")}
    assert members["wxid_hw001"] == "县水利局 黄伟"
    assert members["wxid_lf002"] == "李芳"
    assert query("select source_ids from groups")[0]["source_ids"] == '["48800011122@chatroom"]'
    assert {r["kind"] for r in query("select kind from messages")} == {"text", "image", "transfer", "quote"}


def test_pywxdump_json_and_csv_of_the_same_chat_are_the_same_messages(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "pywxdump/wxid_me/csv/48800011122@chatroom/48800011122@chatroom_0_5.csv", group="返乡群")
    result = ingest(qunguan, db_path, fixtures / "pywxdump/48800011122@chatroom.json")
    assert "new 0\talready present 4" in result.stdout
    assert query("select count(*) n from messages")[0]["n"] == 4


def test_weflow_keys_on_local_type_links_replies_and_rejects_bad_records(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "weflow.json")
    assert "rejected 1" in result.stdout
    # Named by the line it starts on, where the admin finds it in Notepad (before, "record 4").
    assert "weflow.json:line 53: createTime is not a number: '昨天'" in result.stderr
    assert query("select line, record from rejects") == [{"line": 53, "record": 4}]
    rows = {r["source_id"]: r for r in query("select id, source_id, kind, text, reply_to from messages")}
    reply = rows["7300000000000000002"]
    assert reply["kind"] == "quote" and reply["text"] == "收到"
    assert reply["reply_to"] == rows["7300000000000000001"]["id"]
    assert rows["7300000000000000003"]["kind"] == "red_packet"
    assert query("select name from groups") == [{"name": "樟树市卫健工作群"}]


def test_chatlog_json_converts_utc_times_to_local(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "chatlog.json")
    times = [r["sent_at"] for r in query("select sent_at from messages order by sent_at")]
    assert times == ["2025-03-03T09:00:05", "2025-03-03T09:05:00"]


def test_chatlog_csv_quote_and_image(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "chatlog.csv")
    rows = query("select kind, text, quote from messages order by sent_at")
    assert [r["kind"] for r in rows] == ["text", "quote", "image"]
    assert rows[1]["text"] == "收到" and rows[1]["quote"] == "今晚八点开展夜巡，请各派出所做好准备"


def test_chatlog_text_takes_group_and_year_from_its_download_name_and_meets_the_csv(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "袁州区平安建设群_2025-03-03_2025-03-09.txt")
    assert query("select name from groups") == [{"name": "袁州区平安建设群"}]
    rows = query("select sent_at, kind, text, quote, is_self, member_id from messages order by sent_at")
    assert [r["sent_at"][:10] for r in rows] == ["2025-03-03"] * 3 + ["2025-03-04"] * 3
    assert [r["kind"] for r in rows] == ["text", "quote", "image", "file", "text", "recall"]
    assert rows[1]["text"] == "收到" and rows[1]["quote"] == "今晚八点开展夜巡，请各派出所做好准备"
    assert rows[3]["text"].startswith("[文件|夜巡登记表.xlsx]")  # as chatlog CSV renders it
    assert rows[4]["is_self"] == 1
    assert rows[5]["member_id"] is None  # 系统消息 is no member
    # The CSV of the same chat holds three of these messages: nothing new.
    again = ingest(qunguan, db_path, fixtures / "chatlog.csv")
    assert "new 0\talready present 3" in again.stdout


def test_a_date_the_export_leaves_out_comes_from_date_or_the_record_is_rejected_saying_so(qunguan, db_path, query, fixtures):
    share, chatlog = fixtures / "wechat-share-no-date.txt", fixtures / "chatlog-one-day.txt"
    undated = ingest(qunguan, db_path, share)
    assert undated.exit_code == 0 and "new 0" in undated.stdout and "rejected 2" in undated.stdout
    assert "--date YYYY-MM-DD" in undated.stderr and "line 3" in undated.stderr
    assert query("select count(*) n from rejects")[0]["n"] == 2

    dated = qunguan("ingest", share, chatlog, "--db", db_path, "--silent", "--group", "黄坑乡防火工作群",
                    "--date", "2025-03-07")
    assert dated.exit_code == 0, dated.stderr
    rows = query("select g.name, m.sent_at, m.text from messages m join groups g on g.id = m.group_id order by sent_at")
    assert [(r["name"], r["sent_at"]) for r in rows] == [
        ("黄坑乡防火工作群", "2025-03-07T10:15:00"), ("黄坑乡防火工作群", "2025-03-07T10:16:30"),
        ("黄坑乡防火工作群", "2025-03-07T20:05:00"), ("黄坑乡防火工作群", "2025-03-07T20:06:00")]


@pytest.mark.parametrize("day", ["2025-3-7", "2025-W10-5", "20250307"])
def test_a_date_that_is_not_a_day_is_refused_before_anything_is_read(qunguan, db_path, fixtures, day):
    result = qunguan("ingest", fixtures / "chatlog-one-day.txt", "--db", db_path, "--date", day)
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.stderr
    assert not Path(db_path).exists()


def test_chatlogs_download_name_knows_the_year_better_than_a_date_given_for_the_run(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "袁州区平安建设群_2025-03-03_2025-03-09.txt", "--db", db_path, "--silent", "--date", "2024-06-17")
    assert {r["day"] for r in query("select substr(sent_at, 1, 10) day from messages")} == {"2025-03-03", "2025-03-04"}


def test_chatlog_text_without_blank_lines_still_splits_messages(qunguan, db_path, query, tmp_path):
    path = tmp_path / "pasted-from-chatlog.txt"
    path.write_text("周敏(wxid_zm) 10:15:00\n明天的检查改到下午\n黄伟(wxid_hw) 10:16:30\n好的\n", encoding="utf-8")
    result = qunguan("ingest", path, "--db", db_path, "--silent", "--group", "g", "--date", "2025-03-07")
    assert "\tchatlog-text\t" in result.stdout
    assert [r["text"] for r in query("select text from messages order by sent_at")] == ["明天的检查改到下午", "好的"]


def test_a_paste_with_units_in_brackets_is_left_to_the_lenient_reader(qunguan, db_path, query, tmp_path):
    path = tmp_path / "paste.txt"
    path.write_text("张三(办公室) 2025-03-03 09:00:12\n开会\n李四(办公室) 2025-03-03 09:05:30\n收到\n", encoding="utf-8")
    result = qunguan("ingest", path, "--db", db_path, "--silent", "--group", "g")
    assert "\tpasted-text\t" in result.stdout and "new 2" in result.stdout
    assert query("select count(*) n from members")[0]["n"] == 2


def test_wechat_share_text_has_minute_precision_and_keeps_both_identical_replies(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "wechat-share.txt")
    rows = query("select sent_at, time_precision, kind, text from messages order by sent_at, id")
    assert {r["time_precision"] for r in rows} == {"minute"}
    assert [r["text"] for r in rows].count("收到") == 2
    assert rows[0]["text"] == "各乡镇请于本周内完成高标准农田项目进度填报。\n逾期系统将关闭。"
    assert rows[-1]["kind"] == "image" and rows[-1]["sent_at"] == "2025-03-03T22:30:00"


def test_wecom_archive_names_group_from_groupchat_get_and_keeps_recalled_original(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "wecom/chatdata.jsonl")
    assert query("select name from groups") == [{"name": "靖安县驻村工作队群"}]
    rows = {r["source_id"]: r for r in query("select id, source_id, kind, sent_at, reply_to from messages")}
    assert rows["WC0001_1740963605"]["sent_at"] == "2025-03-03T09:00:05"  # UTC ms -> Asia/Shanghai
    assert rows["WC0003_1740963800"]["kind"] == "red_packet"
    assert rows["WC0004_1740963860"]["kind"] == "recall"
    assert rows["WC0004_1740963860"]["reply_to"] == rows["WC0003_1740963800"]["id"]
    assert "rejected 1" in result.stdout and "line 5" in result.stderr  # the cut-off last line


def _wecom_room(folder: Path, room: str, name: str, members: list[str], texts: list[str], start: int) -> None:
    """An archive file of one room and the official groupchat/get response beside it,
    which carries no roomid and is named after the group, not the room."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [{"msgid": f"{room}-{i}", "action": "send", "from": members[i % len(members)],
              "tolist": [m for m in members if m != members[i % len(members)]], "roomid": room,
              "msgtime": (start + 60 * i) * 1000, "msgtype": "text", "text": {"content": text}}
             for i, text in enumerate(texts)]
    (folder / f"{name}-archive.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                                  encoding="utf-8")
    (folder / f"{name}-群信息.json").write_text(json.dumps({
        "roomname": name, "creator": members[0], "room_create_time": start,
        "members": [{"memberid": m, "jointime": start} for m in members], "errcode": 0, "errmsg": "ok"},
        ensure_ascii=False), encoding="utf-8")


def test_wecom_archives_of_two_groups_in_one_folder_are_each_named_by_their_own_members(qunguan, db_path, query, tmp_path):
    _wecom_room(tmp_path / "week", "wrTownAAAAAAAAAAAA", "城关镇工作群", ["WangJG", "LiMing", "ZhangLi"],
                ["请各村报送台账", "收到"], 1_740_963_600)
    _wecom_room(tmp_path / "week", "wrVillageBBBBBBBBB", "乡村振兴专班群", ["PengTao", "JiangHua", "LiMing"],
                ["明天下村走访", "好的"], 1_740_963_600)
    assert ingest(qunguan, db_path, tmp_path / "week").exit_code == 0
    assert query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id "
                 "group by g.name order by g.name") == [{"name": "乡村振兴专班群", "n": 2}, {"name": "城关镇工作群", "n": 2}]


def test_wecom_responses_that_fit_a_room_alike_name_none_and_the_file_asks_for_a_group(qunguan, db_path, query, tmp_path):
    # The same staff in two groups: which response is this room's cannot be told.
    same = ["WangJG", "LiMing", "ZhangLi"]
    _wecom_room(tmp_path / "week", "wrTownAAAAAAAAAAAA", "城关镇工作群", same, ["请各村报送台账"], 1_740_963_600)
    _wecom_room(tmp_path / "week", "wrVillageBBBBBBBBB", "乡村振兴专班群", same, ["明天下村走访"], 1_740_963_600)
    result = ingest(qunguan, db_path, tmp_path / "week")
    assert result.exit_code == 1 and result.stderr.count("pass --group") == 2
    assert query("select count(*) n from messages") == [{"n": 0}]


def test_a_wecom_room_sharing_a_member_with_another_rooms_response_is_not_named_by_it(qunguan, db_path, query, tmp_path):
    _wecom_room(tmp_path / "week", "wrTownAAAAAAAAAAAA", "城关镇工作群", ["WangJG", "LiMing", "ZhangLi", "LiuYang", "ChenJing"],
                ["请各村报送台账"], 1_740_963_600)
    other = tmp_path / "week" / "党支部-archive.jsonl"  # its own response was not saved
    other.write_text(json.dumps({"msgid": "c1", "action": "send", "from": "LiMing", "tolist": ["PengTao", "HuTing", "YuanHY"],
                                 "roomid": "wrPartyCCCCCCCCCCC", "msgtime": 1_740_963_700_000, "msgtype": "text",
                                 "text": {"content": "今晚支部学习"}}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = ingest(qunguan, db_path, tmp_path / "week")
    assert "党支部-archive.jsonl: the file does not say which group it is" in result.stderr
    assert query("select name, source_ids from groups") == [{"name": "城关镇工作群", "source_ids": '["wrTownAAAAAAAAAAAA"]'}]


def test_wecom_one_to_one_messages_are_rejected_unkept_and_the_groups_messages_archived(qunguan, db_path, query, fixtures,
                                                                                      tmp_path):
    lines = (fixtures / "wecom/chatdata.jsonl").read_text(encoding="utf-8").splitlines()
    private = {"msgid": "P1_1740963700", "action": "send", "from": "PengTao", "tolist": ["JiangHua"], "roomid": "",
               "msgtime": 1740963700000, "msgtype": "text", "text": {"content": "晚上私下聊聊你家的事"}}
    folder = tmp_path / "wecom"
    folder.mkdir()
    (folder / "chatdata.jsonl").write_text("\n".join(lines[:2] + [json.dumps(private, ensure_ascii=False)] + lines[2:]) + "\n",
                                          encoding="utf-8")
    (folder / "groupchat-get.json").write_bytes((fixtures / "wecom/groupchat-get.json").read_bytes())
    result = ingest(qunguan, db_path, folder / "chatdata.jsonl")
    assert "line 3: a one-to-one chat" in result.stderr
    assert query("select distinct g.name from messages m join groups g on g.id = m.group_id") == [
        {"name": "靖安县驻村工作队群"}]
    assert query("select count(*) n from messages where source_id = 'P1_1740963700'") == [{"n": 0}]
    assert "私下" not in json.dumps(query("select raw, reason from rejects"), ensure_ascii=False)
    # Nor does a --group file it under the group.
    assert "rejected 2" in ingest(qunguan, tmp_path / "other.db", folder / "chatdata.jsonl", group="驻村群").stdout


def test_a_chat_named_like_an_archived_group_of_another_chat_id_is_not_filed_under_it(qunguan, db_path, query, tmp_path):
    # Two townships' groups, both named 工作群: their chat ids tell them apart.
    _wecom_room(tmp_path / "a", "wrTownAAAAAAAAAAAA", "工作群", ["WangJG", "LiMing"], ["请各村报送台账"], 1_740_963_600)
    _wecom_room(tmp_path / "b", "wrOtherCCCCCCCCCCC", "工作群", ["PengTao", "JiangHua"], ["明天下村走访"], 1_740_963_600)
    assert ingest(qunguan, db_path, tmp_path / "a").exit_code == 0
    result = ingest(qunguan, db_path, tmp_path / "b")
    assert result.exit_code == 1 and "wrOtherCCCCCCCCCCC is another of the same name" in result.stderr
    assert query("select name, source_ids from groups") == [{"name": "工作群", "source_ids": '["wrTownAAAAAAAAAAAA"]'}]
    assert ingest(qunguan, db_path, tmp_path / "b", group="水口镇工作群").exit_code == 0


@pytest.mark.parametrize("path, group, inside", [
    ("wecom-forward.jsonl", "乡镇工作群", "赶紧转发到各群"),
    ("chatlog-forward.json", None, "明天全县停水停电"),
])
def test_a_forwarded_bundle_keeps_the_forwarded_messages_as_its_text(qunguan, db_path, query, fixtures, path, group, inside):
    ingest(qunguan, db_path, fixtures / path, group=group)
    bundle = query("select kind, text from messages")[0]
    assert bundle["kind"] == "merge_forward"
    assert bundle["text"].startswith("群聊的聊天记录\n") and inside in bundle["text"]
    found = query("select rowid from messages_fts where messages_fts match '转发' or messages_fts match '停水'")
    assert len(found) == 1


def test_a_chatlog_bundle_archived_with_its_title_only_is_the_same_message_read_in_full(qunguan, db_path, fixtures, tmp_path):
    """Earlier versions kept only the bundle's title: its identity stays on the title."""
    full = json.loads((fixtures / "chatlog-forward.json").read_text(encoding="utf-8"))
    title_only = tmp_path / "chatlog-old-week.json"
    title_only.write_text(json.dumps([{**full[0], "contents": {"title": "群聊的聊天记录"}}], ensure_ascii=False), encoding="utf-8")
    ingest(qunguan, db_path, title_only)
    again = ingest(qunguan, db_path, fixtures / "chatlog-forward.json")
    assert "new 0\talready present 1" in again.stdout


WEFLOW_HEADER = ["序号", "时间", "发送者昵称", "发送者微信ID", "发送者备注", "群昵称", "发送者身份", "消息类型", "内容"]


def weflow_workbook(path, rows, header=WEFLOW_HEADER, preamble=True, chat=("47712345678@chatroom", "黄坑乡防汛工作群"),
                    id_label="微信ID"):
    """An Excel export as WeFlow's ExcelFormatter writes it: sheet 聊天记录, three rows about
    the chat (the id's and the remark's values in merged cells), then the header and one
    row per message."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "聊天记录"
    if preamble:
        sheet.cell(1, 1, "会话信息")
        for column, value in ((1, id_label), (2, chat[0]), (4, "昵称"), (5, chat[1]), (6, "备注"), (7, "")):
            sheet.cell(2, column, value)
        sheet.merge_cells("B2:C2")
        sheet.merge_cells("G2:H2")
        for column, value in enumerate(["导出工具", "WeFlow", "导出版本", "4.3.0", "平台", "wechat", "导出时间",
                                        "2025-03-10 08:00:00"], start=1):
            sheet.cell(3, column, value)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


WEFLOW_ROWS = [
    [1, "2025-03-03 09:00:05", "周敏", "wxid_zhoumin01", "", "县应急局-周敏", "成员", "文本消息",
     "【通知】请各村于3月5日前报送防汛隐患排查台账。"],
    [2, "2025-03-03 09:01:10", "刘洋", "wxid_liuyang02", "刘洋（黄坑）", "黄坑乡-刘洋", "成员", "引用消息",
     "收到，马上安排[引用 县应急局-周敏：【通知】请各村于3月5日前报送防汛隐患排查台账。]"],
    [3, "2025-03-03 09:02:00", "刘洋", "wxid_liuyang02", "", "黄坑乡-刘洋", "成员", "图片消息", "[图片]"],
    # WeFlow 4.3 has no type name for red packets: 其他消息, and the content says what it is.
    [4, "2025-03-03 09:03:00", "王伟", "wxid_wangwei03", "", "", "成员", "其他消息", "[红包]恭喜发财"],
    [5, "2025/3/3 25:61", "王伟", "wxid_wangwei03", "", "", "成员", "文本消息", "时间写坏了的一行"],
    [6, "2025-03-03 09:05:00", "王伟", "wxid_wangwei03", "", "", "成员", "文本消息", "已转发各村"],
]


def test_a_weflow_excel_export_is_read_with_its_group_senders_kinds_and_quotes(qunguan, db_path, query, tmp_path):
    path = weflow_workbook(tmp_path / "黄坑乡防汛工作群.xlsx", WEFLOW_ROWS)
    result = ingest(qunguan, db_path, path)
    assert result.exit_code == 0, result.stderr
    assert "\tweflow-xlsx\t黄坑乡防汛工作群\tnew 5\talready present 0\trejected 1" in result.stdout
    assert query("select source_ids from groups") == [{"source_ids": '["47712345678@chatroom"]'}]
    rows = query("select sent_at, kind, text, quote, me.sender_id, me.display_name from messages "
                 "join members me on me.id = messages.member_id order by messages.id")
    assert [r["kind"] for r in rows] == ["text", "quote", "image", "red_packet", "text"]
    assert rows[1]["text"] == "收到，马上安排" and rows[1]["quote"].startswith("【通知】请各村")
    assert rows[2]["text"] == "" and rows[0]["sent_at"] == "2025-03-03T09:00:05"
    # The name the group sees (群昵称), else the WeChat nickname; members keyed on their wxid.
    assert (rows[1]["sender_id"], rows[1]["display_name"]) == ("wxid_liuyang02", "黄坑乡-刘洋")
    assert rows[3]["display_name"] == "王伟"
    assert query("select line, reason from rejects") == [{"line": 9, "reason": "unreadable time '2025/3/3 25:61'"}]
    again = ingest(qunguan, db_path, weflow_workbook(tmp_path / "再导出.xlsx", WEFLOW_ROWS), group="黄坑乡防汛工作群")
    assert "new 0\talready present 5" in again.stdout


def test_a_weflow_excel_export_whose_sheet_an_admin_renamed_is_still_read_in_a_folder(qunguan, db_path, tmp_path):
    import openpyxl

    # The clerk named the sheet after the group before filing the workbook in the week's
    # folder: it is still the chat, not an attachment to pass over.
    week = tmp_path / "week"
    week.mkdir()
    path = weflow_workbook(week / "黄坑乡防汛工作群.xlsx", WEFLOW_ROWS)
    book = openpyxl.load_workbook(path)
    book["聊天记录"].title = "黄坑乡防汛群"
    book.save(path)
    result = ingest(qunguan, db_path, week)
    assert result.exit_code == 0, result.stderr
    assert "\tweflow-xlsx\t黄坑乡防汛工作群\tnew 5\talready present 0\trejected 1" in result.stdout


def test_a_compact_weflow_excel_export_needs_the_group_named(qunguan, db_path, query, tmp_path):
    compact = [[r[0], r[1], r[6], r[7], r[8]] for r in WEFLOW_ROWS[:2]]
    path = weflow_workbook(tmp_path / "export.xlsx", compact, header=["序号", "时间", "发送者身份", "消息类型", "内容"],
                           preamble=False)
    refused = ingest(qunguan, db_path, path)
    assert refused.exit_code == 1 and "--group" in refused.stdout + refused.stderr
    assert "new 2" in ingest(qunguan, db_path, path, group="防汛群").stdout


def test_other_workbooks_are_refused_or_passed_over_and_the_rest_is_read(qunguan, db_path, query, tmp_path, fixtures):
    import openpyxl

    roster = openpyxl.Workbook()
    roster.active.append(["姓名", "单位", "职务", "微信号"])
    roster.active.append(["刘洋", "黄坑乡", "副乡长", "wxid_liuyang02"])
    roster.save(tmp_path / "花名册.xlsx")
    other = openpyxl.Workbook()
    other.active.append(["项目", "金额"])
    other.save(tmp_path / "经费表.xlsx")
    full = weflow_workbook(tmp_path / "群.xlsx", WEFLOW_ROWS).read_bytes()
    (tmp_path / "截断.xlsx").write_bytes(full[: len(full) // 2])
    result = ingest(qunguan, db_path, tmp_path, fixtures / "weflow.json")
    out = result.stdout + result.stderr
    assert result.exit_code == 1  # two files refused; the others read
    assert "花名册.xlsx" in out and "roster import" in out
    assert "经费表.xlsx" in out and "without WeFlow's 聊天记录 sheet" in out
    assert "截断.xlsx" in out and "cannot be read" in out
    assert query("select count(*) n from messages")[0]["n"] == 5 + 3


def test_chatlab_files_keep_ids_replies_senders_and_their_bad_lines(qunguan, db_path, query, fixtures):
    ingest(qunguan, db_path, fixtures / "chatlab.json", fixtures / "chatlab.jsonl")
    assert query("select name, source_ids from groups order by id") == [
        {"name": "袁州区应急管理工作群", "source_ids": '["38988428513@chatroom"]'},
        {"name": "湖田乡防汛群", "source_ids": '["47700011122@chatroom"]'}]
    rows = query("select m.id, source_id, sent_at, kind, text, reply_to, is_self, me.sender_id, me.display_name "
                 "from messages m join members me on me.id = m.member_id where m.group_id = 1 order by m.id")
    assert [r["kind"] for r in rows] == ["text", "quote", "image", "red_packet"]
    assert rows[0]["sent_at"] == "2025-03-10T10:30:05" and rows[0]["source_id"] == "5830172210348857601"
    assert rows[1]["reply_to"] == rows[0]["id"] and rows[2]["text"] == ""
    assert [r["is_self"] for r in rows] == [1, 0, 0, 1]  # meta.ownerId is who exported it
    assert (rows[1]["sender_id"], rows[1]["display_name"]) == ("wxid_xq_chenjing", "湖田乡-陈静")
    # JSON lines: a bad line is rejected with its number, the others are kept.
    rejects = query("select line, reason from rejects order by line")
    assert [r["line"] for r in rejects] == [6, 8] and rejects[0]["reason"] == "timestamp missing or not epoch seconds: '昨天'"
    assert rejects[1]["reason"].endswith("the line may be cut off")
    assert query("select kind from messages where group_id = 2 order by id") == [
        {"kind": "text"}, {"kind": "text"}, {"kind": "recall"}]
    again = ingest(qunguan, db_path, fixtures / "chatlab.json", fixtures / "chatlab.jsonl", group=None)
    assert again.stdout.count("new 0") == 2


def test_the_same_chat_from_weflow_json_and_weflow_excel_is_stored_once_in_either_order(qunguan, db_path, query, fixtures, tmp_path):
    # What weflow.json holds, as the Excel export of the same chat writes it (no message ids).
    rows = [[1, "2025-03-03 09:00:05", "王军", "wxid_wj01", "", "卫健委-王军", "卫健委-王军", "文本消息",
             "请各卫生院周五前上报疫苗接种进度"],
            [2, "2025-03-03 09:01:40", "我", "wxid_me", "", "", "我", "引用消息",
             "收到[引用 卫健委-王军：请各卫生院周五前上报疫苗接种进度]"],
            [3, "2025-03-03 09:03:20", "小赵", "wxid_x9", "", "小赵", "小赵", "其他消息", "[红包]恭喜发财"]]
    excel = weflow_workbook(tmp_path / "樟树市卫健工作群.xlsx", rows, chat=("39900022233@chatroom", "樟树市卫健工作群"),
                            id_label="账号ID")  # the later WeFlow's label
    for first, second in ((fixtures / "weflow.json", excel), (excel, fixtures / "weflow.json")):
        db = tmp_path / f"{first.suffix}.db"
        assert "new 3" in ingest(qunguan, db, first).stdout
        assert "new 0\talready present 3" in ingest(qunguan, db, second).stdout, first
        # Whichever came first, the messages have the JSON's ids, and the reply is linked.
        con = sqlite3.connect(db)
        assert con.execute("select count(source_id), count(reply_to) from messages").fetchone() == (3, 1)
        con.close()


def test_an_export_with_ids_after_weflow_excel_of_the_chat_adds_nothing(qunguan, db_path, fixtures, tmp_path):
    # Any export with ids, here ChatLab's, may hold what a WeFlow Excel export (no ids) held.
    rows = [[1, "2025-03-10 10:30:05", "应急局办公室", "wxid_yjj_office", "", "区应急局-黄涛", "区应急局-黄涛", "文本消息",
             "【通知】请各乡镇（街道）于3月12日前报送森林防火隐患排查台账，逾期通报。"],
            [2, "2025-03-10 10:31:10", "静水流深", "wxid_xq_chenjing", "", "湖田乡-陈静", "湖田乡-陈静", "引用消息",
             "收到，马上安排[引用 区应急局-黄涛：【通知】请各乡镇（街道）于3月12日前报送森林防火隐患排查台账，逾期通报。]"]]
    excel = weflow_workbook(tmp_path / "应急.xlsx", rows, chat=("38988428513@chatroom", "袁州区应急管理工作群"))
    assert "new 2" in ingest(qunguan, db_path, excel).stdout
    assert "new 2\talready present 2" in ingest(qunguan, db_path, fixtures / "chatlab.json").stdout


def test_a_roster_on_another_sheet_is_passed_over_and_a_renamed_or_protected_workbook_is_named(qunguan, db_path, tmp_path):
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表为2025年第一季度在岗人员名单"])
    names = book.create_sheet("花名册")
    names.append(["姓名", "单位", "职务", "微信号"])
    names.append(["刘洋", "黄坑乡", "副乡长", "wxid_liuyang02"])
    book.save(tmp_path / "人员.xlsx")
    with zipfile.ZipFile(tmp_path / "通知.xlsx", "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "加密.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    good = weflow_workbook(tmp_path / "good.xlsx", WEFLOW_ROWS)
    for name, kept in (("坏表.xlsx", 2 / 3), ("坏表头.xlsx", 1 / 5)):  # the sheet's XML cut off in its rows, in its preamble
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(tmp_path / name, "w") as bad:
            for item in src.infolist():
                data = src.read(item)
                bad.writestr(item, data[: int(len(data) * kept)] if item.filename.endswith("sheet1.xml") else data)
    result = ingest(qunguan, db_path, tmp_path / "人员.xlsx", tmp_path / "通知.xlsx", tmp_path / "加密.xlsx",
                    tmp_path / "坏表.xlsx", tmp_path / "坏表头.xlsx")
    out = result.stdout + result.stderr
    assert "人员.xlsx: skipped, a real-name roster" in out
    assert "a Word document (.docx) named .xlsx" in out
    assert "a password-protected Excel workbook" in out
    assert out.count("it is damaged") == 2 and "please report" not in out


def test_chatlab_names_senders_from_members_and_reads_types_written_as_strings(qunguan, db_path, query, tmp_path):
    # Names on messages are optional (some exporters leave them out); types arrive as "20".
    lines = ['{"_type":"header","chatlab":{"version":"0.0.2","exportedAt":1741579200},'
             '"meta":{"name":"湖田乡防汛群","platform":"wechat","type":"group"}}',
             '{"_type":"member","platformId":"wxid_ht_liming","accountName":"李明","groupNickname":"湖田乡-李明"}',
             '{"_type":"message","sender":"wxid_ht_liming","timestamp":1741573805,"type":"20","content":"[红包]辛苦了"}',
             '{"_type":"message","sender":"wxid_ht_liming","timestamp":1741573806,"type":true,"content":"?"}']
    path = tmp_path / "湖田乡.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "new 2" in ingest(qunguan, db_path, path).stdout
    rows = query("select kind, me.display_name from messages m join members me on me.id = m.member_id order by m.id")
    assert rows == [{"kind": "red_packet", "display_name": "湖田乡-李明"}, {"kind": "other", "display_name": "湖田乡-李明"}]


@pytest.mark.parametrize("batch", [5000, 2])
def test_a_message_pasted_twice_into_an_export_with_ids_takes_one_archived_twin(qunguan, db_path, query, tmp_path,
                                                                               monkeypatch, batch):
    # The Excel export holds two identical 收到 in one second; the JSON of the chat holds
    # the first of them twice (an overlapping paste), then the second: the archive keeps
    # two 收到, each with its own id. With batches of 2, the repeat comes in a later batch.
    from ingest import save

    monkeypatch.setattr(save, "BATCH", batch)
    reply = ["2025-03-03 09:01:10", "刘洋", "wxid_liuyang02", "", "黄坑乡-刘洋", "黄坑乡-刘洋", "文本消息", "收到"]
    ingest(qunguan, db_path, weflow_workbook(tmp_path / "群.xlsx", [[1, *reply], [2, *reply]]))
    messages = [{"localId": n, "createTime": 1740963670, "localType": 1, "content": "收到", "senderUsername": "wxid_liuyang02",
                 "senderDisplayName": "黄坑乡-刘洋", "platformMessageId": str(8100 + n)} for n in (1, 1, 2)]
    doc = {"session": {"wxid": "47712345678@chatroom", "displayName": "黄坑乡防汛工作群"}, "messages": messages}
    (tmp_path / "群.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = save.ingest_paths(open_archive(str(db_path)), [str(tmp_path / "群.json")])
    assert [(r.new, r.duplicate, r.refused) for r in result] == [(0, 3, None)]
    assert query("select source_id from messages order by id") == [{"source_id": "8101"}, {"source_id": "8102"}]


def test_messages_a_weflow_export_numbers_zero_stay_apart(qunguan, db_path, query, fixtures, tmp_path):
    doc = json.loads((fixtures / "weflow.json").read_text(encoding="utf-8"))
    for message in doc["messages"][:2]:
        message["platformMessageId"] = "0"  # what exporters write for a message the server numbered not
    path = tmp_path / "weflow.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "new 3\talready present 0" in ingest(qunguan, db_path, path).stdout
    assert query("select count(*) n from messages where source_id is null") == [{"n": 2}]


def test_memotrace_2_keeps_a_replys_words_and_a_files_title_and_meets_weflows_quote(qunguan, db_path, query, fixtures,
                                                                                   tmp_path):
    header = "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
    quote = ('"<msg><appmsg><title>收到</title><type>57</type><refermsg><content>请各卫生院周五前上报疫苗接种进度'
             '</content></refermsg></appmsg></msg>"')
    document = '"<msg><appmsg><title><![CDATA[疫苗接种进度表.xlsx]]></title><type>6</type></appmsg></msg>"'
    export = tmp_path / "樟树市卫健工作群_utf8.csv"
    export.write_text(header + f"2,7,49,57,1,1740963700,2,{quote},,我,我,wxid_me\n"
                      f"3,7,49,6,0,1740963800,2,{document},,卫健委-王军,王军,wxid_wj01\n", encoding="utf-8-sig")
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    result = ingest(qunguan, db_path, export)
    assert "new 1\talready present 1" in result.stdout  # the reply is WeFlow's quote
    assert query("select kind, text from messages where kind = 'file'") == [{"kind": "file", "text": "疫苗接种进度表.xlsx"}]


def test_chatlab_lines_of_two_chats_put_together_go_to_their_own_groups(qunguan, db_path, query, fixtures, tmp_path):
    lines = (fixtures / "chatlab.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["meta"].update(groupId="999@chatroom", name="县纪委工作群")
    merged = tmp_path / "merged.jsonl"
    merged.write_text("\n".join(lines + [json.dumps(header, ensure_ascii=False)] + lines[1:]) + "\n", encoding="utf-8")
    ingest(qunguan, db_path, merged)
    assert query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id group by g.name "
                 "order by g.name") == [{"name": "县纪委工作群", "n": 3}, {"name": "湖田乡防汛群", "n": 3}]


def _memotrace_office_export(folder, fixtures):
    """A MemoTrace 2025 export folder where the clerk ticked Word and Excel, not CSV: the
    chat's .docx (author "MemoTrace") and .xlsx (a 聊天记录 sheet with the CSV's header),
    beside a picture of the chat and a Word attachment someone sent in it."""
    import zipfile

    import openpyxl

    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.create_sheet("聊天记录", 0)
    book.create_sheet("成员信息", 1)
    sheet.append(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
    sheet.append(["9100000000000000001", "文本", "王建国", "2025-03-03 09:00:05", "收到", "王建国", "王建国", "more"])
    book.save(folder / "防汛工作群.xlsx")
    for name, author in (("防汛工作群_1.docx", "MemoTrace"), ("防汛预案.docx", "县应急局")):
        with zipfile.ZipFile(folder / name, "w") as document:
            document.writestr("[Content_Types].xml", "<Types/>")
            document.writestr("word/document.xml", "<w:document/>")
            document.writestr("docProps/core.xml", f"<cp:coreProperties><dc:creator>{author}</dc:creator></cp:coreProperties>")
    shutil.copy(fixtures / "photo.png", folder)


def test_a_memotrace_word_or_excel_export_says_to_export_csv_and_attachments_stay_quiet(qunguan, db_path, fixtures,
                                                                                      tmp_path):
    # The admin hands over only what MemoTrace wrote in Word and Excel: told why nothing was
    # read and what to do, not "skipped" like the chat's pictures and attachments.
    folder = tmp_path / "防汛工作群(45628193047@chatroom)"
    _memotrace_office_export(folder, fixtures)
    result = qunguan("ingest", tmp_path, "--db", db_path, "--silent")
    assert result.exit_code == 1
    assert (f"refused {folder / '防汛工作群_1.docx'}: a MemoTrace Word export, which qunguan does not read (it gives a "
            "time only every few minutes, not per message): export the chat from MemoTrace as CSV and ingest that") in result.stderr
    assert f"refused {folder / '防汛工作群.xlsx'}: a MemoTrace Excel export, which qunguan does not read" in result.stderr
    assert f"{folder / '防汛预案.docx'}: skipped, an Office document (.docx), not a chat export" in result.stderr
    assert f"{folder / 'photo.png'}: skipped, a PNG image" in result.stderr
    alone = qunguan("ingest", folder / "防汛工作群_1.docx", "--db", db_path, "--silent")
    assert alone.exit_code == 1 and "a MemoTrace Word export" in alone.stderr


def test_a_notice_about_memotrace_is_an_ordinary_word_document(qunguan, db_path, tmp_path):
    # Only MemoTrace as the document's author makes it MemoTrace's export: a notice whose
    # title or subject names the tool, written by the county, is an attachment like any other.
    import zipfile

    notice = tmp_path / "关于规范使用MemoTrace导出聊天记录的通知.docx"
    with zipfile.ZipFile(notice, "w") as document:
        document.writestr("[Content_Types].xml", "<Types/>")
        document.writestr("word/document.xml", "<w:document/>")
        document.writestr("docProps/core.xml", "<cp:coreProperties><dc:title>关于规范使用MemoTrace导出聊天记录的通知</dc:title>"
                                               "<dc:subject>MemoTrace</dc:subject><dc:creator>县委办</dc:creator>"
                                               "<cp:keywords>MemoTrace</cp:keywords><cp:lastModifiedBy>王建国</cp:lastModifiedBy>"
                                               "</cp:coreProperties>")
    result = qunguan("ingest", tmp_path, "--db", db_path, "--silent")
    assert "MemoTrace Word export" not in result.stderr
    assert f"{notice}: skipped, an Office document (.docx), not a chat export" in result.stderr


def test_a_memotrace_word_export_beside_the_chats_csv_is_passed_over_with_a_note(qunguan, db_path, fixtures, tmp_path):
    folder = tmp_path / "防汛工作群(45628193047@chatroom)"
    _memotrace_office_export(folder, fixtures)
    shutil.copy(fixtures / "memotrace3-week1.csv", folder / "防汛工作群.csv")
    result = qunguan("ingest", tmp_path, "--db", db_path, "--silent")
    assert result.exit_code == 0, result.stderr
    assert "防汛工作群.csv\tmemotrace3-csv\t防汛工作群\tnew 6\t" in result.stdout
    for name, kind in (("防汛工作群_1.docx", "Word"), ("防汛工作群.xlsx", "Excel")):
        assert (f"{folder / name}: skipped, a MemoTrace {kind} export; the chat's messages are read from 防汛工作群.csv "
                "beside it") in result.stderr
