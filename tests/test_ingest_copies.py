"""Given an export of one chat that arrives again under another name (a colleague's
renamed copy, a re-saved one, next week's export named by its dates), when the admin
ingests it without --group, then it joins the group of the chat, and no message is
archived a second time in a group named after the new file."""
import shutil

import pytest

WEEK = "copies/工作群_2025-03-03.csv"


def ingest(qunguan, db_path, *paths, group=None):
    return qunguan("ingest", *paths, "--db", db_path, "--silent", *(["--group", group] if group else []))


def groups(query):
    return query("select g.name, count(m.id) n from groups g left join messages m on m.group_id = g.id "
                 "group by g.id order by g.id")


def _untitled_share(fixtures, path):
    # A share copied from the mail body below its title: it names no group.
    lines = (fixtures / "wechat-share.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[1:]), encoding="utf-8")


# Each export of one chat that names no group inside, as first ingested (--group where it
# names none at all), and the name its copy comes back under.
@pytest.mark.parametrize("first, group, copy", [
    ("防汛工作群_utf8.csv", None, "聊天记录.csv"),
    (WEEK, None, "新建文本文档.csv"),
    ("memotrace3-html/城关镇防汛群(45600011122@chatroom)/城关镇防汛群.html.json", None, "导出.html.json"),
    ("袁州区平安建设群_2025-03-03_2025-03-09.txt", None, "平安群_2025-03-03_2025-03-09.txt"),
    ("pasted.txt", "林业群", "新建文本文档.txt"),
    (None, "乡村振兴群", "袁州区教育系统工作群-分享(1).txt"),
])
def test_a_renamed_copy_joins_the_group_of_the_file_it_copies(qunguan, db_path, query, fixtures, tmp_path, first, group,
                                                              copy):
    original = tmp_path / "first" / (first.rsplit("/", 1)[-1] if first else "分享.txt")
    original.parent.mkdir()
    if first:
        shutil.copy(fixtures / first, original)
    else:
        _untitled_share(fixtures, original)
    fmt = ingest(qunguan, db_path, original, group=group).stdout.split("\t")[1]  # its line: path, format, group, …
    before = groups(query)
    renamed = tmp_path / copy
    shutil.copy(original, renamed)
    again = ingest(qunguan, db_path, renamed)
    assert again.exit_code == 0, again.stderr
    archived = before[0]["name"]
    assert f"{renamed}\t{fmt}\t{archived}\tnew 0\t" in again.stdout
    assert groups(query) == before
    assert (f"注意：{renamed}：内容与第 1 号导入的 {original} 完全相同，已归入该文件所在的群 {archived}"
            f"（warning: {renamed}: the same content as import #1 of {original}; filed under that file's group "
            f"{archived}）") in again.stderr
    assert ingest(qunguan, db_path, renamed).stdout == again.stdout  # and run again, the same
    assert groups(query) == before


# A message with the exporter's id is the same message, edited or not; one without is
# its words, and the edited line is a message of its own.
@pytest.mark.parametrize("export, edit, copy, group, new", [
    (WEEK, ("请查收", "请查收！"), "工作群-分享.csv", "工作群_2025-03-03", 0),
    ("袁州区平安建设群_2025-03-03_2025-03-09.txt", ("今晚我带队", "今晚我带队巡逻"), "平安群_2025-03-03_2025-03-09.txt",
     "袁州区平安建设群", 1),
])
def test_a_copy_re_saved_with_a_line_edited_joins_the_group_of_the_file_it_copies(qunguan, db_path, query, fixtures,
                                                                                  tmp_path, export, edit, copy, group,
                                                                                  new):
    ingest(qunguan, db_path, fixtures / export)
    edited = tmp_path / copy
    edited.write_text((fixtures / export).read_text(encoding="utf-8-sig").replace(*edit), encoding="utf-8-sig")
    result = ingest(qunguan, db_path, edited)
    assert f"\t{group}\tnew {new}\talready present {6 - new}\t" in result.stdout
    assert groups(query) == [{"name": group, "n": 6 + new}]
    assert (f"注意：{edited}：与第 1 号导入的 {fixtures / export} 是同一个群的记录（开头的消息大多已由它存档），"
            f"已归入该文件所在的群 {group}") in result.stderr


def test_next_weeks_export_named_by_its_date_joins_the_group_of_the_days_it_shares(qunguan, db_path, query, fixtures):
    # The export of 3-8 to 3-14 repeats the weekend the last one ended with.
    ingest(qunguan, db_path, fixtures / WEEK)
    result = ingest(qunguan, db_path, fixtures / "copies/工作群_2025-03-10.csv")
    assert "\t工作群_2025-03-03\tnew 3\talready present 3\t" in result.stdout
    assert groups(query) == [{"name": "工作群_2025-03-03", "n": 9}]
    assert f"the same chat as import #1 of {fixtures / WEEK}" in result.stderr


def test_another_chat_with_a_similar_name_and_a_notice_forwarded_into_both_is_a_group_of_its_own(qunguan, db_path,
                                                                                                 query, fixtures):
    # The county's notice reached both townships' groups at the same second: one message
    # alike is not the same chat; next week's export of the first still finds its own.
    ingest(qunguan, db_path, fixtures / WEEK)
    other = ingest(qunguan, db_path, fixtures / "copies/城关镇工作群_2025-03-03.csv")
    assert "\t城关镇工作群_2025-03-03\tnew 4\talready present 0\t" in other.stdout
    assert "注意" not in other.stderr
    assert "\t工作群_2025-03-03\tnew 3\t" in ingest(qunguan, db_path, fixtures / "copies/工作群_2025-03-10.csv").stdout
    assert groups(query) == [{"name": "工作群_2025-03-03", "n": 9}, {"name": "城关镇工作群_2025-03-03", "n": 4}]


def test_messages_archived_in_two_groups_leave_the_next_export_named_after_its_file(qunguan, db_path, query, fixtures,
                                                                                    tmp_path):
    # The week filed in one group, next week's joins it; filed twice (its copy under a second
    # --group), the two are not to be guessed between.
    next_week = fixtures / "copies/工作群_2025-03-10.csv"
    ingest(qunguan, db_path, fixtures / WEEK, group="防火群")
    assert "\t防火群\tnew 3\talready present 3\t" in ingest(qunguan, db_path, next_week).stdout
    twice = tmp_path / "twice.db"
    shutil.copy(fixtures / WEEK, tmp_path / "聊天记录.csv")
    ingest(qunguan, twice, fixtures / WEEK, group="防火群")
    ingest(qunguan, twice, tmp_path / "聊天记录.csv", group="应急群")
    result = ingest(qunguan, twice, next_week)
    assert "\t工作群_2025-03-10\tnew 6\talready present 0\t" in result.stdout
    assert "注意" not in result.stderr


def test_group_given_files_a_copy_where_the_admin_says(qunguan, db_path, query, fixtures, tmp_path):
    # Told the week's copy went to the group of the earlier file, the admin names the group
    # of the next copy: their word wins over what the messages say.
    ingest(qunguan, db_path, fixtures / WEEK)
    for name in ("聊天记录.csv", "新建文本文档.csv"):
        shutil.copy(fixtures / WEEK, tmp_path / name)
    assert "\t工作群_2025-03-03\tnew 0\t" in ingest(qunguan, db_path, tmp_path / "聊天记录.csv").stdout
    for copy in (tmp_path / "新建文本文档.csv", fixtures / "copies/工作群_2025-03-10.csv"):
        result = ingest(qunguan, db_path, copy, group="防火群")
        assert "\t防火群\tnew" in result.stdout
        assert "注意" not in result.stderr
    assert groups(query) == [{"name": "工作群_2025-03-03", "n": 6}, {"name": "防火群", "n": 9}]


@pytest.mark.parametrize("mistyped", ["靖安县乡村振兴工作君", "乡村振兴"])
def test_a_group_name_mistyped_for_an_archived_chat_is_refused_naming_the_group(qunguan, db_path, query, fixtures,
                                                                                tmp_path, mistyped):
    # Last week's share is archived; this week a colleague's copy without its title comes
    # in, and the admin types its group a character off, or cut short.
    ingest(qunguan, db_path, fixtures / "wechat-share.txt")
    before = groups(query)
    _untitled_share(fixtures, tmp_path / "聊天记录.txt")
    result = ingest(qunguan, db_path, tmp_path / "聊天记录.txt", group=mistyped)
    assert result.exit_code == 1
    assert (f"未导入 {tmp_path / '聊天记录.txt'}：档案中没有名为 '{mistyped}' 的群，而这个聊天已归档在群 '靖安县乡村振兴工作群'"
            f"（第 1 号导入的 {fixtures / 'wechat-share.txt'}）：如是笔误，请改用 --group '靖安县乡村振兴工作群'") in result.stderr
    assert groups(query) == before
    # Given the group's own name, the copy adds nothing; a new chat may take a like name.
    assert "\t靖安县乡村振兴工作群\tnew 0\t" in ingest(qunguan, db_path, tmp_path / "聊天记录.txt",
                                                  group="靖安县乡村振兴工作群").stdout
    assert ingest(qunguan, db_path, fixtures / "pasted.txt", group=mistyped).exit_code == 0
