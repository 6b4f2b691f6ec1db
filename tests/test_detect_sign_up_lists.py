"""接龙: a township office starts a list, and each village answers by copying it and adding
its own numbered line. An answer neither demands proof nor posts the notice again
(群规 第九条): only the starter's own post is judged."""
import pytest

from detectors.run import run_rules
from tests.detector_helpers import add, archive

ROLL_CALL = "请各村干部今天8点前在群里接龙报到"
PROGRESS = "【接龙】请各村支部书记于今天17:00前接龙报送春耕备耕进度"


def flags(conn):
    return conn.execute("select message_id, category from flags where category in ('proof_demand', 'repeated_post') "
                        "order by message_id, category").fetchall()


def post_list(conn, title, lines, starter_adds_a_line):
    """The starter's post (member 1) and one answer a village (members 2, 3 …), ten minutes apart."""
    shown = lines if starter_adds_a_line else ["", *lines]
    for i in range(len(shown)):
        entries = [f"{n}. {line}" for n, line in enumerate(filter(None, shown[:i + 1]), start=1)]
        add(conn, i + 1, 1, f"2025-03-03T09:{10 * i:02d}:00", "\n".join([title, *entries]), member_id=i + 1)


@pytest.mark.parametrize("title, lines, starter_adds_a_line", [
    (PROGRESS, ["石门村 已完成80%", "新庄村 已完成75%", "下屋村 已完成70%"], True),
    ("#接龙\n" + ROLL_CALL + "\n", ["刘洋 已到岗", "陈静 已到岗", "王磊 已到岗"], True),
    ("【接龙】" + ROLL_CALL, ["石门村 李强 已到岗", "新庄村 陈静 已到岗"], False),
])
def test_villages_answering_a_list_are_not_flagged_only_the_starters_demand_is(tmp_path, title, lines,
                                                                               starter_adds_a_line):
    conn = archive(tmp_path / "a.db")
    post_list(conn, title, lines, starter_adds_a_line)
    run_rules(conn)
    assert flags(conn) == [(1, "proof_demand")]


def test_a_list_posted_again_with_no_line_added_is_a_repeat(tmp_path):
    conn = archive(tmp_path / "a.db")
    post_list(conn, PROGRESS, ["石门村 已完成80%", "新庄村 已完成75%"], True)
    add(conn, 3, 1, "2025-03-03T15:00:00", f"{PROGRESS}\n1. 石门村 已完成80%\n2. 新庄村 已完成75%", member_id=1)
    run_rules(conn)
    # The starter's repost makes the demand again, whoever answered between.
    assert flags(conn) == [(1, "proof_demand"), (3, "proof_demand"), (3, "repeated_post")]


def test_the_starter_reposting_after_answers_is_judged_again_and_an_answer_without_a_sender_is_an_answer(tmp_path):
    conn = archive(tmp_path / "a.db")
    daily = "#接龙\n每日森林防火巡查打卡，请各村护林员巡山后拍照上传并接龙\n"
    add(conn, 1, 1, "2025-03-04T09:00:00", daily + "\n1. 新庄村 已巡查", member_id=1)
    add(conn, 2, 1, "2025-03-04T09:30:00", daily + "\n1. 新庄村 已巡查\n2. 石门村 已巡查", member_id=2)
    add(conn, 3, 1, "2025-03-05T09:00:00", daily + "\n1. 新庄村 已巡查", member_id=1)
    add(conn, 4, 1, "2025-03-05T09:20:00", daily + "\n1. 新庄村 已巡查\n2. 下屋村 已巡查", member_id=None)
    run_rules(conn)
    assert [row for row in flags(conn) if row[1] == "proof_demand"] == [(1, "proof_demand"), (3, "proof_demand")]


def test_answers_to_a_list_started_at_night_are_not_tasks_set_after_hours(tmp_path):
    conn = archive(tmp_path / "a.db")
    title = "【接龙】请各村支部书记今晚10点前接龙报送春耕备耕进度"
    villages = ["石门村 李强", "新庄村 陈静", "下屋村 王磊"]
    for i in range(len(villages)):
        entries = [f"{n}. {v}" for n, v in enumerate(villages[:i + 1], start=1)]
        add(conn, i + 1, 1, f"2025-03-04T21:{10 * i:02d}:00", "\n".join([title, *entries]), member_id=i + 1)
    run_rules(conn)
    assert conn.execute("select message_id from flags where category = 'after_hours'").fetchall() == [(1,)]


def test_the_same_list_started_again_each_day_by_its_starter_is_judged_each_day(tmp_path):
    conn = archive(tmp_path / "a.db")
    daily = "#接龙\n每日森林防火巡查打卡，请各村护林员巡山后拍照上传并接龙\n\n1. 新庄村 已巡查"
    add(conn, 1, 1, "2025-03-04T09:00:00", daily, member_id=1)
    add(conn, 2, 1, "2025-03-05T09:00:00", daily, member_id=1)
    run_rules(conn)
    assert [row for row in flags(conn) if row[1] == "proof_demand"] == [(1, "proof_demand"), (2, "proof_demand")]


def test_a_week_long_list_is_judged_on_its_starter_and_a_daily_one_on_each_repost(tmp_path):
    conn = archive(tmp_path / "a.db")
    title = "#接龙\n每日森林防火巡查打卡，请各村护林员巡山后拍照上传并接龙\n"
    lines = []
    for day in range(3, 7):  # the starter on the 3rd only; two villages answer every day
        if day == 3:
            add(conn, 100, 1, "2025-03-03T08:00:00", title, member_id=1)
        for member, clock in ((2, "08:30"), (3, "09:30")):
            lines.append(f"{len(lines) + 1}. 第{member}村 {day}日已巡查")
            add(conn, day * 10 + member, 1, f"2025-03-0{day}T{clock}:00", title + "\n" + "\n".join(lines), member_id=member)
    run_rules(conn)
    assert [row for row in flags(conn) if row[1] == "proof_demand"] == [(100, "proof_demand")]

    conn = archive(tmp_path / "b.db")
    for day in range(3, 7):  # the starter posts it afresh each morning, a village answers
        add(conn, day * 10, 1, f"2025-03-0{day}T08:00:00", title + "\n1. 第1村 已巡查", member_id=1)
        add(conn, day * 10 + 1, 1, f"2025-03-0{day}T08:40:00", title + "\n1. 第1村 已巡查\n2. 第2村 已巡查", member_id=2)
    run_rules(conn)
    assert [row[0] for row in flags(conn) if row[1] == "proof_demand"] == [30, 40, 50, 60]


def test_a_list_its_starter_led_with_an_ideographic_space_is_answered_without_it(tmp_path):
    conn = archive(tmp_path / "a.db")
    add(conn, 1, 1, "2025-03-03T09:00:00", "\u3000" + PROGRESS + "\n1. 石门村 已完成80%", member_id=1)
    add(conn, 2, 1, "2025-03-03T09:10:00", PROGRESS + "\n1. 石门村 已完成80%\n2. 新庄村 已完成75%", member_id=2)
    run_rules(conn)
    assert flags(conn) == [(1, "proof_demand")]
