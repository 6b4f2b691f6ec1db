"""A follow-up chasing the proof a demand of its group asked for is that demand again
(群规 第九条); alone, the same words demand nothing."""
import pytest

from classifiers.classify import insert_flags
from detectors import after_hours, proof_demand
from detectors.run import run_rules
from ingest.registry import set_setting
from review import handling
from tests.detector_helpers import CONFIG, archive, add, fresh_context, msg, run

DEMAND = "各站巡检完把站房和仪器面板拍照发群里，走之前发个定位"
MORNING = "2025-03-04T09:00:00"


def thread(*texts, group_ids=None, times=None):
    """Messages of one morning in the order given: the first at 09:00, then a minute apart."""
    return [msg(text, times[n] if times else f"2025-03-04T09:{n:02d}:00", id=n + 1,
                group_id=group_ids[n] if group_ids else 1) for n, text in enumerate(texts)]


def chased(flags):
    return {f["message_id"]: f for f in flags if f["evidence"].startswith("催交")}


@pytest.mark.parametrize("chaser", ["@老周 位置呢", "二号站的照片还冇发", "@小胡 下午的照片", "@小胡 @老周 定位还没发",
                                    "今天照常，位置发群里。", "还差三号站的照片", "三号站位置补发一下", "老周，位置呢",
                                    "小胡，照片呢？", "在岗照片呢", "照片发了没", "照片还没交齐", "已经三天了，照片还没发",
                                    "我要的照片呢"])
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
    # Said to someone of media seen, liked or told where: no chase.
    "@王主任 照片收到，辛苦", "@小周 照片很清楚", "@小周 照片不错👍", "@李姐 照片拍糊了", "@王主任 照片在群里",
    "@小李 照片删了吧", "@小李 位置发我一下，我过来接你",
    # What the media show, not that they are missing: 没发现, 未发现, 没看到 something.
    "今日视频巡查未发现异常", "照片里没发现问题", "监控视频没看到可疑人员",
    # Questions of how many, where, which: not where the media are.
    "照片要几张呢", "定位要开多久呢", "照片发哪里呢", "这张照片拍的是哪里呢", "走访照片是发群里还是传系统？",
    "照片怎么又要重新发群里",
    # The speaker's own unit, and pictures to enjoy or asked of whoever has them.
    "我们村还差两户的照片，明天补上", "我们这边照片还没发", "照片我们晚点补发", "城南片还有两户在外地，照片明天补发",
    "萌娃照片发群里大家看看",
    "谁有上午的照片，发群里看看",
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


def test_a_chaser_is_no_demand_a_later_chaser_chases():
    # Chasing a chaser would carry a demand on past its window, and past its dismissal.
    days = ["2025-03-03T09:00:00", "2025-03-09T09:00:00", "2025-03-15T09:00:00"]
    flags = run(proof_demand, *thread(DEMAND, "@老周 位置呢", "@老周 今天的位置呢", times=days))
    assert set(chased(flags)) == {2}


def test_an_answer_to_a_sign_up_list_is_no_chase():
    starter = "#接龙 今晚巡查完位置发群里\n1. 张三"
    answer = "#接龙 今晚巡查完位置发群里\n1. 张三\n2. 李四"
    assert chased(run(proof_demand, *thread(DEMAND, starter, answer))) == {}


def test_chasing_media_is_no_task_after_hours_by_itself():
    # after_hours reads no thread: alone, the same words are as often chatter or a night report.
    for text in ("宝宝的照片呢", "@老王 饭店位置呢？", "夜间视频巡查未发现异常", "@小李 视频我看了"):
        assert run(after_hours, msg(text, "2025-03-04T22:30:00")) == []


def test_a_reading_again_chases_neither_a_dismissed_demand_nor_one_it_no_longer_finds(tmp_path):
    conn = archive(tmp_path / "a.db")
    add(conn, 1, 1, MORNING, DEMAND)
    add(conn, 2, 1, "2025-03-04T17:00:00", "@老周 今天的位置呢")
    conn.commit()
    run_rules(conn)
    assert conn.execute("select related_message_id from flags where message_id = 2").fetchone() == (1,)
    [demand] = conn.execute("select id from flags where message_id = 1").fetchone()
    handling.record(conn, [demand], handling.validate("dismissed", "none", "所要定位用于安全签到，非留痕", None), "sup1")
    # A setting changed: every message is read again, the demand among them, and not chased.
    set_setting(conn, "proof_demand.chase_max_chars", "32")
    run_rules(conn)
    assert _open_chasers(conn) == []

    # A flag the detector raised once but finds no more (an older version's) is chased by nothing.
    conn = archive(tmp_path / "b.db")
    add(conn, 1, 1, MORNING, "今天的巡检定位都很准，辛苦大家")
    add(conn, 2, 1, "2025-03-04T17:00:00", "@老周 今天的位置呢")
    insert_flags(conn, [{"subject": "message:1", "message_id": 1, "group_id": 1, "category": "proof_demand",
                         "score": 0.9, "detector": "rules@proof_demand.1.none", "article": "群规 第九条", "evidence": "…"}])
    conn.commit()
    run_rules(conn)
    assert _open_chasers(conn) == []


def _open_chasers(conn):
    return conn.execute("select f.message_id from flags f left join flag_state s on s.flag_id = f.id "
                        "where f.related_message_id is not null and f.category = 'proof_demand' "
                        "and coalesce(s.status, '') != 'dismissed'").fetchall()


def test_a_window_of_any_length_an_admin_sets_reads_without_error():
    config = {**CONFIG, "proof_demand": {**CONFIG["proof_demand"], "chase_days": 10**9}}
    flags = proof_demand.detect(thread(DEMAND, "@老周 位置呢"), config, fresh_context())
    assert set(chased(flags)) == {2}
