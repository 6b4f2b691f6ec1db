"""A follow-up chasing the proof a demand of its group asked for is that demand again
(群规 第九条); alone, the same words demand nothing."""
import pytest

from classifiers.classify import insert_flags
from detectors import after_hours, proof_demand
from review import handling
from tests.detector_helpers import archive, add, msg, run

DEMAND = "各站巡检完把站房和仪器面板拍照发群里，走之前发个定位"
MORNING = "2025-03-04T09:00:00"


def thread(*texts, group_ids=None, times=None):
    """Messages of one morning in the order given: the first at 09:00, then a minute apart."""
    return [msg(text, times[n] if times else f"2025-03-04T09:{n:02d}:00", id=n + 1,
                group_id=group_ids[n] if group_ids else 1) for n, text in enumerate(texts)]


def chased(flags):
    return {f["message_id"]: f for f in flags if f["evidence"].startswith("催交")}


@pytest.mark.parametrize("chaser", ["@老周 位置呢", "二号站的照片还冇发", "@小胡 下午的照片", "@小胡 @老周 定位还没发",
                                    "今天照常，位置发群里。", "还差三号站的照片", "三号站位置补发一下"])
def test_a_short_follow_up_chasing_the_media_a_demand_asked_for_is_flagged_and_points_at_the_demand(chaser):
    demand, follow_up = thread(DEMAND, chaser)
    flags = run(proof_demand, demand, follow_up)
    [flag] = chased(flags).values()
    assert flag["message_id"] == follow_up.id and flag["related_message_id"] == demand.id
    assert flag["category"] == "proof_demand" and flag["article"] == "群规 第九条"
    assert "2025-03-04（周二）09:00" in flag["evidence"]


@pytest.mark.parametrize("chaser", ["@老周 位置呢", "二号站的照片还冇发", "@小胡 下午的照片"])
def test_the_same_words_without_a_demand_before_them_in_their_group_demand_nothing(chaser):
    assert run(proof_demand, msg(chaser)) == []
    # A demand in another group, or sent after the follow-up, is not the one it chases.
    assert chased(run(proof_demand, *thread(DEMAND, chaser, group_ids=[2, 1]))) == {}
    assert chased(run(proof_demand, *reversed(thread(chaser, DEMAND)))) == {}


def test_a_demand_more_than_chase_days_old_is_chased_no_more():
    week_later = thread(DEMAND, "@老周 位置呢", times=["2025-03-04T09:00:00", "2025-03-12T09:00:00"])
    assert chased(run(proof_demand, *week_later)) == {}
    six_days = thread(DEMAND, "@老周 位置呢", times=["2025-03-04T09:00:00", "2025-03-10T09:00:00"])
    assert set(chased(run(proof_demand, *six_days))) == {2}


@pytest.mark.parametrize("reply", [
    "我的照片还没发，马上", "[图片] 二号站已补传", "二号站的也传完了 [图片]", "[位置] 一号站东门", "照片怎么发到群里？",
    "位置不用发了，李工已经在站里", "家长们都在朋友圈晒照片呢", "@小胡 收到", "照片要发群里吗？还是传系统",
    "发群里的照片是上午拍的", "刚发群里的视频是演练",
    # A 接龙 is no photo: chasing one after a demand for photos chases something else.
    "就差你们两个站冇接龙了",
])
def test_reports_questions_let_offs_and_other_media_after_a_demand_are_no_chase(reply):
    assert chased(run(proof_demand, *thread(DEMAND, reply))) == {}


def test_a_chaser_chases_a_demand_flagged_in_an_earlier_run_but_not_one_a_supervisor_dismissed(tmp_path):
    conn = archive(tmp_path / "a.db")
    demand = add(conn, 1, 1, MORNING, DEMAND)
    insert_flags(conn, [{**f, "detector": "rules@proof_demand.test"} for f in run(proof_demand, demand)])
    conn.commit()
    evening = add(conn, 2, 1, "2025-03-04T17:00:00", "@老周 今天的位置呢")
    [flag] = run(proof_demand, evening, context={"conn": conn})
    assert flag["related_message_id"] == demand.id

    [flag_id] = [row[0] for row in conn.execute("select id from flags where message_id = 1")]
    handling.record(conn, [flag_id], handling.validate("dismissed", "none", "所要定位用于安全签到，非留痕", None), "sup1")
    assert run(proof_demand, evening, context={"conn": conn}) == []


def test_a_chaser_sent_after_hours_is_a_task_sent_after_hours():
    # Whatever the media are for, chasing them late at night sets someone a task then.
    [flag] = run(after_hours, msg("@小胡 一号站的照片还冇发", "2025-03-04T22:30:00"))
    assert flag["category"] == "after_hours"
    assert run(after_hours, msg("一号站的照片我还冇发，明早发", "2025-03-04T22:30:00")) == []
    [flag] = run(after_hours, msg("我还冇收到二号站的照片", "2025-03-04T22:30:00"))
