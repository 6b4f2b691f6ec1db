"""A flag the checks no longer find, once they read its message again (a setting changed, a
new model or rules version), leaves the queue: withdrawn in a handling row signed by the
check, unless a supervisor has decided on it; found again, it comes back."""
import sqlite3
from datetime import date

from ingest.schema import open_archive
from review import handling
from review.charts import figures
from review.feedback import reviewed
from review.report import report
from review.site import QUERIES

HEADER = "消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
# Tuesday evening: each a notice after 17:30, and only 22:30 is after 20:00 too.
EVENING = [("19:00:00", "请各村于周五前报送春耕备耕情况统计表"),
           ("19:30:00", "请各村于周四前上报农机补贴申请名单"),
           ("22:30:00", "请各村于周三前报送耕地保护巡查台账")]
LATER_HOURS = '[["08:00","12:00"],["14:30","20:00"]]'


def _ingest(qunguan, db_path, tmp_path, rows):
    export = tmp_path / "week.csv"
    export.write_text(HEADER + "".join(f"99000000000000000{n:02d},文本,王主任,{at},{text},,,more\n"
                                       for n, (at, text) in enumerate(rows, start=1)), encoding="utf-8")
    assert qunguan("ingest", export, "--db", db_path, "--group", "农业农村工作群", "--silent").exit_code == 0


def _after_hours(query):
    """message id -> (status, actor) of its after_hours flag (None, None for nobody's)."""
    return {r["message_id"]: (r["status"], r["actor_id"]) for r in query(
        "select f.message_id, s.status, s.actor_id from flags f left join flag_state s on s.flag_id = f.id "
        "where f.category = 'after_hours' order by f.message_id")}


def test_a_working_day_made_longer_withdraws_the_evening_flags_but_a_supervisors_decision_stands(
        qunguan, db_path, query, tmp_path):
    _ingest(qunguan, db_path, tmp_path, [(f"2025-03-04 {at}", text) for at, text in EVENING])
    qunguan("classify", "--db", db_path, "--silent")
    assert _after_hours(query) == {1: (None, None), 2: (None, None), 3: (None, None)}
    confirmed = query("select id from flags where message_id = 2 and category = 'after_hours'")[0]["id"]
    conn = open_archive(str(db_path)).conn
    handling.record(conn, [confirmed], handling.validate("confirmed", "reminded", "已提醒", None), "u-sup")

    assert qunguan("config", "set", "after_hours.periods", LATER_HOURS, "--db", db_path).exit_code == 0
    result = qunguan("classify", "--db", db_path, "--silent")
    assert "重新检查后自动撤销或重新打开的消息标记：1 条" in result.stderr
    flags = _after_hours(query)
    assert flags[1][0] == "dismissed" and flags[1][1].startswith("rules@after_hours.")
    assert flags[2] == ("confirmed", "u-sup") and flags[3] == (None, None)
    assert query("select note from handling where actor_id like 'rules@%'")[0]["note"] == handling.WITHDRAWN_NOTE
    # Out of the queue, still in the report: a false alarm, said to be the check's own.
    text = report(conn, date(2025, 3, 3), date(2025, 3, 9))
    assert "（其中检测程序重新检查后自动撤销 1 条）" in text
    assert [r["次数"] for r in query(QUERIES["after_hours_per_unit"]["sql"])] == [2]
    # The dashboard counts it nowhere: no one's work done, no breach standing.
    states = figures(conn)["states"]
    assert states["open"] + states["handled"] == query("select count(*) n from flags")[0]["n"] - 1

    # The hours set back: the flag is found again, and waits for a supervisor once more.
    assert qunguan("config", "unset", "after_hours.periods", "--db", db_path).exit_code == 0
    assert "1 条" in qunguan("classify", "--db", db_path, "--silent").stderr
    flags = _after_hours(query)
    assert flags[1][0] == "reviewing" and flags[2] == ("confirmed", "u-sup") and flags[3] == (None, None)
    rows = query("select count(*) n from handling")[0]["n"]
    assert qunguan("config", "set", "after_hours.periods", '[["08:00","12:00"],["14:30","17:30"]]',
                   "--db", db_path).exit_code == 0
    result = qunguan("classify", "--db", db_path, "--silent")
    assert "消息标记" not in result.stderr and query("select count(*) n from handling")[0]["n"] == rows
    assert handling.withdrawn_since(conn, 0) == 2 and conn.execute(
        "select count(*) from handling").fetchone()[0] == 3  # and the chain holds them all
    from ingest.chain import first_break
    assert first_break(conn, "handling") is None


def test_a_new_model_withdraws_an_old_models_false_alarm_and_keeps_what_it_finds_too(qunguan, db_path, query, tmp_path):
    work, praise = "请各村于周五前报送春耕备耕情况统计表", "领导英明！🌹🌹🌹跟着领导干，我们干劲十足！向领导学习致敬！"
    _ingest(qunguan, db_path, tmp_path, [("2025-03-04 10:00:00", work), ("2025-03-04 10:05:00", praise)])
    conn = sqlite3.connect(db_path)
    # What an older model left: flattery on both (the notice wrongly).
    conn.executemany("insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, "
                     "created_at) values (?, ?, 1, 'flattery', 0.9, 'chat@0ld0ld0ld0ld', '群规 第十二条', '…', "
                     "'2025-03-04T12:00:00')", [("message:1", 1), ("message:2", 2)])
    conn.commit()
    conn.close()

    result = qunguan("classify", "--db", db_path, "--silent")
    assert "重新检查后自动撤销或重新打开的消息标记：1 条" in result.stderr
    states = {r["message_id"]: (r["status"], r["actor_id"]) for r in query(
        "select f.message_id, s.status, s.actor_id from flags f left join flag_state s on s.flag_id = f.id "
        "where f.category = 'flattery' order by f.message_id")}
    assert states[1][0] == "dismissed" and states[1][1].startswith("chat@") and states[1][1] != "chat@0ld0ld0ld0ld"
    assert states[2] == (None, None)
    # A model's own withdrawal teaches the next model nothing: only a person's decision does.
    assert reviewed(open_archive(str(db_path)).conn) == []


def test_a_rule_read_again_withdraws_nothing_a_supervisor_took_up_or_another_check_raised(db_path):
    conn = open_archive(str(db_path)).conn
    conn.executescript(
        "insert into groups (id, name) values (1, '政务服务群');"
        "insert into imports (id, path, sha256, size, format, new, duplicate, rejected, started_at, finished_at, "
        "os_user, prev_hash, hash) values (1, 'x', '', 0, 'f', 0, 0, 0, '', '', '', '', '');"
        "insert into messages (id, key, group_id, sent_at, time_precision, kind, text, import_id, raw) values "
        "(1, 1, 1, '2025-03-04T10:00:00', 'second', 'text', '好的', 1, '{}'),"
        "(2, 2, 1, '2025-03-04T10:01:00', 'second', 'text', '收到', 1, '{}');"
        "insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, created_at) "
        "values ('message:1', 1, 1, 'after_hours', 1, 'rules@after_hours.1', '群规 第十条', '…', '2025-03-04T12:00:00'),"
        "('message:2', 2, 1, 'after_hours', 1, 'rules@after_hours.1', '群规 第十条', '…', '2025-03-04T12:00:00'),"
        "('message:2', 2, 1, 'offtopic', 0.9, 'chat@0ld0ld0ld0ld', '群规 第八条', '…', '2025-03-04T12:00:00');")
    conn.commit()
    handling.record(conn, [1], handling.validate("reviewing", "none", "", None), "u-sup")
    from detectors import run

    run.run_rules(conn)
    states = dict(conn.execute("select f.id, s.status from flags f left join flag_state s on s.flag_id = f.id "
                               "where f.message_id is not null"))
    assert states == {1: "reviewing", 2: "dismissed", 3: None}


def test_a_flag_found_again_on_a_later_messages_account_is_not_withdrawn(db_path):
    # A post is a repeat once a copy of it is read, which may be in a later batch (its
    # flag on the repeat, read in the batch before): the withdrawal waits for the run's end.
    conn = open_archive(str(db_path)).conn
    conn.executescript(
        "insert into groups (id, name) values (1, '政务服务群');"
        "insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, created_at) "
        "values ('message:2', 2, 1, 'repeated_post', 1, 'rules@repeated_post.1', '群规 第九条', '…', ''),"
        "('message:1', 1, 1, 'repeated_post', 1, 'rules@repeated_post.1', '群规 第九条', '…', '');")
    again = handling.Rereading("rules@repeated_post.2", "rules@repeated_post.", ("repeated_post",))
    again.read(conn, [1, 2], [])
    again.read(conn, [3], [{"message_id": 2, "category": "repeated_post"}])
    assert again.finish(conn) == 1
    assert conn.execute("select f.message_id, s.status from flags f left join flag_state s on s.flag_id = f.id "
                        "order by f.message_id").fetchall() == [(1, "dismissed"), (2, None)]


def test_a_reading_cut_short_and_run_again_withdraws_what_its_first_part_read(db_path):
    conn = open_archive(str(db_path)).conn
    conn.executescript(
        "insert into groups (id, name) values (1, '政务服务群');"
        "insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, created_at) "
        "values ('message:1', 1, 1, 'secret', 1, 'rules@secret.1', '群规 第十一条', '…', ''),"
        "('message:5', 5, 1, 'secret', 1, 'rules@secret.1', '群规 第十一条', '…', '');")
    with conn:
        handling.Rereading("rules@secret.2", "rules@secret.", ("secret",)).read(conn, [1, 2, 3], [])
    # Ctrl-C: the watermark is past message 3, and the next run reads on from message 4.
    again = handling.Rereading("rules@secret.2", "rules@secret.", ("secret",))
    again.read(conn, [4, 5, 6], [])
    assert again.finish(conn) == 2
    assert conn.execute("select count(*) from reread_doubts").fetchone()[0] == 0


def test_a_shorter_window_withdraws_a_repeat_read_in_the_process_beside(qunguan, db_path, query, tmp_path, monkeypatch):
    # Large runs read repeated posts in a forked process beside the other detectors, a batch
    # behind them: here every run, one message per batch.
    from detectors import run

    monkeypatch.setattr(run, "BESIDE_FROM", 1)
    monkeypatch.setattr(run, "BATCH", 1)
    notice = "请各村于周五前报送春耕备耕进展情况统计表，逾期通报"
    _ingest(qunguan, db_path, tmp_path, [("2025-03-03 09:00:00", notice), ("2025-03-03 09:30:00", "收到"),
                                         ("2025-03-06 09:00:00", notice)])
    qunguan("classify", "--db", db_path, "--silent")
    assert [r["message_id"] for r in query("select message_id from flags where category = 'repeated_post'")] == [3]
    assert qunguan("config", "set", "repeated_post.window_days", "2", "--db", db_path).exit_code == 0
    assert "消息标记：1 条" in qunguan("classify", "--db", db_path, "--silent").stderr
    assert [(r["status"], r["actor_id"].split(".")[0]) for r in query(
        "select s.status, s.actor_id from flags f join flag_state s on s.flag_id = f.id "
        "where f.category = 'repeated_post'")] == [("dismissed", "rules@repeated_post")]


def test_a_supervisors_false_alarm_on_an_account_the_check_closes_after_stays_theirs_on_the_dashboard(db_path):
    # When an account's finding goes, the new-media check signs a row keeping the
    # supervisor's 误报: not a withdrawal, and counted as their decision.
    from newmedia import checks

    conn = open_archive(str(db_path)).conn
    conn.execute("insert into accounts (id, unit, platform, name, kind, status, created_at, updated_at) values "
                 "(1, '县林业局', '微信公众号', '林业发布', '政务', '运行', '2025-03-01', '2025-03-01')")
    conn.execute("insert into flags (subject, account_id, category, score, detector, article, evidence, created_at, "
                 "occurred_at) values ('account:1', 1, 'account_dormant', 1, 'rules@accounts.1', '新媒体 第四条', "
                 "'已 100 天未更新', '2025-03-04T12:00:00', '2025-03-04T12:00:00')")
    conn.commit()
    handling.record(conn, [1], handling.validate("dismissed", "none", "账号仍在更新", None), "u-sup")
    checks.settle(conn, [], set(), 90, date(2025, 3, 6))
    assert conn.execute("select actor_id from flag_state").fetchone()[0].startswith("rules@accounts")
    assert figures(conn)["states"] == {"open": 0, "handled": 1}
    assert "自动撤销" not in report(conn, date(2025, 3, 3), date(2025, 3, 9))
