"""群规 第九条: the same notice again in a group, or in several groups (多头发布); short
replies never count. Uses a real archive because signatures are indexed in it."""

import numpy as np
import pytest

from detectors import repeated_post
from ingest.schema import open_archive
from tests.detector_helpers import CONFIG, add, archive
from detectors.base import normalise

NOTICE = "【通知】关于报送2025年第一季度政务信息的通知：请各单位于3月10日前报送，联系电话0795-3207715。@所有人\u2005"


@pytest.fixture
def conn(tmp_path):
    return archive(tmp_path / "a.db")


def detect(conn, *messages):
    return repeated_post.detect(list(messages), CONFIG, {"conn": conn})


def test_the_same_notice_in_two_groups_is_flagged_once_as_multi_channel(conn):
    first = add(conn, 1, 1, "2025-03-03T09:12:26", NOTICE)
    second = add(conn, 2, 2, "2025-03-03T09:15:00", NOTICE.replace("@所有人\u2005", "") + "！")
    flags = detect(conn, first, second)
    assert len(flags) == 1
    assert flags[0]["message_id"] == 2 and flags[0]["related_message_id"] == 1
    assert flags[0]["evidence"].startswith("多头发布")


def test_a_repost_in_the_same_group_within_the_window_points_at_the_first(conn):
    posts = [add(conn, 1, 1, "2025-03-03T09:12:26", NOTICE), add(conn, 2, 1, "2025-03-05T09:05:08", NOTICE)]
    [flag] = detect(conn, *posts)
    assert flag["related_message_id"] == 1 and "第 2 次" in flag["evidence"]


VILLAGES = ["三桥村", "新田村", "龙岗村", "石门村", "黄坑村", "水口村"]


def test_members_reporting_or_answering_alike_in_one_group_are_not_repeats(conn):
    # Each village fills in the same template, or answers the notice in the same words:
    # each tells its own, once.
    reports = [add(conn, i, 1, f"2025-03-03T16:{i:02d}:00", f"{v}：今日秸秆禁烧巡查已完成，出动巡查人员5人次，"
                   "巡查重点地块3处，未发现火点和焚烧现象。", member_id=i) for i, v in enumerate(VILLAGES, start=1)]
    answers = [add(conn, 10 + i, 1, f"2025-03-04T09:{i:02d}:00", f"{v}收到，我村将严格按照镇党委政府的统一部署要求，"
                   "认真抓好各项工作落实，确保按时保质完成任务。", member_id=i) for i, v in enumerate(VILLAGES, start=1)]
    assert detect(conn, *reports, *answers) == []


def test_posts_naming_a_day_relatively_are_another_occasion_on_another_day(conn):
    roster = [add(conn, i, 1, f"2025-04-0{i}T08:30:00", f"今日值班：带班领导{leader}，值班人员刘六、陈七，"
                  "值班电话0795-3207715，请各值班人员坚守岗位。", member_id=9)
              for i, leader in enumerate(["张三", "李四", "王五"], start=1)]
    meeting = [add(conn, 10 + i, 1, f"2025-04-{day}T09:00:00", "请各股室负责人明天上午8:30到三楼会议室参加周例会，"
                   "汇报本周重点工作。", member_id=9) for i, day in enumerate(["07", "13"])]
    assert detect(conn, *roster, *meeting) == []


@pytest.mark.parametrize("first_at, again_at, text, groups", [
    # 本周 on Monday and again on Tuesday: the same week, the same notice.
    ("2025-03-03T09:00:00", "2025-03-04T09:00:00", "请各村本周五前报送春耕备耕情况统计表，逾期通报。", (1, 1)),
    # 今天 at 23:58 and again at 00:03: minutes apart, the same notice.
    ("2025-03-03T23:58:00", "2025-03-04T00:03:00", "请各村今天下班前报送防返贫监测对象核查表，逾期通报。", (1, 1)),
    # In two groups in the same week: 多头发布.
    ("2025-03-03T09:00:00", "2025-03-04T09:00:00", "请各村本周五前报送春耕备耕情况统计表，逾期通报。", (1, 2)),
    # 明天 in two groups the same morning: 多头发布.
    ("2025-03-03T09:00:00", "2025-03-03T10:30:00", "明天上午9点在三楼会议室开会，请准时参加。", (1, 2)),
])
def test_a_notice_naming_a_day_is_still_a_repeat_on_its_occasion(conn, first_at, again_at, text, groups):
    first = add(conn, 1, groups[0], first_at, text, member_id=9)
    again = add(conn, 2, groups[1], again_at, text, member_id=9)
    [flag] = detect(conn, first, again)
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1


def test_a_meeting_named_relatively_in_another_group_a_week_later_is_another_meeting(conn):
    first = add(conn, 1, 1, "2025-03-04T16:00:00", "明天上午9点在三楼会议室开会，请准时参加。", member_id=9)
    later = add(conn, 2, 2, "2025-03-11T16:00:00", "明天上午9点在三楼会议室开会，请准时参加。", member_id=9)
    assert detect(conn, first, later) == []


COUNTY_NOTICE = ("【通知】关于开展2025年春季农业生产大检查的通知：请各乡镇于3月15日前完成辖区春耕备耕、农资市场和农田水利设施"
                 "检查，检查情况报县农业农村局农业股。联系人：邹斌，电话：0795-3207720。")


@pytest.mark.parametrize("county_sender, township_sender, flagged", [
    # 县农业农村局-邹斌 in the county group, 镇党政办-刘洋 passing it on in the township's: 转发.
    (("wxid_zoubin", "邹斌", "县农业农村局"), ("wxid_liuyang", "刘洋", "石门镇党政办"), False),
    (("wxid_zoubin", None, None), ("wxid_liuyang", None, None), False),  # no roster: two accounts, two people
    # One account, one person (two accounts on the roster) or one unit in both groups: 多头发布.
    (("wxid_liuyang", None, None), ("wxid_liuyang", None, None), True),
    (("wxid_liuyang_work", "刘洋", "石门镇党政办"), ("wxid_liuyang", "刘洋", "石门镇党政办"), True),
    (("wxid_chenjing", "陈静", "石门镇党政办"), ("wxid_liuyang", "刘洋", "石门镇党政办"), True),
])
def test_a_notice_passed_on_to_another_group_is_multi_channel_only_from_the_same_source(
        conn, county_sender, township_sender, flagged):
    for member, group, (key, name, unit) in ((1, 1, county_sender), (2, 2, township_sender)):
        if name:
            conn.execute("insert or ignore into people (name, unit) values (?, ?)", [name, unit])
        conn.execute("insert into members (id, group_id, sender_key, person_id) "
                     "values (?, ?, ?, (select id from people where name = ? and unit = ?))", [member, group, key, name, unit])
    posts = [add(conn, 1, 1, "2025-03-03T08:40:00", COUNTY_NOTICE, member_id=1),
             add(conn, 2, 2, "2025-03-03T08:45:00", COUNTY_NOTICE, member_id=2)]
    found = detect(conn, *posts)
    assert [(f["message_id"], f["evidence"][:4]) for f in found] == ([(2, "多头发布")] if flagged else [])


def test_a_notice_in_several_groups_names_them_in_the_order_it_reached_them(conn):
    posts = [add(conn, 3, 2, "2025-03-03T09:05:00", NOTICE), add(conn, 4, 1, "2025-03-03T09:20:00", NOTICE)]
    conn.execute("insert into groups (id, name) values (3, '卫健系统群')")
    posts.append(add(conn, 5, 3, "2025-03-03T09:40:00", NOTICE))
    flags = {f["message_id"]: f["evidence"] for f in detect(conn, *posts)}
    assert flags[5].endswith("先后出现在 「教育系统群」、「政务服务群」、「卫健系统群」")


@pytest.mark.parametrize("title", ["#接龙\n周五下午理论学习中心组学习会参会确认\n",
                                   "【接龙】请各村支部书记于今天17:00前接龙报送春耕备耕进度",
                                   "学习积分接龙：请各位党员于周五前接龙报送本周学习强国积分"])
def test_a_growing_sign_up_list_is_not_a_repeat(conn, title):
    lines = [title]
    posts = []
    for i, name in enumerate(["张伟", "李娜", "王芳", "刘洋"], start=1):
        lines.append(f"{i}. {name} 参加")
        posts.append(add(conn, i, 1, f"2025-03-03T10:0{i}:00", "\n".join(lines), member_id=i))
    assert detect(conn, *posts) == []


def test_two_villages_answering_a_list_at_once_are_not_repeats(conn):
    # Each copied the list before the other's answer came: each lacks the other's line.
    head = "【接龙】请各村支部书记于今天17:00前接龙报送春耕备耕进度\n1. 石门村 已完成80%"
    posts = [add(conn, 1, 1, "2025-03-03T09:00:00", head, member_id=1),
             add(conn, 2, 1, "2025-03-03T09:10:00", head + "\n2. 新庄村 已完成75%", member_id=2),
             add(conn, 3, 1, "2025-03-03T09:10:30", head + "\n2. 下屋村 已完成70%", member_id=3)]
    assert detect(conn, *posts) == []


def test_a_notice_posted_again_by_another_member_of_the_group_is_still_a_repeat(conn):
    first = add(conn, 1, 1, "2025-03-03T09:12:26", NOTICE, member_id=1)
    again = add(conn, 2, 1, "2025-03-04T15:00:00", "转发：" + NOTICE, member_id=2)
    [flag] = detect(conn, first, again)
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1


def test_another_member_reposting_a_notice_after_thanks_is_a_repeat(conn):
    first = add(conn, 1, 1, "2025-03-03T09:00:00", SPRING, member_id=1)
    [flag] = detect(conn, first, add(conn, 2, 1, "2025-03-05T09:00:00", "辛苦各位，再发一遍：" + SPRING, member_id=2))
    assert flag["message_id"] == 2


def test_members_answering_a_notice_by_echoing_it_are_not_repeats(conn):
    notice = "请各村于3月5日下午5点前报送本周森林防火巡查情况表，逾期通报"
    first = add(conn, 1, 1, "2025-03-03T09:00:00", notice, member_id=1)
    echoes = [add(conn, 2, 1, "2025-03-03T09:05:00", "收到，" + notice, member_id=2),
              add(conn, 3, 1, "2025-03-03T09:06:00", "收到！" + notice, member_id=3),
              add(conn, 4, 1, "2025-03-03T09:07:00", "已安排，" + notice, member_id=4)]
    assert detect(conn, first, *echoes) == []


RELAYED = "请各村于周五前上报本村春耕备耕进展情况统计表，逾期未报的全镇通报。"


def _members(conn, *members):
    """Members (id, group, account) of the groups, one account each unless named twice."""
    conn.execute("insert into groups (id, name) values (3, '卫健系统群')")
    conn.executemany("insert into members (id, group_id, sender_key) values (?, ?, ?)", members)


def test_a_member_who_echoed_a_notice_and_passed_it_on_to_their_own_group_relays_it(conn):
    # 王主任 (account a) posts the notice; 刘洋 (account b) answers it in the same words
    # and passes it on to the group he runs: he posted it once, not in two groups.
    _members(conn, (1, 1, "wxid_a"), (2, 1, "wxid_b"), (3, 2, "wxid_b"))
    posts = [add(conn, 1, 1, "2025-03-03T09:00:00", RELAYED, member_id=1),
             add(conn, 2, 1, "2025-03-03T09:05:00", "收到，" + RELAYED, member_id=2),
             add(conn, 3, 2, "2025-03-03T09:10:00", RELAYED, member_id=3)]
    assert detect(conn, *posts) == []


@pytest.mark.parametrize("in_first_group, flagged", [
    ("收到，" + RELAYED, {4: "多头发布"}),  # echoed, then posted in two groups of his: the second is 多头发布
    # Posted again plainly in the notice's group: a repeat there, and his posts in his groups 多头发布.
    (RELAYED, {2: "重复发布", 3: "多头发布", 4: "多头发布"}),
])
def test_a_member_who_passes_a_notice_on_to_two_groups_or_reposts_it_posts_it_in_several(conn, in_first_group,
                                                                                          flagged):
    _members(conn, (1, 1, "wxid_a"), (2, 1, "wxid_b"), (3, 2, "wxid_b"), (4, 3, "wxid_b"))
    posts = [add(conn, 1, 1, "2025-03-03T09:00:00", RELAYED, member_id=1),
             add(conn, 2, 1, "2025-03-03T09:05:00", in_first_group, member_id=2),
             add(conn, 3, 2, "2025-03-03T09:10:00", RELAYED, member_id=3),
             add(conn, 4, 3, "2025-03-03T09:15:00", RELAYED, member_id=4)]
    assert {f["message_id"]: f["evidence"][:4] for f in detect(conn, *posts)} == flagged


@pytest.mark.parametrize("relay", [*(opening + RELAYED for opening in ("收到县里通知，", "收到县应急局的通知，", "已转发县里文件，",
                                                                      "收到县应急局通知：")),
                                   "已收到县局通知：本周五前请各村上报本村春耕备耕进展情况统计表",  # its deadline first
                                   "收到县防指通知：立即请各村组织人员对辖区河道开展拉网式巡查，发现险情及时报告"])  # at once
def test_a_notice_relayed_from_above_by_one_member_to_their_groups_is_multi_channel(conn, relay):
    # 刘洋 (account b) passes the county's notice on to three groups, saying where it came
    # from: "收到县里通知，" opens his notice, it does not answer one.
    _members(conn, (1, 1, "wxid_b"), (2, 2, "wxid_b"), (3, 3, "wxid_b"))
    posts = [add(conn, i, i, f"2025-03-03T09:0{i}:00", relay, member_id=i) for i in (1, 2, 3)]
    assert {f["message_id"]: f["evidence"][:4] for f in detect(conn, *posts)} == {2: "多头发布", 3: "多头发布"}


def test_an_echo_is_no_post_in_the_thread_of_the_notice_posted_again(conn):
    posts = [add(conn, 1, 1, "2025-03-03T09:00:00", RELAYED, member_id=1),
             add(conn, 2, 1, "2025-03-03T09:05:00", "收到，" + RELAYED, member_id=2),
             add(conn, 3, 1, "2025-03-04T09:00:00", RELAYED, member_id=1)]
    [flag] = detect(conn, *posts)
    assert (flag["message_id"], flag["related_message_id"]) == (3, 1) and "第 2 次" in flag["evidence"]


@pytest.mark.parametrize("thanks", ["感谢王主任提醒！", "谢谢张书记！", "辛苦王主任，", "感谢提醒，", "谢谢您！",
                                    "感谢刘局提醒！", "多谢村主任提醒，", "辛苦王主任，再发一遍："])
def test_another_member_thanking_for_a_notice_and_echoing_it_answers_it(conn, thanks):
    # 王主任 posts the notice; a village secretary thanks him and echoes it to the villages.
    first = add(conn, 1, 1, "2025-03-03T09:00:00", RELAYED, member_id=1)
    assert detect(conn, first, add(conn, 2, 1, "2025-03-03T09:10:00", thanks + RELAYED, member_id=2)) == []


@pytest.mark.parametrize("member, again", [
    (1, "辛苦各位，再发一遍：" + RELAYED),  # 王主任 posts his own notice again
    (1, "感谢王主任提醒！" + RELAYED),  # whatever it opens with: it is his second post of it
    (2, "谢谢大家配合，" + RELAYED),  # thanks to everyone: the notice-giver's voice, not an answer
    # So are thanks to the villages or the staff, or to no one named: 张镇长 chases 王主任's notice.
    (2, "辛苦各村抓紧，" + RELAYED),
    (2, "感谢同志们的辛勤付出，" + RELAYED),
    (2, "谢谢！" + RELAYED),
    # Thanks to all who hold a post, as the notice-giver addresses them: 辛苦村书记 is 辛苦各村书记.
    (2, "辛苦村书记，" + RELAYED),
    (2, "谢谢村主任们配合，" + RELAYED),
    # However it says it is posted again.
    (2, "辛苦村书记，再发一遍：" + RELAYED),
    (2, "辛苦各村书记，再发一遍：" + RELAYED),
])
def test_a_notice_posted_again_after_thanks_to_everyone_or_by_its_own_poster_is_a_repeat(conn, member, again):
    first = add(conn, 1, 1, "2025-03-03T09:00:00", RELAYED, member_id=1)
    [flag] = detect(conn, first, add(conn, 2, 1, "2025-03-04T09:00:00", again, member_id=member))
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1


MEETING = ("【会议通知】定于3月4日（星期二）上午8:30在镇政府三楼会议室召开周例会，请各站所负责人、各村党支部书记准时参加，"
           "汇报上周重点工作完成情况及本周工作安排，无特殊情况不得请假，确需请假的须提前向镇党委书记报告。")
DEADLINE = ("关于报送2025年第一季度安全生产隐患排查台账的通知：请各村于3月7日前将安全生产隐患排查台账报送至镇应急办，表格见附件，"
            "请各村高度重视，安排专人负责，确保数据真实准确，逾期未报的将在全镇通报。联系人：王磊，电话：0795-3207715。")
CORRECTED = "【更正】" + MEETING.replace("上午8:30", "上午9:00")
EXTENDED = "因系统升级，报送时间延期。" + DEADLINE.replace("3月7日", "3月12日")


@pytest.mark.parametrize("first, first_at, again, again_at", [
    (MEETING, "2025-03-03T08:30:00", CORRECTED, "2025-03-03T09:30:00"),
    (DEADLINE, "2025-03-03T10:00:00", EXTENDED, "2025-03-06T10:00:00"),
])
def test_a_correction_or_an_extension_of_a_notice_is_not_a_repeat(conn, first, first_at, again, again_at):
    assert detect(conn, add(conn, 1, 1, first_at, first, member_id=9), add(conn, 2, 1, again_at, again, member_id=9)) == []


def test_a_correction_posted_again_is_a_repeat_of_the_correction(conn):
    posts = [add(conn, 1, 1, "2025-03-03T08:30:00", MEETING, member_id=9),
             add(conn, 2, 1, "2025-03-03T09:30:00", CORRECTED, member_id=9),
             add(conn, 3, 1, "2025-03-03T10:30:00", CORRECTED, member_id=9)]
    [flag] = detect(conn, *posts)
    assert flag["message_id"] == 3 and flag["related_message_id"] == 2


def test_a_near_copy_is_not_called_the_same_content(conn):
    near = NOTICE.replace("3月10日前", "3月10日之前")
    posts = [add(conn, 1, 1, "2025-03-03T09:00:00", NOTICE), add(conn, 2, 1, "2025-03-03T10:00:00", near),
             add(conn, 3, 2, "2025-03-03T10:30:00", NOTICE)]
    evidence = {f["message_id"]: f["evidence"] for f in detect(conn, *posts)}
    assert evidence[2].startswith("重复发布：相近内容已于 2025-03-03（周一）09:00 在本群发布")
    assert evidence[3].startswith("多头发布：同一内容已于 2025-03-03（周一）09:00")


SPRING = "请各村于3月7日前将2025年春耕备耕情况统计表报送至镇农业农村办，逾期未报的将全镇通报。"
FIRE = ("请各村于3月14日前组织开展一次森林防火隐患排查，重点排查林区周边祭祀用火、农事用火情况，发现隐患立即整改到位，"
        "排查情况报镇林业站汇总，联系人：李强，电话：0795-3207718。")


@pytest.mark.parametrize("first, again, again_at", [
    # The same notice again to chase those late: 第九条 asks for a short reminder, not the notice again.
    (SPRING, "【再次提醒】" + SPRING + "截至目前还有4个村未报！", "2025-03-04T09:00:00"),
    (SPRING, "辛苦各位，再发一遍：" + SPRING, "2025-03-04T09:00:00"),
    # Four words changed: a character changed costs the Jaccard similarity three 3-grams.
    (FIRE, FIRE.replace("一次", "1次").replace("立即", "立刻").replace("报镇", "报至镇").replace("联系人", "联络人"),
     "2025-03-06T09:00:00"),
])
def test_a_notice_reposted_under_a_reminder_or_lightly_edited_is_a_repeat(conn, first, again, again_at):
    [flag] = detect(conn, add(conn, 1, 1, "2025-03-03T09:00:00", first, member_id=9),
                    add(conn, 2, 1, again_at, again, member_id=9))
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1
    assert flag["evidence"].startswith("重复发布：相近内容")


@pytest.mark.parametrize("again", [
    "请还没报春耕备耕情况统计表的村抓紧，今天下班前报上来。",  # a chaser, not the notice again
    # Another form in the office's same words.
    "请各村于3月7日前将2025年高标准农田建设进度表报送至镇农业农村办，逾期未报的将全镇通报。",
    # The notice quoted in a longer one that goes on to other work.
    "【春耕备耕工作部署】" + SPRING + "同时请各村做好农资储备、农机检修和农技培训工作，镇里将于下周组织专项督查，"
    "督查结果纳入年度考核。",
])
def test_a_chaser_another_form_or_a_longer_notice_quoting_it_is_not_a_repeat(conn, again):
    assert detect(conn, add(conn, 1, 1, "2025-03-03T09:00:00", SPRING, member_id=9),
                  add(conn, 2, 1, "2025-03-04T09:00:00", again, member_id=9)) == []


def test_a_repost_after_the_window_is_not_flagged(conn):
    posts = [add(conn, 1, 1, "2025-03-03T09:12:26", NOTICE), add(conn, 2, 1, "2025-03-20T09:05:08", NOTICE)]
    assert detect(conn, *posts) == []


def test_twenty_identical_short_replies_are_not_flagged(conn):
    replies = [add(conn, i, 1, f"2025-03-03T09:{i:02d}:00", "收到") for i in range(1, 21)]
    assert detect(conn, *replies) == []


def test_different_notices_are_not_flagged_and_runs_are_incremental(conn):
    a = add(conn, 1, 1, "2025-03-03T09:00:00", "请各乡镇于周五前报送春季森林防火隐患排查台账，逾期通报")
    b = add(conn, 2, 1, "2025-03-03T10:00:00", "明天下午三点在三楼会议室召开防汛工作部署会，请各股室负责人参加")
    assert detect(conn, a, b) == []
    c = add(conn, 3, 2, "2025-03-04T09:00:00", "请各乡镇于周五前报送春季森林防火隐患排查台账，逾期通报")
    [flag] = detect(conn, c)  # a later run sees the earlier run's signatures
    assert flag["related_message_id"] == 1


def test_a_message_signed_twice_is_not_its_own_copy(conn):
    a = add(conn, 1, 1, "2025-03-03T09:00:00", "请各乡镇于周五前报送春季森林防火隐患排查台账，逾期通报")
    b = add(conn, 2, 1, "2025-03-03T10:00:00", "明天下午三点在三楼会议室召开防汛工作部署会，请各股室负责人参加")
    assert detect(conn, a, b) == []
    assert detect(conn, a, b) == []  # e.g. a run again after the watermark was reset


def test_short_texts_do_not_all_become_candidates_of_each_other():
    # A short text leaves bands with no 3-gram at all; those must not be shared keys.
    short = ["明天上午九点开会请准时参加会议", "下午三点前报送值班表谢谢大家了"]
    first, second = repeated_post.band_keys(repeated_post.signatures(short, repeated_post.SLOTS)).tolist()
    assert repeated_post.NO_BAND in first
    assert set(first) & set(second) <= {repeated_post.NO_BAND}


def _rules_flags(path, monkeypatch, beside_from):
    """(flags, whether a process beside ran) of a rules run over the archive at `path`."""
    from detectors import run

    pools = []

    class Beside(run._Beside):
        def __init__(self, *args):
            super().__init__(*args)
            pools.append(self.pool)

    monkeypatch.setattr(run, "_Beside", Beside)
    monkeypatch.setattr(run, "BATCH", 4)  # several batches, so the process beside keeps its window between them
    monkeypatch.setattr(run, "BESIDE_FROM", beside_from)
    conn = open_archive(str(path)).conn
    run.run_rules(conn)
    flags = conn.execute("select subject, category, evidence, related_message_id from flags order by subject, category")
    return flags.fetchall(), any(pool is not None for pool in pools)


def test_a_large_run_checks_repeats_beside_the_other_detectors_and_flags_the_same(conn, tmp_path, monkeypatch):
    """From BESIDE_FROM new messages, repeated_post runs in a second process; the flags
    must be exactly those of a run in one process."""
    other = [NOTICE, "王某的手机号是13979512345，家住城北小区", "请各村今晚十点前把走访照片发群里，每户都要拍照", "收到"]
    for i in range(1, 25):
        add(conn, i, 1 + i % 2, f"2025-03-0{3 + i // 8}T2{i % 4}:0{i % 10}:00", other[i % len(other)])
    conn.commit()
    conn.close()
    copy = tmp_path / "b.db"
    copy.write_bytes((tmp_path / "a.db").read_bytes())
    inline, forked = _rules_flags(tmp_path / "a.db", monkeypatch, beside_from=10**9)
    assert not forked
    beside, forked = _rules_flags(copy, monkeypatch, beside_from=0)
    if not forked:
        pytest.skip("one core or no fork here: the rules never run a process beside")
    assert beside == inline
    assert {row[1] for row in inline} >= {"repeated_post", "privacy", "proof_demand", "after_hours"}


def test_band_keys_stay_those_of_archives_signed_by_earlier_versions():
    # post_bands keeps the keys of every post signed so far; a new release that signed
    # differently would never find a repeat of a post archived before it.
    [norm] = normalise(["【通知】请各村于6月5日前报送防汛值班表，联系人：王磊"])
    keys = repeated_post.band_keys(repeated_post.coarse(repeated_post.signatures([norm], repeated_post.FINE_SLOTS)))
    assert keys.tolist() == [[repeated_post.NO_BAND, 778099545739197249, 3512583820340046329, 7600202585393891536,
                              8372392966343280778, 6143396633928207141, 5681437999924546377, 4634814335414583031]]


def test_doubtful_pairs_are_settled_on_their_exact_3_gram_sets():
    from detectors.minhash import overlaps

    norms = normalise(["请各乡镇于周五前报送春季森林防火隐患排查台账", "请各乡镇于周五前报送春季森林防火隐患排查台账逾期通报",
                       "明天开会", "明天开会", "请各乡镇于周一前报送春季森林防火隐患排查台账"])
    jaccard, contained = overlaps(norms, np.array([[0, 1], [2, 3], [0, 2], [4, 0]]))
    # 20 3-grams, of which the longer text's 24 hold all: 20/24; identical texts: 1; short ones padded;
    # one character changed: 3 of 20 3-grams differ (17/23), 1 of 22 characters.
    assert jaccard.tolist() == [20 / 24, 1.0, 0.0, 17 / 23]
    assert contained.tolist() == [1.0, 1.0, 0.0, 21 / 22]


def test_a_post_near_several_others_is_compared_with_each_as_if_alone():
    from detectors.minhash import overlaps

    # A notice doubtful beside several posts: the shorter in one pair, the longer in another,
    # beside an exact copy, a short text and itself again later in the list.
    norms = normalise(["请各乡镇于周五前报送春季森林防火隐患排查台账", "请各乡镇于周五前报送春季森林防火隐患排查台账逾期通报",
                       "请各乡镇于周五前报送", "明天", "请各乡镇于周五前报送春季森林防火隐患排查台账", "台账台账台账台账"])
    pairs = [[0, 1], [2, 0], [0, 3], [4, 0], [1, 2], [5, 0], [0, 5], [3, 5]]
    together = overlaps(norms, np.array(pairs))
    alone = [overlaps([norms[a], norms[b]], np.array([[0, 1]])) for a, b in pairs]
    assert together[0].tolist() == [j[0] for j, _ in alone]
    assert together[1].tolist() == [c[0] for _, c in alone]
    assert together[0][3] == 1.0 and together[1][1] == 1.0


def test_normalising_drops_decoration_and_keeps_letters_and_digits_of_any_script():
    texts = ["【通知】@张三 请于6月5日前报送！！😀", "Ｒｅｐｏｒｔ_2024 ＡＢＣ", "", None, "١٢٣ café ﬁ\n\t"]
    assert normalise(texts) == ["通知请于6月5日前报送", "ｒｅｐｏｒｔ2024ａｂｃ", "", "", "١٢٣caféﬁ"]


def test_normalising_keeps_letters_past_the_first_plane_after_texts_that_stay_in_it():
    # A rare-surname character (𠀾, plane 2) and mathematical letters (𝐀𝟏, plane 1) are letters
    # and digits; an emoji and a tag character (plane 14) are decoration.
    assert normalise(["请于6月5日前报送"]) == ["请于6月5日前报送"]
    assert normalise(["张𠀾同志：𝐀𝟏表😀\U000E0041"]) == ["张𠀾同志𝐀𝟏表"]
    assert normalise(["请于6月5日前报送"]) == ["请于6月5日前报送"]


def test_a_detector_failing_mid_batch_leaves_nothing_of_that_batch(conn, monkeypatch):
    from detectors import privacy, run

    for i in range(1, 4):
        add(conn, i, 1, f"2025-03-03T09:0{i}:00", f"请各乡镇于周五前报送春季森林防火隐患排查台账第{i}批，逾期通报")
    conn.commit()

    def broken(*args):
        raise RuntimeError("a detector's bug")

    monkeypatch.setattr(privacy, "detect", broken)
    with pytest.raises(RuntimeError):
        run.run_rules(conn)
    assert not conn.in_transaction
    assert conn.execute("select count(*) from post_bands").fetchone()[0] == 0
    assert conn.execute("select count(*) from detector_state").fetchone()[0] == 0


def test_members_sending_the_same_reply_are_not_flagged_but_a_notice_reposted_by_another_member_is(conn):
    reply = "已收到通知，我村将按要求于周五前完成报送工作。"
    replies = [add(conn, i, 1, f"2025-03-03T09:2{i}:00", reply) for i in range(1, 6)]
    assert detect(conn, *replies) == []
    notice = "请各村于周五前报送春耕备耕进展情况统计表，逾期通报"
    first, again = add(conn, 6, 1, "2025-03-03T10:00:00", notice), add(conn, 7, 1, "2025-03-03T15:00:00", notice)
    [flag] = detect(conn, first, again._replace(member_id=2))
    assert flag["message_id"] == 7 and flag["related_message_id"] == 6 and "第 2 次" in flag["evidence"]
    for n, opening in enumerate(("已知悉", "已落实", "已收悉", "辛苦了"), start=20):  # other openings
        same = f"{opening}，我村将按要求于周五前完成排查并报送台账"
        assert detect(conn, add(conn, n, 1, "2025-03-05T09:00:00", same),
                      add(conn, n + 10, 1, "2025-03-05T09:05:00", same)._replace(member_id=2)) == []
    # A notice may open with 已 too: it is not a reply for that.
    notice = "已进入主汛期，请各村务必做好防汛值班工作，落实24小时值守"
    first, again = add(conn, 8, 1, "2025-03-04T10:00:00", notice), add(conn, 9, 1, "2025-03-04T15:00:00", notice)
    [flag] = detect(conn, first, again)
    assert flag["message_id"] == 9 and flag["related_message_id"] == 8
