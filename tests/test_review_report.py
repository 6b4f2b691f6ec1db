"""The report for leaders on a period: activity per group, breaches by category and
article, what is handled and what still waits, in Chinese Markdown; cases by number,
never by person."""
from datetime import date, datetime

import pytest

from ingest.schema import open_archive
from review import handling
from review.report import last_week, report


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
    assert f"本期发现问题 {in_week} 条，已处置 1 条，待处置 {in_week - 1} 条" in text
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
    monday, sunday = last_week(date.today())
    assert f"统计时段：{monday} 至 {sunday}" in qunguan("report", "--db", archive).stdout


@pytest.mark.parametrize("args, message", [
    (["--from", "2025/03/03"], "expected a day as YYYY-MM-DD"),
    (["--from", "2025-03-09", "--to", "2025-03-03"], "is before --from"),
])
def test_a_period_written_wrong_is_refused_in_one_line(qunguan, archive, args, message):
    result = qunguan("report", "--db", archive, *args)
    assert result.exit_code == 1 and message in result.stderr
