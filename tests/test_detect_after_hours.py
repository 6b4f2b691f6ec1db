"""群规 第十条: non-urgent notices after hours are flagged; urgent ones, replies and
make-up working days are not."""
import pytest

from detectors import after_hours
from tests.detector_helpers import msg, run

NOTICE = "请各乡镇明天上午9点前报送防返贫监测对象核查表，逾期通报"


@pytest.mark.parametrize("when, why", [
    ("2025-03-09T22:30:00", "周末"),  # Sunday night
    ("2025-03-05T21:40:00", "工作日非工作时段"),  # Wednesday evening
    ("2025-03-05T12:40:00", "工作日非工作时段"),  # lunch break
    ("2025-10-02T10:00:00", "法定节假日（国庆节）"),
])
def test_notice_outside_working_hours_is_flagged_with_the_reason(when, why):
    [flag] = run(after_hours, msg(NOTICE, when))
    assert flag["category"] == "after_hours" and flag["article"] == "群规 第十条"
    assert why in flag["evidence"] and when[11:16] in flag["evidence"]


def test_urgent_warning_at_night_is_not_flagged():
    assert run(after_hours, msg("【紧急通知】寒潮预警：今晚起气温骤降，请各乡镇立即做好防冻准备", "2025-03-05T19:40:00")) == []


def test_make_up_working_saturday_morning_is_working_time():
    # 2025-02-08 (Saturday) was a 调休 working day after the Spring Festival.
    assert run(after_hours, msg(NOTICE, "2025-02-08T10:00:00")) == []


def test_notice_in_working_hours_and_after_hours_replies_are_not_flagged():
    assert run(after_hours, msg(NOTICE, "2025-03-04T10:00:00")) == []
    assert run(after_hours, msg("收到，双溪镇已通知到各村", "2025-03-05T21:02:00")) == []
    assert run(after_hours, msg("今晚吃什么", "2025-03-09T22:30:00")) == []


def test_a_year_the_calendar_does_not_know_falls_back_to_weekdays_with_one_warning():
    context = {}
    flags = run(after_hours, msg(NOTICE, "2027-03-06T10:00:00", id=1), msg(NOTICE, "2027-03-08T10:00:00", id=2),
                msg(NOTICE, "2027-03-07T10:00:00", id=3), context=context)
    assert [f["message_id"] for f in flags] == [1, 3]  # Saturday and Sunday; Monday 10:00 is fine
    assert len(context["calendar"].warnings) == 1 and "2027" in context["calendar"].warnings[0]


def test_times_in_one_minute_are_told_apart_when_a_period_ends_inside_it():
    import copy

    from tests.detector_helpers import CONFIG

    config = copy.deepcopy(CONFIG)
    config["after_hours"]["periods"] = [["08:00", "17:30:30"]]
    flags = after_hours.detect([msg(NOTICE, "2025-03-04T17:30:10", id=1), msg(NOTICE, "2025-03-04T17:30:40", id=2),
                                msg(NOTICE, "2025-03-04T17:31:00", id=3)], config, {})
    assert [f["message_id"] for f in flags] == [2, 3]
