"""The registry checks of 《党务政务新媒体管理办法》: one account per platform (第四条),
dormant accounts (第四条), filings 7 working days ahead (第六条), names (第七条),
internal divisions and personal accounts (第八条); running them twice adds nothing."""
from datetime import date, datetime, time, timedelta

import pytest

import ingest.records

from detectors.after_hours import Calendar
from ingest.records import local_now
from ingest.schema import open_archive
from newmedia import checks, registry
from newmedia.checks import run_newmedia, working_days_ahead
from review import handling
from review.site import canned_queries

TODAY = date(2025, 10, 1)


@pytest.fixture
def clock(monkeypatch):
    """The archive's clock, as if the commands ran then: clock(day) sets it to 09:00 that
    day, clock(n) moves it on n days."""
    now = [local_now()]

    def move(to: date | int):
        now[0] = now[0] + timedelta(days=to) if isinstance(to, int) else datetime.combine(to, time(9))

    for module in (ingest.records, registry, checks):
        monkeypatch.setattr(module, "local_now", lambda: now[0])
    return move


@pytest.fixture
def archive(clock, qunguan, db_path, fixtures, tmp_path):
    """The GB18030 台账 and a week of posts, imported as an office would on TODAY, the
    archive's clock then standing at TODAY."""
    clock(TODAY)
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", db_path)
    return open_archive(str(db_path)).conn


def flags(conn, category):
    return [dict(zip(("subject", "account_id", "article", "evidence"), r)) for r in conn.execute(
        "select subject, account_id, article, evidence from flags where category = ? order by id", [category])]


def test_two_accounts_of_one_unit_on_one_platform_are_flagged_once(archive):
    run_newmedia(archive, TODAY, models_dir=None)
    run_newmedia(archive, TODAY, models_dir=None)
    [flag] = flags(archive, "account_duplicate_platform")
    assert flag["subject"] == "account:2" and flag["article"] == "新媒体 第四条"  # 宜春教育发布, opened after 宜春教育
    assert "「宜春教育」、「宜春教育发布」" in flag["evidence"]
    # 宜春教育 on 抖音 or 微博 is another platform: no flag for those.


def test_an_account_with_no_post_for_half_a_year_is_flagged_dormant(archive):
    run_newmedia(archive, TODAY, models_dir=None)
    [flag] = flags(archive, "account_dormant")
    assert flag["subject"] == "account:2" and "2025-01-31" in flag["evidence"]  # ledger's 2025年1月, post of 01-10
    assert "243 天未更新" in flag["evidence"]


def test_the_dormancy_threshold_is_configurable(qunguan, db_path, archive):
    assert qunguan("accounts", "config", "dormant_days", "300", "--db", db_path).exit_code == 0
    run_newmedia(archive, TODAY, models_dir=None)
    assert flags(archive, "account_dormant") == []
    refused = qunguan("accounts", "config", "dormant_days", '"soon"', "--db", db_path)
    assert refused.exit_code == 1 and "expected number" in refused.stderr


@pytest.mark.parametrize("name, value", [("dormant_days", "-5"), ("dormant_days", "0"), ("dormant_days", "true"),
                                         ("filing_working_days", "7.5"), ("filing_working_days", "-1")])
def test_a_count_of_days_must_be_a_whole_number_above_zero(qunguan, db_path, query, name, value):
    refused = qunguan("accounts", "config", "--db", db_path, "--", name, value)  # "--": -5 is not an option
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [f"错误：newmedia.{name} 的值 {value} 不能使用，未保存：应为大于 0 的整数天数"
                                           "（默认值见 `qunguan config show --all`）（error: "
                                           f"{name} must be a whole number of days above 0, got {value!r}）"]
    assert query("select count(*) as n from settings where key like 'newmedia.%'") == [{"n": 0}]


@pytest.mark.parametrize("stored, judged_dormant", [("-5", {"account:2"}), ("0", {"account:2"}), ('"soon"', {"account:2"}),
                                                    ("300", set()), ("200", {"account:2"})],
                         ids=["-5 days", "0 days", "a word", "300 days", "200 days"])
def test_a_day_count_stored_before_it_was_refused_is_said_and_the_default_applies(qunguan, db_path, archive, stored,
                                                                                  judged_dormant):
    # An older version (or a hand-edited archive) stored a count `accounts config` now
    # refuses: -5 or 0 made every account dormant, a word stopped every check. The checks
    # read it as the detectors read theirs: left out, its default (180 days) applying.
    with archive:
        archive.execute("insert into settings values ('newmedia.dormant_days', ?, '2024-05-06T09:00:00', 'wang')",
                        [stored])
    _, warnings, _ = run_newmedia(archive, TODAY, models_dir=None)
    assert {flag["subject"] for flag in flags(archive, "account_dormant")} == judged_dormant  # 243 days idle
    shown = qunguan("config", "show", "--db", db_path)
    ignored = stored in ("-5", "0", '"soon"')
    assert any(w.startswith(f"setting newmedia.dormant_days = {stored} is ignored") for w in warnings) is ignored
    assert (f"setting newmedia.dormant_days = {stored} is ignored" in shown.stderr) is ignored
    value = f"{stored} (ignored: the default applies)" if ignored else stored
    assert f"newmedia.dormant_days\t{value}\t180\t2024-05-06T09:00:00\twang" in shown.stdout.splitlines()


def test_a_word_list_stored_with_a_number_in_it_is_left_out_for_its_default(qunguan, db_path, archive):
    with archive:
        archive.execute("""insert into settings values ('newmedia.shop_domains', '["taobao.com", 3]', '2024-05-06', 'wang')""")
    run_newmedia(archive, TODAY, models_dir=None)  # a number among the hosts stopped the checks
    assert "setting newmedia.shop_domains = [\"taobao.com\", 3] is ignored" in qunguan("config", "show", "--db",
                                                                                         db_path).stderr


@pytest.mark.parametrize("name, value", [("unit_names", '{"中共宜春市委宣传部": [1]}'),
                                         ("unit_names", '{"中共宜春市委宣传部": "宜春发布"}'),
                                         ("shop_domains", '["taobao.com", 3]'), ("division_suffixes", '[""]')])
def test_word_lists_must_hold_words(qunguan, db_path, query, name, value):
    # A number in a list failed the next classify; a string where a list belongs was read
    # letter by letter. Either way through `accounts config` or `config set newmedia.…`.
    for command in (("accounts", "config", name), ("config", "set", f"newmedia.{name}")):
        refused = qunguan(*command, value, "--db", db_path)
        assert refused.exit_code == 1 and name in refused.stderr and "must" in refused.stderr
    assert query("select count(*) as n from settings") == [{"n": 0}]


@pytest.mark.parametrize("today, accepted", [("2025-06-01", True), ("20250601", False), ("2025/06/01", False),
                                             ("2025-W22-7", False)])
def test_check_today_takes_only_the_day_form_its_help_names(qunguan, db_path, today, accepted):
    open_archive(str(db_path))
    result = qunguan("accounts", "check", "--db", db_path, "--today", today)
    assert (result.exit_code == 0) is accepted
    assert accepted or f"--today {today!r}: expected a day as YYYY-MM-DD" in result.stderr


CALENDAR = Calendar({})


@pytest.mark.parametrize("filed, effective, working_days", [
    ("2025-03-03", "2025-03-12", 7),  # an ordinary Monday to the next week's Wednesday
    ("2025-03-03", "2025-03-11", 6),
    ("2025-09-26", "2025-10-13", 7),  # across National Day: Sunday 09-28 and Saturday 10-11 are 调休 working days
    ("2025-09-26", "2025-10-11", 6),  # ... so the 调休 Saturday is the 6th working day, not enough
    ("2025-09-30", "2025-10-14", 5),  # 14 calendar days, only 5 working days
    ("2025-10-14", "2025-10-14", 0),
])
def test_working_days_count_weekends_holidays_and_make_up_days(filed, effective, working_days):
    count, _ = working_days_ahead(date.fromisoformat(filed), date.fromisoformat(effective), CALENDAR)
    assert count == working_days


def test_filings_fewer_than_seven_working_days_ahead_are_flagged_across_national_day(qunguan, db_path, archive):
    for account, filed, effective in [("宜春发布", "2025-09-26", "2025-10-13"), ("宜春教育发布", "2025-09-26", "2025-10-11"),
                                      ("小李说文旅", "2025-09-30", "2025-10-14")]:
        result = qunguan("accounts", "file", account, "--db", db_path, "--action", "变更",
                         "--filed-on", filed, "--effective-on", effective)
        assert result.exit_code == 0, result.stderr
    run_newmedia(archive, TODAY, models_dir=None)
    late = flags(archive, "account_late_filing")
    assert [f["subject"] for f in late] == ["account:2:filing:3", "account:5:filing:4"]
    assert all(f["article"] == "新媒体 第六条" for f in late)
    assert "其间仅 5 个工作日（国庆节 7 天、中秋节 1 天、周末 1 天不计）" in late[1]["evidence"]


def test_a_year_the_calendar_does_not_cover_falls_back_to_weekdays_with_a_warning(qunguan, db_path, archive):
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "变更",
            "--filed-on", "2027-03-01", "--effective-on", "2027-03-09")  # Monday to next Tuesday: 6 weekdays
    added, warnings, _ = run_newmedia(archive, date(2027, 3, 20), models_dir=None)
    assert [f["subject"] for f in flags(archive, "account_late_filing")] == ["account:4:filing:2"]
    assert any("2027" in w for w in warnings)


def test_names_that_do_not_name_the_unit_are_reported_and_short_names_can_be_registered(qunguan, db_path, archive):
    run_newmedia(archive, TODAY, models_dir=None)
    unclear = flags(archive, "account_name_unclear")
    # 宜春发布 names nothing of 中共宜春市委宣传部. (小李说文旅 names 文旅, the bureau's usual
    # short form: it is an individual's account, 第八条, and flagged as that.)
    assert [f["subject"] for f in unclear] == ["account:4"]
    assert "已比对：中共宜春市委宣传部、宣传部、宣传" in unclear[0]["evidence"]
    assert [f["subject"] for f in flags(archive, "account_personal")] == ["account:5"]
    # 宜春教育 passes by the core word 教育; 宜春市教育局基础教育科 by the full name.
    archive.execute("delete from flags")
    archive.commit()
    qunguan("accounts", "config", "unit_names", '{"中共宜春市委宣传部": ["宜春发布"]}', "--db", db_path)
    run_newmedia(archive, TODAY, models_dir=None)
    assert flags(archive, "account_name_unclear") == []


def test_internal_division_and_personal_accounts_are_flagged(archive):
    archive.execute("update accounts set registrant = '王强', registrant_type = '' where name = '宜春发布'")
    archive.execute("update accounts set registrant = '王强', leader = '王强' where name = '宜春发布'")
    archive.commit()
    run_newmedia(archive, TODAY, models_dir=None)
    [division] = flags(archive, "account_internal_division")
    assert division["subject"] == "account:3" and "基础教育科" in division["evidence"]
    personal = flags(archive, "account_personal")
    assert [f["subject"] for f in personal] == ["account:4", "account:5"]
    assert "分管领导本人" in personal[0]["evidence"] and "主体类型为「个人」" in personal[1]["evidence"]
    assert {f["article"] for f in personal} == {"新媒体 第八条"}


def test_closed_accounts_are_left_alone_and_a_second_run_adds_nothing(qunguan, db_path, archive):
    qunguan("accounts", "file", "小李说文旅", "--db", db_path, "--action", "关停",
            "--filed-on", "2025-08-01", "--effective-on", "2025-08-20")
    first, _, _ = run_newmedia(archive, TODAY, models_dir=None)
    assert not [f for f in flags(archive, "account_name_unclear") if f["account_id"] == 5]
    assert flags(archive, "account_personal") == []
    second, _, _ = run_newmedia(archive, TODAY, models_dir=None)
    assert first > 0 and second == 0


def test_account_flags_show_under_the_accounts_supervising_body(archive):
    run_newmedia(archive, TODAY, models_dir=None)
    routed = dict(archive.execute("select name, open_flags from account_supervision where supervising_body = '宣传部/网信办'"))
    assert routed == {"宜春发布": 1}


def test_a_placeholder_in_a_register_cell_accuses_nobody(qunguan, db_path, tmp_path):
    # Clerks write 无, / or — where a column does not apply: no division, no person.
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位名称,平台,账号名称,账号ID,内设机构,分管领导,注册主体,主体类型\n"
                      "宜春市公安局,微信公众号,宜春公安,gh_gaj,无,无,无,单位\n"
                      "宜春市税务局,微信公众号,宜春税务,gh_swj,/,/,/,单位\n"
                      "宜春市林业局,微信公众号,宜春林业,gh_ly,—,—,—,单位\n", encoding="utf-8")
    qunguan("accounts", "import", ledger, "--db", db_path)
    conn = open_archive(str(db_path)).conn
    run_newmedia(conn, TODAY, models_dir=None)
    assert flags(conn, "account_internal_division") == flags(conn, "account_personal") == []


def test_two_wechat_accounts_noted_as_subscription_and_service_are_one_platform(qunguan, db_path, tmp_path):
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位名称,平台,账号名称,账号ID,开设时间\n"
                      "奉新县赤岸镇人民政府,微信公众号（订阅号）,赤岸发布,gh_ca1,2020-01-01\n"
                      "奉新县赤岸镇人民政府,微信公众号（服务号）,赤岸服务,gh_ca2,2021-01-01\n"
                      "奉新县赤岸镇人民政府,头条号,赤岸镇之窗,tt1,2021-01-01\n"
                      "奉新县赤岸镇人民政府,今日头条号,赤岸资讯,tt2,2022-01-01\n", encoding="utf-8")
    qunguan("accounts", "import", ledger, "--db", db_path)
    conn = open_archive(str(db_path)).conn
    assert [r[0] for r in conn.execute("select distinct platform from accounts order by 1")] == ["今日头条", "微信公众号"]
    run_newmedia(conn, TODAY, models_dir=None)
    assert len(flags(conn, "account_duplicate_platform")) == 2


def test_a_register_reimported_from_an_old_copy_does_not_reopen_a_closed_account(qunguan, db_path, query, tmp_path):
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位名称,平台,账号名称,账号ID,开设时间,关停时间,状态\n"
                      "宜春市林业局,微信公众号,宜春林业,gh_ly,2018-01-01,,正常\n"
                      "宜春市林业局,微信公众号,宜春林业资讯,gh_ly2,2020-01-01,,正常\n", encoding="utf-8")
    qunguan("accounts", "import", ledger, "--db", db_path)
    qunguan("accounts", "file", "宜春林业资讯", "--action", "关停", "--filed-on", "2025-09-01",
            "--effective-on", "2025-09-30", "--db", db_path)
    again = qunguan("accounts", "import", ledger, "--db", db_path)
    assert "已于 2025-09-01 备案关停（2025-09-30 起），以备案为准" in again.stderr
    assert query("select status, closed_on, opened_on from accounts where name = '宜春林业资讯'") == [
        {"status": "关停", "closed_on": "2025-09-30", "opened_on": "2020-01-01"}]
    conn = open_archive(str(db_path)).conn
    run_newmedia(conn, date(2025, 10, 10), models_dir=None)
    assert flags(conn, "account_duplicate_platform") == []
    # Opened again and filed so: the register's 正常 stands.
    qunguan("accounts", "file", "宜春林业资讯", "--action", "开设", "--filed-on", "2025-10-01",
            "--effective-on", "2025-10-15", "--db", db_path)
    reopened = qunguan("accounts", "import", ledger, "--db", db_path)
    assert "以备案为准" not in reopened.stderr
    assert query("select status from accounts where name = '宜春林业资讯'") == [{"status": "运行"}]


@pytest.mark.parametrize("unit, name", [
    ("赤岸镇人民政府", "赤岸发布"),  # a township written without its county, as the README's example
    ("中共赤岸镇委员会", "赤岸党建"),
    ("宜春市袁州区秀江街道办事处", "秀江街道"),
    ("宜春市人民检察院", "宜春检察"),  # the short forms everyone uses
    ("宜春市中级人民法院", "宜春中院"),
    ("宜春市消防救援支队", "宜春消防"),
    ("宜春市袁州区教育体育局", "袁州教育"),
    ("宜春市文化广电新闻出版旅游局", "宜春文旅"),
])
def test_the_usual_names_of_a_units_accounts_name_the_unit(unit, name):
    from newmedia.names import name_stems, names_unit

    assert names_unit(name, name_stems(unit))


def standing(conn, subject, category):
    """(status, note, actor) of the flag's latest handling row; Nones when nobody handled it."""
    row = conn.execute("select s.status, h.note, h.actor_id from flags f left join flag_state s on s.flag_id = f.id "
                       "left join handling h on h.id = (select max(id) from handling where flag_id = f.id) "
                       "where f.subject = ? and f.category = ?", [subject, category]).fetchone()
    return tuple(row) if row else None


def test_a_dormant_account_that_posts_again_has_its_flag_closed_by_the_checks(qunguan, db_path, archive, tmp_path,
                                                                              clock):
    clock(date(2026, 2, 28))
    qunguan("accounts", "check", "--db", db_path)
    assert "已 393 天未更新" in flags(archive, "account_dormant")[0]["evidence"]
    export = tmp_path / "宜春教育发布.csv"
    export.write_text("标题,发布时间,正文\n春季开学通知,2026-02-20 09:00,各校3月2日开学。\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", db_path, "--account", "宜春教育发布")
    checked = qunguan("accounts", "check", "--db", db_path)
    assert "检查自动办结或重新打开的新媒体账号标记：1 条" in checked.stderr
    assert "account flags closed or opened again by the checks: 1" in checked.stderr
    assert standing(archive, "account:2", "account_dormant") == ("resolved", checks.SETTLED_NOTE, checks.DETECTOR)
    # Quiet again for half a year: the same flag opens again, saying how things stand now.
    clock(date(2026, 9, 30))
    qunguan("accounts", "check", "--db", db_path)
    assert standing(archive, "account:2", "account_dormant") == ("reviewing", checks.RECUR_NOTE, checks.DETECTOR)
    assert "最近一次发布在 2026-02-20，已 222 天未更新" in flags(archive, "account_dormant")[0]["evidence"]


def test_a_short_name_registered_closes_the_name_flag_and_taking_it_back_opens_it_again(qunguan, db_path, archive):
    run_newmedia(archive, TODAY, models_dir=None)
    [flag_id] = [r[0] for r in archive.execute("select id from flags where category = 'account_name_unclear'")]
    # A supervisor looked at it and closed it; the unit then registered its short name.
    handling.record(archive, [flag_id], handling.validate("resolved", "reminded", "已要求登记简称", None), "u-sup")
    qunguan("accounts", "config", "unit_names", '{"中共宜春市委宣传部": ["宜春发布"]}', "--db", db_path)
    run_newmedia(archive, TODAY, models_dir=None)
    assert standing(archive, "account:4", "account_name_unclear") == ("resolved", checks.SETTLED_NOTE, checks.DETECTOR)
    # Registered by mistake and taken back: the name says nothing of the unit again.
    qunguan("accounts", "config", "unit_names", "{}", "--db", db_path)
    _, _, changed = run_newmedia(archive, TODAY, models_dir=None)
    assert changed == 1
    assert standing(archive, "account:4", "account_name_unclear") == ("reviewing", checks.RECUR_NOTE, checks.DETECTOR)


def test_closing_an_account_closes_its_flags_but_not_its_late_filings(qunguan, db_path, archive):
    run_newmedia(archive, TODAY, models_dir=None)
    assert {f["subject"] for f in flags(archive, "account_dormant") + flags(archive, "account_duplicate_platform")} \
        == {"account:2"}
    qunguan("accounts", "file", "宜春教育发布", "--db", db_path, "--action", "关停",
            "--filed-on", "2025-09-26", "--effective-on", "2025-09-30")  # 1 working day ahead: late
    run_newmedia(archive, TODAY, models_dir=None)
    for category in ("account_dormant", "account_duplicate_platform"):
        assert standing(archive, "account:2", category) == ("resolved", checks.CLOSED_NOTE, checks.DETECTOR)
    assert standing(archive, "account:2:filing:2", "account_late_filing") == (None, None, None)


def test_a_dormant_account_still_idle_long_after_a_supervisor_resolved_it_is_raised_again(archive, clock):
    run_newmedia(archive, models_dir=None)  # the supervisor decides on TODAY: the checks count from that day
    [flag_id] = [r[0] for r in archive.execute("select id from flags where subject = 'account:2' "
                                               "and category = 'account_dormant'")]
    handling.record(archive, [flag_id], handling.validate("resolved", "reminded", "已督促更新", None), "u-sup")
    for later in (0, 100, 180):
        clock(TODAY + timedelta(days=later))
        run_newmedia(archive, models_dir=None)
        assert standing(archive, "account:2", "account_dormant") == ("resolved", "已督促更新", "u-sup")
    clock(TODAY + timedelta(days=272))
    run_newmedia(archive, models_dir=None)
    assert standing(archive, "account:2", "account_dormant") == ("reviewing", checks.DORMANT_AGAIN_NOTE, checks.DETECTOR)
    idle = (TODAY + timedelta(days=272) - date(2025, 1, 31)).days
    assert f"已 {idle} 天未更新" in archive.execute("select evidence from flags where id = ?", [flag_id]).fetchone()[0]


def test_a_closed_account_that_keeps_posting_is_flagged_and_again_when_it_posts_after_a_decision(qunguan, db_path,
                                                                                                 archive, tmp_path,
                                                                                                 clock):
    qunguan("accounts", "file", "小李说文旅", "--db", db_path, "--action", "关停",
            "--filed-on", "2025-08-01", "--effective-on", "2025-08-20")
    export = tmp_path / "小李说文旅.csv"
    export.write_text("标题,发布时间,正文\n本号停止更新,2025-08-20 09:00,感谢关注\n"
                      "月亮山秋景,2025-09-05 09:00,美\n中秋灯会,2025-09-12 20:00,来玩\n", encoding="utf-8")
    imported = qunguan("posts", "import", export, "--db", db_path, "--account", "小李说文旅")
    assert "2 posts were published after their account's closing day" in imported.stderr
    assert "注意：有 2 篇帖子发布在其账号关停之后（新媒体 第六条）；下次检查会标记它们" in imported.stderr
    run_newmedia(archive, TODAY, models_dir=None)
    [flag] = archive.execute("select id, subject, post_id, article, evidence from flags "
                             "where category = 'account_closed_posting'").fetchall()
    first_after = archive.execute("select id from posts where title = '月亮山秋景'").fetchone()[0]
    assert flag[1:4] == ("account:5:closed:2025-08-20", first_after, "新媒体 第六条")  # the farewell post is no breach
    assert "已于 2025-08-20 关停，此后仍发布 2 篇（2025-09-05 至 2025-09-12），最近一篇「中秋灯会」" in flag[4]
    handling.record(archive, [flag[0]], handling.validate("resolved", "talked", "已约谈，承诺不再发布", None), "u-sup")
    run_newmedia(archive, TODAY, models_dir=None)
    assert standing(archive, flag[1], "account_closed_posting") == ("resolved", "已约谈，承诺不再发布", "u-sup")
    # A week later it posts once more: the case is open again, with the new count.
    clock(7)
    export.write_text("标题,发布时间,正文\n国庆出游攻略,2025-09-28 09:00,走起\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", db_path, "--account", "小李说文旅")
    run_newmedia(archive, models_dir=None)
    assert standing(archive, flag[1], "account_closed_posting") == ("reviewing", checks.POSTED_AGAIN_NOTE,
                                                                    checks.DETECTOR)
    assert "此后仍发布 3 篇" in archive.execute("select evidence from flags where id = ?", [flag[0]]).fetchone()[0]


def test_a_closing_filed_ahead_takes_effect_on_its_day_and_an_opening_after_it_on_its_own(qunguan, db_path, query,
                                                                                          archive, clock):
    def status() -> str:
        listed = qunguan("accounts", "list", "--db", db_path).stdout.splitlines()
        return next(line.split("\t")[6] for line in listed if line.split("\t")[3] == "宜春发布")

    today = TODAY
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "关停",
            "--filed-on", str(today), "--effective-on", str(today + timedelta(days=20)))
    assert status() == "运行"
    clock(21)
    assert status() == "关停"
    change = query("select change from registry_log where entity = 'account' order by id desc limit 1")[0]["change"]
    assert '"status": ["运行", "关停"]' in change
    # Opened again, filed ahead too: 运行 from its day, and checked like any account.
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "开设",
            "--filed-on", str(today + timedelta(days=21)), "--effective-on", str(today + timedelta(days=40)))
    assert status() == "关停"
    clock(20)
    run_newmedia(archive, today + timedelta(days=41), models_dir=None)
    assert status() == "运行"
    assert query("select status, closed_on from accounts where name = '宜春发布'") == [{"status": "运行", "closed_on": None}]


def flag_id(conn, subject, category) -> int:
    return conn.execute("select id from flags where subject = ? and category = ?", [subject, category]).fetchone()[0]


def test_trying_the_checks_on_another_day_leaves_the_supervisors_decisions_alone(qunguan, db_path, archive):
    qunguan("accounts", "check", "--db", db_path)
    # A supervisor resolves the dormant 宜春教育发布, and finds 宜春发布's name a false alarm.
    dormant, name = flag_id(archive, "account:2", "account_dormant"), flag_id(archive, "account:4", "account_name_unclear")
    handling.record(archive, [dormant], handling.validate("resolved", "reminded", "已督促更新", None), "u-sup")
    handling.record(archive, [name], handling.validate("dismissed", "none", "宜春发布为规范简称", None), "u-sup")
    # Someone tries the checks as of a day in spring (not dormant yet then) and two years on
    # (idle long past the decision), each time followed by the ordinary check.
    for day in ("2025-06-01", "2027-12-31"):
        tried = qunguan("accounts", "check", "--db", db_path, "--today", day)
        assert tried.exit_code == 0
        assert tried.stderr.startswith(f"按 {day} 检查，不是今天：没有办结或重新打开任何账号标记（不加 --today 运行")
        assert f"（checked as of {day}, not today: no account flag was closed or opened again" in tried.stderr
        assert "不是今天" not in qunguan("accounts", "check", "--db", db_path).stderr
    assert standing(archive, "account:2", "account_dormant") == ("resolved", "已督促更新", "u-sup")
    assert standing(archive, "account:4", "account_name_unclear") == ("dismissed", "宜春发布为规范简称", "u-sup")


def test_a_supervisors_resolution_stands_when_a_setting_only_hides_the_finding_for_a_while(qunguan, db_path, archive,
                                                                                            clock):
    run_newmedia(archive, models_dir=None)
    dormant = flag_id(archive, "account:2", "account_dormant")
    handling.record(archive, [dormant], handling.validate("resolved", "reminded", "已督促更新", None), "u-sup")
    read = archive.execute("select evidence from flags where id = ?", [dormant]).fetchone()[0]
    # The threshold is raised for a month, then set back: the same idle spell, nothing new.
    qunguan("accounts", "config", "dormant_days", "400", "--db", db_path)
    run_newmedia(archive, models_dir=None)
    assert standing(archive, "account:2", "account_dormant") == ("resolved", checks.SETTLED_NOTE, checks.DETECTOR)
    clock(30)
    qunguan("accounts", "config", "dormant_days", "180", "--db", db_path)
    run_newmedia(archive, models_dir=None)
    assert standing(archive, "account:2", "account_dormant") == ("resolved", checks.SETTLED_NOTE, checks.DETECTOR)
    assert archive.execute("select evidence from flags where id = ?", [dormant]).fetchone()[0] == read
    # Still idle 180 days after the decision: now the problem is back.
    clock(151)
    run_newmedia(archive, models_dir=None)
    assert standing(archive, "account:2", "account_dormant") == ("reviewing", checks.DORMANT_AGAIN_NOTE, checks.DETECTOR)


def test_a_false_alarm_stays_one_when_its_finding_goes_and_comes_back(qunguan, db_path, archive):
    run_newmedia(archive, models_dir=None)
    name = flag_id(archive, "account:4", "account_name_unclear")
    handling.record(archive, [name], handling.validate("dismissed", "none", "宜春发布为规范简称", None), "u-sup")
    qunguan("accounts", "config", "unit_names", '{"中共宜春市委宣传部": ["宜春发布"]}', "--db", db_path)
    run_newmedia(archive, models_dir=None)
    qunguan("accounts", "config", "unit_names", "{}", "--db", db_path)
    _, _, changed = run_newmedia(archive, models_dir=None)
    assert changed == 0
    assert standing(archive, "account:4", "account_name_unclear") == ("dismissed", checks.SETTLED_NOTE, checks.DETECTOR)


def test_posts_published_while_closed_stay_a_breach_once_the_account_is_opened_again(qunguan, db_path, query, archive,
                                                                                     tmp_path, clock):
    # 宜春发布 closed from 09-20, filed in time; the 台账's post of 09-25 came after.
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "关停",
            "--filed-on", "2025-09-01", "--effective-on", "2025-09-20")
    run_newmedia(archive, models_dir=None)
    subject = "account:4:closed:2025-09-20"
    handling.record(archive, [flag_id(archive, subject, "account_closed_posting")],
                    handling.validate("resolved", "talked", "已约谈", None), "u-sup")
    clock(2)
    export = tmp_path / "宜春发布.csv"
    export.write_text("标题,发布时间,正文\n国庆出行提示,2025-10-02 09:00,错峰出行\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", db_path, "--account", "宜春发布")
    run_newmedia(archive, models_dir=None)
    assert standing(archive, subject, "account_closed_posting") == ("reviewing", checks.POSTED_AGAIN_NOTE,
                                                                    checks.DETECTOR)
    # Then it is opened again, filed on 10-05 for 10-20. A post of 10-10 exported late is
    # still one published while closed; one of 10-25 is the reopened account's own.
    clock(date(2025, 10, 5))
    qunguan("accounts", "file", "宜春发布", "--db", db_path, "--action", "开设",
            "--filed-on", "2025-10-05", "--effective-on", "2025-10-20")
    clock(date(2025, 10, 26))
    export.write_text("标题,发布时间,正文\n重阳敬老,2025-10-10 09:00,活动\n秋季招聘,2025-10-25 09:00,报名\n", encoding="utf-8")
    imported = qunguan("posts", "import", export, "--db", db_path, "--account", "宜春发布")
    assert "1 posts were published after their account's closing day" in imported.stderr
    run_newmedia(archive, models_dir=None)
    assert query("select status, closed_on from accounts where id = 4") == [{"status": "运行", "closed_on": None}]
    assert standing(archive, subject, "account_closed_posting") == ("reviewing", checks.POSTED_AGAIN_NOTE,
                                                                    checks.DETECTOR)
    [flag] = flags(archive, "account_closed_posting")
    assert "于 2025-09-20 关停，2025-10-20 才重新开设，其间仍发布 3 篇（2025-09-25 至 2025-10-10），最近一篇「重阳敬老」" \
        in flag["evidence"]


def test_the_first_post_after_closing_is_the_first_published_whatever_order_the_export_lists(qunguan, db_path,
                                                                                             archive, tmp_path):
    qunguan("accounts", "file", "小李说文旅", "--db", db_path, "--action", "关停",
            "--filed-on", "2025-08-01", "--effective-on", "2025-08-20")
    export = tmp_path / "小李说文旅.csv"  # newest first, as back ends export
    export.write_text("标题,发布时间,正文\n中秋灯会,2025-09-12 20:00,来玩\n月亮山秋景,2025-09-05 09:00,美\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", db_path, "--account", "小李说文旅")
    run_newmedia(archive, models_dir=None)
    [(occurred_at, first)] = archive.execute("select f.occurred_at, p.title from flags f join posts p on p.id = f.post_id "
                                             "where f.category = 'account_closed_posting'").fetchall()
    assert (occurred_at, first) == ("2025-09-05T09:00:00", "月亮山秋景")
    canned = canned_queries()["newmedia_closed_posting"]["sql"]
    [row] = [dict(zip((d[0] for d in c.description), r)) for c in [archive.execute(canned)] for r in c]
    assert (row["关停后首篇"], row["首篇时间"]) == ("月亮山秋景", "2025-09-05T09:00:00")
