"""Group-level checks from the registry and roster, and `classify` twice adds nothing."""
import json
import re
import sqlite3
from datetime import date

import pytest

from detectors.base import load_config
from detectors import groups
from detectors.groups import detect_groups
from ingest.schema import open_archive
from review import feedback, handling
from tests.review_helpers import flag_as_chatter


def test_classify_runs_rules_and_a_second_run_adds_nothing(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    first = qunguan("classify", "--db", db_path, "--silent")
    assert first.exit_code == 0, first.stderr
    categories = {r["category"] for r in query("select category from flags")}
    assert {"red_packet", "group_no_admin", "group_member_unverified"} <= categories
    again = qunguan("classify", "--db", db_path, "--silent")
    assert again.stdout.startswith("flags added 0")


def test_groups_set_records_registry_and_clears_the_reason_to_flag(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    result = qunguan("groups", "set", "防火群", "--db", db_path, "--unit", "县应急局", "--admin", "周敏",
                     "--temporary-until", "2025-03-31")
    assert result.exit_code == 0, result.stderr
    assert query("select unit, admin, temporary_until from groups") == [
        {"unit": "县应急局", "admin": "周敏", "temporary_until": "2025-03-31"}]
    conn = open_archive(str(db_path)).conn
    flags = detect_groups(conn, load_config(conn), today=date(2025, 4, 2)).flags
    assert [f["category"] for f in flags if f["subject"] == "group:1"] == ["group_temporary_expired"]
    assert qunguan("groups", "set", "无此群", "--db", db_path, "--unit", "x").exit_code == 1


def test_groups_set_on_a_group_not_archived_or_renamed_says_which_name_to_give(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    unknown = qunguan("groups", "set", "城关镇工作群", "--db", db_path, "--unit", "城关镇")
    assert unknown.exit_code == 1
    assert ("no group named '城关镇工作群'; known: 樟树市卫健工作群 (a group is known once an export of it was "
            "ingested)") in unknown.stderr
    qunguan("groups", "rename", "樟树市卫健工作群", "樟树市卫健委工作群", "--db", db_path)
    # The admin types the name the group had on last month's form.
    old = qunguan("groups", "set", "樟树市卫健工作群", "--db", db_path, "--admin", "王军")
    assert old.exit_code == 1
    assert "no group is named '樟树市卫健工作群' now: it was renamed '樟树市卫健委工作群'; give that name" in old.stderr


def test_a_group_name_pasted_with_spaces_or_typed_in_part_or_half_width_finds_its_group(qunguan, db_path, fixtures):
    """Admins copy a group's name from a chat or a spreadsheet (a space or a full-width
    space comes along), type part of it, or type ( ) where the chat has （ ）."""
    qunguan("ingest", fixtures / "weflow.json", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "樟树市防汛工作群", "--silent")
    for pasted in ("樟树市卫健工作群 ", "\u3000樟树市卫健工作群"):
        result = qunguan("groups", "set", pasted, "--db", db_path, "--unit", "市卫健委")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("编号（id） 1\t群名（name） 樟树市卫健工作群\t单位（unit） 市卫健委\t")
    part = qunguan("groups", "set", "卫健", "--db", db_path, "--admin", "王军")
    assert part.exit_code == 1
    assert part.stderr.strip() == ("错误：没有名为 '卫健' 的群；是否指 '樟树市卫健工作群'？请写出完整群名"
                                   "（error: no group named '卫健'; did you mean '樟树市卫健工作群'?）")
    both = qunguan("groups", "set", "樟树市", "--db", db_path, "--admin", "王军")  # two groups: neither is changed
    assert both.exit_code == 1
    assert both.stderr.strip() == ("错误：没有名为 '樟树市' 的群；是否指 '樟树市卫健工作群' 或 '樟树市防汛工作群'？请写出完整群名"
                                   "（error: no group named '樟树市'; did you mean '樟树市卫健工作群' or '樟树市防汛工作群'?）")
    assert qunguan("groups", "rename", "樟树市防汛工作群 ", "樟树市防汛工作群（2025）", "--db", db_path).exit_code == 0
    half = qunguan("groups", "set", "樟树市防汛工作群(2025)", "--db", db_path, "--admin", "王军")
    assert half.exit_code == 1
    assert half.stderr.strip().endswith(
        "（error: no group named '樟树市防汛工作群(2025)'; did you mean '樟树市防汛工作群（2025）'?）")
    listed = qunguan("groups", "list", "--db", db_path).stdout
    assert "王军" not in listed

def test_a_name_that_many_groups_hold_says_how_many_more_there_are(qunguan, db_path, fixtures):
    """Every township of the county has its 防汛 group; the admin types 防汛. The groups
    suggested are not all of them, and the line says so, rather than reading as the
    whole choice."""
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "临江镇防汛工作群", "--silent")
    towns = ["樟树镇", "永泰镇", "黄土岗镇", "经楼镇", "昌傅镇", "店下镇", "阁山镇"]
    with sqlite3.connect(db_path) as conn:
        conn.executemany("insert into groups (name) values (?)", [(f"{town}防汛工作群",) for town in towns])
    result = qunguan("groups", "set", "防汛", "--db", db_path, "--admin", "王军")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "错误：没有名为 '防汛' 的群；是否指 '临江镇防汛工作群' 或 '店下镇防汛工作群' 或 '昌傅镇防汛工作群' 或 '樟树镇防汛工作群' 或 "
        "'永泰镇防汛工作群'？另有 3 个群的名称含有它（`qunguan groups list` 列出全部群）；请写出完整群名"
        "（error: no group named '防汛'; did you mean '临江镇防汛工作群' or '店下镇防汛工作群' or '昌傅镇防汛工作群' or "
        "'樟树镇防汛工作群' or '永泰镇防汛工作群'? 3 more groups' names hold it too (`qunguan groups list` shows them all)）")


def test_a_group_flag_nobody_handled_is_closed_once_the_registry_or_roster_answers_it(qunguan, db_path, query,
                                                                                     fixtures, tmp_path):
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    standing = "select f.subject, f.category, s.status, h.actor_id from flags f left join flag_state s on s.flag_id = f.id " \
               "left join handling h on h.flag_id = f.id where f.category in ('group_no_admin', 'group_member_unverified') " \
               "order by f.id"
    before = query(standing)
    assert {f["category"] for f in before} == {"group_no_admin", "group_member_unverified"}
    assert all(f["status"] is None for f in before)
    # The admin is named and the roster loaded: what the flags said no longer holds.
    qunguan("groups", "set", "防汛工作群", "--db", db_path, "--admin", "黄伟")
    qunguan("roster", "import", fixtures / "roster.csv", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    after = {(f["subject"], f["category"]): (f["status"], f["actor_id"]) for f in query(standing)}
    assert after[("group:1", "group_no_admin")] == ("resolved", "rules@groups")
    linked = {f"member:{r['id']}" for r in query("select id from members where person_id is not null")}
    assert any((m, "group_member_unverified") in after for m in linked)
    assert all(after[(m, "group_member_unverified")] == ("resolved", "rules@groups") for m in linked
               if (m, "group_member_unverified") in after)
    assert any(status is None for (subject, _), (status, _) in after.items() if subject not in linked | {"group:1"})
    assert "flags added 0" in qunguan("classify", "--db", db_path).stdout


@pytest.mark.parametrize("day", ["20251231", "2025-W52-1", "2025/12/31", "2025-02-30"])
def test_a_temporary_until_not_written_yyyy_mm_dd_is_refused(qunguan, db_path, query, fixtures, day):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    result = qunguan("groups", "set", "防火群", "--db", db_path, "--temporary-until", day)
    assert result.exit_code == 1 and f"--temporary-until must be YYYY-MM-DD, got {day!r}" in result.stderr
    assert query("select temporary_until from groups") == [{"temporary_until": None}]


def test_an_empty_admin_or_end_date_clears_it_like_never_set(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "周敏", "--temporary-until", "2025-03-31")
    cleared = qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "", "--temporary-until", "")
    assert cleared.exit_code == 0 and "管理员（admin） \t" in cleared.stdout and "None" not in cleared.stdout
    assert query("select admin, temporary_until from groups") == [{"admin": None, "temporary_until": None}]
    assert qunguan("groups", "list", "--db", db_path).stdout.splitlines()[1] == "1\t防火群\t\t\t\t\t\t\t0\t6"


def test_two_work_groups_of_one_unit_are_both_flagged_and_exempt_groups_never(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("ingest", fixtures / "防汛工作群_utf8.csv", "--db", db_path, "--silent")
    qunguan("ingest", fixtures / "pasted.txt", "--db", db_path, "--group", "党支部学习群", "--silent")
    for group in ("防火群", "防汛工作群", "党支部学习群"):
        qunguan("groups", "set", group, "--db", db_path, "--unit", "县应急局", "--admin", "周敏")
    qunguan("groups", "set", "党支部学习群", "--db", db_path, "--exempt")
    conn = open_archive(str(db_path)).conn
    flags = detect_groups(conn, load_config(conn), today=date(2025, 3, 10)).flags
    duplicate = sorted(f["subject"] for f in flags if f["category"] == "group_duplicate_unit")
    assert duplicate == ["group:1", "group:2"]
    assert not [f for f in flags if f["group_id"] == 3]
    conn.commit()  # what the check recorded: the archive is free for the admin's next command
    # The 防汛 group turns out to be an approved 专班 (第三条): one work group is left.
    qunguan("groups", "set", "防汛工作群", "--db", db_path, "--purpose", "县防汛抗旱指挥部专班，汛期结束解散")
    flags = detect_groups(conn, load_config(conn), today=date(2025, 3, 10)).flags
    assert not [f for f in flags if f["category"] == "group_duplicate_unit"]


CHATTER = "周末去钓鱼吗？我知道一个好水库"


def _week_of_chatter(tmp_path, day: str, first_id: int, chatty: bool = True):
    """A MemoTrace CSV of 30 messages on `day`, every other one chatter (or, not `chatty`,
    acknowledged work)."""
    import csv

    path = tmp_path / f"闲聊群-{day}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
        for i in range(30):
            text = (CHATTER if chatty else "已报送") if i % 2 else f"请各村于周五前报送第{i}批防汛物资清单"
            out.writerow([str(first_id + i), "文本", f"成员{i % 5}", f"{day} 10:{i:02d}:00", text, "", "", "more"])
    return path


def _flag_as(conn, category: str, article: str, ids) -> None:
    conn.executemany("insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, "
                     "created_at) values (?, ?, 1, ?, 0.9, 'test', ?, 'x', '')",
                     [(f"message:{i}", i, category, article) for i in ids])
    conn.commit()


def _chatter(conn) -> list[dict]:
    with conn:  # as run_rules does: the check records what it has counted
        found = detect_groups(conn, load_config(conn), today=date(2025, 3, 10)).flags
    return [f for f in found if f["category"] == "group_chatter_share"]


def test_a_group_marked_exempt_after_classify_leaves_the_queue_with_a_traced_decision(qunguan, db_path, query,
                                                                                       fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "党支部学习群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    flags = [f["id"] for f in query("select id from flags where group_id = 1 order by id")]
    assert len(flags) >= 2
    # A supervisor has already taken one up: that one stays theirs.
    handling.record(sqlite3.connect(db_path), flags[:1], {"status": "reviewing", "action": "none", "note": "",
                                                          "due_date": None}, "u-supervisor")
    result = qunguan("groups", "set", "党支部学习群", "--exempt", "--db", db_path)
    assert result.exit_code == 0 and f"{len(flags) - 1} unhandled flags of this group closed" in result.stderr
    assert result.stderr.startswith(f"该群未处理的标记已办结 {len(flags) - 1} 条（豁免的群不作标记，群规 第二条）")
    states = query("select s.flag_id, s.status, h.actor_id, h.note from flag_state s join handling h "
                   "on h.id = (select max(id) from handling where flag_id = s.flag_id) order by s.flag_id")
    assert [s["status"] for s in states] == ["reviewing"] + ["resolved"] * (len(flags) - 1)
    assert all(s["actor_id"].startswith("cli:") and "第二条" in s["note"] for s in states[1:])
    assert "flags added 0" in qunguan("classify", "--db", db_path).stdout
    # Nobody judged those messages: they teach the model nothing.
    assert feedback.reviewed(sqlite3.connect(db_path)) == []
    # Exempt by mistake: taken back, the flags it closed are open again, once.
    again = qunguan("groups", "set", "党支部学习群", "--not-exempt", "--db", db_path)
    assert f"{len(flags) - 1} flags closed for the exemption are open again" in again.stderr
    assert again.stderr.startswith(f"因豁免而办结的标记已重新打开 {len(flags) - 1} 条")
    assert [s["status"] for s in query("select status from flag_state order by flag_id")] == ["reviewing"] * len(flags)
    assert "重新打开" not in qunguan("groups", "set", "党支部学习群", "--not-exempt", "--db", db_path).stderr


def test_weekly_chatter_share_flags_a_group_turning_into_a_chat_group(qunguan, db_path, tmp_path):
    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-04", 6_100_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    _flag_as(conn, "offtopic", "群规 第八条", range(2, 31, 2))
    _flag_as(conn, "after_hours", "群规 第十条", range(1, 31, 3))  # a message flagged twice is one message of the week
    [flag] = _chatter(conn)
    assert flag["subject"] == "group:1:2025-W09"
    assert "共 30 条消息，闲聊/吹捧 15 条（50%）" in flag["evidence"]


def test_the_chatter_check_counts_again_only_weeks_that_changed(qunguan, db_path, tmp_path):
    from classifiers.classify import insert_flags

    def check() -> tuple[list[str], set[str]]:
        """(weeks the check reported, weeks flagged in the archive)"""
        with conn:
            found = _chatter(conn)
            insert_flags(conn, found)
        flagged = conn.execute("select subject from flags where category = 'group_chatter_share'")
        return [f["subject"] for f in found], {row[0] for row in flagged}

    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-04", 6_200_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    assert check() == ([], set())  # no chatter flagged yet
    assert check() == ([], set())  # nothing changed: nothing counted again
    # A new model version flags the old week's chatter: that week is counted again.
    _flag_as(conn, "flattery", "群规 第十二条", range(2, 31, 2))
    assert check() == (["group:1:2025-W09"], {"group:1:2025-W09"})
    # The next week is archived, with its chatter flagged.
    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-11", 6_300_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    _flag_as(conn, "offtopic", "群规 第八条", range(32, 61, 2))
    assert check()[1] == {"group:1:2025-W09", "group:1:2025-W10"}
    assert check() == ([], {"group:1:2025-W09", "group:1:2025-W10"})


def test_config_set_overrides_a_detector_setting_for_one_archive(qunguan, db_path):
    result = qunguan("config", "set", "after_hours.periods", '[["08:30", "12:00"], ["14:00", "17:30"]]', "--db", db_path)
    assert result.exit_code == 0, result.stderr
    conn = open_archive(str(db_path)).conn
    assert load_config(conn)["after_hours"]["periods"] == [["08:30", "12:00"], ["14:00", "17:30"]]
    assert load_config()["after_hours"]["periods"][0] == ["08:00", "12:00"]  # defaults untouched
    unknown = qunguan("config", "set", "after_hours.lunch", "1", "--db", db_path)
    assert unknown.exit_code == 1 and "unknown setting" in unknown.stderr
    wrong = qunguan("config", "set", "repeated_post.window_days", '"seven"', "--db", db_path)
    assert wrong.exit_code == 1 and "expected number, got \"seven\"" in wrong.stderr
    for key, value in (("proof_demand.media_words", "[\"截图\", 5]"), ("proof_demand.other_purposes", "{\"截图\": \"报错\"}")):
        refused = qunguan("config", "set", key, value, "--db", db_path)  # would stop classify
        assert refused.exit_code == 1 and "expected a" in refused.stderr, key
    assert qunguan("config", "set", "proof_demand.other_purposes", "{\"截图\": [\"报错\"]}", "--db", db_path).exit_code == 0
    periods = qunguan("config", "set", "after_hours.periods", '["08:30", "12:00"]', "--db", db_path)
    assert "expected a list of lists of strings, got" in periods.stderr  # the shape a user must type, in plain words


def test_an_admin_lists_and_removes_overrides_and_every_change_is_kept(qunguan, db_path, fixtures):
    assert qunguan("config", "set", "after_hours.min_chars", "8", "--db", db_path).exit_code == 0
    assert qunguan("accounts", "config", "dormant_days", "90", "--db", db_path).exit_code == 0
    conn = open_archive(str(db_path)).conn
    with conn:  # left by an older version that had this setting
        conn.execute("insert into settings values ('after_hours.notice_words', '[\"通知\"]', '2025-01-01T00:00:00', 'wang')")
    shown = qunguan("config", "show", "--db", db_path).stdout.splitlines()
    assert "after_hours.min_chars\t8\t12\t" in "\n".join(shown) and "newmedia.dormant_days\t90\t180\t" in "\n".join(shown)
    assert any(line.startswith("after_hours.notice_words\t") and "ignored" in line for line in shown)
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    classified = qunguan("classify", "--db", db_path, "--silent")
    assert "after_hours.notice_words is not one of this version" in classified.stderr

    assert qunguan("config", "unset", "after_hours.min_chars", "--db", db_path).exit_code == 0
    assert load_config(conn)["after_hours"]["min_chars"] == 12  # the default again
    assert qunguan("config", "unset", "after_hours.notice_words", "--db", db_path).exit_code == 0
    again = qunguan("config", "unset", "after_hours.notice_words", "--db", db_path)
    assert again.exit_code == 1 and "not set in this archive" in again.stderr
    # The keys as `config show` lists them work in `config set` and `config unset` alike.
    assert qunguan("config", "set", "newmedia.dormant_days", "120", "--db", db_path).exit_code == 0
    bare = qunguan("config", "unset", "dormant_days", "--db", db_path)
    assert bare.exit_code == 1 and "did you mean newmedia.dormant_days?" in bare.stderr
    assert qunguan("config", "unset", "newmedia.dormant_days", "--db", db_path).exit_code == 0
    log = conn.execute("select key, value from settings_log order by id").fetchall()
    assert log == [("after_hours.min_chars", "8"), ("newmedia.dormant_days", "90"), ("after_hours.min_chars", None),
                   ("after_hours.notice_words", None), ("newmedia.dormant_days", "120"),
                   ("newmedia.dormant_days", None)]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("delete from settings_log")
    # Chained: a change deleted around the triggers, the setting rewritten to match, is found.
    assert re.search(r"^settings_log\t6 rows\thead \w+\tchain intact$", qunguan("verify", "--db", db_path).stdout, re.M)
    conn.executescript("drop trigger settings_log_no_delete; delete from settings_log where id = 5;")
    assert re.search(r"^settings_log\t5 rows\thead \w+\tchain broken at id 6 \(id 5 missing\)$",
                     qunguan("verify", "--db", db_path).stdout, re.M)


def test_a_new_threshold_or_exemption_makes_the_chatter_check_count_every_week_again(qunguan, db_path, tmp_path):
    from detectors.run import run_rules

    def flagged() -> set[str]:
        run_rules(conn)
        return {row[0] for row in conn.execute("select subject from flags where category = 'group_chatter_share'")}

    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-04", 6_400_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    _flag_as(conn, "offtopic", "群规 第八条", range(2, 31, 6))  # 5 of 30: 17%, under the 30% default
    assert flagged() == set()
    assert qunguan("config", "set", "group.weekly_share", "0.1", "--db", db_path).exit_code == 0
    assert flagged() == {"group:1:2025-W09"}  # an old week, counted again under the new threshold
    # Exempt for a while: what arrives meanwhile is counted once the group is a work group again.
    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-11", 6_500_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    qunguan("groups", "set", "闲聊群", "--db", db_path, "--exempt")
    _flag_as(conn, "offtopic", "群规 第八条", range(32, 61, 2))
    assert flagged() == {"group:1:2025-W09"}
    qunguan("groups", "set", "闲聊群", "--db", db_path, "--not-exempt")
    assert flagged() == {"group:1:2025-W09", "group:1:2025-W10"}


def _status(query, subject: str, category: str) -> tuple[str | None, str | None]:
    [row] = query("select s.status, h.note from flags f left join flag_state s on s.flag_id = f.id left join handling h "
                  "on h.id = (select max(id) from handling where flag_id = f.id) where f.subject = ? and f.category = ?",
                  [subject, category])
    return row["status"], row["note"]


def test_a_group_problem_that_comes_back_after_closing_itself_is_open_again(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    assert _status(query, "group:1", "group_no_admin") == (None, None)
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "周敏")
    said = qunguan("classify", "--db", db_path, "--silent").stderr
    assert "检查自动办结或重新打开的群标记：1 条" in said and "group flags closed or opened again by the checks: 1" in said
    assert _status(query, "group:1", "group_no_admin")[0] == "resolved"
    # The admin's name taken off again: the same problem, so the same flag, open again.
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "")
    qunguan("classify", "--db", db_path, "--silent")
    assert _status(query, "group:1", "group_no_admin") == ("reviewing", groups.RECUR_NOTE)
    # And closed again once answered, since only the detector opened it.
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "周敏")
    qunguan("classify", "--db", db_path, "--silent")
    assert _status(query, "group:1", "group_no_admin") == ("resolved", groups.SETTLED_NOTE)


def _a_flagged_week_of_chatter(qunguan, db_path, tmp_path):
    """An archive whose group had half its messages of the week 2025-W09 flagged as
    chatter, checked by the rules: (connection, run_rules)."""
    from detectors.run import run_rules

    qunguan("ingest", _week_of_chatter(tmp_path, "2025-03-04", 6_600_000_000_000_000_000), "--db", db_path, "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    _flag_as(conn, "offtopic", "群规 第八条", range(2, 31, 2))
    run_rules(conn)
    return conn, run_rules


def test_chatter_dismissed_as_false_alarms_no_longer_counts_and_the_week_is_closed(qunguan, db_path, query, tmp_path):
    conn, run_rules = _a_flagged_week_of_chatter(qunguan, db_path, tmp_path)
    [week] = query("select evidence, occurred_at from flags where category = 'group_chatter_share'")
    assert week["occurred_at"] == "2025-03-03T00:00:00"  # its week's, whenever classify found it
    assert week["evidence"].startswith("「闲聊群」2025-03-03 至 2025-03-09 这一周共 30 条消息，闲聊/吹捧 15 条（50%）")
    # A supervisor finds most of them were work after all.
    dismissed = [row[0] for row in conn.execute("select id from flags where category = 'offtopic' limit 12")]
    handling.record(conn, dismissed, handling.validate("dismissed", "none", "", None), "sup1")
    run_rules(conn)
    assert _status(query, "group:1:2025-W09", "group_chatter_share") == ("resolved", groups.RECOUNTED_NOTE)


def test_a_week_flagged_on_its_first_day_is_counted_again_when_the_rest_arrives(qunguan, db_path, query, tmp_path):
    conn, run_rules = _a_flagged_week_of_chatter(qunguan, db_path, tmp_path)
    assert _status(query, "group:1:2025-W09", "group_chatter_share") == (None, None)
    # Thursday's export: 30 more messages of work (the chatter check counts the flags it is
    # given; these carry none), 15 of 60 is 25%, under the 30% default.
    work = _week_of_chatter(tmp_path, "2025-03-06", 6_800_000_000_000_000_000, chatty=False)
    qunguan("ingest", work, "--db", db_path, "--group", "闲聊群", "--silent")
    run_rules(conn)
    assert _status(query, "group:1:2025-W09", "group_chatter_share") == ("resolved", groups.RECOUNTED_NOTE)


def test_every_registry_and_roster_change_is_logged_with_before_after_and_who(qunguan, db_path, query, fixtures, tmp_path):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("groups", "set", "防火群", "--db", db_path, "--unit", "县应急局", "--admin", "周敏")
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "周敏")  # nothing changes: nothing logged
    qunguan("groups", "set", "防火群", "--db", db_path, "--admin", "")
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,职务\n周敏,县应急局,科员\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    roster.write_text("姓名,单位,职务\n周敏,县应急局,副局长\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    log = query("select entity, name, change, changed_by from registry_log order by id")
    assert [(r["entity"], r["name"]) for r in log] == [("group", "防火群")] * 2 + [("person", "周敏")] * 2
    assert json.loads(log[0]["change"]) == {"admin": [None, "周敏"], "unit": [None, "县应急局"]}
    assert json.loads(log[1]["change"]) == {"admin": ["周敏", None]}
    assert json.loads(log[3]["change"]) == {"position": ["科员", "副局长"]}
    assert all(r["changed_by"] for r in log)
    # Chained and append-only, like the other trails.
    lines = qunguan("verify", "--db", db_path).stdout
    assert re.search(r"^registry_log\t4 rows\thead \w+\tchain intact$", lines, re.M)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite3.connect(db_path).execute("delete from registry_log")


def test_a_dissolved_group_is_no_longer_a_second_work_group_of_its_unit(qunguan, db_path, query, fixtures, tmp_path):
    old = tmp_path / "财政局工作群.csv"
    old.write_bytes((fixtures / "memotrace3-week1.csv").read_bytes())
    new = tmp_path / "财政局工作群（新）.csv"
    new.write_text((fixtures / "memotrace3-week2.csv").read_text(encoding="utf-8-sig"), encoding="utf-8-sig")
    for path in (old, new):
        # Named by --group: the weeks share messages, which without it make them one chat.
        qunguan("ingest", path, "--db", db_path, "--group", path.stem, "--silent")
        qunguan("groups", "set", path.stem, "--unit", "县财政局", "--admin", "周敏", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    duplicate = "select subject, s.status from flags f left join flag_state s on s.flag_id = f.id " \
                "where category = 'group_duplicate_unit' order by subject"
    assert [r["status"] for r in query(duplicate)] == [None, None]
    result = qunguan("groups", "set", "财政局工作群", "--dissolved", "2025-03-10", "--db", db_path)
    assert result.exit_code == 0 and "解散日期（dissolved） 2025-03-10" in result.stdout
    qunguan("classify", "--db", db_path, "--silent")
    assert [r["status"] for r in query(duplicate)] == ["resolved", "resolved"]
    assert "--dissolved must be YYYY-MM-DD" in qunguan("groups", "set", "财政局工作群", "--dissolved", "3月10日",
                                                       "--db", db_path).stderr


def test_display_names_that_hide_who_someone_is_are_flagged_and_real_names_are_not(qunguan, db_path, query, tmp_path):
    names = {"老王": True, "A建国": True, "🌹🌹": True, "开心果": True, "阳光": True, "李平安": False, "张幸福": False,
             "县应急局-周敏": False, "周敏": False}
    export = tmp_path / "城关镇工作群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n" + "".join(
        f"{7200000000000000000 + i},文本,{name},2025-03-03 09:0{i}:00,收到,,,more\n" for i, name in enumerate(names)),
        encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    hidden = {r["display_name"] for r in query("select m.display_name from flags f join members m on f.subject = 'member:' "
                                                "|| m.id where f.category = 'group_member_hidden_name'")}
    assert hidden == {name for name, hides in names.items() if hides}


@pytest.mark.parametrize("key, value, problem", [
    ("group.weekly_share", "30", "a share between 0 and 1 (0.3 for 30%)"),
    ("group.idle_days", "7.5", "a whole number, 0 or more"),
    ("group.hidden_name_patterns", '["["]', "is not a regular expression"),
    ("after_hours.directives", '["请(各"]', "'请(各' is not a regular expression"),
    ("after_hours.periods", '[["8点", "12:00"]]', "['8点', '12:00'] is not a period written [\"HH:MM\", \"HH:MM\"]"),
    ("after_hours.extra_holidays", '["2025-10-9"]', "'2025-10-9' is not a day written YYYY-MM-DD"),
    ("after_hours.extra_workdays", '["2025年9月28日"]', "is not a day written YYYY-MM-DD"),
    ("after_hours.extra_holidays", "[20251009]", "20251009 is not a day written YYYY-MM-DD"),
    ("after_hours.extra_holidays", '[["2025-10-09"]]', "['2025-10-09'] is not a day written YYYY-MM-DD"),
    ("after_hours.periods", '[["08:00", 9]]', "expected a list of lists of strings"),
    ("after_hours.periods", '[["08:00", "12:00"], ["17:30", "14:30"]]', "['17:30', '14:30'] ends before it starts"),
])
def test_a_setting_that_would_switch_a_check_off_or_stop_classify_is_refused(qunguan, db_path, key, value, problem):
    refused = qunguan("config", "set", key, value, "--db", db_path)
    assert refused.exit_code == 1 and problem in refused.stderr


@pytest.mark.parametrize("command, value, problem", [
    (["config", "set", "repeated_post.window_days"], "-1", "repeated_post.window_days: a whole number of days, 1 or more"),
    # Within no days no post is a repeat: the check would be off.
    (["config", "set", "repeated_post.window_days"], "0", "repeated_post.window_days: a whole number of days, 1 or more"),
    (["config", "set", "group.idle_days"], "-30", "group.idle_days: a whole number, 0 or more, got -30"),
    (["config", "set", "group.weekly_share"], "-0.3", "group.weekly_share: a share between 0 and 1"),
    (["accounts", "config", "dormant_days"], "-5", "dormant_days must be a whole number of days above 0, got '-5'"),
])
def test_a_negative_number_typed_as_a_setting_is_refused_with_what_the_setting_takes(qunguan, db_path, query, command,
                                                                                      value, problem):
    # The admin types the value as it is, no `--` before it: click must not take -1 for an
    # option ("No such option: -1"); the setting's own check answers.
    refused = qunguan(*command, value, "--db", db_path)
    assert refused.exit_code == 1 and problem in refused.stderr, refused.output
    assert "No such option" not in refused.output
    assert query("select count(*) n from settings") == [{"n": 0}]


@pytest.mark.parametrize("command, value", [(["config", "set", "repeated_post.window_days"], "1"),
                                            (["config", "set", "group.idle_days"], "0"),
                                            (["config", "set", "group.weekly_share"], "0.05"),
                                            (["accounts", "config", "dormant_days"], "1")])
def test_the_least_value_a_setting_takes_is_stored(qunguan, db_path, query, command, value):
    stored = qunguan(*command, value, "--db", db_path)
    assert stored.exit_code == 0, stored.output
    assert query("select value from settings") == [{"value": value}]


def test_a_sender_two_roster_people_share_a_name_with_is_told_so_and_the_exporter_is_not_checked(qunguan, db_path, query,
                                                                                                tmp_path):
    export = tmp_path / "城关镇工作群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      "7300000000000000001,文本,张伟,2025-03-03 09:00:00,收到,,,more\n"
                      "7300000000000000002,文本,我,2025-03-03 09:01:00,好的,,,more\n", encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位\n张伟,城关镇\n张伟,县水利局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    assert [r["evidence"] for r in query("select evidence from flags where category = 'group_member_unverified'")] == [
        "「城关镇工作群」成员「张伟」在实名花名册中有 2 人同名，无法确定是哪一位，请在花名册中登记其群昵称或微信号"]


def test_a_sender_archived_by_name_and_by_id_is_said_off_the_roster_once(qunguan, db_path, query, tmp_path):
    # Monday's export from MemoTrace names senders only; Tuesday's from chatlog gives their
    # wxid too: two member rows of one person, who is one person off the roster.
    names = tmp_path / "城关镇工作群.csv"
    names.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                     "7400000000000000001,文本,张伟,2025-03-03 09:00:00,收到,,,more\n", encoding="utf-8-sig")
    ids = tmp_path / "chatlog.csv"
    ids.write_text("Time,SenderName,Sender,TalkerName,Talker,Content\n"
                   "2025-03-04 09:00:00,张伟,wxid_zw,城关镇工作群,51100077788@chatroom,好的\n", encoding="utf-8")
    for export in (names, ids):
        assert qunguan("ingest", export, "--db", db_path, "--silent").exit_code == 0
    assert query("select count(*) n from members")[0]["n"] == 2
    qunguan("classify", "--db", db_path, "--silent")
    flagged = query("select subject, evidence from flags where category = 'group_member_unverified'")
    assert [f["evidence"] for f in flagged] == ["「城关镇工作群」成员「张伟」不在实名花名册中"]
    [with_id] = query("select id from members where sender_id = 'wxid_zw'")
    assert flagged[0]["subject"] == f"member:{with_id['id']}"  # the one a roster's wxid can link


def test_a_message_archived_late_in_the_next_week_does_not_recount_this_week_on_part_of_it(qunguan, db_path, query,
                                                                                         tmp_path):
    conn, run_rules = _a_flagged_week_of_chatter(qunguan, db_path, tmp_path)
    late = tmp_path / "闲聊群-late.csv"
    late.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                    "6690000000000000001,文本,成员1,2025-03-11 10:15:00,收到,,,more\n", encoding="utf-8-sig")
    qunguan("ingest", late, "--db", db_path, "--group", "闲聊群", "--silent")
    run_rules(conn)
    assert _status(query, "group:1:2025-W09", "group_chatter_share") == (None, None)


def test_flags_opened_again_by_taking_an_exemption_back_still_close_once_answered(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    qunguan("groups", "set", "防火群", "--exempt", "--db", db_path)
    qunguan("groups", "set", "防火群", "--not-exempt", "--db", db_path)
    assert _status(query, "group:1", "group_no_admin")[0] == "reviewing"
    qunguan("groups", "set", "防火群", "--admin", "周敏", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    assert _status(query, "group:1", "group_no_admin") == ("resolved", groups.SETTLED_NOTE)


@pytest.mark.parametrize("week, days", [("2025-W09", ("2025-03-03", "2025-03-09")),
                                        ("2024-W53", ("2024-12-30", "2025-01-05")),
                                        ("2023-W52", ("2023-12-25", "2023-12-31")),
                                        ("2024-W01", ("2024-01-01", "2024-01-07"))])
def test_a_weeks_label_names_its_monday_to_sunday_on_either_side_of_new_year(week, days):
    from ingest.records import week_days

    assert tuple(map(str, week_days(week))) == days


@pytest.mark.parametrize("sent_at, week", [
    ("2025-03-02T23:59:59", "2025-W08"), ("2025-03-03T00:00:00", "2025-W09"), ("2025-03-09", "2025-W09"),
    ("2025-03-09T23:59:59", "2025-W09"), ("2025-03-10", "2025-W10"),
    # The week of New Year is its Monday's, whatever day of it and with a time or without.
    ("2024-12-29T23:59:59", "2024-W52"), ("2024-12-30", "2024-W53"), ("2024-12-31T10:00:00", "2024-W53"),
    ("2025-01-01", "2024-W53"), ("2025-01-01T00:00:00", "2024-W53"), ("2025-01-04T12:00:00", "2024-W53"),
    ("2025-01-05", "2024-W53"), ("2025-01-05T23:59:59", "2024-W53"), ("2025-01-06T00:00:00", "2025-W01"),
    ("2025-12-31", "2025-W52"), ("2026-01-01T08:00:00", "2025-W52"), ("2026-01-04T23:59:59", "2025-W52"),
    # 2024 begins on a Monday: no week is cut, and none is week 00.
    ("2023-12-31T23:59:59", "2023-W52"), ("2024-01-01", "2024-W01"), ("2024-01-07T23:59:59", "2024-W01")])
def test_a_day_is_in_the_week_of_its_monday_on_every_weekday(sent_at, week):
    from ingest.records import week_label

    assert sqlite3.connect(":memory:").execute(f"select {week_label('?')}", [sent_at]).fetchone()[0] == week


def test_every_week_but_new_years_keeps_its_label_and_every_week_has_seven_days():
    from ingest.records import week_label

    days = ("with recursive d(day) as (select '1990-01-01' union all select date(day, '+1 day') from d "
            "where day < '2099-12-31') ")
    conn = sqlite3.connect(":memory:")
    changed = conn.execute(days + f"select day, {week_label('day')} from d where {week_label('day')} "
                           "!= strftime('%Y-W%W', day)").fetchall()
    # Only the days from 1 January to the Sunday after, when the year's first Monday is later.
    assert changed and all(day[5:7] == "01" and day[8:10] <= "06" and week.endswith(("-W52", "-W53"))
                           for day, week in changed)
    assert conn.execute(days + f"select count(*) from (select {week_label('day')} from d group by 1 "
                        "having count(*) != 7 and min(day) > '1990-01-01' and max(day) < '2099-12-31')").fetchone() == (0,)


def _new_year_week(qunguan, db_path, query, tmp_path, chatty_days=("2024-12-31", "2025-01-02")):
    """闲聊群's week of New Year, 2024-12-30 to 2025-01-05: 30 messages on Tuesday 12-31 and
    30 on Thursday 01-02, every other one chatter on `chatty_days` (work on the others)."""
    for n, day in enumerate(("2024-12-31", "2025-01-02")):
        export = _week_of_chatter(tmp_path, day, 6_900_000_000_000_000_000 + 100 * n, chatty=day in chatty_days)
        qunguan("ingest", export, "--db", db_path, "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    flag_as_chatter(conn, query("select id, group_id from messages where text = ?", [CHATTER]))
    return conn


def _chatter_weeks(query) -> list[dict]:
    return query("select subject, occurred_at, evidence from flags where category = 'group_chatter_share' order by id")


@pytest.mark.parametrize("min_messages", [None, "40"])  # more than either part's 30: the whole week has 60
def test_a_group_chatty_across_new_year_is_judged_on_the_whole_week(qunguan, db_path, query, tmp_path, min_messages):
    from detectors.run import run_rules

    if min_messages:
        qunguan("config", "set", "group.weekly_min_messages", min_messages, "--db", db_path)
    run_rules(_new_year_week(qunguan, db_path, query, tmp_path))
    [week] = _chatter_weeks(query)
    assert week["subject"] == "group:1:2024-W53" and week["occurred_at"] == "2024-12-30T00:00:00"
    assert week["evidence"].startswith("「闲聊群」2024-12-30 至 2025-01-05 这一周共 60 条消息，闲聊/吹捧 30 条（50%）")
    # `qunguan stats` counts that week as the check judged it.
    assert "2024-W53\t闲聊群\t60" in qunguan("stats", "--db", db_path).stdout


@pytest.mark.parametrize("chatty_day", ["2024-12-31", "2025-01-02"])
def test_a_chatty_day_on_one_side_of_new_year_is_judged_with_the_rest_of_its_week(qunguan, db_path, query, tmp_path,
                                                                                  chatty_day):
    from detectors.run import run_rules

    # 15 of 30 that day (50%, and 30 messages pass weekly_min_messages), 15 of the week's 60 (25%).
    run_rules(_new_year_week(qunguan, db_path, query, tmp_path, chatty_days=(chatty_day,)))
    assert _chatter_weeks(query) == []


def test_a_new_year_week_whose_second_part_arrives_later_is_counted_again_whole(qunguan, db_path, query, tmp_path):
    from detectors.run import run_rules

    # Tuesday 12-31's export alone: half of it chatter, the week flagged.
    qunguan("ingest", _week_of_chatter(tmp_path, "2024-12-31", 6_950_000_000_000_000_000), "--db", db_path,
            "--group", "闲聊群", "--silent")
    conn = open_archive(str(db_path)).conn
    flag_as_chatter(conn, query("select id, group_id from messages where text = ?", [CHATTER]))
    run_rules(conn)
    assert [w["subject"] for w in _chatter_weeks(query)] == ["group:1:2024-W53"]
    # Thursday 01-02's, all work, arrives after New Year: 15 of the week's 60 is 25%.
    qunguan("ingest", _week_of_chatter(tmp_path, "2025-01-02", 6_960_000_000_000_000_000, chatty=False), "--db",
            db_path, "--group", "闲聊群", "--silent")
    run_rules(conn)
    assert [w["subject"] for w in _chatter_weeks(query)] == ["group:1:2024-W53"]
    assert _status(query, "group:1:2024-W53", "group_chatter_share") == ("resolved", groups.RECOUNTED_NOTE)


@pytest.mark.parametrize("decided", [False, True])
def test_a_new_year_part_week_flagged_before_the_week_was_made_whole_is_closed_unless_decided(
        qunguan, db_path, query, tmp_path, decided):
    from classifiers.classify import insert_flags
    from detectors.run import run_rules

    conn = _new_year_week(qunguan, db_path, query, tmp_path)
    # What the check flagged when it cut the week at New Year: two part weeks.
    with conn:
        insert_flags(conn, [{"subject": f"group:1:{week}", "category": "group_chatter_share", "group_id": 1,
                             "score": 1.0, "detector": groups.DETECTOR, "article": "群规 第十二条", "occurred_at": day,
                             "evidence": f"「闲聊群」{day[:10]} 至 {last} 这一周共 30 条消息，闲聊/吹捧 15 条（50%）"}
                            for week, day, last in (("2024-W53", "2024-12-30T00:00:00", "2024-12-31"),
                                                    ("2025-W00", "2025-01-01T00:00:00", "2025-01-05"))])
    [stub] = query("select id from flags where subject = 'group:1:2025-W00'")
    if decided:
        handling.record(conn, [stub["id"]], handling.validate("confirmed", "none", "已约谈群主", None), "sup1")
    run_rules(conn)
    assert _status(query, "group:1:2025-W00", "group_chatter_share") == (
        ("confirmed", "已约谈群主") if decided else ("resolved", groups.NEW_YEAR_NOTE))
    # The week before New Year's part goes on as the whole week, under the same subject.
    assert [w["subject"] for w in _chatter_weeks(query)] == ["group:1:2024-W53", "group:1:2025-W00"]
    assert _status(query, "group:1:2024-W53", "group_chatter_share") == (None, None)
    assert "2024-12-30 至 2025-01-05 这一周共 60 条消息" in _chatter_weeks(query)[0]["evidence"]


def _three_groups_of_one_unit(qunguan, db_path, fixtures, tmp_path):
    """县财政局's three groups, registered and classified: each flagged as one of 3."""
    for name in ("财政局工作群", "财政局工作群（新）", "财政局专班群"):
        path = tmp_path / f"{name}.csv"
        path.write_bytes((fixtures / "memotrace3-week1.csv").read_bytes())
        # Named by --group: the same export under another name is else the same chat.
        qunguan("ingest", path, "--db", db_path, "--group", name, "--silent")
        qunguan("groups", "set", name, "--unit", "县财政局", "--admin", "周敏", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")


def test_the_evidence_of_a_group_flag_says_how_things_stand_at_the_last_check(qunguan, db_path, query, fixtures, tmp_path):
    _three_groups_of_one_unit(qunguan, db_path, fixtures, tmp_path)
    duplicate = "select evidence from flags where category = 'group_duplicate_unit' and subject = 'group:1'"
    assert "有 3 个工作群" in query(duplicate)[0]["evidence"]
    qunguan("groups", "set", "财政局专班群", "--purpose", "预算编制专班", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    assert "有 2 个工作群" in query(duplicate)[0]["evidence"] and "财政局专班群" not in query(duplicate)[0]["evidence"]


def test_the_evidence_of_a_flag_opened_again_by_taking_an_exemption_back_is_refreshed_too(qunguan, db_path, query,
                                                                                         fixtures, tmp_path):
    _three_groups_of_one_unit(qunguan, db_path, fixtures, tmp_path)
    qunguan("groups", "set", "财政局工作群", "--exempt", "--db", db_path)
    qunguan("groups", "set", "财政局工作群", "--not-exempt", "--db", db_path)
    qunguan("groups", "set", "财政局专班群", "--purpose", "预算编制专班", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    [flag] = query("select evidence from flags where category = 'group_duplicate_unit' and subject = 'group:1'")
    assert "有 2 个工作群" in flag["evidence"]


def test_a_changed_setting_is_applied_to_old_messages_at_the_next_classify(qunguan, db_path, query, tmp_path):
    export = tmp_path / "防汛群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      "7500000000000000001,文本,县应急局-周敏,2025-03-04 09:00:00,【通知】请各乡镇于周五前报送物资清单,,,more\n",
                      encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    qunguan("classify", "--db", db_path, "--silent")
    assert query("select count(*) n from flags where category = 'after_hours'") == [{"n": 0}]
    result = qunguan("config", "set", "after_hours.periods", '[["09:30","12:00"],["14:30","17:30"]]', "--db", db_path)
    # Said first in Chinese, which the admins read, the English after it.
    assert result.stderr.startswith("下次运行 `qunguan classify` 时，规则检测会重新检查全部消息（不再认定的标记自动撤销")
    assert "checks every message again with the rule detectors" in result.stderr
    qunguan("classify", "--db", db_path, "--silent")
    assert query("select count(*) n from flags where category = 'after_hours'") == [{"n": 1}]


def _stored_by_an_older_version(db_path, key: str, value: str) -> None:
    """A setting an older version let `config set` store, since refused."""
    conn = open_archive(str(db_path)).conn
    with conn:
        conn.execute("insert into settings values (?, ?, '2024-05-06T09:00:00', 'wang')", [key, value])
    conn.close()


@pytest.mark.parametrize("stored, flagged, warned", [("0", 1, True), ("1", 0, False), ("3", 1, False)],
                         ids=["0 days, from an older version", "1 day", "3 days"])
def test_a_window_of_0_days_stored_by_an_older_version_is_said_and_the_default_applies(qunguan, db_path, query, tmp_path,
                                                                                       stored, flagged, warned):
    # Before `config set` refused it, a window of 0 days switched the repeat check off
    # without a word, at every classify.
    _stored_by_an_older_version(db_path, "repeated_post.window_days", stored)
    notice = "【通知】请各乡镇于3月10日前报送第一季度政务信息，联系电话0795-3207715。"
    export = tmp_path / "防汛群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      f"7600000000000000001,文本,县应急局-周敏,2025-03-03 09:00:00,{notice},,,more\n"
                      f"7600000000000000002,文本,县应急局-周敏,2025-03-05 09:00:00,{notice},,,more\n", encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    result = qunguan("classify", "--db", db_path, "--silent")
    assert result.exit_code == 0
    assert query("select count(*) n from flags where category = 'repeated_post'") == [{"n": flagged}]
    warning = ("setting repeated_post.window_days = 0 is ignored: a whole number of days, 1 or more (within 0 days "
               "nothing counts); its default 7 applies (`qunguan config set repeated_post.window_days VALUE`")
    assert (warning in result.stderr) == warned
    shown = qunguan("config", "show", "--db", db_path)
    assert (warning in shown.stderr) == warned
    # Nor do the tables show as in force a value the checks leave out.
    value = f"{stored} (ignored: the default applies)" if warned else stored
    assert any(line.startswith(f"repeated_post.window_days\t{value}\t7\t") for line in shown.stdout.splitlines())
    every = qunguan("config", "show", "--all", "--db", db_path).stdout.splitlines()
    assert f"repeated_post.window_days\t{value}\t7" in every


@pytest.mark.parametrize("key, stored, flagged, ignored", [
    ("after_hours.extra_holidays", '["2025-13-01"]', 0, True), ("after_hours.extra_holidays", '["2025-03-33"]', 0, True),
    ("after_hours.extra_holidays", '["2025-03-03"]', 1, False), ("after_hours.extra_holidays", '["20250303"]', 1, False),
    ("after_hours.extra_holidays", '["2025-10-09"]', 0, False),
    ("after_hours.periods", '[["8点", "12:00"]]', 0, True), ("after_hours.periods", '[["11点", "17:00"]]', 0, True),
    ("after_hours.periods", '[["11:00", "17:00"]]', 1, False), ("after_hours.periods", '[["1100", "1700"]]', 1, False),
    ("after_hours.periods", '[["08:30", "12:00"]]', 0, False), ("after_hours.periods", '[["17:00", "11:00"]]', 0, True)])
def test_a_day_or_hour_stored_before_it_was_refused_is_left_out_not_a_stop_of_classify(qunguan, db_path, query, tmp_path,
                                                                                       key, stored, flagged, ignored):
    # A holiday typed 2025-13-01 by an older version stopped every classify with a traceback.
    # One the calendar reads in another ISO form (20250303, 1100), which `config set` let
    # in, stays in force: the admin's holiday or hours must not give way at the upgrade.
    _stored_by_an_older_version(db_path, key, stored)
    export = tmp_path / "防汛群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      "7700000000000000001,文本,县应急局-周敏,2025-03-03 10:00:00,【通知】请各乡镇明天报送物资清单,,,more\n",
                      encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    result = qunguan("classify", "--db", db_path, "--silent")
    assert result.exit_code == 0 and result.stdout.startswith("flags added "), result.output
    assert query("select count(*) n from flags where category = 'after_hours'") == [{"n": flagged}]
    assert (f"setting {key} = " in result.stderr) is ignored
    assert ("(ignored: the default applies)" in qunguan("config", "show", "--db", db_path).stdout) is ignored


@pytest.mark.parametrize("key, stored, command", [
    ("repeated_post.window_days", "abc", ("classify", "--silent")), ("newmedia.shop_domains", "jd.com", ("accounts", "check"))])
def test_a_value_typed_into_the_settings_table_that_is_no_json_is_left_out_not_a_traceback(qunguan, db_path, key, stored,
                                                                                          command):
    # Typed by hand into the table (jd.com without its quotes): every command that read
    # the settings stopped with a JSONDecodeError.
    _stored_by_an_older_version(db_path, key, stored)
    result = qunguan(*command, "--db", db_path)
    assert result.exit_code == 0 and result.stdout.startswith("flags added "), result.output
    assert f"setting {key} = {stored} is ignored: expected " in result.stderr
    shown = qunguan("config", "show", "--db", db_path)
    assert shown.exit_code == 0 and f"{key}\t{stored} (ignored: the default applies)" in shown.stdout


def test_a_name_list_typed_into_the_settings_table_without_quotes_is_read_as_the_text_it_is(qunguan, db_path):
    _stored_by_an_older_version(db_path, "group.real_name_surnames", "王李")
    shown = qunguan("config", "show", "--db", db_path)
    assert shown.exit_code == 0 and "group.real_name_surnames\t王李\t" in shown.stdout and "ignored" not in shown.output


def test_a_medium_purposes_as_names_that_the_detector_does_not_know_is_refused_or_said(qunguan, db_path):
    # A typo: 照骗 for 照片 would be passed over by the detector without a word.
    typo = qunguan("config", "set", "proof_demand.purposes_as", '{"截屏": "截图 照骗"}', "--db", db_path)
    assert typo.exit_code == 1
    assert ("proof_demand.purposes_as: it names 照骗 (for 截屏), not a medium proof_demand.other_purposes lists, "
            "which the detector passes over (`qunguan config show --all` lists both)") in typo.stderr
    # Nor is a medium no message is searched for.
    unsought = qunguan("config", "set", "proof_demand.purposes_as", '{"截平": "截图"}', "--db", db_path)
    assert unsought.exit_code == 1 and "it names 截平, not a medium proof_demand.media_words lists" in unsought.stderr
    assert qunguan("config", "set", "proof_demand.purposes_as", '{"截屏": "截图"}', "--db", db_path).exit_code == 0
    # Taking 截图's ends out leaves the medium purposes_as names without any: said at once, and at classify.
    dropped = qunguan("config", "set", "proof_demand.other_purposes", '{"拍照": ["报修"]}', "--db", db_path)
    assert dropped.exit_code == 0
    warning = "setting proof_demand.purposes_as names 截图 (for 截屏), not a medium proof_demand.other_purposes lists: ignored"
    assert warning in dropped.stderr
    assert warning in qunguan("classify", "--db", db_path, "--silent").stderr


def test_a_medium_purposes_as_names_that_the_detector_does_not_know_stored_before_is_said(qunguan, db_path):
    _stored_by_an_older_version(db_path, "proof_demand.purposes_as", '{"截屏": "截图 照骗", "录像": "拍照"}')
    shown = qunguan("config", "show", "--db", db_path).stderr
    assert "setting proof_demand.purposes_as names 照骗 (for 截屏), not a medium" in shown
    assert "录像" not in shown


def test_an_archive_whose_word_list_hides_newer_defaults_is_told_once_at_classify(qunguan, db_path):
    # An admin copied the directives of an older version and added one of their own: the
    # entries this version added since do not apply, and classify says so once, in Chinese.
    defaults = load_config()["after_hours"]["directives"]
    hidden = next(d for d in defaults if "签到" in d)  # an entry this version added, say
    older = [d for d in defaults if d != hidden] + ["安排如下"]
    _stored_by_an_older_version(db_path, "after_hours.directives", json.dumps(older, ensure_ascii=False))
    said = qunguan("classify", "--db", db_path, "--silent").stderr
    assert said.count("设置 after_hours.directives 覆盖了默认值：本版默认值中有 1 条不在其中，未生效") == 1
    assert "qunguan config unset after_hours.directives" in said
    # The entry is named, for the admin to add it; the next classify does not nag about it,
    # `config show` says it whenever asked.
    assert f"未生效：「{hidden}」；要采用" in said
    assert "覆盖了默认值" not in qunguan("classify", "--db", db_path, "--silent").stderr
    assert "本版默认值中有 1 条不在其中" in qunguan("config", "show", "--db", db_path).stderr
    # A version whose default has another entry the list leaves out: said again, once.
    fewer = [d for d in older if d != "务必"]
    with sqlite3.connect(db_path) as conn:
        conn.execute("update settings set value = ? where key = 'after_hours.directives'", [json.dumps(fewer)])
    again = qunguan("classify", "--db", db_path, "--silent").stderr
    assert again.count("本版默认值中有 2 条不在其中") == 1 and "「务必」" in again
    assert "覆盖了默认值" not in qunguan("classify", "--db", db_path, "--silent").stderr
    # Every default kept, with words of its own added: nothing is hidden, nothing said.
    qunguan("config", "set", "after_hours.directives",
            json.dumps(load_config()["after_hours"]["directives"] + ["安排如下"], ensure_ascii=False), "--db", db_path)
    assert "覆盖了默认值" not in qunguan("classify", "--db", db_path, "--silent").stderr


def test_a_list_leaving_out_defaults_said_by_config_set_is_not_said_again_by_classify(qunguan, db_path):
    hidden = "设置 after_hours.weather_words 覆盖了默认值：本版默认值中有 8 条不在其中，未生效：「强对流」「冰雹」"
    set_now = qunguan("config", "set", "after_hours.weather_words", '["强降雨", "大风"]', "--db", db_path)
    assert set_now.exit_code == 0 and set_now.stderr.count(hidden) == 1
    assert "覆盖了默认值" not in qunguan("classify", "--db", db_path, "--silent").stderr


def test_a_list_leaving_out_defaults_not_said_by_config_set_is_said_by_the_next_classify(qunguan, db_path):
    # Stored by an older version, never said: a word added to it leaves the same entries
    # out, which config set does not repeat as it brings nothing new; classify says them.
    _stored_by_an_older_version(db_path, "after_hours.weather_words", '["强降雨", "大风"]')
    added = qunguan("config", "set", "after_hours.weather_words", '["强降雨", "大风", "暴风"]', "--db", db_path)
    assert added.exit_code == 0 and "覆盖了默认值" not in added.stderr
    said = qunguan("classify", "--db", db_path, "--silent").stderr
    assert said.count("设置 after_hours.weather_words 覆盖了默认值：本版默认值中有 8 条不在其中") == 1


def test_config_set_says_a_problem_once_not_again_at_every_later_change(qunguan, db_path):
    # A window of 0 days an older version stored was said again at every `config set` of
    # any other setting: the admin tuning the after-hours check read it three times.
    _stored_by_an_older_version(db_path, "repeated_post.window_days", "0")
    stored = "setting repeated_post.window_days = 0 is ignored"
    assert stored in qunguan("config", "show", "--db", db_path).stderr
    for hours in ('[["08:30","12:00"],["14:30","17:30"]]', '[["08:30","12:00"],["14:00","17:30"]]'):
        tuned = qunguan("config", "set", "after_hours.periods", hours, "--db", db_path)
        assert tuned.exit_code == 0 and stored not in tuned.stderr and "warning" not in tuned.stderr
    assert stored not in qunguan("config", "unset", "after_hours.periods", "--db", db_path).stderr
    # A problem a change brings is said by that change, once; after it, by show and classify.
    brought = "setting proof_demand.purposes_as names 截图 (for 截屏), not a medium proof_demand.other_purposes lists"
    assert "warning" not in qunguan("config", "set", "proof_demand.purposes_as", '{"截屏": "截图"}', "--db", db_path).stderr
    dropped = qunguan("config", "set", "proof_demand.other_purposes", '{"拍照": ["报修"]}', "--db", db_path)
    assert dropped.stderr.count(brought) == 1 and stored not in dropped.stderr
    again = qunguan("config", "set", "proof_demand.other_purposes", '{"拍照": ["报修", "维修"]}', "--db", db_path)
    assert brought not in again.stderr
    shown = qunguan("config", "show", "--db", db_path).stderr
    assert shown.count(brought) == 1 and shown.count(stored) == 1


def test_config_show_all_lists_every_setting_and_a_typo_gets_a_suggestion(qunguan, db_path):
    qunguan("config", "set", "group.idle_days", "45", "--db", db_path)
    shown = qunguan("config", "show", "--all", "--db", db_path).stdout.splitlines()
    assert "group.idle_days\t45\t30" in shown and any(line.startswith("after_hours.periods\t") for line in shown)
    assert "did you mean after_hours.periods" in qunguan("config", "set", "after_hours.period", "[]", "--db", db_path).stderr


def test_the_dashboard_counts_a_weeks_chatter_flag_in_that_week(qunguan, db_path, tmp_path):
    from review import charts

    conn, _ = _a_flagged_week_of_chatter(qunguan, db_path, tmp_path)
    weekly = [tuple(row) for row in charts.figures(conn)["weekly"]]
    assert ("2025-03-03", "group_chatter_share", 1) in weekly
