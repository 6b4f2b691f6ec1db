"""The report for leaders on a period: activity per group, breaches by category and
article, what is handled and what still waits, in Chinese Markdown; cases by number,
never by person."""
import sqlite3
from datetime import date, datetime

import pytest

from ingest.records import local_now
from ingest.schema import open_archive
from review import handling
from review.report import last_week, report
from tests.review_helpers import flag_as_chatter, new_year_part_weeks


@pytest.fixture
def archive(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("ingest", fixtures / "wecom/chatdata.jsonl", "--db", db_path, "--silent")
    qunguan("groups", "set", "防火群", "--unit", "县林业局", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    return db_path


def test_the_report_counts_the_weeks_messages_and_breaches_and_what_is_handled(qunguan, archive, query):
    proof = query("select id from flags where category = 'proof_demand' order by id")[0]["id"]
    conn = open_archive(str(archive)).conn
    handling.record(conn, [proof], handling.validate("resolved", "reminded", "已提醒", None), "u-supervisor")
    result = qunguan("report", "--db", archive, "--from", "2025-03-03")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    in_week = query("select count(*) n from flags where message_id is not null and occurred_at < '2025-03-10'")[0]["n"]
    assert "统计时段：2025-03-03 至 2025-03-09" in text
    assert f"本期标记 {in_week} 条，经核查为误报 0 条；发现问题 {in_week} 条，已处置 1 条，待处置 {in_week - 1} 条" in text
    assert "| 防火群 | 县林业局 | 6 | " in text and "| 靖安县驻村工作队群 | （未登记单位） | 4 | " in text
    assert "| 过度留痕（要求截图拍照） | 群规 第九条 | " in text
    assert "未明确群管理员（群规 第四条）" in text  # the groups' own breaches, still waiting
    # Breaches in messages are listed by case number, group and time, never by who posted them
    # (a member off the roster is itself the case, and is named in section 五).
    senders = [r["display_name"] for r in query("select distinct m.display_name from flags f join messages g on g.id = "
                                                "f.message_id join members m on m.id = g.member_id where m.display_name is not null")]
    cases = text.split("## 三")[1].split("## 五")[0]
    assert senders and not any(name in cases for name in senders)


def test_a_unit_gets_the_report_on_its_own_groups(qunguan, archive):
    text = qunguan("report", "--db", archive, "--from", "2025-03-03", "--unit", "县林业局").stdout
    assert "范围：县林业局" in text and "防火群" in text and "靖安县驻村工作队群" not in text


def test_cases_left_open_more_than_three_days_are_listed_as_overdue(archive, query):
    conn = open_archive(str(archive)).conn
    flagged = datetime.fromisoformat(query("select max(created_at) t from flags")[0]["t"])
    soon = report(conn, date(2025, 3, 3), date(2025, 3, 9), now=flagged)
    late = report(conn, date(2025, 3, 3), date(2025, 3, 9), now=flagged.replace(year=flagged.year + 1))
    assert "超过3天未处置的问题（群规 第十三条 迅速处置）\n\n无。" in soon
    waiting = query("select count(*) n from flags")[0]["n"]
    assert f"{min(waiting, 30)}. #" in late.split("## 三")[1].split("## 四")[0]


def test_by_default_the_report_covers_last_week_monday_to_sunday(qunguan, archive):
    assert last_week(date(2026, 11, 27)) == (date(2026, 11, 16), date(2026, 11, 22))  # a Friday
    assert last_week(date(2026, 11, 23)) == (date(2026, 11, 16), date(2026, 11, 22))  # a Monday
    # Today where the archive's units are (Asia/Shanghai), as the report reads it: from 16:00 UTC
    # on a Sunday it is Monday there, and last week is the one just ended.
    monday, sunday = last_week(local_now().date())
    assert f"统计时段：{monday} 至 {sunday}" in qunguan("report", "--db", archive).stdout


@pytest.mark.parametrize("args, message", [
    (["--from", "2025/03/03"], "expected a day as YYYY-MM-DD"),
    (["--from", "2025-03-09", "--to", "2025-03-03"], "is before --from"),
    # Days a calendar holds, but not the week or the day after the report reads: no traceback.
    (["--to", "9999-12-31"], "the period must end before 9999-12-31"),
    (["--from", "9999-12-28"], "the period must end before 9999-12-31"),
    (["--to", "0001-01-03"], "start after 0001-01-01"),
])
def test_a_period_written_wrong_is_refused_in_one_line(qunguan, archive, args, message):
    result = qunguan("report", "--db", archive, *args)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_false_alarms_are_counted_apart_and_leave_the_chatter_share(qunguan, archive, query):
    # The model took two of 防火群's replies for chatter.
    conn = open_archive(str(archive)).conn
    flag_as_chatter(conn, query("select m.id, m.group_id from messages m join groups g on g.id = m.group_id "
                                "where g.name = '防火群' and m.kind = 'text' order by m.id limit 2"))
    chatter = query("select f.id, g.name from flags f join groups g on g.id = f.group_id join messages m on m.id = f.message_id "
                    "where f.category in ('offtopic', 'flattery') and m.kind in ('text', 'quote')")

    def share(text: str, group: str) -> str:
        return next(line for line in text.splitlines() if line.startswith(f"| {group} |")).split(" | ")[5]
    before = qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    handling.record(conn, [c["id"] for c in chatter], handling.validate("dismissed", "none", "", None), "u-supervisor")
    text = qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    flagged = query("select count(*) n from flags where occurred_at >= '2025-03-03' and occurred_at < '2025-03-10'")[0]["n"]
    assert f"本期标记 {flagged} 条，经核查为误报 {len(chatter)} 条；发现问题 {flagged - len(chatter)} 条" in text
    assert share(before, chatter[0]["name"]) != "0%" and share(text, chatter[0]["name"]) == "0%"


def test_a_chatter_week_waits_until_the_check_closes_it_as_a_false_alarm_not_a_case_handled(qunguan, archive, query):
    # The model took two of 防火群's replies for chatter, which made the week a chatter week;
    # a supervisor found both false, and the next check closed the week on its own.
    conn = open_archive(str(archive)).conn
    flag_as_chatter(conn, query("select m.id, m.group_id from messages m join groups g on g.id = m.group_id "
                                "where g.name = '防火群' and m.text = '收到' order by m.id limit 2"))
    qunguan("config", "set", "group.weekly_min_messages", "1", "--db", archive)
    qunguan("classify", "--db", archive, "--silent")
    # While nobody has looked at it, the chatter week is a case waiting, in its group's row too.
    waiting = qunguan("report", "--db", archive, "--from", "2025-03-03")
    assert waiting.exit_code == 0 and "Traceback" not in waiting.stderr
    assert "| 聊天群/夸夸群倾向 | 群规 第十二条 | 1 | 0 | 0 | 1 |" in waiting.stdout
    in_group = query("select count(*) n from flags where group_id = 1 and occurred_at < '2025-03-10'")[0]["n"]
    assert f"| 防火群 | 县林业局 | 6 | 4 | {in_group} | " in waiting.stdout
    chatter = query("select id from flags where category = 'offtopic' and detector = 'test'")
    handling.record(conn, [c["id"] for c in chatter], handling.validate("dismissed", "none", "", None), "u-supervisor")
    qunguan("classify", "--db", archive, "--silent")
    assert query("select s.status, s.actor_id from flags f join flag_state s on s.flag_id = f.id "
                 "where f.category = 'group_chatter_share'") == [{"status": "resolved", "actor_id": "rules@groups"}]
    text = qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    assert "| 聊天群/夸夸群倾向 | 群规 第十二条 | 1 | 1 | 0 | 0 |" in text  # 误报, not also 已处置
    flagged = query("select count(*) n from flags where occurred_at >= '2025-03-03' and occurred_at < '2025-03-10'")[0]["n"]
    assert f"本期标记 {flagged} 条，经核查为误报 3 条；发现问题 {flagged - 3} 条，已处置 0 条，待处置 {flagged - 3} 条" in text


@pytest.mark.parametrize("decided", [False, True])
def test_a_new_year_part_week_the_check_closed_is_counted_nowhere_not_as_a_false_alarm(qunguan, archive, query,
                                                                                        decided):
    # A supervisor's verdict on the part week stays theirs, and counts.
    new_year_part_weeks(qunguan, archive, decided)
    text = qunguan("report", "--db", archive, "--from", "2024-12-30").stdout
    weeks = 2 if decided else 1  # the whole week's flag, still waiting for a supervisor
    assert f"本期标记 {weeks} 条，经核查为误报 0 条；发现问题 {weeks} 条，已处置 0 条，待处置 {weeks} 条" in text
    assert f"| 聊天群/夸夸群倾向 | 群规 第十二条 | {weeks} | 0 | 0 | {weeks} |" in text


def test_speakers_are_people_however_many_exports_named_them(qunguan, archive, query, tmp_path):
    # 周敏 posts as 县应急局-周敏 in the MemoTrace export; the roster knows both names as one person.
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,职务,群昵称\n周敏,县应急局,科员,县应急局-周敏；周敏\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", archive)
    speakers = lambda: next(line for line in qunguan("report", "--db", archive, "--from", "2025-03-03").stdout.splitlines()
                            if line.startswith("| 防火群 |")).split(" | ")[3]
    before = int(speakers())
    conn = open_archive(str(archive)).conn
    [(group_id, member_id)] = conn.execute("select group_id, id from members where display_name = '县应急局-周敏'").fetchall()
    # The same person's second sender in the group (another export named her by wxid).
    conn.execute("insert into members (group_id, sender_key, sender_id, display_name, person_id) select group_id, 'wxid_zm', "
                 "'wxid_zm', '周敏', person_id from members where id = ?", [member_id])
    conn.execute("update messages set member_id = last_insert_rowid() where id = (select max(id) from messages "
                 "where member_id = ?)", [member_id])
    conn.commit()
    assert int(speakers()) == before


def test_an_unknown_unit_is_refused_naming_the_known_ones_and_to_alone_is_its_week(qunguan, archive):
    wrong = qunguan("report", "--db", archive, "--unit", "县林业")
    assert wrong.exit_code == 1 and "units: 县林业局" in wrong.stderr
    assert wrong.stderr.startswith("错误：--unit '县林业'：没有登记在该单位名下的群或新媒体账号；已登记的单位：县林业局")
    assert "统计时段：2025-03-03 至 2025-03-09" in qunguan("report", "--db", archive, "--to", "2025-03-09").stdout


def test_the_report_records_the_trails_heads_for_a_later_verify(qunguan, archive):
    text = qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    heads = {line.split("\t")[0]: line.split("\t")[2][5:] for line in qunguan("verify", "--db", archive).stdout.splitlines()
             if line.startswith(("handling\t", "imports\t")) and " rows\t" in line}
    assert f"imports 2 条，末行摘要 {heads['imports']}" in text and f"handling 0 条，末行摘要 {heads['handling']}" in text


def test_a_group_dissolved_before_the_period_is_not_in_its_report(qunguan, archive):
    qunguan("groups", "set", "靖安县驻村工作队群", "--dissolved", "2025-03-05", "--db", archive)
    assert "| 靖安县驻村工作队群 |" in qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    later = qunguan("report", "--db", archive, "--from", "2025-03-10").stdout
    assert "靖安县驻村工作队群" not in later and "在册工作群 1 个" in later


def test_new_media_flags_are_reported_by_article_and_a_published_id_list_needs_attention(qunguan, archive, query,
                                                                                        fixtures, tmp_path):
    from ingest.records import local_now

    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", archive)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", archive)
    export = tmp_path / "公示.csv"
    export.write_text("标题,发布时间,正文\n资助名单公示,2025-09-24 09:00,1. 王建华 362201195812123459 湖田村\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", archive, "--account", "宜春教育")
    qunguan("classify", "--db", archive, "--silent")
    [personal] = query("select id from flags where category = 'account_personal'")
    conn = open_archive(str(archive)).conn
    handling.record(conn, [personal["id"]], handling.validate("resolved", "talked", "已约谈", None), "u-supervisor")
    text = qunguan("report", "--db", archive, "--from", "2025-09-01", "--to", str(local_now().date())).stdout
    newmedia = text.split("## 六")[1]
    assert "在册账号 5 个（运行 5，停更 0，关停 0）；本期发布 4 篇（据已导入的发布记录）" in newmedia
    assert "| 以个人名义开设账号 | 新媒体 第八条 | 1 | 0 | 1 | 0 |" in newmedia
    assert "| 泄露个人信息 | 新媒体 第十条 | 1 | 0 | 0 | 1 |" in newmedia
    assert "同一平台多个新媒体账号（新媒体 第四条）" in newmedia  # still waiting
    assert newmedia.index("| 新媒体 第四条 |") < newmedia.index("| 新媒体 第八条 |") < newmedia.index("| 新媒体 第十条 |")
    [privacy] = query("select id from flags where category = 'privacy' and post_id is not null")
    serious = text.split("## 四")[1].split("## 五")[0]
    assert f"#{privacy['id']}　微信公众号「宜春教育」　2025-09-24 09:00　泄露个人信息：" in serious
    assert "3622**********3459" in serious and "362201195812123459" not in text
    # A unit that has accounts but no work group gets its own report.
    unit = qunguan("report", "--db", archive, "--from", "2025-09-01", "--unit", "中共宜春市委宣传部")
    assert unit.exit_code == 0 and "在册账号 1 个" in unit.stdout


def test_a_report_made_before_classify_says_which_messages_nobody_checked_yet(qunguan, archive, tmp_path):
    # Monday: the admin ingests the next week's export and makes the report straight away,
    # forgetting `classify`: the week would read as clean, its breach unflagged.
    week = tmp_path / "防火群.csv"
    week.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                    "9100000000000000101,文本,县应急局-周敏,2025-03-10 09:00:00,请各村上传巡山照片,,,more\n"
                    "9100000000000000102,文本,黄坑乡-刘洋,2025-03-10 09:01:00,收到,,,more\n", encoding="utf-8-sig")
    qunguan("ingest", week, "--db", archive, "--silent")
    early = qunguan("report", "--db", archive, "--from", "2025-03-10")
    assert early.exit_code == 0
    assert "本期有 2 条消息尚未经过违规识别（导入后未运行 qunguan classify）" in early.stdout
    assert "2 messages of the period were imported after the last `qunguan classify`" in early.stderr
    assert early.stderr.startswith("注意：本期有 2 条消息是在最近一次 `qunguan classify` 之后导入的")
    # The week before was checked: its report has no such note.
    assert "尚未经过违规识别" not in qunguan("report", "--db", archive, "--from", "2025-03-03").stdout
    qunguan("classify", "--db", archive, "--silent")
    checked = qunguan("report", "--db", archive, "--from", "2025-03-10")
    assert "尚未经过违规识别" not in checked.stdout and "warning" not in checked.stderr


def test_a_report_made_after_an_upgrade_before_classify_says_the_older_rules_counted(qunguan, archive):
    # The archive was checked by an older version of a rule (as stored by the qunguan
    # installed before); the new version has not read it yet. Nothing was imported since.
    from detectors import after_hours
    from detectors.run import detector_name
    qunguan("classify", "--db", archive, "--silent")
    with sqlite3.connect(archive) as conn:
        conn.execute("update detector_state set detector = 'rules@after_hours.1' where detector = ?",
                     [detector_name(after_hours)])
    upgraded = qunguan("report", "--db", archive, "--from", "2025-03-03")
    assert upgraded.exit_code == 0
    assert "尚未按本版识别规则重新检查（qunguan 升级后未运行 qunguan classify），以上问题数只含旧版规则发现的问题" in upgraded.stdout
    assert "导入后未运行" not in upgraded.stdout and "imported after the last" not in upgraded.stderr
    assert "checked only by an older version of the rules" in upgraded.stderr
    qunguan("classify", "--db", archive, "--silent")
    again = qunguan("report", "--db", archive, "--from", "2025-03-03")
    assert "识别规则重新检查" not in again.stdout and "older version" not in again.stderr
