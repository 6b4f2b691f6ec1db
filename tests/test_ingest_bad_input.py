"""Given messy, truncated or wrong files, valid records are kept, bad ones are reported with
file and line, and files that are not chat exports are refused with one clear line."""
import csv
import json
import shutil

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


@pytest.mark.parametrize("name, kept", [("weflow.json", 2), ("chatlab.json", 2)])
def test_a_json_export_cut_off_keeps_the_messages_before_the_cut(qunguan, db_path, query, fixtures, tmp_path,
                                                                  name, kept):
    # The USB stick was pulled while the export was copied: the file stops inside a message
    # (ChatLab's member list, closed before the messages, is no list of messages).
    whole = (fixtures / name).read_bytes()
    third = whole.index(b"}", whole.index(b'"messages"'))  # inside the messages' list
    for _ in range(kept):
        third = whole.index(b'{"' if name == "chatlab.json" else b"{\n", third + 1)
    cut = tmp_path / name
    cut.write_bytes(whole[:third + 40])
    result = ingest(qunguan, db_path, cut)
    assert result.exit_code == 0, result.stderr
    assert f"new {kept}\talready present 0\trejected 1" in result.stdout
    line = whole[:third].count(b"\n") + 1
    assert (f"{cut}:line {line}: the file ends in the middle of this record: it was cut off (truncated); the messages "
            "before it are read, export the chat again for the rest") in result.stderr
    # The complete export, fetched again, adds the rest (all but a record it rejects of its own).
    again = ingest(qunguan, db_path, fixtures / name)
    new, present, rejected = (int(field.split()[-1]) for field in again.stdout.strip().split("\t")[3:])
    assert present == kept and new + present + rejected == len(json.loads(whole)["messages"]) and new > 0


@pytest.mark.parametrize("name, bad", [
    ("chatlog.json", ('"time": "', '"time": "昨天 ')),
    ("chatlab.json", ('"timestamp": ', '"timestamp": "昨天", "was": ')),
    ("pywxdump/48800011122@chatroom.json", ('"MsgSvrID"', '"MsgSvrId"')),
], ids=["chatlog", "chatlab", "pywxdump"])
def test_a_bad_message_of_a_json_export_is_named_by_its_line(qunguan, db_path, query, fixtures, tmp_path, name, bad):
    # Pretty-printed, one key a line, as the admin opens it in Notepad to mend it; it was
    # named "record 2", which Notepad does not count.
    whole = json.loads((fixtures / name).read_text(encoding="utf-8"))
    text = json.dumps(whole, ensure_ascii=False, indent=2)
    second = text.index(bad[0], text.index(bad[0]) + 1)  # in the second message
    path = tmp_path / "48800011122@chatroom.json"
    path.write_text(text[:second] + bad[1] + text[second + len(bad[0]):], encoding="utf-8")
    result = ingest(qunguan, db_path, path, group="g")
    assert "rejected 1" in result.stdout, result.stderr
    # The line its message opens on: "{", indented as the list's elements are.
    indent = "\n  {" if isinstance(whole, list) else "\n    {"
    line = text[:text.rindex(indent, 0, second) + 1].count("\n") + 1
    assert f"48800011122@chatroom.json:line {line}: " in result.stderr
    assert query("select line, record from rejects") == [{"line": line, "record": 2}]


@pytest.mark.parametrize("indent, said, line", [
    (None, "record 2", None),  # chatlog writes its JSON on one line: every message on line 1
    (1, "line 15", 15),
], ids=["one line", "pretty-printed"])
def test_a_bad_message_of_a_json_export_on_one_line_is_named_by_its_number(qunguan, db_path, query, fixtures, tmp_path,
                                                                            indent, said, line):
    items = json.loads((fixtures / "chatlog.json").read_text(encoding="utf-8"))
    items[1] = "not a message"
    path = tmp_path / "chatlog.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=indent), encoding="utf-8")
    result = ingest(qunguan, db_path, path, group="g")
    assert f"chatlog.json:{said}: record lacks time/talker/type" in result.stderr
    assert query("select line, record from rejects") == [{"line": line, "record": 2}]


def test_a_json_export_cut_right_after_a_message_says_so_not_that_a_record_was_cut(qunguan, db_path, fixtures,
                                                                                  tmp_path):
    # The copy stopped just after the first message's closing brace: that message is whole,
    # and what the admin must hear is that the file stops there, not that a record was cut.
    whole = (fixtures / "weflow.json").read_text(encoding="utf-8")
    cut = tmp_path / "weflow.json"
    cut.write_text(whole[:whole.index("    },", whole.index('"messages"')) + 6], encoding="utf-8")
    result = ingest(qunguan, db_path, cut)
    assert "new 1\talready present 0\trejected 1" in result.stdout
    assert "the file ends here, after a whole message: it was cut off (truncated)" in result.stderr
    assert "in the middle of this record" not in result.stderr


def test_a_whole_json_export_with_a_quote_typed_into_a_message_is_refused_not_read_as_cut(qunguan, db_path, query,
                                                                                         fixtures, tmp_path):
    # A clerk opened the WeFlow export in Notepad and typed a quote into the second message:
    # the file is whole, its messages after that one are valid. Reading it as cut off there
    # would file only the first and drop the others under a "truncated" reject.
    edited = tmp_path / "weflow.json"
    edited.write_text((fixtures / "weflow.json").read_text(encoding="utf-8").replace("收到[引用", '收到"[引用', 1),
                      encoding="utf-8")
    result = ingest(qunguan, db_path, edited)
    assert result.exit_code == 1
    assert f"refused {edited}: not valid JSON (Expecting ',' delimiter: line 33" in result.stderr
    assert "mend it there" in result.stderr and "truncated" not in result.stderr
    assert query("select count(*) n from messages") == [{"n": 0}]


def test_a_json_file_with_a_mistake_inside_is_still_refused_whole(qunguan, db_path, fixtures, tmp_path):
    broken = tmp_path / "weflow.json"
    broken.write_text((fixtures / "weflow.json").read_text(encoding="utf-8").replace('"messages": [', '"messages": [}', 1),
                      encoding="utf-8")
    result = ingest(qunguan, db_path, broken)
    assert result.exit_code == 1 and "not valid JSON" in result.stderr


def test_unparseable_times_are_rejected_with_their_line_numbers(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "memotrace3-bad-times.csv", group="g")
    assert result.exit_code == 0
    assert "new 2\talready present 0\trejected 2" in result.stdout
    assert [r["line"] for r in query("select line from rejects order by line")] == [3, 4]
    assert "bad-times.csv:line 3: unreadable time '2025-13-45 99:00:00'" in result.stderr


@pytest.mark.parametrize("name, says", [
    ("memotrace-ai.json", "AI training"),
    ("memotrace-ai-alpaca.json", "AI training"),  # the list MemoTrace writes by default
    ("memotrace-ai-glm4.json", "AI training"),
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


@pytest.mark.parametrize("name, key", [("weflow.json", '"messages"'), ("chatlog.json", '"isChatRoom"')])
def test_a_json_export_cut_off_before_its_messages_says_it_was_cut(qunguan, db_path, fixtures, tmp_path, name, key):
    # Cut before what tells its exporter, it was refused as "JSON of an unknown shape" (the
    # admin looked for another tool rather than copying the file again), or, a WeFlow export
    # naming its chat's wxid and nickname, passed over as PyWxDump's users.json, unsaid.
    whole = (fixtures / name).read_text(encoding="utf-8")
    cut = tmp_path / name
    cut.write_text(whole[:whole.index(key) - 3], encoding="utf-8")
    result = ingest(qunguan, db_path, cut, group="g")
    line = whole[:whole.index(key) - 3].count("\n") + 1
    assert f"refused {cut}: JSON cut off (truncated) at line {line}, before anything that tells which export it is" \
        in result.stderr
    # Whole, the same document of no chat's shape is still called so, and so is a big one
    # whose first 64 KiB alone were looked at.
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"data": [{"id": i, "note": "说明" * 20} for i in range(2000)]}), encoding="utf-8")
    for path in (fixtures / "unknown-shape.json", big):
        assert "JSON of an unknown shape" in ingest(qunguan, db_path, path, group="g").stderr


def test_a_users_json_naming_a_contact_weflow_is_still_passed_over(qunguan, db_path, tmp_path):
    # The test that tells a cut WeFlow export from PyWxDump's users.json looks for WeFlow's
    # key: a contact nicknamed weflow made the names file a refused file, exit status 1.
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"wxid_a": {"wxid": "wxid_a", "nickname": "weflow", "remark": ""}}, indent=4),
                     encoding="utf-8")
    result = ingest(qunguan, db_path, users)
    assert result.exit_code == 0 and "skipped, PyWxDump users.json" in result.stderr, result.stderr


def test_a_register_or_posts_export_in_a_weeks_folder_is_passed_over_naming_its_command(qunguan, db_path, query,
                                                                                         fixtures, tmp_path):
    # The office hands over one folder: the chats, the 台账, a back end's posts. Those two
    # were refused as "not a chat export …: ingest it alone with --format", exit status 1.
    week = tmp_path / "第12周"
    week.mkdir()
    shutil.copy(fixtures / "newmedia" / "台账-gb18030.csv", week / "台账.csv")
    shutil.copy(fixtures / "newmedia" / "posts.csv", week / "发文.csv")
    shutil.copy(fixtures / "memotrace3-week1.csv", week / "防火群.csv")
    # A clerk's table headed 时间, 内容 with no link or count is neither, and still refused.
    (week / "会议.csv").write_text("时间,类型,内容,备注\n2025-03-03,会议,开会,\n", encoding="utf-8")
    result = ingest(qunguan, db_path, week)
    assert "发文.csv: skipped, new-media posts: load them with `qunguan posts import FILE`" in result.stderr
    assert "台账.csv: skipped, a new-media account register (台账): load it with `qunguan accounts import FILE`" \
        in result.stderr
    assert f"refused {week / '会议.csv'}: not a chat export" in result.stderr
    assert "new 6" in result.stdout and query("select count(*) n from messages") == [{"n": 6}]


def test_the_pictures_and_attachments_an_export_folder_keeps_are_passed_over_not_refused(qunguan, db_path, fixtures,
                                                                                          tmp_path):
    import openpyxl
    import shutil
    import zipfile

    # MemoTrace keeps what was sent in the chat beside it: pictures, a PDF, an Excel template.
    folder = tmp_path / "城关镇防汛群(45600011122@chatroom)"
    (folder / "image").mkdir(parents=True)
    (folder / "file").mkdir()
    shutil.copy(fixtures / "memotrace3-week1.csv", folder / "城关镇防汛群.csv")
    shutil.copy(fixtures / "photo.png", folder / "image" / "b798abe6.png")
    (folder / "file" / "通知.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    book = openpyxl.Workbook()
    book.active.append(["村名", "隐患数", "整改情况"])
    book.save(folder / "file" / "隐患排查台账模板.xlsx")
    with zipfile.ZipFile(folder / "file" / "防汛通.apk", "w") as app:  # a zip of its own, not of exports
        app.writestr("AndroidManifest.xml", "<manifest/>")
    week = tmp_path / "第1周.zip"
    with zipfile.ZipFile(week, "w") as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(tmp_path))
    for given in (folder, week):
        result = ingest(qunguan, db_path, given)
        assert result.exit_code == 0, result.stderr
        assert "城关镇防汛群.csv\tmemotrace3-csv\t城关镇防汛群\t" in result.stdout
        assert "b798abe6.png: skipped, a PNG image, not a chat export" in result.stderr
        assert "通知.pdf: skipped, a PDF document" in result.stderr
        assert "隐患排查台账模板.xlsx: skipped, an Excel workbook without WeFlow's 聊天记录 sheet" in result.stderr
        assert "防汛通.apk: skipped" in result.stderr
        assert "refused" not in result.stderr and "未能导入" not in result.stderr
    # Named on its own, a picture is refused: the admin meant it for a chat.
    alone = ingest(qunguan, db_path, folder / "image" / "b798abe6.png")
    assert alone.exit_code == 1 and "refused" in alone.stderr and "a PNG image, not a chat export" in alone.stderr


def test_an_export_folder_of_many_pictures_is_read_file_by_file_not_listed_whole_first(qunguan, db_path, fixtures,
                                                                                       tmp_path):
    import shutil
    import tracemalloc

    # MemoTrace's image folder of a busy group holds thousands of pictures. Each file read
    # knows the files beside it; listed all at once (to read those named like a copy last),
    # 2,000 pictures held 4 million such names, over 2 GB. Here 200 of them, a tenth of that.
    folder = tmp_path / "城关镇防汛群(45600011122@chatroom)"
    (folder / "image").mkdir(parents=True)
    shutil.copy(fixtures / "memotrace3-week1.csv", folder / "城关镇防汛群.csv")
    for number in range(200):
        (folder / "image" / f"{number:08x}.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    tracemalloc.start()
    try:
        result = ingest(qunguan, db_path, folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "城关镇防汛群.csv\tmemotrace3-csv\t城关镇防汛群\t" in result.stdout
    assert "跳过 200 个不是聊天记录的文件" in result.stderr
    assert peak < 15 << 20, f"{peak >> 20} MB"


def test_a_zip_of_exports_inside_the_weeks_zip_or_saved_without_zip_is_refused_not_passed_over(
        qunguan, db_path, fixtures, tmp_path):
    import zipfile

    # The county's week: each township sent its group's zip, collected in one zip; a
    # browser saved another township's download without its .zip.
    township = tmp_path / "城关镇.zip"
    with zipfile.ZipFile(township, "w") as zf:
        zf.write(fixtures / "chatlog.csv", "chatlog.csv")
    week = tmp_path / "第1周.zip"
    with zipfile.ZipFile(week, "w") as zf:
        zf.write(township, "城关镇.zip")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "黄坑乡").write_bytes(township.read_bytes())
    for given, name in ((week, f"{week}!城关镇.zip"), (folder, f"{folder / '黄坑乡'}")):
        result = ingest(qunguan, db_path, given)
        assert result.exit_code == 1
        assert f"refused {name}: a zip (inside a zip, not named .zip, or damaged)" in result.stderr
        assert "1 个文件未能导入" in result.stderr


def test_a_chat_export_a_crash_zeroed_a_block_of_is_refused_in_a_folder_not_passed_over(qunguan, db_path, fixtures,
                                                                                        tmp_path):
    # The USB stick was pulled while the week's folder was copied: the filesystem left 4 KB
    # of the chatlog export as NUL bytes. It looks binary, but it is the group's chat, and
    # the admin must hear that it was not read, not see a successful run of nothing.
    folder = tmp_path / "week"
    folder.mkdir()
    lines = (fixtures / "chatlog.csv").read_bytes().split(b"\n")
    export = lines[0] + b"\n" + b"\n".join(lines[1:] * 30)
    (folder / "袁州区平安建设群.csv").write_bytes(export[:4000] + b"\x00" * 4096 + export[8096:])
    result = ingest(qunguan, db_path, folder)
    assert result.exit_code == 1
    assert "袁州区平安建设群.csv: a binary file, not a chat export, though named like one" in result.stderr
    assert "1 个文件未能导入" in result.stderr


def test_two_note_columns_added_without_headings_are_kept_not_taken_for_a_column_named_twice(qunguan, db_path, query,
                                                                                            fixtures, tmp_path):
    # A clerk inserted two columns in Excel for her notes and left their headings empty.
    with open(fixtures / "chatlog.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    noted = tmp_path / "chatlog.csv"
    with open(noted, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([row[:3] + (["", ""] if i == 0 else ["已通知", "待回复"]) + row[3:]
                                 for i, row in enumerate(rows)])
    result = ingest(qunguan, db_path, noted, group="g")
    assert result.exit_code == 0, result.stderr
    assert f"new {len(rows) - 1}\talready present 0\trejected 0" in result.stdout
    raw = json.loads(query("select raw from messages order by id limit 1")[0]["raw"])
    assert raw["column 4"] == "已通知" and raw["column 5"] == "待回复"


def test_a_note_typed_in_the_column_after_the_last_heading_keeps_its_message(qunguan, db_path, query, fixtures,
                                                                             tmp_path):
    # Checking the week's chatlog export in Excel, the clerk wrote 已通知 beside the first
    # message, in the empty column after Content: that message is as valid as the others.
    with open(fixtures / "chatlog.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    noted = tmp_path / "chatlog.csv"
    with open(noted, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([row + (["已通知"] if i == 1 else [""]) for i, row in enumerate(rows)])
    result = ingest(qunguan, db_path, noted, group="g")
    assert f"new {len(rows) - 1}\talready present 0\trejected 0" in result.stdout, result.stderr
    raw = json.loads(query("select raw from messages order by id limit 1")[0]["raw"])
    assert raw["column 7"] == "已通知"


def test_a_refused_file_does_not_stop_the_others(qunguan, db_path, query, fixtures):
    result = ingest(qunguan, db_path, fixtures / "empty.txt", fixtures / "memotrace3-week1.csv", group="g")
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


@pytest.mark.parametrize("fmt, file", [
    ("pywxdump-csv", "chatlog.csv"), ("memotrace-csv", "weflow.json"), ("memotrace3-csv", "pasted.txt"),
    ("weflow-json", "chatlog.json"), ("weflow-json", "pywxdump/48800011122@chatroom.json"),
])
def test_a_format_forced_on_a_file_of_another_says_what_it_expected(qunguan, db_path, fixtures, fmt, file):
    result = qunguan("ingest", fixtures / file, "--db", db_path, "--group", "g", "--format", fmt, "--silent")
    assert result.exit_code == 1 and f"refused {fixtures / file}: " in result.stderr
    assert "please report" not in result.stderr and ("this format's is" in result.stderr or "not WeFlow's" in result.stderr)


@pytest.mark.parametrize("fmt", ["weflow-json", "chatlog-json", "pywxdump-json", "chatlab-json", "memotrace3-json"])
def test_a_json_format_forced_on_a_csv_says_it_is_no_json_not_that_it_was_cut_off(qunguan, db_path, fixtures, fmt):
    result = qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--format", fmt, "--silent")
    assert result.exit_code == 1
    assert "not JSON (its first line is '消息ID,类型,发送人,时间,内容,备注,昵称,更多信息'); check --format" in result.stderr
    assert "truncated" not in result.stderr


def test_a_csv_format_forced_on_a_file_whose_first_line_is_no_csv_says_so(qunguan, db_path, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text('"a quote that never closes\nanother line\n', encoding="utf-8")
    result = qunguan("ingest", path, "--db", db_path, "--group", "g", "--format", "memotrace-csv", "--silent")
    assert result.exit_code == 1 and "line 1: not a CSV header" in result.stderr and "please report" not in result.stderr


def test_a_pywxdump_json_record_without_its_chat_or_sender_flag_is_still_read(qunguan, db_path, query, fixtures, tmp_path):
    records = json.loads((fixtures / "pywxdump/48800011122@chatroom.json").read_text(encoding="utf-8"))
    for record in records:
        record.pop("room_name", None), record.pop("is_sender", None)
    path = tmp_path / "48800011122@chatroom.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = qunguan("ingest", path, "--db", db_path, "--group", "返乡群", "--silent")
    assert result.exit_code == 0 and query("select count(*) n from messages")[0]["n"] == len(records)


def test_a_rejected_json_record_holding_half_an_emoji_is_kept_readable(qunguan, db_path, query, tmp_path):
    path = tmp_path / "weflow.json"
    path.write_text('{"session": {"displayName": "g"}, "messages": [{"content": "\\ud83d 收到", "localType": 1}]}',
                    encoding="utf-8")
    result = qunguan("ingest", path, "--db", db_path, "--silent")
    assert "rejected 1" in result.stdout and "please report" not in result.stderr
    assert "?" in query("select raw from rejects")[0]["raw"]


def test_a_mistyped_path_among_others_is_refused_and_the_others_are_read(qunguan, db_path, query, fixtures, tmp_path):
    result = qunguan("ingest", tmp_path / "nope.csv", fixtures / "memotrace3-week1.csv", "--db", db_path,
                     "--group", "g", "--silent")
    assert result.exit_code == 1
    assert f"refused {tmp_path / 'nope.csv'}: no such file or directory" in " ".join(result.stderr.split())
    assert "memotrace3-week1.csv" in result.stdout and query("select count(*) n from messages")[0]["n"] > 0


def test_brackets_in_a_file_name_or_a_record_are_printed_as_they_are(qunguan, db_path, tmp_path, fixtures):
    # Rich reads [b] and [/b] as markup: unescaped, names lose them and a stray [/b] stops the run.
    named = tmp_path / "周报[b][v2].csv"
    named.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                     "9400000000000000001,文本,张三,[/b],请报送台账,,,more\n"
                     "9400000000000000002,文本,张三,2025-03-03 09:00:00,请报送台账,,,more\n", encoding="utf-8")
    result = qunguan("ingest", named, fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "g", "--silent")
    assert result.exit_code == 0
    stderr = " ".join(result.stderr.split())
    assert "周报[b][v2].csv:line 2" in stderr and "'[/b]'" in stderr
    assert "memotrace3-week1.csv" in result.stdout


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


@pytest.mark.parametrize("bug", [KeyError("a reader's bug"),
                                 # a decoding error too, though ingest retries decoding errors of its own
                                 UnicodeDecodeError("utf-8", b"\xff", 0, 1, "a reader's bug")])
def test_a_file_a_reader_fails_on_is_refused_and_the_others_are_read(qunguan, db_path, query, fixtures, monkeypatch,
                                                                     bug):
    from ingest.formats import memotrace

    def broken(lines, ctx):
        raise bug
        yield

    monkeypatch.setattr(memotrace.V3Csv, "parse", staticmethod(broken))
    result = ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", fixtures / "chatlog.json", group="g")
    assert result.exit_code == 1
    assert f"memotrace3-week1.csv: could not be read ({type(bug).__name__}" in result.stderr
    assert query("select count(*) n from messages")[0]["n"] == 2  # the chatlog file's


def test_a_csv_resaved_by_excel_keeps_every_message_though_its_ids_were_rounded(qunguan, db_path, query, fixtures, tmp_path):
    """Excel writes GBK, CRLF, and 9.1E+18 for every 19-digit id: the ids say nothing then."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO((fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out).writerows([rows[0]] + [["9.1E+18", *row[1:]] for row in rows[1:]])  # CRLF, as Excel
    path = tmp_path / "防火群.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    result = ingest(qunguan, db_path, path)
    assert "new 6\talready present 0\trejected 0" in result.stdout
    assert query("select count(*) n from messages where source_id is not null")[0]["n"] == 0


def test_the_same_reply_twice_with_another_message_between_is_two_messages(qunguan, db_path, query, tmp_path):
    path = tmp_path / "chatlog.csv"
    path.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                    "2025-03-03 09:01:40,李明,wxid_lm,防火群,1@chatroom,收到\n"
                    "2025-03-03 09:01:40,张丽,wxid_zl,防火群,1@chatroom,收到\n"
                    "2025-03-03 09:01:40,李明,wxid_lm,防火群,1@chatroom,收到\n", encoding="utf-8")
    assert "new 3\talready present 0" in ingest(qunguan, db_path, path).stdout
    assert "new 0\talready present 3" in ingest(qunguan, db_path, path).stdout


def test_a_utf8_file_whose_first_lines_include_one_saved_in_gbk_is_read_without_mojibake(qunguan, db_path, query, tmp_path):
    # The UTF-8 bytes of 张丽 and 收到 also read as GB18030 (as 寮犱附 and 鏀跺埌).
    header = "Time,SenderName,Sender,TalkerName,Talker,Content\n".encode("utf-8")
    line = "2025-03-03 09:0{i}:00,张丽,wxid_zl,g,1@chatroom,{text}\n"
    path = tmp_path / "chatlog.csv"
    path.write_bytes(header + line.format(i=1, text="收到").encode("utf-8")
                     + line.format(i=2, text="好的，马上办").encode("gb18030")
                     + line.format(i=3, text="收到").encode("utf-8"))
    ingest(qunguan, db_path, path)
    assert [r["text"] for r in query("select text from messages order by sent_at")] == ["收到", "好的，马上办", "收到"]
    assert {r["display_name"] for r in query("select display_name from members")} == {"张丽"}


def test_a_header_with_a_stray_empty_column_is_read_and_a_missing_column_refuses_the_file(qunguan, db_path, query, fixtures, tmp_path):
    import csv
    import io

    rows = (fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").splitlines()
    stray = tmp_path / "stray.csv"
    stray.write_text("\n".join(row + "," for row in rows) + "\n", encoding="utf-8-sig")
    assert "new 6\talready present 0\trejected 0" in ingest(qunguan, db_path, stray, group="g").stdout
    missing = tmp_path / "missing.csv"
    table = io.StringIO()
    csv.writer(table).writerows(row[:2] + row[3:] for row in csv.reader(rows))  # 发送人 deleted
    missing.write_text(table.getvalue(), encoding="utf-8-sig")
    result = qunguan("ingest", missing, "--db", db_path, "--group", "g", "--format", "memotrace3-csv", "--silent")
    assert result.exit_code == 1 and "the header is" in result.stderr and "(发送人 missing)" in result.stderr


def test_a_csv_whose_columns_were_moved_added_or_its_noise_deleted_in_excel_reads_the_same(qunguan, db_path, query,
                                                                                          fixtures, tmp_path):
    import csv
    import io

    rows = list(csv.reader((fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").splitlines()))
    ingest(qunguan, db_path, fixtures / "memotrace3-week1.csv", group="防火群")
    # The admin put 时间 first, added a column of notes, and deleted MemoTrace's "more" column.
    edits = {"moved.csv": [[row[3], *row[:3], *row[4:]] for row in rows],
             "noted.csv": [row + (["核查备注"] if i == 0 else ["已阅"]) for i, row in enumerate(rows)],
             "trimmed.csv": [row[:7] for row in rows]}
    for name, edited in edits.items():
        table = io.StringIO()
        csv.writer(table).writerows(edited)
        (tmp_path / name).write_text(table.getvalue(), encoding="utf-8-sig")
        result = ingest(qunguan, db_path, tmp_path / name, group="防火群")
        assert result.exit_code == 0, result.stderr
        assert "new 0\talready present 6\trejected 0" in result.stdout, name
    # Read into an archive of its own, the added column is kept in each message's record.
    import sqlite3

    assert "new 6" in ingest(qunguan, tmp_path / "fresh.db", tmp_path / "noted.csv", group="防火群").stdout
    with sqlite3.connect(tmp_path / "fresh.db") as fresh:
        assert fresh.execute("select count(*) from messages where raw like '%\"核查备注\":\"已阅\"%'").fetchone() == (6,)


def test_two_memotrace_exports_joined_into_one_file_read_their_ids_and_store_each_message_once(
        qunguan, db_path, query, fixtures, tmp_path):
    # The clerk joined the two weeks with `copy /b 第9周.csv+第10周.csv 防火群.csv`: the second
    # file's BOM and header now stand in the middle. Week 10 repeats two of week 9's messages.
    week9, week10 = (fixtures / "memotrace3-week1.csv").read_bytes(), (fixtures / "memotrace3-week2.csv").read_bytes()
    assert week10.startswith("\ufeff".encode())
    joined = tmp_path / "防火群.csv"
    joined.write_bytes(week9 + week10)
    result = ingest(qunguan, db_path, joined)
    assert result.exit_code == 0, result.stderr
    # The header again is no record, and the BOM does not stick to the first message id.
    assert "\tnew 8\talready present 2\trejected 0" in result.stdout, result.stderr
    assert query("select count(*) n from messages where source_id is null") == [{"n": 0}]
    again = ingest(qunguan, db_path, fixtures / "memotrace3-week2.csv", group="防火群")
    assert "new 0\talready present 4" in again.stdout


@pytest.mark.parametrize("blank", [",,,,,,,", " , ,,,,,,", ",,,,,,,,,,"])
def test_rows_excel_left_empty_are_no_records_and_a_row_with_only_an_id_is_rejected(qunguan, db_path, query, fixtures,
                                                                                   tmp_path, blank):
    # Rows once formatted, then cleared, come out of Excel as commas alone (as wide as the
    # sheet's used range); a space may be left in a cell. They hold no message.
    week = (fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").rstrip("\r\n")
    saved = tmp_path / "防火群.csv"
    saved.write_text(f"{week}\r\n{blank}\r\n{blank}\r\n", encoding="utf-8-sig")
    result = ingest(qunguan, db_path, saved)
    assert result.exit_code == 0 and "rejected" not in result.stderr, result.stderr
    assert "\tnew 6\talready present 0\trejected 0" in result.stdout
    # A row that still holds something is a record: one with only its id left is named.
    saved.write_text(f"{week}\r\n9100000000000000099,,,,,,,\r\n", encoding="utf-8-sig")
    kept = ingest(qunguan, db_path, saved)
    assert f"rejected {saved}:line 9: unreadable time ''" in kept.stderr
    assert "\tnew 0\talready present 6\trejected 1" in kept.stdout


def test_a_memotrace_2_csv_without_the_columns_it_repeats_or_never_fills_reads_the_same(qunguan, db_path, fixtures,
                                                                                        tmp_path):
    # The admin deleted what MemoTrace 2.0 writes as noise: the row ids, the chat's id on
    # every row, the DB status ("没啥用"), the time again as text. The messages are whole.
    with open(fixtures / "防汛工作群_utf8.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    kept = [i for i, name in enumerate(rows[0]) if name not in ("localId", "TalkerId", "Status", "StrTime")]
    trimmed = tmp_path / "防汛工作群.csv"
    with open(trimmed, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([[row[i] for i in kept] for row in rows])
    clean = ingest(qunguan, db_path, fixtures / "防汛工作群_utf8.csv")
    result = ingest(qunguan, db_path, trimmed)
    assert result.exit_code == 0, result.stderr
    assert "memotrace-csv\t防汛工作群\tnew 0\talready present 6\trejected 0" in result.stdout, clean.stdout


def test_a_pywxdump_csv_without_its_row_numbers_and_attachment_paths_reads_the_same(qunguan, db_path, fixtures,
                                                                                    tmp_path):
    # The admin deleted PyWxDump's id column (row numbers) and src (the attachments' paths on
    # the exporting PC); users.json stays beside the file for the names.
    chat = fixtures / "pywxdump/wxid_me/csv/48800011122@chatroom"
    with open(chat / "48800011122@chatroom_0_5.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    kept = [i for i, name in enumerate(rows[0]) if name not in ("id", "src")]
    trimmed = tmp_path / "48800011122@chatroom"
    trimmed.mkdir()
    shutil.copy(chat / "users.json", trimmed / "users.json")
    with open(trimmed / "48800011122@chatroom_0_5.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([[row[i] for i in kept] for row in rows])
    ingest(qunguan, db_path, chat / "48800011122@chatroom_0_5.csv", group="返乡群")
    result = ingest(qunguan, db_path, trimmed / "48800011122@chatroom_0_5.csv", group="返乡群")
    assert result.exit_code == 0, result.stderr
    assert "pywxdump-csv\t返乡群\tnew 0\talready present 4\trejected 0" in result.stdout


def test_a_record_with_an_impossible_time_or_a_cut_emoji_does_not_cost_the_others(qunguan, db_path, query, fixtures, tmp_path):
    import json

    doc = json.loads((fixtures / "weflow.json").read_text(encoding="utf-8"))
    doc["messages"][0]["createTime"] *= 1000  # milliseconds where seconds belong
    doc["messages"][1]["content"] = "收到\ud83d"  # an emoji cut in half
    path = tmp_path / "weflow.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = ingest(qunguan, db_path, path)
    assert result.exit_code == 0 and "is not a real date and time" in result.stderr
    assert "收到?" in {r["text"] for r in query("select text from messages")}

    share = tmp_path / "share.txt"
    share.write_text('微信群"防火群"的聊天记录如下:\n\n—————  2024-02-30  —————\n\n李明  09:01\n\n收到\n', encoding="utf-8")
    assert "rejected 1" in ingest(qunguan, db_path, share).stdout


def test_zips_from_any_system_and_a_damaged_member(qunguan, db_path, query, fixtures, tmp_path):
    """Info-ZIP (Linux, macOS) stores UTF-8 names without saying so; Chinese Windows, GBK."""
    import zipfile

    name = "防汛工作群_utf8.csv".encode("utf-8")
    path = tmp_path / "linux.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x" * len(name), (fixtures / "防汛工作群_utf8.csv").read_bytes())
        zf.writestr("broken.csv", "Time,SenderName,Sender,TalkerName,Talker,Content\n")
    data = path.read_bytes().replace(b"x" * len(name), name)
    damaged = data.index(b"PK\x03\x04", data.index(b"PK\x03\x04") + 4)
    path.write_bytes(data[:damaged] + b"XX" + data[damaged + 2:])  # the second member's local header
    result = ingest(qunguan, db_path, path, fixtures / "chatlog.csv")
    assert result.exit_code == 1 and "broken.csv: cannot read" in result.stderr
    assert "broken.csv：压缩包或其中的这个文件已损坏" in result.stderr  # said in Chinese too, not in the OS's English
    assert {r["name"] for r in query("select name from groups")} == {"防汛工作群", "袁州区平安建设群"}


def test_a_full_disk_refuses_the_file_whole_and_says_so(qunguan, db_path, query, fixtures, monkeypatch, tmp_path):
    from ingest import writer

    assert ingest(qunguan, db_path, fixtures / "chatlog.csv").exit_code == 0
    week = tmp_path / "week.csv"  # more than the archive's last pages hold
    with open(week, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
        for i in range(400):
            out.writerow([str(5_000_000_000_000_000_000 + i), "文本", "李明", f"2025-03-03 09:{i // 60:02d}:{i % 60:02d}",
                          f"第{i}条：请各村今天下班前报送防汛物资清单", "", "李明", ""])
    before = query("select count(*) n from messages")[0]["n"]
    connect = writer.connect

    def on_a_full_disk(path, cache_mb):  # the archive may not grow by a single page
        conn = connect(path, cache_mb)
        pages = conn.execute("pragma page_count").fetchone()[0]
        conn.execute(f"pragma max_page_count = {pages}")
        return conn

    monkeypatch.setattr(writer, "connect", on_a_full_disk)
    result = ingest(qunguan, db_path, week, group="防汛工作群")
    assert result.exit_code == 1
    assert "档案所在的磁盘已满：该文件没有保存任何内容" in result.stderr and "the disk holding the archive is full" in result.stderr
    assert "群管自身的问题" not in result.stderr  # not reported as a bug of ours
    assert query("select count(*) n from messages")[0]["n"] == before


def test_copies_of_an_export_and_the_archive_in_the_same_folder_add_nothing(qunguan, tmp_path, fixtures):
    import sqlite3

    folder = tmp_path / "exports"
    folder.mkdir()
    original = (fixtures / "防汛工作群_utf8.csv").read_bytes()
    for name in ("防汛工作群_utf8.csv", "防汛工作群_utf8 (1).csv", "防汛工作群_utf8 - 副本.csv", "防汛工作群_utf8.csv.txt"):
        (folder / name).write_bytes(original)
    archive = folder / "archive.db"
    for _ in range(2):
        assert qunguan("ingest", folder, "--db", archive, "--silent").exit_code == 0
    con = sqlite3.connect(archive)
    assert con.execute("select name, count(*) from messages join groups g on g.id = group_id").fetchall() == [("防汛工作群", 6)]


def test_a_stray_nul_byte_does_not_make_a_text_file_binary(qunguan, db_path, query, fixtures, tmp_path):
    path = tmp_path / "chatlog.csv"
    path.write_bytes((fixtures / "chatlog.csv").read_bytes().replace("夜巡".encode(), "夜\x00巡".encode(), 1))
    assert "new 3" in ingest(qunguan, db_path, path).stdout


def test_a_quote_typed_by_hand_costs_its_own_line_only(qunguan, db_path, query, tmp_path):
    lines = [f"2025-03-03 09:0{i}:00,张丽,wxid_zl,防火群,1@chatroom,第{i}条" for i in range(1, 7)]
    lines[2] = '2025-03-03 09:03:00,张丽,wxid_zl,防火群,1@chatroom,"第3条 改过'
    path = tmp_path / "chatlog.csv"
    path.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(qunguan, db_path, path)
    assert "new 5\talready present 0\trejected 1" in result.stdout
    assert "chatlog.csv:line 4: an unbalanced quote" in result.stderr
    assert [r["text"] for r in query("select text from messages order by sent_at")] == ["第1条", "第2条", "第4条", "第5条", "第6条"]


# Each chat CSV export's header, and its record number i (a minute after the one before)
# holding `text` as written, quotes and all: what a quote typed in Notepad leaves.
CHAT_CSVS = {
    "memotrace": ("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender",
                  lambda i, text: f"{2300 + i},7,1,0,0,{1741000000 + 60 * i},2,{text},2025-03-03 19:{6 + i:02d}:40,,刘洋,wxid_ly"),
    "memotrace3": ("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息",
                   lambda i, text: f"920000000000000000{i},文本,黄坑乡-刘洋,2025-03-03 09:0{i}:00,{text},,,more"),
    "chatlog": ("Time,SenderName,Sender,TalkerName,Talker,Content",
                lambda i, text: f"2025-03-03 09:0{i}:00,刘洋,wxid_ly,防火群,1@chatroom,{text}"),
    "pywxdump": ("id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime",
                 lambda i, text: f"{i + 1},481200000000000000{i},文本,0,wxid_ly,1@chatroom,{text},,2025-03-03 09:0{i}:00"),
}


def chat_csv(tmp_path, export, texts):
    header, record = CHAT_CSVS[export]
    path = tmp_path / "防火群.csv"
    path.write_text("\ufeff" + header + "\r\n" + "".join(record(i, text) + "\r\n" for i, text in enumerate(texts)),
                    encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("export", list(CHAT_CSVS))
@pytest.mark.parametrize("after, tail", [(["已报"], ""), ([], ""), ([], ",,,,,\r\n\r\n")],
                         ids=["a record after", "the last record", "Excel's empty rows after"])
@pytest.mark.parametrize("opened", ['"王五已报', '"王五已报,请查收'], ids=["words", "words with a comma"])
def test_two_quotes_typed_by_hand_a_few_lines_apart_cost_the_first_line_only(qunguan, db_path, query, tmp_path, export,
                                                                             after, tail, opened):
    # The second quote closed the field the first opened: every message between them read
    # as one message's text, of the width the header asks, so nothing was said. On the
    # file's last record too, where no record after it tells the time the export had got to;
    # and when the words typed after the first quote hold a comma (the line is wider).
    texts = ["请各乡镇报送台账", opened, "收到，马上安排", "已报送", '李四已报"'] + after
    path = chat_csv(tmp_path, export, texts)
    path.write_text(path.read_text(encoding="utf-8") + tail, encoding="utf-8", newline="")
    result = ingest(qunguan, db_path, path, group="防火群")
    assert f"new {len(texts) - 1}\talready present 0\trejected 1" in result.stdout, result.stderr
    assert "防火群.csv:line 3: an unbalanced quote" in result.stderr
    # The closing quote's message is kept as written: in a message's text a quote is a character.
    assert [r["text"] for r in query("select text from messages order by sent_at")] == [
        "请各乡镇报送台账", "收到，马上安排", "已报送", '李四已报"'] + after


# A table pasted into a notice, a row of it as wide as the export's records, with a time
# (or, for MemoTrace 2.0, Unix seconds) where the export has its time: the notice is one
# message, sent by one person at one time, whatever its lines look like.
PASTED_TABLES = {
    "memotrace": "名单如下：\n1,2,3,4,5,1741000000,7,8,9,10,11,12\n以上",
    "memotrace3": "请按下表报送：\n序号,单位,姓名,2025-03-05 10:00,联系电话,备注,签到,说明\n1,城关镇,张三,2025-03-05 10:00,139,,,",
    "chatlog": "请按下表安排：\n2025-03-05 10:00:00,城关镇,防火检查,张三,李四,已完成\n2025-03-06 10:00:00,黄坑乡,防火巡查,王五,赵六,未开始",
    "pywxdump": "请按下表：\n1,2,3,4,5,6,7,8,2025-03-05 10:00:00\n以上",
}


@pytest.mark.parametrize("export", list(CHAT_CSVS))
@pytest.mark.parametrize("after", [["收到"], []], ids=["a message after", "the last message"])
def test_a_message_holding_rows_pasted_from_a_table_stays_one_message(qunguan, db_path, query, tmp_path, export, after):
    notice = PASTED_TABLES[export]
    path = chat_csv(tmp_path, export, ["通知", '"' + notice + '"'] + after)
    result = ingest(qunguan, db_path, path, group="防火群")
    assert f"new {2 + len(after)}\talready present 0\trejected 0" in result.stdout, result.stderr
    assert [r["text"] for r in query("select text from messages order by sent_at")] == ["通知", notice] + after
    assert [r["name"] for r in query("select name from groups")] == ["防火群"]


@pytest.mark.parametrize("export", list(CHAT_CSVS))
@pytest.mark.parametrize("when", ["before the message", "after the next message"])
def test_a_message_quoting_a_whole_record_of_the_same_chat_stays_one_message(qunguan, db_path, query, tmp_path,
                                                                              export, when):
    # Someone pasted a line of this very export into a message: it has every column a
    # record has, but a time out of the export's order (messages are written as sent).
    _, record = CHAT_CSVS[export]
    quoted = "转发：\n" + record(0 if when == "before the message" else 8, "我在转发的一条")
    path = chat_csv(tmp_path, export, ["通知", '"' + quoted + '"', "收到"])
    result = ingest(qunguan, db_path, path, group="防火群")
    assert "new 3\talready present 0\trejected 0" in result.stdout, result.stderr
    assert [(r["source_line"], r["text"]) for r in query("select source_line, text from messages order by sent_at")] == [
        (2, "通知"), (3, quoted), (5, "收到")]


@pytest.mark.parametrize("export", ["memotrace", "memotrace3", "pywxdump"])
def test_a_message_ending_in_a_record_of_its_own_time_stays_one_message(qunguan, db_path, query, tmp_path, export):
    # The pasted line stops at its text, so the message's cells after it complete it to a
    # record's width, and its time is the message's own (PyWxDump writes the time after the
    # text: the pasted line's is no other). What tells it from records two typed quotes
    # joined is the message's first line: a record's first line goes on after the quote
    # with the record's other cells, a message's is its own words.
    _, record = CHAT_CSVS[export]
    pasted = record(1, "我在转发的一条")
    quoted = "转发：\n" + pasted[:pasted.index("我在转发的一条") + len("我在转发的一条")]
    path = chat_csv(tmp_path, export, ["通知", '"' + quoted + '"', "收到"])
    result = ingest(qunguan, db_path, path, group="防火群")
    assert "new 3\talready present 0\trejected 0" in result.stdout, result.stderr
    assert [r["text"] for r in query("select text from messages order by sent_at")] == ["通知", quoted, "收到"]


def test_a_hand_typed_quote_before_a_real_multi_line_cell_costs_its_own_line_only(qunguan, db_path, query, tmp_path):
    """The stray quote's field runs on to the quote that opens 1004's two-line cell: what it
    swallowed is read again, and the cell after it is still one message."""
    rows = ["1001,文本,李明,2024-06-17 09:00:01,第一条,李明,李明,more",
            '1002,文本,李明,2024-06-17 09:00:02,"第二条 带引号,李明,李明,more',
            "1003,文本,李明,2024-06-17 09:00:03,第三条,李明,李明,more",
            '1004,文本,王建国,2024-06-17 09:00:04,"多行\r\n第二行, 有逗号",王建国,王建国,more',
            "1005,文本,李明,2024-06-17 09:00:05,第五条,李明,李明,more",
            "1006,文本,李明,2024-06-17 09:00:06,第六条,李明,李明,more"]
    path = tmp_path / "工作群.csv"
    path.write_text("\ufeff消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\r\n" + "\r\n".join(rows) + "\r\n",
                    encoding="utf-8", newline="")
    result = ingest(qunguan, db_path, path)
    assert "\tmemotrace3-csv\t" in result.stdout and "new 5\talready present 0\trejected 1" in result.stdout
    assert "工作群.csv:line 3: an unbalanced quote" in result.stderr
    assert query("select line, raw from rejects") == [{"line": 3, "raw": rows[1] + "\n"}]
    kept = query("select source_id, source_line, text from messages order by source_id")
    assert [(r["source_id"], r["source_line"]) for r in kept] == [("1001", 2), ("1003", 4), ("1004", 5), ("1005", 7), ("1006", 8)]
    assert kept[2]["text"] == "多行\n第二行, 有逗号"


def test_a_message_line_that_holds_a_date_and_time_is_not_taken_for_a_new_message(qunguan, db_path, query, tmp_path):
    memotrace_txt = tmp_path / "memotrace.txt"
    memotrace_txt.write_text("2024-06-17 09:00:12 县政府办-王建国\n【通知】明天开会：\n2024-06-18 15:00 县政府三楼会议室\n"
                             "会议时间 2024-06-18 15:00\n\n2024-06-17 09:01:40 张丽\n收到\n", encoding="utf-8")
    chatlog_txt = tmp_path / "chatlog.txt"
    chatlog_txt.write_text("周敏(wxid_zm) 10:15:00\n检查改到\n明天下午 15:00:00\n\n黄伟(wxid_hw) 10:16:30\n好的\n", encoding="utf-8")
    result = qunguan("ingest", memotrace_txt, chatlog_txt, "--db", db_path, "--group", "g", "--date", "2024-06-17", "--silent")
    assert result.stdout.count("new 2\talready present 0\trejected 0") == 2
    texts = [r["text"] for r in query("select text from messages order by id")]
    assert texts[0].endswith("会议时间 2024-06-18 15:00") and texts[2] == "检查改到\n明天下午 15:00:00"


def test_what_looked_like_mess_but_is_a_real_export_is_read_as_before(qunguan, db_path, query, fixtures, tmp_path):
    """Guards against over-eager fixes (found in review): UTF-16, GBK text whose short
    lines are also valid UTF-8 (谢谢 = D0BB D0BB), a chatlog sender with no display name,
    a hand paste that starts in minutes, a group named with full-width brackets."""
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes((fixtures / "memotrace3-week1.csv").read_text(encoding="utf-8-sig").encode("utf-16"))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("2025-03-03 09:00:12 王建国\n请各股室报送台账\n\n2025-03-03 09:01:40 李明\n谢谢\n\n"
                    "2025-03-03 09:02:00 张丽\n[图片]\n".encode("gb18030"))
    chatlog = tmp_path / "群A_2025-03-03_2025-03-03.txt"
    chatlog.write_text("县政府办-王建国(wxid_wjg) 09:00:12\n请报送台账\n\nwxid_lm3q8r5t1v2 09:01:40\n收到\n", encoding="utf-8")
    paste = tmp_path / "paste.txt"
    paste.write_text("2025-03-03 09:00 王建国\n开会\n\n2025-03-03 09:05:30 李明\n收到\n\n2025-03-03 09:06 张丽\n好的\n",
                     encoding="utf-8")
    named = tmp_path / "防汛工作群（2）_utf8.csv"
    named.write_bytes((fixtures / "防汛工作群_utf8.csv").read_bytes())
    for path, group in ((utf16, "g1"), (gbk, "g2"), (chatlog, None), (paste, "g4"), (named, None)):
        result = ingest(qunguan, db_path, path, group=group)
        assert result.exit_code == 0 and "rejected 0" in result.stdout, result.stdout + result.stderr
    counts = {r["name"]: r["n"] for r in query("select g.name, count(*) n from messages m join groups g on g.id = m.group_id group by 1")}
    assert counts == {"g1": 6, "g2": 3, "群A": 2, "g4": 3, "防汛工作群（2）": 6}
    assert {"谢谢", "[图片]"} <= {r["text"] for r in query("select text from messages")}


def test_gbk_named_zip_members_keep_their_chinese_names(qunguan, db_path, query, fixtures, tmp_path):
    import zipfile

    name = "小群_utf8.csv".encode("gb18030")  # its bytes are valid UTF-8 too (СȺ)
    path = tmp_path / "windows.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x" * len(name), (fixtures / "防汛工作群_utf8.csv").read_bytes())
    path.write_bytes(path.read_bytes().replace(b"x" * len(name), name))
    ingest(qunguan, db_path, path)
    assert query("select name from groups") == [{"name": "小群"}]


def test_pywxdump_ids_beyond_two_to_the_63_stay_ids(qunguan, db_path, query, fixtures, tmp_path):
    source = fixtures / "pywxdump/wxid_me/csv/48800011122@chatroom/48800011122@chatroom_0_5.csv"
    folder = tmp_path / "48800011122@chatroom"
    folder.mkdir()
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("MsgSvrID")
    negative = [lines[0]] + [",".join(("-" + v if i == column else v) for i, v in enumerate(line.split(",")))
                             for line in lines[1:]]
    (folder / source.name).write_text("\n".join(negative) + "\n", encoding="utf-8")
    ingest(qunguan, db_path, folder / source.name, group="返乡群")
    assert all(r["source_id"].startswith("-") for r in query("select source_id from messages"))


def test_a_lone_carriage_return_reads_the_same_whichever_decoder_reads_the_file(qunguan, db_path, query, tmp_path):
    """A file with a line its encoding cannot read goes through the tolerant decoder; the
    messages it shares with a clean copy must come out the same, not as new rows."""
    head = ("Time,SenderName,Sender,TalkerName,Talker,Content\n"
            '2025-03-03 09:00:00,张丽,wxid_zl,g,1@chatroom,"第一行\r第二行"\n').encode("utf-8")
    clean, edited = tmp_path / "clean.csv", tmp_path / "edited.csv"
    clean.write_bytes(head)
    edited.write_bytes(head + "2025-03-03 09:01:00,李明,wxid_lm,g,1@chatroom,收到\n".encode("gb18030"))
    assert "new 1\talready present 0" in ingest(qunguan, db_path, clean).stdout
    assert "new 1\talready present 1" in ingest(qunguan, db_path, edited).stdout


@pytest.mark.parametrize("before_title", ["\n", "  ", "\ufeff\n \n"])
def test_a_phone_share_whose_title_was_pushed_down_or_indented_reads_like_the_original(qunguan, db_path, query, tmp_path, before_title):
    share = '微信群"城关镇工作群"的聊天记录如下:\n\n—————  2024-06-17  —————\n\n王建国  09:00\n请各股室报送台账\n李明  09:01\n收到\n'
    path = tmp_path / "share.txt"
    path.write_text(before_title + share, encoding="utf-8", newline="")
    result = ingest(qunguan, db_path, path)
    assert result.exit_code == 0, result.stderr
    assert "\twechat-share\t城关镇工作群\tnew 2\talready present 0\trejected 0" in result.stdout
    rows = query("select source_line, sent_at, text from messages order by sent_at")
    shift = before_title.count("\n")
    assert rows == [{"source_line": 5 + shift, "sent_at": "2024-06-17T09:00:00", "text": "请各股室报送台账"},
                    {"source_line": 7 + shift, "sent_at": "2024-06-17T09:01:00", "text": "收到"}]


def test_a_notice_that_lists_times_in_a_phone_share_stays_one_message(qunguan, db_path, query, tmp_path):
    """A line such as "签到时间  08:30" is shaped like a sender line; its time going back
    shows it is the notice's text, and "开会时间  09:00" right under it is the same list."""
    path = tmp_path / "share.txt"
    path.write_text('微信群"城关镇工作群"的聊天记录如下:\n\n—————  2024-06-17  —————\n\n'
                    '王建国  09:00\n明天会议安排：\n签到时间  08:30\n开会时间  09:00\n请准时参加\n'
                    '李明  09:01\n收到\n', encoding="utf-8")
    result = ingest(qunguan, db_path, path)
    assert "new 2\talready present 0\trejected 0" in result.stdout, result.stdout + result.stderr
    rows = query("select source_line, mb.display_name name, text from messages m join members mb on mb.id = m.member_id order by sent_at")
    assert rows == [{"source_line": 5, "name": "王建国", "text": "明天会议安排：\n签到时间  08:30\n开会时间  09:00\n请准时参加"},
                    {"source_line": 10, "name": "李明", "text": "收到"}]


def test_a_file_with_a_bad_record_read_every_week_counts_its_reject_once(qunguan, db_path, query, tmp_path):
    path = tmp_path / "防火群.csv"
    path.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                    "9500000000000000001,文本,张三,2025-02-30 09:00:00,请报送台账,,,more\n"
                    "9500000000000000002,文本,张三,2025-03-03 09:00:00,请报送台账,,,more\n", encoding="utf-8")
    runs = [qunguan("ingest", path, "--db", db_path, "--group", "g", "--silent") for _ in range(3)]
    for run in runs:  # read again each time, in case a newer reader reads more of it: still 1 bad record
        assert "rejected 1" in run.stdout
    assert query("select import_id, line from rejects") == [{"import_id": 1, "line": 2}]  # kept once
    assert query("select id, rejected from imports") == [{"id": 1, "rejected": 1}, {"id": 2, "rejected": 1},
                                                          {"id": 3, "rejected": 1}]
    assert "rejected records 1" in qunguan("stats", "--db", db_path).stdout


def test_a_week_folder_re_run_names_a_bad_record_once_and_then_points_back_to_it(qunguan, db_path, query, tmp_path):
    # Every Monday the admin runs the whole export folder again. The file with a bad date
    # and a name with a lost byte was listed line by line the first time; after that a
    # line says it is the same file, rather than the same warnings week after week.
    path = tmp_path / "防火群.csv"
    path.write_bytes("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                     "9500000000000000001,文本,张三,2025-02-30 09:00:00,请报送台账,,,more\n".encode()
                     + "9500000000000000002,文本,张".encode() + b"\xe4,2025-03-03 09:00:00,"
                     + "收到,,,more\n".encode())
    first = qunguan("ingest", path, "--db", db_path, "--group", "g", "--silent")
    assert f"rejected {path}:line 2: unreadable time '2025-02-30 09:00:00'" in first.stderr
    assert f"garbled {path}:line 3:" in first.stderr
    again = qunguan("ingest", path, "--db", db_path, "--group", "g", "--silent")
    assert "new 0\talready present 1\trejected 1" in again.stdout
    assert "rejected " + str(path) not in again.stderr and "garbled" not in again.stderr
    assert (f"{path}: the same file as import #1, ") in again.stderr
    assert "rejected records listed then and kept in the rejects table: 1 (not stored again)" in again.stderr
    # Fixed, it is a new file: its rest is read, and nothing is said of the old reject.
    path.write_bytes(path.read_bytes().replace(b"2025-02-30", b"2025-02-28"))
    fixed = qunguan("ingest", path, "--db", db_path, "--group", "g", "--silent")
    assert "new 1\talready present 1\trejected 0" in fixed.stdout and "the same file" not in fixed.stderr
    assert query("select count(*) n from rejects") == [{"n": 1}]


def test_a_record_with_a_number_missing_names_that_column_alone(qunguan, db_path, tmp_path):
    path = tmp_path / "防汛工作群_utf8.csv"
    path.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                    "1,7,1,0,0,,2,明天上午开会,2025-03-1 9:6,李明,李明,wxid_lm002\n"
                    "2,7,1,0,0,1741398560,2,收到,2025-03-08 09:49:20,李明,李明,wxid_lm002\n", encoding="utf-8-sig")
    result = qunguan("ingest", path, "--db", db_path, "--silent")
    assert "rejected 1" in result.stdout
    assert "line 2: CreateTime is not a number: ''" in result.stderr and "Type" not in result.stderr


def test_a_time_written_with_a_stray_character_is_rejected_naming_it(qunguan, db_path, tmp_path):
    path = tmp_path / "群_utf8.csv"
    path.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
                    "1,7,1,0,0,1740963605²,2,收到,,李明,李明,wxid_lm002\n", encoding="utf-8-sig")
    result = qunguan("ingest", path, "--db", db_path, "--silent")
    assert "line 2: CreateTime is not a number: '1740963605²'" in result.stderr


def test_a_phone_share_sender_line_with_nothing_under_it_is_rejected_not_stored_empty(qunguan, db_path, query, tmp_path):
    share = tmp_path / "疫苗接种协调群.txt"
    share.write_text('微信群"疫苗接种协调群"的聊天记录如下:\n\n—————  2025-03-15  —————\n\n'
                     "卫健委-何磊  11:04\n城关镇-张丽  25:10\n\n城关镇-张丽  13:33\n大家辛苦了\n", encoding="utf-8")
    result = qunguan("ingest", share, "--db", db_path, "--silent")
    assert "new 1\talready present 0\trejected 2" in result.stdout
    assert "line 5: a sender line with no message under it" in result.stderr
    assert query("select text from messages") == [{"text": "大家辛苦了"}]


def test_an_empty_folder_given_by_mistake_is_refused_and_makes_no_archive(qunguan, db_path, fixtures, tmp_path):
    # The admin dragged in the week's folder before the exports were copied into it.
    week = tmp_path / "第12周"
    (week / "城关镇").mkdir(parents=True)
    result = ingest(qunguan, db_path, week)
    assert result.exit_code == 1 and f"refused {week}: a folder with no files in it" in result.stderr
    assert not db_path.exists()
    # Beside a file, it is refused and the file read.
    both = ingest(qunguan, db_path, week, fixtures / "memotrace3-week1.csv")
    assert both.exit_code == 1 and "new 6" in both.stdout and "1 个文件未能导入" in both.stderr


@pytest.mark.parametrize("members", [[], ["第12周/城关镇/"], ["__MACOSX/._防火群.csv", ".DS_Store"]],
                         ids=["empty", "folders only", "mac litter only"])
def test_a_zip_with_no_file_to_read_is_refused_like_an_empty_folder(qunguan, db_path, fixtures, tmp_path, members):
    # The township zipped the week's folder before the exports were copied into it.
    import zipfile

    week = tmp_path / "第12周.zip"
    with zipfile.ZipFile(week, "w") as zf:
        for name in members:
            zf.writestr(name, "" if name.endswith("/") else "x")
    result = ingest(qunguan, db_path, week)
    assert result.exit_code == 1 and f"refused {week}: a zip with no files in it" in result.stderr
    assert not db_path.exists()
    both = ingest(qunguan, db_path, week, fixtures / "memotrace3-week1.csv")
    assert both.exit_code == 1 and "new 6" in both.stdout and "1 个文件未能导入" in both.stderr
    # A zip holding an export is read, as ever.
    with zipfile.ZipFile(week, "a") as zf:
        zf.write(fixtures / "memotrace3-week1.csv", "第12周/memotrace3-week1.csv")
    read = ingest(qunguan, db_path, week)
    assert read.exit_code == 0 and f"{week}!第12周/memotrace3-week1.csv\tmemotrace3-csv\tmemotrace3-week1\tnew 0" in read.stdout


BINS = [".Trashes/501/防火群.csv", "$RECYCLE.BIN/S-1-5-21-1004/$RA1B2C3.csv", ".Trash/防火群 copy.csv"]


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_exports_deleted_into_a_usb_sticks_bin_are_not_read(qunguan, db_path, query, fixtures, tmp_path, packed):
    # macOS and Windows keep a stick's deleted files in hidden folders on it: an old
    # export read from there was another group of the same messages.
    import zipfile

    stick = tmp_path / "U盘"
    for name in ["导出/防火群.csv", *BINS]:
        (stick / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixtures / "memotrace3-week1.csv", stick / name)
    if packed:
        with zipfile.ZipFile(tmp_path / "U盘.zip", "w") as zf:
            for child in sorted(stick.rglob("*.csv")):
                zf.write(child, child.relative_to(stick).as_posix())
    result = ingest(qunguan, db_path, tmp_path / ("U盘.zip" if packed else "U盘"))
    assert result.exit_code == 0 and result.stdout.count("memotrace3-csv") == 1, result.stdout
    assert query("select name from groups") == [{"name": "防火群"}]
    assert query("select count(*) n from messages") == [{"n": 6}]


def test_a_folder_named_like_a_bin_is_read_when_it_is_the_one_given(qunguan, db_path, query, fixtures, tmp_path):
    # The admin restoring a file names the bin itself: then it is what they asked for.
    trash = tmp_path / ".Trashes"
    trash.mkdir()
    shutil.copy(fixtures / "memotrace3-week1.csv", trash / "防火群.csv")
    assert "new 6" in ingest(qunguan, db_path, trash).stdout


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("name", [".2024年第3周/防火群.csv", "./第3周/防火群.csv"], ids=["dot folder", "dot-slash names"])
def test_a_week_in_a_folder_named_with_a_dot_is_read(qunguan, db_path, query, fixtures, tmp_path, packed, name):
    # On Windows a folder named .2024年第3周 is not hidden: the admin sees it, and its
    # export was passed over unsaid. Some tools write a zip's names as ./第3周/...
    import zipfile

    if packed:
        given = tmp_path / "第3周.zip"
        with zipfile.ZipFile(given, "w") as zf:
            zf.writestr(name, (fixtures / "memotrace3-week1.csv").read_bytes())
    else:
        given = tmp_path / "U盘"
        (given / name).parent.mkdir(parents=True)
        shutil.copy(fixtures / "memotrace3-week1.csv", given / name)
    result = ingest(qunguan, db_path, given)
    assert result.exit_code == 0 and "new 6" in result.stdout, result.stderr
    assert query("select name from groups") == [{"name": "防火群"}]


def test_a_zip_whose_list_of_files_is_damaged_is_refused_in_a_line_and_the_others_are_read(
        qunguan, db_path, fixtures, tmp_path):
    # A download cut short and resumed: the zip's end is there, its list of files is not.
    import zipfile

    week = tmp_path / "第12周.zip"
    with zipfile.ZipFile(week, "w") as zf:
        zf.write(fixtures / "memotrace3-week1.csv", "第12周/防火群.csv")
    data = week.read_bytes()
    week.write_bytes(data.replace(b"PK\x01\x02", b"PK\x00\x00"))
    result = ingest(qunguan, db_path, week, fixtures / "chatlog.csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"refused {week}: a zip (inside a zip, not named .zip, or damaged)" in result.stderr
    assert "\tchatlog-csv\t" in result.stdout and "1 个文件未能导入" in result.stderr
    alone = ingest(qunguan, db_path, week)
    assert alone.exit_code == 1 and f"refused {week}: a zip (inside a zip" in alone.stderr


@pytest.mark.parametrize("fixture, deleted, exporter", [
    ("memotrace3-week1.csv", "发送人", "MemoTrace 2025 CSV"), ("memotrace3-week1.csv", "内容", "MemoTrace 2025 CSV"),
    ("chatlog.csv", "Sender", "chatlog CSV"), ("防汛工作群_utf8.csv", "CreateTime", "MemoTrace 2.0 CSV"),
])
def test_a_csv_whose_needed_column_was_deleted_in_excel_is_named_by_its_exporter_and_the_column(
        qunguan, db_path, query, fixtures, tmp_path, fixture, deleted, exporter):
    # A clerk tidied the week's export in Excel and deleted a column, then dropped the file
    # into the week's folder beside a clean export. No --format: the exporter is told by the
    # columns left, and the admin hears which column to put back, not "unknown format".
    rows = list(csv.reader((fixtures / fixture).read_text(encoding="utf-8-sig").splitlines()))
    gone = rows[0].index(deleted)
    week = tmp_path / "week"
    week.mkdir()
    with open(week / "tidied.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(row[:gone] + row[gone + 1:] for row in rows)
    shutil.copy(fixtures / "weflow.json", week)
    result = ingest(qunguan, db_path, week)
    assert result.exit_code == 1
    assert f"refused {week / 'tidied.csv'}: a {exporter} without its {deleted} column (its header is " in result.stderr
    assert "put the column back under that name" in result.stderr and "try --format" not in result.stderr
    assert "weflow.json\tweflow-json" in result.stdout  # the other file is still read
    assert query("select count(*) n from imports") == [{"n": 1}]


def test_a_csv_of_other_data_sharing_a_column_name_is_still_no_chat_export(qunguan, db_path, tmp_path):
    # A 台账 with a 时间 and a 内容 column shares two names with MemoTrace's eight: not enough.
    ledger = tmp_path / "台账.csv"
    ledger.write_text("序号,时间,内容,责任人,完成情况\n1,2025-03-03,森林防火排查,王建国,已完成\n", encoding="utf-8")
    result = ingest(qunguan, db_path, ledger, group="g")
    assert "not a chat export qunguan knows" in result.stderr and "without its" not in result.stderr


def test_a_week_folder_with_a_phone_share_and_a_readme_reads_the_chats_and_names_the_note(qunguan, db_path, query,
                                                                                         fixtures, tmp_path):
    # A township clerk sends the week's folder: a MemoTrace CSV, the phone share of a
    # group with no PC (its title pasted into WPS, which curled the quotes; another share
    # copied from the mail body from its first message on) and a 说明.txt about the folder.
    week = tmp_path / "第10周"
    week.mkdir()
    shutil.copy(fixtures / "memotrace3-week1.csv", week)
    share = (fixtures / "wechat-share.txt").read_text(encoding="utf-8")
    (week / "乡村振兴群.txt").write_text(share.replace('微信群"靖安县乡村振兴工作群"', "微信群“靖安县乡村振兴工作群”"),
                                     encoding="utf-8")
    (week / "城关群.txt").write_text("王建国  09:00\n明天上午九点开会\n\n李明  09:01\n收到\n", encoding="utf-8")
    (week / "说明.txt").write_text("说明：本文件夹为第10周导出，请勿外传\n", encoding="utf-8")
    result = qunguan("ingest", week, "--db", db_path, "--date", "2025-03-04", "--silent")
    assert "乡村振兴群.txt\twechat-share\t靖安县乡村振兴工作群\tnew 4\t" in result.stdout
    assert "memotrace3-week1.csv\tmemotrace3-csv\tmemotrace3-week1\tnew 6\t" in result.stdout
    # The untitled share names no group: it asks for one rather than pass for a note.
    assert f"refused {week / '城关群.txt'}: the file does not say which group it is; pass --group NAME" in result.stderr
    assert (f"refused {week / '说明.txt'}: not a chat export qunguan knows (first line: '说明：本文件夹为第10周导出，请勿外传'): "
            "if it is a note such as a readme, nothing is lost") in result.stderr
    assert result.exit_code == 1
    alone = qunguan("ingest", week / "城关群.txt", "--db", db_path, "--group", "城关群", "--date", "2025-03-04", "--silent")
    assert "wechat-share\t城关群\tnew 2\talready present 0\trejected 0" in alone.stdout
    assert query("select count(*) n from messages") == [{"n": 12}]


@pytest.mark.parametrize("name, table", [
    # A register of notices sent: four of MemoTrace 2025's column names, its days no times.
    ("发文登记.csv", "序号,时间,发送人,类型,内容,备注\n1,2024-06-17,县政府办,通知,关于防汛值班的通知,已办结\n"),
    # Meeting minutes: 时间, 类型, 内容 and two of the columns MemoTrace leaves empty.
    ("会议记录.csv", "时间,类型,内容,备注,昵称\n2024-06-17 09:30,会议,防汛调度会,三楼会议室,老王\n"),
    # Statistics someone kept in English column names.
    ("stats.csv", "Time,Sender,Content,Talker\n2024-06,李明,收到,12\n"),
], ids=["register", "minutes", "statistics"])
def test_a_table_of_other_data_with_chat_like_column_names_is_not_called_a_damaged_export(
        qunguan, db_path, tmp_path, name, table):
    # In the week's folder beside the chat: a clerk's own table whose headings happen to be
    # some of an exporter's. The admin must not be told to "export the chat again" or "put
    # the column back" for a file that never was a chat.
    week = tmp_path / "week"
    week.mkdir()
    (week / name).write_text(table, encoding="utf-8")
    result = ingest(qunguan, db_path, week)
    assert "not a chat export qunguan knows" in result.stderr
    assert "without its" not in result.stderr and "export the chat again" not in result.stderr


def test_a_text_starting_name_and_time_in_a_weekly_run_without_date_is_refused_in_one_line(qunguan, db_path, query,
                                                                                          tmp_path):
    # The weekly run has no --date. A share copied from the mail body from its first message
    # on gives neither day nor group; a meeting notice starting "签到时间  08:30" has the same
    # shape. Neither is a chat to half-read: one line each says what it may be and how to
    # read it if it is a share, not a rejected record per message telling to add --date
    # (which would file the notice as a chat message from "签到时间"), kept every week.
    week = tmp_path / "week"
    week.mkdir()
    (week / "城关群.txt").write_text("王建国  09:00\n明天上午九点开会\n\n李明  09:01\n收到\n", encoding="utf-8")
    (week / "会议通知.txt").write_text("签到时间  08:30\n地点：三楼会议室\n请各位准时参加。\n", encoding="utf-8")
    result = qunguan("ingest", week, "--db", db_path, "--silent")
    for name in ("城关群.txt", "会议通知.txt"):
        assert f"refused {week / name}: a phone share without its title and date line, or a note" in result.stderr
    assert "--date YYYY-MM-DD --group NAME" in result.stderr and "rejected " not in result.stderr
    assert result.exit_code == 1
    assert query("select count(*) n from rejects") == [{"n": 0}]


_SHARE = '微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:49\n收到\n\n王伟  08:50\n请各乡镇于今晚八点前上报'


@pytest.mark.parametrize("encoding, cut", [("utf-8", -2), ("gbk", -1)], ids=["half a UTF-8 character", "a GBK lead byte"])
def test_a_phone_share_cut_inside_a_character_rejects_its_last_message_with_its_line(qunguan, db_path, query, tmp_path,
                                                                                      encoding, cut):
    # The copy stopped inside 报: stored, 王伟's message would be one nobody sent, beside the
    # whole one the next share brings. It is named with its line, its text kept in rejects.
    path = tmp_path / "share.txt"
    path.write_bytes(_SHARE.encode(encoding)[:cut])
    result = ingest(qunguan, db_path, path)
    assert "new 1\talready present 0\trejected 1" in result.stdout
    assert f"{path}:line 8: the file ends in the middle of a character of this message: it was cut off" in result.stderr
    assert query("select text from messages") == [{"text": "收到"}]
    assert "请各乡镇于今晚八点前上" in query("select raw from rejects")[0]["raw"]


@pytest.mark.parametrize("data", [_SHARE.encode(), _SHARE.encode()[:-2] + b"\n", _SHARE.encode()[:-8] + b"\xff"
                                  + _SHARE.encode()[-6:]], ids=["whole, no line end", "bad byte, line end", "bad byte inside"])
def test_a_phone_share_ending_whole_or_with_a_bad_byte_before_a_line_end_keeps_its_last_message(
        qunguan, db_path, query, tmp_path, data):
    # The file's end tells nothing of a cut there (a share pasted in Notepad has no line
    # end), nor does a byte lost inside a line: the message is kept, a bad byte named.
    path = tmp_path / "share.txt"
    path.write_bytes(data)
    result = ingest(qunguan, db_path, path)
    assert "new 2\talready present 0\trejected 0" in result.stdout
    assert ("\ufffd" in data.decode("utf-8", "replace")) == (f"garbled {path}:line 8" in result.stderr)


@pytest.mark.parametrize("whole_first", [True, False], ids=["whole share archived", "nothing archived"])
@pytest.mark.parametrize("cut", ["请各乡镇于今晚八点前", "请各乡镇于今晚八点前上报\n", "请各乡镇于今晚八点前上报\n  "],
                         ids=["cut between characters", "ended", "ended, blanks after"])
def test_a_phone_share_cut_between_characters_of_its_last_message_is_said_and_not_stored_beside_the_whole(
        qunguan, db_path, query, tmp_path, whole_first, cut):
    # The copy stopped after 前, whole characters: nothing in the words says so. Where the
    # archive holds 王伟's message whole (the share copied again), the cut one is not
    # stored beside it; where not, it is kept and named, its line given, for the admin to check.
    whole, copy = tmp_path / "whole.txt", tmp_path / "copy.txt"
    whole.write_text(_SHARE + "\n", encoding="utf-8")
    copy.write_text(_SHARE.replace("请各乡镇于今晚八点前上报", cut), encoding="utf-8")
    if whole_first:
        ingest(qunguan, db_path, whole)
    result = ingest(qunguan, db_path, copy)
    ended = "\n" in cut
    assert (f"请核对 {copy} 第 8 行：文件在这条消息中结束、其后没有换行" in result.stderr) is not ended
    assert (f"（check {copy}:line 8: " in result.stderr) is not ended
    stored = [r["text"].strip() for r in query("select text from messages order by id")]
    assert stored == ["收到", "请各乡镇于今晚八点前上报" if whole_first or ended else "请各乡镇于今晚八点前"]
    if whole_first and not ended:
        assert "new 0\talready present 2" in result.stdout and "档案中已有这条消息的完整内容" in result.stderr


def test_a_phone_share_ending_without_a_line_end_keeps_a_reply_no_archived_message_holds(qunguan, db_path, query,
                                                                                          tmp_path):
    # 王伟's 好的 is whole, pasted in Notepad with no line end; his longer message of that
    # minute does not start with it, and 请各乡镇 does not end it: both are his.
    first = tmp_path / "first.txt"
    first.write_text(_SHARE + "\n", encoding="utf-8")
    ingest(qunguan, db_path, first)
    later = tmp_path / "later.txt"
    later.write_text(_SHARE.replace("请各乡镇于今晚八点前上报", "请各乡镇"), encoding="utf-8")
    result = ingest(qunguan, db_path, later)
    assert "new 0\talready present 2" in result.stdout  # the start of the whole: the copy was cut
    later.write_text(_SHARE + "\n\n王伟  08:50\n好的", encoding="utf-8")
    result = ingest(qunguan, db_path, later)
    assert "new 1\talready present 2" in result.stdout and f"check {later}:line 11" in result.stderr


def _morning_share_and_its_cut_copy(qunguan, db_path, tmp_path):
    """Ingests the morning's share (李明's notice, 王伟's 收到，马上办 at 08:50), then a copy of
    it cut after 收到, which holds no 收到，马上办 of its own: the cut one is not stored."""
    morning = tmp_path / "上午.txt"
    morning.write_text('微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:49\n请各乡镇于今晚八点前上报\n\n'
                       "王伟  08:50\n收到，马上办\n", encoding="utf-8")
    ingest(qunguan, db_path, morning)
    cut = tmp_path / "上午-复制.txt"
    cut.write_text(morning.read_text(encoding="utf-8").removesuffix("，马上办\n"), encoding="utf-8")
    result = ingest(qunguan, db_path, cut)
    assert "new 0\talready present 2" in result.stdout and "档案中已有这条消息的完整内容" in result.stderr
    return morning


def test_a_phone_share_ending_in_a_short_reply_keeps_it_beside_the_longer_one_of_that_minute_it_holds(
        qunguan, db_path, query, tmp_path):
    # 王伟 answered 收到，马上办 to one notice and 收到 to the next, both at 08:50. The morning's
    # share stops after the first; the day's, pasted in Notepad with no line end, holds both:
    # its 收到 is another message, not the start of 收到，马上办 cut off.
    morning = _morning_share_and_its_cut_copy(qunguan, db_path, tmp_path)
    day = tmp_path / "全天.txt"
    day.write_text(morning.read_text(encoding="utf-8") + "\n李明  08:50\n请城关镇补报水位\n\n王伟  08:50\n收到", encoding="utf-8")
    result = ingest(qunguan, db_path, day)
    assert "new 2\talready present 2" in result.stdout, result.stderr
    assert f"请核对 {day} 第 14 行：文件在这条消息中结束、其后没有换行：若复制时被截断" in result.stderr
    assert f"（check {day}:line 14: the file stops in this message with no line end" in result.stderr
    assert [r["text"] for r in query("select text from messages order by id")] == [
        "请各乡镇于今晚八点前上报", "收到，马上办", "请城关镇补报水位", "收到"]


def test_a_phone_share_copied_again_without_a_line_end_says_nothing_of_a_last_message_it_cannot_have_cut(
        qunguan, db_path, tmp_path):
    # The share of the morning, copied from the mail again with no line end after 王伟's
    # message: the archive holds that message as it is, and stores nothing new.
    first = tmp_path / "first.txt"
    first.write_text(_SHARE + "\n", encoding="utf-8")
    ingest(qunguan, db_path, first)
    again = tmp_path / "again.txt"
    again.write_text(_SHARE, encoding="utf-8")
    result = ingest(qunguan, db_path, again)
    assert "new 0\talready present 2" in result.stdout and "check" not in result.stderr
    # A picture's line is whole or no picture's: nothing to check.
    picture = tmp_path / "picture.txt"
    picture.write_text(_SHARE + "\n\n李明  08:51\n[图片: 水位照片.jpg(请在附件中查看)]", encoding="utf-8")
    result = ingest(qunguan, db_path, picture)
    assert "new 1\talready present 2" in result.stdout and "check" not in result.stderr
    # A message not archived yet, left without a line end, may be cut: said.
    later = tmp_path / "later.txt"
    later.write_text(_SHARE + "\n\n李明  08:51\n收到，马上", encoding="utf-8")
    result = ingest(qunguan, db_path, later)
    assert "new 1\talready present 2" in result.stdout and f"check {later}:line 11" in result.stderr


def test_a_share_ending_in_a_short_reply_keeps_it_beside_a_longer_one_of_that_minute_from_another_share(
        qunguan, db_path, query, tmp_path):
    # 王伟 answered 收到，马上办 to 李明's first notice and 收到 to his second, both at 08:50.
    # The morning's share holds the first pair; the afternoon's, pasted in Notepad with no
    # line end, holds only the second: its 收到 follows another notice, so it is another
    # message, not the start of 收到，马上办 cut off.
    _morning_share_and_its_cut_copy(qunguan, db_path, tmp_path)
    afternoon = tmp_path / "下午.txt"
    afternoon.write_text('微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:50\n请城关镇补报水位\n\n'
                         "王伟  08:50\n收到", encoding="utf-8")
    result = ingest(qunguan, db_path, afternoon)
    assert "new 2\talready present 0" in result.stdout, result.stderr
    assert f"请核对 {afternoon} 第 8 行：文件在这条消息中结束、其后没有换行：若复制时被截断" in result.stderr
    assert f"（check {afternoon}:line 8: the file stops in this message with no line end" in result.stderr
    assert [r["text"] for r in query("select text from messages order by id")] == [
        "请各乡镇于今晚八点前上报", "收到，马上办", "请城关镇补报水位", "收到"]


def test_a_cut_share_read_before_the_whole_one_is_completed_by_it_not_stored_twice(qunguan, db_path, query, tmp_path):
    # The clerk's copy from the mail stopped after 前; it is read first, its last message
    # kept as read and named. Then the whole share comes: 王伟's message is archived once,
    # whole, under the id it had (a flag or a decision on it still points at it).
    cut, whole = tmp_path / "cut.txt", tmp_path / "whole.txt"
    cut.write_text(_SHARE.replace("请各乡镇于今晚八点前上报", "请各乡镇于今晚八点前"), encoding="utf-8")
    whole.write_text(_SHARE + "\n", encoding="utf-8")
    assert "new 2\talready present 0" in ingest(qunguan, db_path, cut).stdout
    first_ids = [r["id"] for r in query("select id from messages order by id")]
    result = ingest(qunguan, db_path, whole)
    assert "new 0\talready present 2" in result.stdout, result.stderr
    assert query("select id, text from messages order by id") == [
        {"id": first_ids[0], "text": "收到"}, {"id": first_ids[1], "text": "请各乡镇于今晚八点前上报"}]
    assert query("select rowid from messages_fts where messages_fts match '上报'") == [{"rowid": first_ids[1]}]
    # Read again, either file adds nothing.
    for path in (whole, cut, whole):
        assert "new 0\talready present 2" in ingest(qunguan, db_path, path).stdout
    assert query("select count(*) n from messages") == [{"n": 2}]


def test_a_cut_message_completed_by_the_whole_share_is_judged_again_whole(qunguan, db_path, query, tmp_path):
    # Classified while cut, 王伟's notice asked for nothing; its whole asks for photos as proof
    # (群规 第九条). The next classify judges it again, whole, and flags it once.
    notice = "请各村今晚把走访照片发群里，每户都要拍照"
    cut, whole = tmp_path / "cut.txt", tmp_path / "whole.txt"
    cut.write_text(_SHARE.replace("请各乡镇于今晚八点前上报", "请各村今晚把走访"), encoding="utf-8")
    whole.write_text(_SHARE.replace("请各乡镇于今晚八点前上报", notice) + "\n", encoding="utf-8")
    ingest(qunguan, db_path, cut)
    qunguan("classify", "--db", db_path, "--silent")
    assert query("select count(*) n from flags where category = 'proof_demand'") == [{"n": 0}]
    ingest(qunguan, db_path, whole)
    assert query("select text from messages order by id")[1] == {"text": notice}
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    assert query("select m.text from flags f join messages m on m.id = f.message_id "
                 "where f.category = 'proof_demand'") == [{"text": notice}]


def test_a_short_reply_ending_a_share_is_not_completed_by_a_longer_one_under_another_message(qunguan, db_path, query,
                                                                                           tmp_path):
    # The afternoon's share, ending in 王伟's 收到 with no line end, is read first; then the
    # morning's, with his 收到，马上办 of the same minute under another notice: two messages.
    afternoon, morning = tmp_path / "下午.txt", tmp_path / "上午.txt"
    afternoon.write_text('微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:50\n请城关镇补报水位\n\n'
                         "王伟  08:50\n收到", encoding="utf-8")
    morning.write_text('微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:49\n请各乡镇于今晚八点前上报\n\n'
                       "王伟  08:50\n收到，马上办\n", encoding="utf-8")
    for path in (afternoon, morning, afternoon, morning):
        ingest(qunguan, db_path, path)
    assert sorted(r["text"] for r in query("select text from messages")) == sorted(
        ["请各乡镇于今晚八点前上报", "收到，马上办", "请城关镇补报水位", "收到"])


def test_a_cut_copy_is_not_stored_where_another_share_brought_a_reply_between_its_notice_and_the_whole(
        qunguan, db_path, query, tmp_path):
    # The morning's share (李明's notice at 08:49, 王伟's 收到，马上办 at 08:50), then 赵强's share
    # of the notice and his 1 of 08:49, which his phone shows and the morning's did not
    # select: in the archive the 1 stands between the notice and 王伟's whole reply. A copy
    # of the morning's share cut after 收到 still follows the notice: a cut copy, not stored.
    notice = '微信群"防汛群"的聊天记录如下:\n\n—————  2025-03-03  —————\n\n李明  08:49\n请各乡镇于今晚八点前上报\n\n'
    morning = tmp_path / "上午.txt"
    morning.write_text(notice + "王伟  08:50\n收到，马上办\n", encoding="utf-8")
    zhao = tmp_path / "赵强.txt"
    zhao.write_text(notice + "赵强  08:49\n1\n", encoding="utf-8")
    ingest(qunguan, db_path, morning)
    ingest(qunguan, db_path, zhao)
    cut = tmp_path / "上午-复制.txt"
    cut.write_text(notice + "王伟  08:50\n收到", encoding="utf-8")
    result = ingest(qunguan, db_path, cut)
    assert "new 0\talready present 2" in result.stdout and "档案中已有这条消息的完整内容" in result.stderr, result.stderr
    assert [r["text"] for r in query("select text from messages order by id")] == [
        "请各乡镇于今晚八点前上报", "收到，马上办", "1"]
