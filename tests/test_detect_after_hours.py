"""群规 第十条: non-urgent notices after hours are flagged; urgent ones, replies and
make-up working days are not."""
import pytest

from detectors import after_hours, proof_demand
from tests.detector_helpers import CONFIG, fresh_context, msg, run

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
    context = fresh_context()
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
                                msg(NOTICE, "2025-03-04T17:31:00", id=3)], config, fresh_context())
    assert [f["message_id"] for f in flags] == [2, 3]


@pytest.mark.parametrize("text", [
    "今天的会议开得真长，累死了，各位早点睡吧。",
    "明天的会议我请个假，孩子发烧了要去医院。",
    "@刘芳 我们村的统计表已经报送了，请查收一下。",
    "刘主任，三桥村的表格已经填报好了，麻烦您看看。",
    "祝各位周末愉快，下周继续努力完成各项任务！",
    "这次运动会我们镇拿了第一名，大家参加得很积极啊！",
    "各位晚安，今天大家都辛苦了，早点休息吧。",
    "三桥村已完成春耕数据填报工作，请镇里审核一下。",
    # Directive wording in a report of one's own work or a good-night is still not a notice.
    "三桥村已按要求于周五前完成报送，请各位领导审核。",
    "各位晚安，请大家早点休息，明天还要下村。",
    "我上周五前报送了",
    "各位领导辛苦了，明天见",
    "大家注意身体，最近降温了",
    "各位领导辛苦了，祝大家周末愉快🌹",
    "明天我在县里开会，有事打我电话",
    "全体干部辛苦了，早点休息",
    # Past changes, rooms, reports of work done, greetings, questions, a leave request.
    "昨天的培训取消了，白跑一趟，气死了",
    "会议室的投影仪提前修好了，谢谢办公室的同事",
    "听说下周一的调度会改到周三了？有人知道吗",
    "今天全体干部都下村了，辛苦大家，早点休息",
    "昨天全体党员参加了主题党日活动，效果很好",
    "@全体成员 祝大家新春快乐，阖家幸福，万事如意！",
    "@全体成员 晚上好，今天辛苦了，早点休息吧",
    "各位领导：我得请个假，明天孩子做手术",
    "各位领导：新年快乐，万事如意，阖家幸福！",
    "周一的培训取消了，白跑一趟，气死了",
    "上周三的调度会推迟了半小时，领导堵车",
    "明天会议室的空调改到下午修，师傅说的",
    "请问明天的会议是在几楼召开？",
    # A weekday's 把 with 了 after it tells work done, not a task.
    "我们周三把台账交到县里了，请领导放心", "这周一把材料都交齐了，辛苦大家",
])
def test_chatter_leave_requests_and_reports_of_work_done_on_sunday_night_are_not_flagged(text):
    assert run(after_hours, msg(text, "2025-03-09T22:00:00")) == []


@pytest.mark.parametrize("text", [
    "明天上午九点在三楼会议室开会，请准时参加。",
    "@所有人 关于开展春季森林防火隐患排查的通知，详见附件。",
    "各村务必在下周一前把低保复核名单报上来。",
    # Said plainly, as much of a township's work is.
    "各股室：本周五下班前报送三季度工作总结",
    "各村今晚把防火巡查表交上来，明早汇总",
    "明天检查组来，各村把环境卫生搞好",
    "麻烦各位明天中午前把表格填好发群里",
    "大家注意，明早七点集合下村",
    "明天上午8点半在镇政府三楼开会，各村支书参加",
    "会议改时间了：原定明天下午的项目调度会改到明天上午9点，地点不变，大家相互转告",
    "明天早上的例会取消，改为下午2点半，地点在二楼小会议室",
    "@全体成员 明天下午3点在卫健局五楼开院长例会，各院院长本人参加，不得代会",
    "周一上午八点半，全体干部在镇政府门口集合，统一乘车去参加植树活动",
    "明天全体包村干部下村，入户核查防返贫监测对象，晚上回来汇总情况",
    "各卫生院明天上午把基本公卫绩效自评表报上来，县里下午要汇总",
    "通知：明天上午9点在三楼会议室召开全体职工大会，无特殊情况不得请假。",
    "各位同事：明天上午10点前把考勤表交到办公室",
    # A notice that also greets, asks or mentions who already came is still a notice.
    "本周例会取消，具体时间另行通知",
    "@所有人 晚上好，请各村明天上午9点前把森林防火台账报上来",
    "请各村于周五前报送春节期间值班表，提前祝大家新春快乐",
    "请各村于周五前报送参加了培训的网格员名单",
    "各村今晚把防返贫监测台账交上来，听清楚了吗？",
    "@所有人 听说明天省里暗访，请各村务必把村部卫生搞好",
    "请各股室注意：本周五县委督查，全体干部严禁请假",
    "周五的党委会改到下周一下午三点，地点不变",
    "各村入户走访时请拍照留存，照片统一发到工作群里",
    "请把你们村清理垃圾的前后对比照发过来",
    "入户核查请录制小视频上传平台，作为工作留痕",
    "@张伟 @李娜 你俩明天上午把文明城市创建的材料再改一稿发给我",
    "请各村于本周五前上报了解到的困难群众情况",  # 上报了解 is no report of one's own work
])
def test_notices_worded_without_a_list_of_units_are_still_flagged_on_sunday_night(text):
    [flag] = run(after_hours, msg(text, "2025-03-09T22:00:00"))
    assert "工作通知/任务" in flag["evidence"]


@pytest.mark.parametrize("text", [
    "马上就到月底了，请各村于本周五前报送一季度工作总结。",
    "请各村于下周一前报送安全生产事故隐患排查月报表。",
    "请各村于下周一前报送清明节期间值班安排表。",
])
def test_routine_notices_mentioning_a_topic_near_an_urgent_one_are_flagged_on_a_weekday_night(text):
    # 马上 (soon), 事故 and 值班 are the subject of routine reports, not marks of urgency.
    [flag] = run(after_hours, msg(text, "2025-03-05T21:00:00"))
    assert "未标明紧急" in flag["evidence"]


NIGHT = "2025-04-08T22:10:00"  # a Tuesday


@pytest.mark.parametrize("text", [
    "@李主任 请问这个表格是周五前报送吗？",  # a question, @ or no @
    "王主任，明天会议几点开始？我好安排车。",
    "张书记，明天上午的党委会还开吗？",
    "请各位领导审阅，有问题我明早修改。",  # put before leaders to read
    "各位领导，明天上午的调度会材料已发邮箱，请审阅。",
    "请大家周末注意出行安全，祝周末愉快！",  # good wishes
    "请大家早点休息，明天还要下村，辛苦了。",
    "请大家注意安全，路上慢点开", "请大家好好休息，下周还有硬仗", "请大家注意保暖，最近降温了",
    "收到，周末请大家注意安全", "收到，这周末请大家好好休息",  # care wished after a reply
    "收到，再发一遍给村里。",  # a reply saying it is passed on, no task of its own
    "明天开会的材料我已经准备好了，放在您办公桌上。",  # one's own work done
    # A notice received and acknowledged, no task passed on: an acknowledgement, colon or not.
    "收到县里通知，我们马上落实。", "收到县应急局通知：我们马上落实。", "收到：王主任放心，今晚落实到位。",
    # Thanks for paperwork done, or done well: no request.
    "辛苦大家这周把台账都整理好了，检查顺利通过", "辛苦大家，把材料准备得这么充分", "辛苦大家把我们村的事放在心上，谢谢",
])
def test_questions_submissions_and_good_wishes_in_the_evening_are_not_notices(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    # Care for themselves wished to colleagues, however they are addressed or it is introduced.
    "请各位下村的同志注意人身安全", "今晚降温，请大家注意防寒保暖", "【温馨提示】请大家注意保暖，出行注意安全",
    "请各网格员注意防暑，多喝水", "请大家注意劳逸结合，早点休息",
    # A unit's people, not the unit, wished care.
    "今晚雨大，请各村干部注意安全", "请各村支书注意身体，早点休息", "请各校老师注意保暖，早点休息",
    "请各组长注意休息，辛苦了", "请各村的同志们注意安全，辛苦了", "好的，请各村干部早点休息，辛苦了",
    # 一把手 (the unit's head) after a day is no 把-task: "周三…把…报" is not asked here.
    "周三一把手来村里听取了汇报，评价很好",
])
def test_care_wished_to_colleagues_and_news_at_night_are_no_task(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    # Safety as work, or care a unit is to take or pass on, is a task.
    "请大家注意信息安全，群众的身份证号不要发到群里", "请各村注意防火安全，周末加强巡查",
    "请各学校提醒学生注意交通安全", "请各村督促群众注意用电安全", "请各村注意防寒，做好五保户取暖工作",
    "请各村干部提醒群众注意保暖，今晚逐户走访独居老人", "请各村注意防寒保暖，做好五保户取暖工作",
    # Care at the end of a task's clause leaves the task.
    "请各村今晚组织巡查注意安全", "请各村今晚把表报完早点休息",
    # A task after the wish, set for a day of the week.
    "请大家好好休息，周一把剩下的材料整理完报党政办",
])
def test_safety_work_and_tasks_beside_care_wished_at_night_are_flagged(text):
    [flag] = run(after_hours, msg(text, NIGHT))
    assert flag["category"] == "after_hours"


SUNDAY_NIGHT = "2025-03-09T22:30:00"


@pytest.mark.parametrize("text", [
    # A supervisor wishes the staff well, then sets the hour they are due at work.
    "请全体干部注意安全，明天上午8点准时到岗", "大家注意安全，明早7点半准时到岗", "各位早点休息，明天上午8点到岗",
    "请大家好好休息，周一早上8点准时到岗", "明天上午8点准时到岗，请大家注意安全", "注意安全，明天早上八点准时到村部报到",
    "请大家注意保暖，下周一8:00准时到岗", "各位：明天准时到岗，不得迟到", "明天值班的同志8点准时到岗",
    "请大家注意安全，明天10：00到镇政府签到", "明天上午8点全体干部准时到岗",
    # 我 in a clause before, a question in a clause after, or a third person named: still the hour set.
    "我再强调一遍：明天上午8点全体干部准时到岗", "我看了一下，明天上午8点全体干部准时到岗",
    "明天上午8点准时到岗，有问题吗？", "新录用的两位同志下周一上午9点到组织办报到",
    # 我 a few words before, but the speaker's units each addressed, one asked, or the speaker telling it.
    "请我镇各村明天上午8点准时到岗", "我乡各村明天早上7点半准时到岗", "请我镇干部明天上午8点准时到岗",
    "我通知一下明天上午8点准时到岗", "我再强调明天上午8点全体准时到岗",
    # A question in a clause or line after.
    "各位：明天上午8点准时到岗\n有什么问题吗？", "明天上午8点准时到岗；没有车的同志怎么去？",
])
def test_the_hour_to_be_at_work_set_on_sunday_night_is_a_task(text):
    [flag] = run(after_hours, msg(text, SUNDAY_NIGHT))
    assert "工作通知/任务" in flag["evidence"]


@pytest.mark.parametrize("text", [
    # Care alone, the speaker's own hour, an hour asked about or one kept already: no task.
    "请全体干部注意安全，明天见", "大家注意安全，早点休息，明天还要下村", "请大家注意安全，明天还要早起",
    "大家辛苦了，明天8点还要上班，早点休息", "注意安全，我明天上午8点准时到岗", "明天上午我8点准时到岗，请领导放心",
    "我们明天上午8点准时到岗，请领导放心", "明天上午几点到岗？谁知道一下", "明天上午8点准时到岗吗？我还不知道",
    "今天大家8点就准时到岗了，辛苦了", "周一大家8点都准时到岗了，表扬一下", "收到，明天上午8点准时到岗",
    # The speaker's unit or child, 我 a few words before the day; a choice of hours asked about.
    "我们镇明天8点全员准时到岗", "我们村干部明天上午8点准时到岗", "我儿子明天8点去学校报到，挺紧张的",
    "我家孩子明天早上8点报到，得送他过去", "明天是8点到岗还是8点半到岗？",
    "我和张主任明天8点准时到岗", "明天8点准时到岗大家都知道了吗？",
])
def test_care_and_ones_own_hour_at_work_on_sunday_night_are_no_task(text):
    assert run(after_hours, msg(text, SUNDAY_NIGHT)) == []


@pytest.mark.parametrize("text, task", [
    # A clerk tells the group when a leader is in: news, no task for the readers ...
    ("王书记明天上午9点到岗，有事可以找他", False), ("张镇长明天上午9点到岗，有事可以找他", False),
    ("王副镇长明天上午9点到岗，有事可以找他", False), ("王书记、李主任明天上午9点到岗，有事找他们", False),
    ("党政办主任明天上午8点到岗，有事找他", False),
    # ... but asking the leader, addressing them, or the heads of every unit sets the hour.
    ("请王书记明天上午9点到岗，有事当面汇报", True), ("王主任，明天上午8点准时到镇政府报到", True),
    ("各村书记明天上午8点准时到岗，不得迟到", True), ("各村党支部书记明天上午8点准时到岗", True),
    ("各学校校长明天上午8点准时到岗", True), ("请全体干部明天上午9点到岗", True),
    # A member asks which hour holds, the question mark left off.
    ("明天是8点到岗还是8点半到岗", False), ("明天是8点还是8点半到镇政府报到", False),
    ("明天是不是8点准时到岗，谁知道一下", False), ("明天是否8点准时到岗，谁知道一下", False),
    ("明天8点准时到镇政府报到对吧", False), ("明天早上8点到镇政府报到呢", False),
    ("明天上午开会的通知大家看到了吧", False), ("明天上午9点开会的通知都收到了吧", False),
    ("明天是8点准时到岗，对吧？", False), ("明天上午9点在三楼开会，是不是", False),
    # A check that it was heard asks nothing of the task before it.
    ("明天上午全体干部8点准时到岗，听清楚没有", True), ("明天上午8点全体干部准时到岗，能做到吗", True),
    # 还是 for "still", a soft 吧, and a question in a clause after the hour: still set.
    ("明天大家还是8点准时到岗，不要迟到", True), ("明天8点准时到镇政府报到吧，别迟到", True),
    ("明天8点准时到岗，大家都记住了吗", True),
    # Members ask about a meeting at night, the question mark left off or the question in a part of its own.
    ("明天上午还开不开会啊，有人知道吗", False), ("明天上午的调度会还开吗，我在县里", False),
    ("明天下午的党委会是不是改到后天了", False), ("明天的例会在三楼还是五楼开", False),
    ("明天早上8点钟到村部集合还是直接去现场", False), ("明天上午开会要带笔记本电脑吗", False),
    ("各村明天上午要不要把名单报上来", False), ("谁知道明天去宜丰开会的车几点出发？", False),
    # 还是 for "still", a request or a demand put as a question, a question quoted and answered: tasks.
    ("明天还是8点在三楼开会，大家别迟到", True), ("各村还是要在明天上午把表报上来", True),
    ("下周一还是8点开会，地点在三楼", True), ("明天例会时间还是8点半，大家准时参加", True),
    ("明天上午8点还要开会呢，大家早点休息", True), ("明天周一，还是老时间开例会", True), ("明天例会还是上午9点，地点不变", True),
    ("下周还是每天8点到岗，各位注意", True), ("下周还是每天早上8点准时到岗", True),
    ("能不能请各村明天上午把名单报上来？", True), ("还没报的村今晚务必报上来，听到没有？", True),
    ("各村明天上午能不能把名单报上来？", True), ("各村明天中午前把名单报上来好不好", True),
    ("各村明天中午前把有没有危房户的情况报上来", True),
    ("所有人明天把考勤表交一下好吗", True), ("各村明天中午前把名单报上来行吗", True), ("大家明天上午把学习笔记交上来好吗？", True),
    # ... but an hour chosen between, or asked about, and a meeting asked to be put off, are asked.
    ("下周一还是8点开会吗", False), ("明天是8点还是9点开会", False), ("下周是每天8点还是每天9点到岗", False),
    ("下周还是每天8点到岗吗", False), ("明天例会是上午8点还是下午3点", False), ("明天几点开会呢", False),
    ("明天的例会能不能推迟到下午", False), ("明天能不能把会议推迟到下午？", False),
    ("明天要不要把有没有低保户的情况报上去？", False),
    ("明天把考勤表交一下好吗，王主任", False), ("明天把会议改到下午好吗", False),
    ("明天上午9点开会，大家有没有问题", True), ("请各村明天上午把名单报上来，好吗？", True),
    ("@所有人 今天群里有人问“是不是要扣全年绩效”，我说明一下：没有这回事，扣绩效只针对考核不合格的个人，请勿以讹传讹。", True),
    ("@所有人 中考是否加考英语口语，请以市教体局今年公布的中考方案为准，班主任不要在家长群里讲。", True),
    # 下周一 as much as 明天: a colleague's hour told, the speaker's own, or the staff's set.
    ("王主任下周一上午8点半到岗，有急事先找我", False), ("我下周一上午8点半准时到岗，请领导放心", False),
    ("下周一上午8点半全体干部准时到岗，不得迟到", True), ("请各村下周一上午8点准时到岗", True),
    ("下周一上午8点准时到岗，大家记住了", True),
])
def test_who_is_told_and_whether_it_is_asked_decide_a_task_at_night(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("when", [SUNDAY_NIGHT, "2025-03-14T22:30:00"])  # a Sunday, a Friday
@pytest.mark.parametrize("text, task", [
    # Where to report before the verb, or everyone due in though the day is in a clause before.
    ("明天上午8点半到镇政府三楼会议室报到", True), ("明天上午8点半到镇政府三楼会议室报到，不得迟到", True),
    ("明天是周六，但所有包村干部8点准时到岗", True), ("明天所有包村干部下村入户，摸排返乡人员", True),
    # The speaker's own hour and place, and all of them at work already: no task.
    ("我明天上午8点半到镇政府三楼会议室报到", False), ("我们镇明天8点全员准时到岗", False),
    ("今天所有干部都已准时到岗，表扬一下", False), ("今天全体干部都已准时到岗，表扬一下", False),
    ("全体干部下村入户走访了一遍，情况良好", False), ("周一所有干部8点都准时到岗了，表扬一下", False),
])
def test_an_hour_and_place_to_report_set_at_night_is_a_task_and_work_done_is_not(text, task, when):
    assert bool(run(after_hours, msg(text, when))) is task


def test_a_weather_warning_with_care_wished_in_it_is_no_notice():
    # repeated_post asks is_notice too. The wish taken out must leave the words around it as far
    # apart as they were: "…以交警发布为准" is no 交上来 for the notice that opened with 各位网格员：.
    warning = msg("各位网格员：樟树市气象台刚刚发布大雾黄色预警，能见度低于500米，早上送孩子上学的注意安全，"
                  "高速可能临时管制，以交警发布为准。", NIGHT)
    assert not after_hours.is_notice(warning, CONFIG["after_hours"])


@pytest.mark.parametrize("text", [
    # A township clerk answers the county at night: 请…放心 reassures, 请示 is the speaker's
    # own errand. Neither passes a task on, after a colon, a comma or a full stop.
    "收到：请领导放心，明天一早就把材料报上来", "收到：请各位领导放心，我镇今晚连夜落实到位",
    "好的：请县局放心，我校明天上午前把整改报告报上来", "收到：请放心，今晚一定把表交上来",
    "收到，请领导放心，明天一早就把材料报上来", "收到！请各位领导放心，我镇今晚连夜落实",
    "收到：请示领导后，明天一早就把材料报上来",
    # Villages named after the reassurance say how the task will be met, to the one who set
    # it (whose notice is judged on its own): no task set in the group.
    "收到：请您放心，各村今晚把表报上来", "收到：王主任请放心，各村今晚把表报上来",
    # Nor is a 请 after a deadline or the speaker a task: a leader to ask, heads to invite, a day off.
    "收到，本周五前请示县局后再定", "收到，明天我请各村支书来开会", "收到，明天上午请假一天",
    # Nor the speaker's errand said without 我, done or to be done at once: they tell the one
    # who set the task how it is passed on.
    "收到，已经请各村连夜落实了，请领导放心", "收到，周五前已请各村报送",
    "收到，马上请各村把今晚的巡查情况报上来", "收到，回头请各村把台账整理好报上来",
    "收到，随后请各村把名单报上来", "好的，一会儿请各村书记到会议室",
    "收到县里通知，已请各村连夜排查",  # done, though a notice is named
])
def test_a_reply_reassuring_the_sender_or_telling_the_speakers_own_errand_sets_no_task(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    # A clerk acknowledges twice, then passes a task on to the villages.
    "收到，已阅，请各村明天上午报送名单", "收到，明白，请各村明天上午报送名单", "收到！已阅。请各村明天上午把名单报上来",
    "收到，谢谢，请各村明天上午报送名单", "收到，辛苦了，请各村今晚把巡查表交上来", "好的，已收到，请各股室周五前报送台账",
    "收到，已阅，另外请各村明天上午报送名单", "收到，已阅，明天上午9点前请各村把名单报上来",
    "收到，已阅，请领导放心，另外请各村明早报送名单", "收到，谢谢王主任提醒，请各村明天上午报送名单",
    # The speaker's own part done first (已安排, 已通知 …), then the task passed on.
    "收到，已安排，请各村明天上午报送名单", "收到，已通知，请各村明天上午报送名单",
    "收到，已转发各村，请各村今晚把表报上来", "收到，已安排。另外请各村明早把名单报上来",
])
def test_a_task_after_more_than_one_acknowledgement_is_flagged(text):
    [flag] = run(after_hours, msg(text, SUNDAY_NIGHT))
    assert flag["category"] == "after_hours"


@pytest.mark.parametrize("text", [
    # Acknowledgements and thanks alone, or the speaker's own errand after them.
    "收到，已阅，谢谢", "收到，已阅，谢谢王主任提醒", "收到，已经请各村明天报送了", "收到，已阅，已请各村明天报送",
    "收到，已阅，请领导放心", "收到，已阅，请示领导后再定", "收到，已阅，马上请各村报送", "收到，明白，我请各村明天报送",
    "收到，已阅，请领导放心，明天一早就把材料报上来", "收到，已阅，周末请大家注意安全", "收到，已阅，请各位领导审阅",
    "收到，已安排", "收到，已安排各村明天报送", "收到，已安排，请领导放心，明天一早报上来", "收到，已安排，马上请各村报送名单",
    "收到，已通知各村，请领导放心", "收到，已安排专人负责，明天一早报上来",
])
def test_acknowledgements_and_the_speakers_own_errand_after_them_set_no_task(text):
    assert run(after_hours, msg(text, SUNDAY_NIGHT)) == []


def test_a_notice_relayed_on_saturday_night_with_its_deadline_first_is_flagged():
    # A township clerk passes the county's task on to the 股室 at 22:30 on a Saturday.
    [flag] = run(after_hours, msg("已收到县局通知：本周五前请各股室报送安全生产台账", "2025-03-08T22:30:00"))
    assert "2025-03-08（周六）22:30，周末" in flag["evidence"]


@pytest.mark.parametrize("text", [
    # Naming those who have not reported, with no demand on them: reports and plans.
    "今天已完成12个村的走访，剩余村明天继续",
    "目前还没有村上报，明天再统计汇总",
    "还没交的村我明天一早去收",
    "王主任，剩下的村明天前能交齐吗？",
    "报告王书记：除龙岗村外，其他村都已在周五前报送了，明天我再催一下龙岗村",  # deadlines met
    "石门村、新庄村已完成填报，其余各村也都在昨天下午5点前完成了",
])
def test_reports_and_questions_about_the_late_ones_are_not_chasers(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    "【急】请各村今晚10点前上报外出务工返乡人员名单！",
    "急！急！急！各村马上核实辖区内独居老人情况，今晚报给我。",
    "今晚请各村组织地质灾害隐患点群众转移，确保人员安全。",
    "龙岗村发生森林火灾，请各村扑火队员马上到村部集合！",
    "有一名学生放学后失联，请各村组织人员帮忙寻找。",
])
def test_an_emergency_at_night_is_exempt_whatever_word_says_so(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    "收到。另外请各村明天上午把低保复核名单报到民政办。",  # a reply that sets a new task
    "好的，请各村支书明天下午3点到镇三楼会议室开会。",
    "辛苦了！请各村明早8点前把入户走访表交到党政办。",
    "辛苦村书记，再发一遍：请各村明早8点前把入户走访表交到党政办。",  # the task posted again
    # A notice relayed from above with a colon passes its task on: the relay is the task.
    "收到县民政局通知：请各村今晚把低保复核名单报上来。",
    "收到县教育局通知：请各校明天上午10点前报送校车安全自查表",
    "收到县民政局通知：马上请各村把低保复核台账整理好报上来",  # at once: the notice's, passed on
    # A meeting notice relayed after a colon, its 请 after the meeting's time and place.
    "收到县政府办通知：明天上午8点半召开全县安全生产调度会，请各乡镇长准时参加",
    "收到区教体局通知：明天下午3点在局五楼会议室召开校长会，请各校校长准时参加。",
    # Reassurance set aside, the task after a reply still counts.
    "好的：请各股室明天上午把材料报上来", "收到：请领导放心。另外请各村明早8点前把入户走访表交到党政办。",
    "收到：请您放心，另外请各村今晚把表报上来",
    # The task after a reply may open with its deadline.
    "收到：本周五前请各股室报送安全生产台账", "已收到县局通知，本周五前请各股室报送安全生产台账",
    "收到，明天上午9点前请各村把防火巡查表报上来", "收到，今晚12点前请各村把巡查情况报上来",
    "好的，下周一请各村支书到镇里参加培训",
    "已到年底，请各股室本周五前把年度工作总结报党政办。",  # 已 alone opens no reply
    "辛苦各位今晚把表填一下，明天一早县里要数据。",  # said plainly
    # What is at hand (手头) or a 手抄报 is a 把-task's object, not the unit's head (一把手).
    "今晚把手头的表格填好报上来", "明天把手抄报交到班主任那里",
    # A weekday's 把 with nothing told done is still a task, 了解 no 了 of work done.
    "周四把整改材料整理好报党政办", "下周二把剩余的表格交上来", "周一把了解到的情况整理好报党政办",
    # Thanks that open a request for paperwork.
    "辛苦大家周末加个班，把乡村振兴迎检材料装订好，周一早上检查组就到", "辛苦各位周末把出租房登记表送到综治中心",
    # Care wished beside a task leaves the task; safety work is no care wished.
    "请各村今晚把表报上来，报完早点休息", "请各村明天把表报上来，注意出行安全，祝周末愉快",
    "请各村注意安全生产，周五前报送隐患排查表",
    "各位同事，明天上午十点前将自查表发我邮箱。",
    "今晚各网格员入户核查一下流动人口，明天中午前报上来。",
    "请个村今晚把防返贫监测数据报上来，明天要汇总。",  # 请个村 typed for 请各村
    "请各乡镇于周五前报送上半年应急管理工作总结。",  # 应急 names the subject, not an emergency
    "【通知】请各校周五前报送防溺水预警信息员名单。",
    "@张伟 @李娜 你俩明天上午把材料送到县里。",
    # What would be an emergency, named as a routine subject.
    "请各村于本周五前报送农村劳动力转移就业统计表",
    "请各支部于周五前报送失联党员排查情况",
    "请各村明天上午把冬季火灾防范工作台账报送镇安监办",
    # Addressing all the village heads opens a notice, not a question to one.
    "各位村主任，明天上午9点在三楼会议室开会，请准时参加，能来吗？",
])
def test_tasks_set_at_night_however_worded_are_flagged(text):
    [flag] = run(after_hours, msg(text, NIGHT))
    assert flag["category"] == "after_hours"


def test_an_archive_classified_by_the_old_rules_gets_the_missed_notices_once_and_withdraws_its_false_flag(tmp_path):
    from detectors import run
    from ingest.schema import open_archive

    conn = open_archive(str(tmp_path / "a.db")).conn
    conn.executescript(
        "insert into groups (id, name) values (1, '政务服务群');"
        "insert into imports (id, path, sha256, size, format, new, duplicate, rejected, started_at, finished_at, "
        "os_user, prev_hash, hash) values (1, 'x', '', 0, 'f', 0, 0, 0, '', '', '', '', '');"
        "insert into messages (id, key, group_id, sent_at, time_precision, kind, text, import_id, raw) values "
        "(1, 1, 1, '2025-03-09T22:00:00', 'second', 'text', '各位晚安，今天大家都辛苦了，早点休息吧。', 1, '{}'),"
        "(2, 2, 1, '2025-03-05T21:00:00', 'second', 'text', '请各村于下周一前报送清明节期间值班安排表。', 1, '{}');"
        # What version 1 of the rules left: a flag on the good-night, every watermark past both.
        "insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, created_at) "
        "values ('message:1', 1, 1, 'after_hours', 1, 'rules@after_hours.1', '群规 第十条', '…', '2025-03-10T08:00:00');"
        "insert into detector_state (detector, last_message_id, updated_at) select 'rules@' || name || '.1', 2, '' "
        "from (select 'after_hours' as name union select 'repeated_post' union select 'proof_demand' "
        "union select 'privacy' union select 'secret' union select 'credential_leak' union select 'red_packet');")
    conn.commit()
    run.run_rules(conn)
    assert run.run_rules(conn)[0] == 0
    assert conn.execute("select message_id, detector from flags where category = 'after_hours' "
                        "order by message_id").fetchall() == [(1, "rules@after_hours.1"), (2, f"rules@after_hours.{after_hours.VERSION}")]
    # The good-night stays on record, out of the queue: withdrawn by the version that read it again.
    assert conn.execute("select f.message_id, s.status, s.actor_id from flags f join flag_state s on s.flag_id = f.id "
                        "where f.category = 'after_hours'").fetchall() == [(1, "dismissed", run.detector_name(after_hours))]


@pytest.mark.parametrize("text", [
    "今晚有强降雨，请各村做好山塘水库巡查",
    "今晚有大风冰雹，请各村提醒群众加固大棚",
    "明天有雨雪冰冻天气，请各村做好五保户防寒",
    "森林火险等级高，请各村明天加强巡山",
    "县森林防火指挥部：我镇石门村发生山火，请各村干部迅速赶到现场",
    "刚刚发生一起交通事故，请各村今晚排查",
    "请各村连夜转移危房户，确保人员安全",
    "急：今晚12点前各村把人口普查数据报上来",
    "今晚到明天我县有强降雨，请各村做好防范",
    "受强冷空气影响，今夜到明天我县有7级以上大风，请各村通知群众加固大棚",
    "明天夜里我县有大雪，请各村做好道路除冰准备",
    "据县气象台预报，周末我县将迎来强降雨，请各村提前排查隐患",
])
def test_weather_warnings_and_emergencies_at_night_are_urgent(text):
    assert run(after_hours, msg(text, NIGHT)) == []


@pytest.mark.parametrize("text", [
    # Chasing the late ones names those who have reported: still a task for the others.
    "目前只有3个村提交了，请其余各村今晚12点前务必提交",
    "石门村、新庄村已完成填报，其他村抓紧，今晚必须报上来",
    "还没报送的村，明早8点前务必报送，已报送了的不用再报",
    "目前只有3个村提交了，其余各村今晚10点前报送",  # a deadline is a demand
    # An urgent word inside a routine subject makes nothing urgent.
    "请大家明天上午把紧急联系人表格填好报上来",
    "请各村今晚把应急物资储备情况报上来",
    "明天县委巡察组进驻，各股室负责人8点前到岗",
    # Weather named as the subject of a routine report, not coming.
    "请各村于周五前报送冬季雨雪冰冻灾害防范工作总结材料",
    "请各村周五前报送强降雨天气防范工作总结",
    "请各村明天上报森林火险隐患排查台账",
    "请各村明天上午将森林火险隐患排查台账报镇林业站",
    "请各村今晚把大风天气对大棚的影响报上来",
])
def test_chasing_late_reports_and_routine_tasks_at_night_are_flagged(text):
    [flag] = run(after_hours, msg(text, NIGHT))
    assert "未标明紧急" in flag["evidence"]


def test_a_task_set_in_a_quote_reply_at_night_is_flagged_and_a_quoted_thanks_is_not():
    [flag] = run(after_hours, msg("请各村今晚务必把名单核实后报上来，明早县里要", NIGHT, kind="quote"))
    assert flag["category"] == "after_hours"
    assert run(after_hours, msg("收到，我们村已经报上去了", NIGHT, kind="quote")) == []


@pytest.mark.parametrize("text, task", [
    # A task short of min_chars still sets a task when it names the hour or the units: to one
    # leader, to the heads of every village, to school, a meeting, a report due.
    ("请李主任明天8点到岗", True), ("王局长，明天8点到岗", True), ("各村书记明天8点到岗", True),
    ("明早7点半到校", True), ("全体教师明天7点40到校", True), ("明天8点交班会", True), ("明天7点半开晨会", True),
    ("请赵所长明天早上8点到所里值班", True), ("请各村干部明天8点到村部值班", True),
    # ... but short chatter naming neither, thanks to the units, the speaker's own hour, and asking: none.
    ("各村周五前上报", True), ("已转发，各村周五前上报", True), ("请各股室报送台账", True),
    ("请大家吃饭", False), ("请大家放心", False), ("我明早7点半到校", False), ("明天几点到校？", False),
    ("各村辛苦了", False), ("收到，各村已上报", False), ("各村报了吗？", False),
    ("明早7点半到校吗", False), ("明天交班会几点开？", False), ("李主任明天8点到岗？", False),
    ("明天8点值班的是小王", False), ("王所长明天8点值班", False), ("明天8点到值班室拿钥匙", False),
    # A member's own evening, hour or errand with the villages tells of the speaker, short or long; "a
    # little" earlier names no hour; the duty roster told sent is no hour on duty.
    ("我明天8点开会", False), ("我今晚8点开会", False), ("我来通知各村", False), ("我已经提醒各村注意了", False),
    ("各村的表我明天交", False), ("各村的表格我明天一早交到县里，今晚来不及了", False),
    ("各村注意事项我明天发群里，今晚还在改", False), ("明天开会早一点", False), ("明天十一点开会", True),
    ("各村的表格明天一早交到县里，今晚来不及就早点来", True),
    ("明天8点值班安排已发", False), ("明天8点值班安排发群里了", False), ("明天8点值班名单已发", False),
    ("明天8点值班", True), ("请我镇各村明天上午报送", True), ("我乡各村明天报名单", True),
])
def test_a_short_task_that_names_the_hour_is_a_task_at_night(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # A parent tells of their own child, a member of a colleague by name or of their family: news ...
    ("孩子明天8点到校", False), ("儿子明天早上8点到校，今晚早点睡", False), ("明天孩子8点到校", False),
    ("小王明天8点值班", False), ("老刘明天8点值班", False), ("明天小王8点值班", False), ("爱人明天8点值班，我带孩子", False),
    ("明天是周六，小王8点值班", False), ("明天是周一，孩子7点半到校", False),
    # ... but the pupils told when to be at school, the colleague asked, a roster posted or the
    # teachers and groups addressed set the hour.
    ("孩子们明天7点半到校，请各位班主任提前到班", True), ("全体学生明天7点半到校", True), ("请小王明天8点值班", True),
    ("值班安排：小王明天8点值班", True), ("值班表：明天小王，后天小李", True), ("明天值班：小王、小李", True),
    ("值班名单：张三、李四", True), ("今天值班：刘主任", True), ("全体老师明天8点准时到校", True),
    ("各小组明天8点准时到岗", True), ("明天8点值班", True),
    # A roster asked for or told sent sets no one's duty.
    ("值班表：谁有？发我一下", False), ("明天的值班表已经发群里了", False),
    # Where a colleague named is to be, lateness or absence then forbidden, is their task set, not news;
    # the rule alone, told of, grumbled about or asked, sets none.
    ("小王明天8点到岗，不得迟到", True), ("张三明天上午到县里开会，不得缺席", True), ("小李周六到镇里值班，不准请假", True),
    ("明早6点到卡点值守，不得缺岗", True), ("网格员明天到村委值班，严禁缺岗", True), ("明天值守的事我知道，不得缺岗嘛", False),
    ("小王明天8点到岗，不得迟到吗？", False), ("单位规定不得迟到，他还是天天迟到", False),
    ("我们单位从来不准请假的，哈哈", False), ("上次通知说不得缺席，我已经到了", False),
    ("他明天到岗了，不得迟到的事我跟他说了", False),
    # Nor is one's family's day, or a past week's.
    ("孩子明天到校报到，不准迟到，今晚早点睡", False), ("我女儿明天到校，不得迟到，我设了三个闹钟", False),
    ("上周五到县里开会，不得缺席，结果我感冒了", False), ("孩子们明天8点到校，不得迟到", True),
    ("闺女明天到校报到，不准迟到，得早点睡", False), ("小孩明天到校报到，不准迟到，得早起", False),
    ("我家娃明天到校报到，不准迟到", False), ("孙子明天到校报到，不准迟到，我得送", False),
    ("俺家那口子明天到单位值班，不准请假，唉", False), ("去年今天到县里开会，不得缺席，还记得吗", False),
    # Every school told what it hands out tomorrow is set a task; one child's school, or a question, is not.
    ("各学校明天发成绩单", True), ("各学校明天发成绩单了吗？", False), ("我家孩子学校明天发成绩单", False),
])
def test_who_is_at_work_or_school_told_by_one_member_is_news_and_a_roster_or_the_staff_told_is_a_task(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # Lateness or absence forbidden is a task however short, to whoever it is said, with more of the task after it ...
    ("周六加班到岗，不得请假", True), ("@李四 明天早上到岗，不许迟到", True), ("各位：明天开会，不准请假，请相互转告", True),
    ("明天开学，学生8点到校，不得迟到，家长们注意", True), ("明天上午到县里参加考试，不得迟到😤", True),
    # ... not the notice passed on with one's own word after it: grumbled at, acknowledged, asked about ...
    ("明天开会，不准请假，烦死了", False), ("明天开会，不准请假，唉，又是一个周末泡汤了", False),
    ("明天要到县里开会，不得请假，哎，孩子没人接", False), ("隔壁乡明天开会，不准请假，比我们还严", False),
    ("明天8点到岗，不得迟到，收到", False), ("明天上午到县里参加会议，不得缺席，知道了😂", False),
    ("明天值班，不得请假，这个我知道", False), ("周六开会，不准请假，你们村也是吗", False),
    ("明天8点到岗，不得迟到是吧？", False), ("明天开会，不准请假，真的假的", False), ("明天到县里开会，不得请假吗", False),
    ("明天开会，不得迟到，这规定谁定的？", False), ("明天集合，不准迟到的通知收到了", False),
    # ... nor a day already over, told by the speaker, for their family or another unit, or as hearsay.
    ("今天开会，不准请假，大家都到了", False), ("我明天到县里开会，不得请假了", False), ("老婆单位明天开会，不准请假", False),
    ("我儿子学校明天8点到校，不得迟到，我得早起", False), ("他们镇明天集合，不准请假，我们镇没通知", False),
    ("听说县里明天开会，不得请假", False), ("据说明天全县集合，不得请假", False), ("班主任说明天到校集合，不许迟到", False),
    ("据说明年各单位的办公经费要再压减20%，水电费都要省着用", False),
    # The speaker's units addressed, or hearsay the reason for a task asked, are still a task.
    ("我乡各村明天上午开会，不得缺席", True), ("听说明天省里暗访，请各村务必把村部卫生搞好", True),
    # A drill is routine, whatever it prepares for: no urgency.
    ("明天参加防汛演练，不得缺席", True),
    # Said after a heading or a clause of why, to others, with a sanction or a sentence of its own after it.
    ("上级通知，明天全体到岗，不得请假", True), ("为了迎接检查，明天全体到岗，不得请假", True),
    ("按照县防指的统一安排和部署要求，周末全体到岗，不得请假", True), ("其他同志明天正常到岗，不得请假", True),
    ("明天到岗，不得迟到，谁迟到扣绩效", True), ("小王明天8点到岗，不得迟到，听到没有", True),
    ("明天上午到县委党校参加培训，不得缺席。会议材料已发群里", True),
    # A word of one's own, the speaker's unit or hearsay let off no task asked of others in the message.
    ("我们科室明天上午8点开会，请大家准时参加", True), ("我们办公室明天上午8点到岗，不得迟到，请相互转告", True),
    ("听说明天上级来检查，各村今晚把环境卫生搞一下", True), ("书记说明天8点全体到岗，各村书记提前10分钟到", True),
    ("请各村明天上午9点前把人员名单报上来，辛苦大家了哈哈", True), ("县里刚下的通知，唉，请各村明天上午报送名单", True),
    ("请各村书记明天上午9点到镇里开会，此通知收到后请回复", True), ("唉，明天又要8点到岗，不准请假，周末没了", False),
    # Whatever more of the task follows the rule, or however the reason before it is put.
    ("周六加班到岗，不得请假，中午食堂管饭", True), ("今晚值班，不得离岗，有事打我电话", True),
    ("明天上午到县里参加考试，不得迟到，身份证别忘了", True), ("下周一早上7点到校，不得迟到，班主任提前10分钟到", True),
    ("根据县里要求，明天全体到岗，不得请假", True), ("我再强调一下，明天到岗，不得迟到", True),
    ("接县委办通知，因省里暗访，明天全体到岗，不得请假", True), ("明天早上7点半村部集合，别迟到哈哈", True),
    ("王镇长说明天上午8点半开会，大家准时到", True), ("通知：明天上午9点在三楼会议室开干部大会，通知收到回个1", True),
    ("明天上午8点到镇会议室开会，考勤还严格按制度执行", True),
    # A reply or a face after it is still one's own word.
    ("明天集合，不得迟到，懂", False), ("明天开会，不准请假，😭", False), ("明天8点到岗，不得迟到，好的书记", False),
    # But a head telling their own unit, thanks or a check that it was heard after it, or a leader's word relayed, sets it.
    ("我们科明天早上8点开会，不得迟到", True), ("俺们村明天早上八点在大队部集合，打扫卫生，不许迟到", True),
    ("明天早上8点到岗，不得迟到，🙏", True), ("明天上午8点开会，不得缺席，明白？", True), ("书记说明天8点到岗，不得迟到", True),
    # Where to be may be anywhere one goes to (到经管站对账); units told to work or be at their posts, everyone
    # told the hour to come, and those concerned asked to come on time are set a task too.
    ("各村会计明天上午带上账本到经管站对账，不得缺席", True), ("各村：周六正常上班，迎接县里人居环境检查，村干部全部在岗", True),
    ("各站所：周日加班整理档案，9点到岗", True), ("同志们，明天上午9点县纪委来检查作风建设，所有人必须在岗", True),
    ("@所有人 明天上午全员大扫除，8点到", True), ("请相关人员明天准时参加", True),
    ("请大家吃饭", False), ("请大家放心", False), ("这个周末所有人都要下村摸排，谁有意见找书记去，反正我是被逼的", False),
    ("各位：本周末的加班，是为了完成省里的督查迎检，局里已安排好周六周日的午餐，谢谢大家的理解和支持。", False),
    # A unit or a role asked by name, everyone of a kind addressed, teachers all told to train, and a routine
    # flood-control form or meeting: tasks, not emergencies.
    ("请执法大队本周对辖区内重点排污企业开展一次全覆盖检查。", True), ("@全体班主任 明天早上7:40各班组织学生进行防溺水安全教育", True),
    ("本周五放学后全体教师进行消防安全培训，请勿提前离校。", True), ("各村明天上午10点前报送防汛物资储备情况表。", True),
    ("各村书记：明晚7点到镇里开会，研究防汛，请准时。", True),
    ("@所有人 局工会组织的职工乒乓球赛决赛今天下午4点在活动室举行，欢迎大家下班后来加油助威", False),
    # Units told to do the work, a colleague told what to put in order, a notice passed on: tasks; not units
    # told of as done, the speaker's own errand, or a personal favour asked.
    ("按县里要求，各村本周内完成秸秆禁烧宣传全覆盖，悬挂横幅不少于2条。", True), ("省厅督查组下周来，各股室准备好资料", True),
    ("明天镇里来检查卫生，大家今天把村部打扫干净，门口的杂物清掉。", True), ("县里的通知我转一下：[链接]", True),
    ("@李主任 你把村里的低保户名单核对一下，有变动的标出来，周四前给我。", True),
    ("明天下午2点在村部给党员上党课，请通知本组党员参加。", True),
    ("各村已于周六开展排查，情况正常", False), ("各村注意事项我明天发群里，今晚还在改", False),
    ("大家帮忙转发一下，我朋友家的狗丢了，有线索的联系我", False), ("请转告家里老人，别接陌生电话", False),
    ("你们几个年轻的能不能别这么废？一个通知转发都转不明白", False),
    # A whole police station, hospital or bureau told what to do; not a treat, an article forwarded, the speaker's town.
    ("周四上午全体民警参加体能测试", True), ("请全局干部职工明天穿正装上班", True), ("明日上午全院开展消防应急演练", True),
    ("我女儿今天数学考了一百分，请全科室吃西瓜🍉", False), ("下个月十八号我结婚，到时候请大家喝喜酒啊💒", False),
    ("【转发】国家卫健委：关于加强护理人力资源配置的通知 https://www.nhc.gov.cn/", False), ("我们镇明天8点全员准时到岗", False),
    # A school's and a hospital's own units and roles: classes, head teachers, lesson groups, wards.
    ("请8(4)班准备国旗下讲话", True), ("各班主任到教务处领成绩单", True), ("各备课组长准备好本学科的分析报告", True),
    ("各班主任已经到教务处领了成绩单", False),
])
def test_a_notice_of_where_to_be_is_a_task_only_as_the_whole_message_and_not_passed_on_with_a_word_of_ones_own(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # The day told in a clause of its own ("明天是周六，") before the hour set: still set ...
    ("明天是周六，各村书记还是8点准时到岗", True), ("明天周六，各村书记8点准时到岗", True),
    ("明天是国庆节，值班人员8点准时到岗", True), ("下周一是端午节，各村书记8点准时到岗值班", True),
    # ... not the speaker's own hour, a question or a day off.
    ("明天是周六，我还是8点到岗", False), ("明天是周六，各村书记还是8点到岗吗", False), ("明天是周六，不用到岗", False),
    ("明天是周六，好好休息", False),
])
def test_the_hour_to_be_at_work_after_the_day_is_told_is_a_task(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # The units told when to patrol, check or keep watch, after what to heed or alone ...
    ("各村注意防火，今晚巡查", True), ("各村今晚加强巡逻", True), ("各村明天组织排查", True), ("各村周末继续值守", True),
    ("各村今晚排查，明早报结果", True), ("收到，各村今晚巡查", True), ("各网格员明天逐户排查", True),
    # ... not the patrol's results, a patrol done, asked about or thanked for, the speaker's, or heed alone.
    ("各村今晚巡查情况良好", False), ("各村今晚巡查了，没发现问题", False), ("各村今晚巡查的情况明天汇总", False),
    ("各村今晚都巡查了吗？", False), ("各村今晚巡查辛苦了，大家早点休息", False), ("各村注意防火，我今晚巡查", False),
    ("各村注意防火", False), ("张书记今晚巡查，大家早点休息", False), ("收到，各村今晚已经巡查了", False),
])
def test_units_told_when_to_patrol_at_night_is_a_task(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # The one on duty tells at night how the watch went, or someone asks who is on: no roster set ...
    ("今晚值班：一切正常", False), ("今晚值班：平安无事", False), ("值班人员：已全部到岗", False),
    ("今天值班：无异常", False), ("今晚值班：小王已到岗", False), ("今晚值班：刚接到群众电话，已处理", False),
    ("明天值班：谁", False), ("上周末值班：小王、小李，辛苦了", False), ("明天值班：我，有事打电话", False),
    # ... but the roster posted, however it is laid out, sets who is on.
    ("今晚值班：小王、小李，请保持电话畅通", True), ("周末值班：李强、王芳", True), ("值班人员：王芳", True),
    ("周六值班：张伟 13812345678", True), ("值班安排：见附件", True), ("今晚值班：王洋（已安排），李娜", True),
    ("值班安排：刚定下来，明天王洋，后天李娜", True), ("值班安排：我和小王今晚，明晚小李", True),
])
def test_the_duty_officer_reporting_the_night_quiet_posts_no_roster(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # A teacher tells all the parents when the children are due: every child is theirs, as 孩子们 are ...
    ("各位家长：孩子明天7点半到校", True), ("各位家长：明天孩子7点半到校", True), ("家长们，明天孩子8点准时到校", True),
    ("家长朋友们：明天孩子7点40到校，请提前吃早餐", True),
    # ... and colleagues listed with their hour are a roster, asked or not.
    ("明天小王、小李8点到岗", True), ("小王、小李明天8点到岗", True), ("请小王和小李明天8点到岗", True),
    ("请小王、小李明天8点准时到岗", True),
    # One member's own child, told to the colleagues too, or one colleague told of, is still news.
    ("孩子明天7点半到校，我早上请一会假", False), ("同事们，孩子明天8点到校，上午晚点来", False),
    ("同事们，明天孩子8点到校，上午晚点到", False), ("明天孩子8点到校", False), ("小王明天8点到岗", False),
    ("明天小王8点值班，大家有事找他", False), ("老公明天8点值班，孩子我来接", False),
])
def test_parents_addressed_or_colleagues_listed_are_told_the_hour(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # The township tells at night what the villages did, or what it will check of theirs: no patrol set ...
    ("各村已于周日巡查，未发现隐患", False), ("各村已于周六开展排查，情况正常", False), ("各村周末值守，情况正常", False),
    ("各村今晚值守，一切正常", False), ("各村今晚巡查，结果良好", False), ("各村今晚巡查，已发现隐患3处", False),
    ("各村反映的问题，镇里明天排查", False), ("各村都报了，明天排查", False),
    # ... but the villages told to patrol, after what to heed, still are.
    ("各村汛期注意安全，今晚值守", True), ("各村周三排查，周四报结果", True), ("各社区周末逐户排查", True),
    ("各村注意防火，今晚巡查，发现情况及时报告", True), ("各村今晚继续值守，情况随时报告", True), ("各村今晚巡查，结果明早报", True),
    ("各村的网格员今晚巡查", True), ("各村今晚巡查，已出发的报一下", True),
])
def test_a_patrol_done_or_the_townships_own_check_sets_the_villages_no_patrol(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # A member asks where or how, 是 opening the first alternative ...
    ("明天是去县里开会还是在镇里开", False), ("明天是线上开会还是线下开", False), ("周五是交纸质版还是电子版", False),
    ("明天是全体干部参加还是只要班子成员参加", False),
    # ... not 还是 for "still", whatever 是 stands in other words before it.
    ("明天还是在镇里开会，请各村书记准时参加", True), ("明天上午8点半开会，但是地点还是在三楼，各村书记准时参加", True),
    ("各村书记明天上午8点半准时到三楼开会，不管是晴天还是下雨", True),
    # The day told, then "still" (还是要, 还是照常) or a concession (即使是…还是): the hour stands.
    ("明天虽然是周六还是要8点准时到岗", True), ("明天是周六还是要8点到镇里开会", True),
    ("明天是周末还是照常8点开例会", True), ("明天即使是下雨还是8点准时集合", True), ("明天是周六还是周日开会", False),
])
def test_a_choice_opened_with_shi_is_a_question_and_still_is_not(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # Units told to take heed of what is said beside it ...
    ("周末还是正常上班，各站所注意", True), ("本周六正常上班，各村注意", True), ("明天县里暗访，各股室注意！", True),
    ("各村注意，明天上午县里来检查", True),
    # ... not care wished to their people, nor heed asked about or its list.
    ("天冷了，各村干部注意保暖", False), ("各村注意到没有，群里的通知", False), ("各村注意事项我已经整理好了", False),
    ("周末还是正常上班吗？", False),
    # Heed of the cold, the rain or swindlers is care wished, as 各村注意安全 is; a task after it still sets one.
    ("明天降温，各村注意", False), ("路上结冰了，各村注意", False), ("最近诈骗多，请各村注意", False),
    ("天热了，各学校注意", False), ("明天降温，各村注意，明早8点照常到岗", True),
])
def test_units_told_to_take_heed_at_night_is_a_notice(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # A reply that goes on to set the units a task without 请 sets it ...
    ("已转发，各村明天上午报名单", True), ("已转发各村，各村明天上午报送名单", True), ("收到，各村明天上午把名单报上来", True),
    ("各村明天上午报名单，逾期不候", True),
    # ... not one telling of the units' work, done, asked about or the speaker's to collect.
    ("收到，各村已经报上来了", False), ("好的，各村的我明天去收", False), ("已转发，各村明天能报上来吗？", False),
    ("收到，各村明天交的材料我汇总一下", False), ("已转发，各村书记都说收到了", False), ("各村上周五报过了，不用再报", False),
    # The clerk answering the county about the villages: what they can or will do, what is theirs,
    # or the clerk's errand with them, sets them no task; nor their day with other words in it ...
    ("收到，各村明天就能报齐", False), ("收到，各村明天会报上来", False), ("好的，各村周五前能报齐", False),
    ("好的，各村情况明天汇报", False), ("收到，各村情况复杂，需要时间", False), ("好的，各村名单明天报", False),
    ("收到，等各村报上来再说", False), ("好的，让各村明天报", False),
    ("各村明天交通管制", False), ("听说各村明天交通管制，出门绕行", False), ("各村明天交流经验，我去听听", False),
    ("各组明天发言顺序排好了", False),
    # ... but the villages, or their heads, told when or how do: a day, a date, an hour, a manner.
    ("收到，各村书记明天8点到镇里开会", True), ("已转发，各村抓紧报送", True), ("收到，各村明天上午务必报送名单", True),
    ("已转发，各村于3月5日前报送", True), ("已转发，各村上午10点前报送", True), ("已转发，各村按要求报送", True),
    ("已转发，各村统一报送", True), ("已转发，各村在规定时间内报送", True), ("收到，各村近期报送", True),
])
def test_a_reply_that_sets_the_units_a_task_without_qing_is_a_task(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task


@pytest.mark.parametrize("text, task", [
    # A colleague's meeting told by their name and title is news, as their hour at work is ...
    ("张书记明天上午在县里开会，下午回来", False), ("王局长明天上午在市里开会，有事找李副局长", False),
    ("张镇长周一在县里开会，周二回来", False),
    # ... but asked of them, said to them, or of every village's: a task.
    ("请张镇长明天上午到县里开会，材料带上", True), ("张镇长，明天上午到县里开会，材料带上", True),
    ("各村书记明天上午到镇里开会", True), ("王书记明天上午主持召开党委会，请各班子成员准时参加", True),
    # The heads of every office, station or health centre, or all deputy secretaries: the character
    # before the title is no surname; a colleague told by name or post and title still is.
    ("各股室主任明天上午到三楼开会", True), ("各站站长明天上午到镇里开会", True), ("各卫生院院长明天上午到卫健局开会", True),
    ("全体副书记明天上午到县里开会", True), ("两委主任明天上午到镇里开会", True), ("各部门部长明天8点准时到岗", True),
    ("张副书记明天去县里开会", False), ("镇党委书记明天去县里开会", False), ("欧阳书记明天去市里开会", False),
])
def test_a_colleagues_meeting_told_by_title_is_news_at_night(text, task):
    assert bool(run(after_hours, msg(text, SUNDAY_NIGHT))) is task



@pytest.mark.parametrize("text, task", [
    # A demand for media as proof of work is a task at night, however it is worded ...
    ("各所接龙报一下今天的防诈宣传情况，并附现场照片", True), ("以后夜间巡逻必须开启共享定位，值班室随时抽查", True),
    ("各病区护士长每天交班后在群里接龙，附交班现场照片", True), ("值班的同志每小时在群里发一个定位", True),
    # ... but not what proof_demand lets off: hearsay, the sender's own, a sign-up, or an urgent demand.
    ("听说以后网格员每天都要发定位到群里", False), ("今天整治完了，前后对比照片发一下[图片]×2", False),
    ("收到，明天一早拍照上传", False), ("【紧急】山洪预警，各村立即组织转移，转移现场照片发群里", False),
])
def test_a_demand_for_proof_at_night_is_a_task(text, task):
    assert bool(run(after_hours, msg(text, "2025-03-05T22:10:00"))) is task


@pytest.mark.parametrize("text, task", [
    # A rule laid down on what is posted or done, a sign-up started, hours changed, a meeting set,
    # or everyone asked to pass on, remember or do something are notices at night ...
    ("严禁在工作群发布患者照片及病历资料，违者严肃处理", True), ("不要在群里发群众的身份证照片，注意隐私", True),
    ("廉政提醒：节日期间严禁收受礼品礼金，违者严肃追责", True), ("运动服尺码统计：请大家在下面接龙", True),
    ("下周一起上班打卡时间调整为8:30", True), ("期中成绩分析会定在下周二下午，各备课组长准备好材料", True),
    ("请家长把孩子的户口本首页交给班主任", True), ("大家记得周末把加班单交一下，财务月底要", True),
    ("学校公众号的推文发了，大家帮忙转发一下", True), ("各位，明天上午电梯检修，请走楼梯", True),
    ("周五下午三点消防培训，地点三楼会议室，全员参加", True), ("请办公室、财务股各派2人参加，8点集合", True),
    ("周六全民健步走需要交通保障，各组7点到指定点位", True), ("家长会筹备会地点改在二楼会议室", True),
    ("下周起门诊实行弹性排班，早班7:30到岗", True), ("学分截止到6月，还没刷够的抓紧", True),
    ("请抓紧在系统里完成随访录入，月底考核", True), ("上岗期间严禁抽烟、玩手机，发现一次通报一次", True),
    ("下周二执法培训，每个中队去3个人，请在下面接龙", True),
    # ... but not a grumble at a rule, a seller's or a lost dog's notice, a leave or a member's news.
    ("不得请假吗？", False), ("自家种的脐橙，甜得很，要的接龙", False), ("大家帮忙转发一下，我朋友家的狗丢了", False),
    ("各位同事，我母亲明天手术，请三天假", False), ("跟大家分享个好消息，我家闺女考上研究生了", False),
    ("昨天的培训全员参加了", False), ("看到通知了，我们科全员参加", False), ("外面下大雨了，没带伞的赶紧", False),
    ("没问题，我今天下班前改好发你", False), ("谁能帮我代一下明天的班，不得离岗实在走不开", False),
    ("有没有老师记得去年的评分标准，截图发一下", False),
])
def test_rules_sign_ups_hours_and_plain_requests_are_notices_at_night(text, task):
    assert bool(run(after_hours, msg(text, "2025-03-05T22:10:00"))) is task


@pytest.mark.parametrize("text, task", [
    # Media asked of many for another end are a task at night as proof is: a document, a fault,
    # an incident ...
    ("新入职的同志把身份证照片发人事科", True), ("系统登不上的，把报错截图发信息科", True),
    ("各网格员看到有人烧秸秆的，请拍照发村里", True),
    # ... not of one colleague, of whoever has them, with help offered or for fun.
    ("麻烦把发票的照片发我一下，我帮企业看看", False), ("昨晚有学生打架，请有视频的老师发我一下", False),
    ("系统登录不了的，把报错截图发我，我帮你们看看", False), ("婚礼现场照片快发一下，大家都想看新娘", False),
    # Rules on taking or posting media, sign-ups by their name, a lifting of a demand, details attached.
    ("病人的检查单不要拍照发群", True), ("群里别发定位了，注意保密", True), ("疫苗接种意愿接龙，自愿参加", True),
    ("以后入户走访不再要求拍照留痕", True), ("明天考勤机维修，上班请到办公室手写签到", True),
    ("下周一开始党史学习教育，具体安排见附件", True), ("各位把手机里的涉案照片删干净，下周检查", True),
    # Not a suggestion, news of a shop, or a rumour.
    ("建议教务处梳理一下，能从系统里导出的就别让老师再截图了", False),
    ("今天发现一家好吃的早餐店，以后早上不用愁了", False), ("晚上请大家恰饭，我请客", False), ("这届毕业以后国家不再发毕业证了，只发电子版", False),
])
def test_requests_of_many_and_rules_on_media_are_notices_at_night(text, task):
    assert bool(run(after_hours, msg(text, "2025-03-05T22:10:00"))) is task


@pytest.mark.parametrize("text, task", [
    # Where and when to gather, a meeting's hour and place, all but those on duty told to come ...
    ("各位兄弟早，今天二中队的重点是人民路占道经营整治，8点半在中队门口集合。", True),
    ("@全体成员 本周四下午4点半五年级组开教研会，讨论期中复习计划，地点五年级办公室。", True),
    ("周五下午中队集中学习执法规范，除值班人员外全部参加", True),
    # A rule on leave is no leave request.
    ("通知：本周六上午8:30在镇政府三楼会议室召开护林员培训会，每人必须参加，请假的提前找我。", True),
    # ... and the classes, the police stations or the squads told to act, or a heading's ban.
    ("县里下周来检查作业管理，各班把近两周的作业公示表整理好，周一交到年级组。", True),
    ("各所在3月12日前把被征地农民参保情况汇总表盖章扫描后发至邮箱。", True),
    ("各组注意：近期省里随时可能暗访，主次干道一律不得出现占道经营现象。", True),
    # Not a gathering asked about or past, nor the speaker's errand with the units' forms.
    ("明天8点在哪里集合？", False), ("昨天8点在村口集合的，你没来", False),
    ("上周五下午4点的培训，地点换了吗", False), ("各村的表格我明天一早交到县里，今晚来不及了", False),
])
def test_gatherings_meetings_and_the_classes_or_squads_told_to_act_are_notices_at_night(text, task):
    assert bool(run(after_hours, msg(text, "2025-03-05T22:10:00"))) is task


def test_what_after_hours_read_of_a_batch_proof_demand_flags_alike():
    # As detectors/run.py runs them: after_hours first, then proof_demand, on one context.
    context = fresh_context()
    night = "2025-03-05T22:10:00"
    batch = [msg("各村今晚把入户照片发群里，每户都要有", night, id=1), msg("新入职的同志把身份证照片发人事科", night, id=2),
             msg("请各村今天下班前把入户照片发群里", "2025-03-05T10:00:00", id=3)]
    assert [f["message_id"] for f in run(after_hours, *batch, context=context)] == [1, 2]
    assert [f["message_id"] for f in run(proof_demand, *batch, context=context)] == [1, 3]  # a document is no proof
