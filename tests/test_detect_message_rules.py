"""Proof demands, privacy, secret markings, credentials and red packets: both sides of each line."""
import copy

import pytest

from detectors import after_hours, credential_leak, privacy, proof_demand, proof_wording, red_packet, secret
from tests.detector_helpers import CONFIG, fresh_context, msg, run


@pytest.mark.parametrize("text", ["请拍照上传", "请各村今天下班前把入户走访照片发群里，每户都要拍照", "每个卡点都要录制视频发到群里",
                                  "每户都要有入户照片，明天检查", "把现场照片发我", "入户走访要留影像资料，照片发群",
                                  "请各村走访时拍视频留底", "下村的同志到了村里发个定位到群里",
                                  "各校值班人员每两小时在群里发一次校园巡查视频", "各位老师家访记得拍合影，发到年级群",
                                  "清洁家园活动结束后，各村把整治前后对比照发到群里",
                                  "各位包村干部：今天开始每天早上八点在群里打卡，发实时定位",
                                  "请各村今晚把入户照片上传，上传了的在群里回复1", "走访照片统一群里发，今晚十点前",
                                  "入户照片请发到防返贫监测工作群", "明天起各网格员每天8点前在群里拍照打卡",
                                  "巡河时记得打卡，没打卡的视为未巡河",
                                  # What the speaker sent is the list to work from, not a report.
                                  "请各村按照我发的名单逐户拍照上传", "请各村对照我发的台账逐户拍照发群里",
                                  "每个点位拍照打卡，请各村务必落实", "请各村今晚把整改前后对比照拍好了发群里"])
def test_proof_demands_are_flagged(text):
    [flag] = run(proof_demand, msg(text))
    assert flag["category"] == "proof_demand" and flag["article"] == "群规 第九条"


@pytest.mark.parametrize("text", ["请上传申报材料", "涉密文件严禁拍照转发", "照片已经收到了，谢谢", "表格请发我邮箱",
                                  "照片已经上传了", "现场照片我已经发了", "我每天打卡上班",
                                  "宣传视频已发到各群，请大家转发", "请把申报材料发到邮箱",
                                  # Reports it was sent, talk about the group, other places to post.
                                  "走访照片上传了，请王主任查收", "我在群里看到你拍的照片了，真好看",
                                  "昨天群里发的照片是哪个村的？", "刚才群里的接龙是什么意思，我没看懂",
                                  "这张合影发到朋友圈效果不错", "现场图发到邮箱了，王科长注意查收",
                                  "昨天那张合影我发到家族群了，亲戚都说好", "照片我已经在群里发过了，麻烦王主任看一下",
                                  "照片已经全部上传到系统了，请查收", "截图我昨天就发给你了，你翻一下聊天记录",
                                  "我们每个村都拍照了", "每个人都可以在活动现场拍照留念",
                                  "每个村要安排一名同志配合县电视台拍摄",
                                  "省里明天来我镇拍摄宣传片，请各村严格执行镇里的接待方案",
                                  "明天上午市里来拍摄人居环境宣传片，请相关村按方案落实",
                                  # Evidence talked about, of other things, doubted or of a sending done.
                                  "这张截图证明不了什么", "这张截图证明已经发过了", "以此截图为证，他确实说过这话",
                                  "县电视台要来拍摄，作为宣传依据",
                                  # Photos one took, told of.
                                  "我拍了照片，每户一张", "换了个新手机，拍了一堆猫的照片发给你们看",
                                  # A screenshot to follow, sent or not.
                                  "请大家按截图操作", "截图已发群里，请大家对照截图自查",
                                  "截图已发群里，请大家按截图里的步骤操作"])
def test_document_requests_and_prohibitions_are_not_proof_demands(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text", ["我已上传照片，请各村也拍照上传", "走访照片上传了，请各村继续拍照上传",
                                  "已上传照片，请各村把剩下的照片今晚前上传", "请各村拍了照片，每户一张"])
def test_a_report_of_media_sent_lets_off_only_its_own_part_not_a_demand_beside_it(text):
    assert run(proof_demand, msg(text))


@pytest.mark.parametrize("text", ["每人学习后提交佐证材料，如截图", "今晚9点前群里未见截图的一律视为未学习"])
def test_screenshots_named_as_proof_by_如_or_见_are_still_asked_for(text):
    assert run(proof_demand, msg(text))


# 拍了 is a report only when it tells what was done: not a step before what is asked, in its own part
# of the clause ("拍了照片后务必及时上传", "入户时拍了照片要留存，每户一张", "要求拍了照片再走") or in a later
# one that sends them ("拍了照片，记得发群里", "各村拍了照片，今晚之前统一上传"), unless the speaker took them
# or the later part sends something else.
@pytest.mark.parametrize("text, demanded", [
    ("拍了照片后务必及时上传群里", True), ("入户时拍了照片要留存，每户一张", True), ("大家拍了照片记得及时上传", True),
    ("要求拍了照片再走，每户一张", True), ("务必拍了照片再离开，每户两张", True), ("拍了照片，记得发群里", True),
    ("各村拍了照片，今晚之前统一上传", True), ("走访时拍了照片的，请于今晚前统一上传到群里", True),
    ("哪个村拍了照片的，发到群里", True), ("入户拍了照片，务必当天上传系统", True), ("照片拍好了，请今晚发群里", True),
    ("我拍了照片，晚点发群里", False), ("昨天拍了照片，每户一张，都在我手机里", False),
    ("照片拍好了，请各村报送走访台账", False), ("拍了照片，已经发给王主任了", False), ("我们拍了照片，每户一张，共32户", False),
    # The taker's own sending soon, another's, one asked about or one failed: no sending asked.
    ("照片拍好了，等会发群里", False), ("视频录好了，一会儿传上来", False), ("合影拍好了，回头发群里给大家留念", False),
    ("今天的合影拍好了，稍后发群里做纪念", False), ("照片拍好了，这就发群里", False), ("照片拍好了，要不要发给你", False),
    ("张村照片拍好了，他们会发群里", False), ("视频录完了，上传平台显示失败", False),
    ("各村拍了照片，等会统一发群里", True), ("大家照片拍好了，一会儿发群里", True),
])
def test_photos_taken_as_a_step_before_a_sending_asked_are_no_report(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


# Beside media told sent, 每户, 每人 or 一律 tells what was sent ("照片已上传，每户都有照片"): a request, a must,
# or a sending there still asks for more.
@pytest.mark.parametrize("text, demanded", [
    ("照片已上传，每户都有照片", False), ("我已上传照片，共计23户，每户一张照片", False),
    ("已上传照片，每户照片都附了户主签字", False), ("照片已报送县里，每户照片都有编号", False),
    ("照片我已上传，每户照片都是今天拍的", False), ("照片已上传，照片一律是今天拍的", False),
    ("照片我已经传了，还要每户拍照吗", False), ("照片上传过了，又让每户拍照一次，累死", False),
    ("县里已上传照片，要求各村每户拍照", True), ("我已上传照片，剩下的村照片今晚必须上传", True),
    ("照片已上传，各村务必每户拍照", True), ("照片已上传，其他村每户都要拍照", True),
    ("照片已上传，请各村每户拍照留存", True), ("请按截图格式每天截图发群里", True),
])
def test_every_household_beside_media_told_sent_tells_what_was_sent(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


# A quota after the act asks for it when it closes the clause or more of the task follows; not a count
# told, grumbled about, of the past or of another township, nor of a thing made for show.
@pytest.mark.parametrize("text, demanded", [
    ("入户要拍照留痕，每户一张", True), ("入户拍照，每户一张，今晚前报镇里", True),
    ("入户要拍照留痕，每户一张，不得弄虚作假", True), ("入户拍照，每户一张就行，不用多拍", True),
    ("今天入户拍照，每户一张，共拍了46张", False), ("拍照留痕太多了，每户三张，基层受不了", False),
    ("以前走访要拍照，每户一张，现在不用了", False), ("上次检查拍照，每户一张，花了一整天", False),
    ("他们乡入户拍照，每户五张，比我们还夸张", False), ("录制家乡推介视频，每个村一段，国庆期间播放", False),
    ("全家福拍摄活动，每户一张，免费冲印", False),
])
def test_a_quota_after_the_act_asks_only_as_part_of_the_task(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # Media asked for on a past day, by others or elsewhere, grumbled at, doubted or counted: asked for no longer ...
    ("昨天入户拍照，每户一张，照片都在U盘里", False), ("上次检查要看照片，这次不用了", False),
    ("我们那时候入户也拍照，每户一张", False), ("上面要求拍照，每户两张，真是形式主义", False),
    ("他们县里搞的，每户五张照片，简直离谱", False), ("入户拍照每户一张就够了吧", False),
    ("检查要看照片？谁说的", False), ("他说检查要看照片，我看未必", False), ("统计了一下，每户一张照片，共计120张", False),
    # ... unless the message still asks, or a past incident is the reason for today's task.
    ("上次照片拍糊了，请各村今晚重新拍照上传", True), ("昨天有户人家失火，各网格员今天逐户查看灶台电线，每户拍照上传", True),
    ("上周发生偷盗案件，各村要加强夜间巡逻，巡逻照片每天发群里", True),
    # A card's or a pass's photo, a publicity film, a contest's entries prove no one's work.
    ("办理社保卡需要照片，每人一张", False), ("老人证需要照片，每人一张，蓝底", False), ("每人一张照片，做工作证用，请发我", False),
    ("拍宣传片，每个村一段", False), ("短视频大赛，每个村报送作品一条", False),
    ("宣传片拍摄期间，各村干部在岗情况要拍照上报", True), ("技能大赛期间各考点每小时拍照上传考场情况", True),
    ("请王秋生（身份证362202-19850312-3417）今天下班前把入户走访照片发群里", True),
    # Media told sent or received, each case counted, asked for by no one ...
    ("照片传好了，每户都有，您看下", False), ("已经把照片传到系统了，照片每户一张", False),
    ("县里已收到各村照片，每户照片都齐全", False), ("我们村的照片都传了，每人三张", False),
    ("已按要求拍照上传，请领导过目", False), ("我已上传照片，请王主任把照片转发到县里群", False),
    # ... but those who have not sent them yet, or other villages, are still asked, and so is where to send.
    ("照片已上传，其他村每户都要拍照", True), ("照片已上传，视频不用发群里，私发给我", True),
    # Media taken, then sent by the taker to the one addressed, shared for all, sent by another or asked about.
    ("张主任，照片拍完了，下午发给你", False), ("拍了几张现场照片，发给大家看看😄", False),
    ("合影拍了，晚上发群里大家自己存", False), ("李姐拍了照片，她晚上发群里", False), ("拍了照片，要发群里吗？", False),
    ("拍了照片，记得发群里", True), ("各村拍了照片，今晚之前统一上传", True),
    # Cameras watching a place are no footage asked for; a quota per stretch of river or per school is.
    ("暗访要看视频监控是否正常运行", False), ("巡河时拍照，每段河道一张", True), ("防溺水宣传要拍照，每个学校至少3张", True),
    ("请各卡点调取视频监控，截取值守人员在岗画面发群里", True),
    # A past finding, formalism opposed, trouble spared, others' sending or a total: today's task still asks.
    ("昨天检查发现的问题，今天整改后拍照上传", True), ("上周督查发现的问题，各村整改到位后拍照发群里", True),
    ("杜绝形式主义，各村每户拍照一张上传群里", True), ("这次督查很严，不能搞形式主义，但照片还是要拍，每户一张发群里", True),
    ("不要折腾群众，入户照片每户一张，发群里即可", True), ("他们那边已经传了，你们村今天也拍照上传", True),
    ("她说要每户的照片，大家今天拍了发群里", True), ("以前拍的不算，从今天起每次入户都要拍照上传", True),
    ("当时要求的是每户一张照片，现在改成每户两张，周五前上传", True), ("每户拍一张，一共30户30张，今晚发群里", True),
    ("今天上传截图，合计需要3张：学习截图、答题截图、积分截图", True),
    # A sending asked is no sending told, nor is another thing sent or received; pupils' works are no contest's.
    ("照片上传到群里，每户两张", True), ("截图上传至平台，今天下班前完成", True), ("已完成整改的户，拍照上传群里", True),
    ("我已经发了模板，各村按模板拍照上传", True), ("镇里已收到县里通知，各村入户拍照上传，每户一张", True),
    ("请各班主任把家访照片及学生作品拍照上传", True), ("已完成走访，照片已传群，每户都附照片😊", False),
    ("上次检查要看照片，这次不用了，大家轻松点", False),
    # A sigh at a demand passed on is no grumble; a past finding, redone or by a deadline, is still asked for.
    ("没办法，县里要的，每户拍一张照片发群里", True), ("破除形式主义，入户照片每户一张上传系统", True),
    ("一共要交20张照片，下午发给小王", True), ("上周要求的入户照片，还有3个村没传，下午4点前传上来", True),
    ("上次录的视频没声音，再录一段传上来", True), ("上次督查说照片不清楚，这回拍清楚点，发群里", True),
    ("以前每周拍一次，以后改成每天拍照上传", True), ("截图已经传了，下次学习完也要截图发群里", True),
    ("去年检查扣分就是因为没照片，今年每次活动都要拍照留痕", True), ("我们以前每户都要拍三张照片", False),
    ("照片都传好了，每人三张，请查收", False), ("上次要求拍照的事，县里说从今天起取消了", False),
    ("监考老师到岗后拍照发群里，核对准考证", True), ("参赛期间各村干部在岗情况也要拍照上报", True),
    ("入户照片每户2张，每个村共计不少于40张，发镇群", True), ("上周督查发现的问题，整改完拍照发群里", True),
    ("之前要求的巡河照片，每天都要发群里", True), ("我们村的入户照片都传了，每户两张", False),
    ("请各位把今天的在岗自拍发群里", True),
    # Members complaining of the demands they get are who the rule protects.
    ("这接龙每天都要弄，烦死了", False), ("每次活动都要拍照，上课时间都不够用了😔", False),
    ("省里要求每个检查点都要拍照打卡，我们人手根本不够", False), ("镇上的督查又要看照片，我们组照片都传了多少回了", False),
    # A leave asks nothing; a notice one cannot find is asked for as a copy; a location shared to check on staff is proof.
    ("打卡 8(3)班 有两个请假", False), ("那个通知截个图发我一下，我找不到了", False),
    ("请各位护士打开定位共享，护理部要核实在岗情况", True),
])
def test_media_told_of_sent_shared_or_for_a_card_are_not_demanded_but_those_still_asked_are(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text", [
    "请各村支书明天下午3点准时参加全县视频会议。",
    "请各单位组织党员干部观看警示教育视频，并做好学习记录。",
    "请申请人提交身份证复印件、户口本和近期免冠照片。",
    "请各村结合实际，明确本村产业发展定位。",
])
def test_a_notice_that_only_mentions_a_video_a_photo_or_a_positioning_is_not_a_proof_demand(text):
    # A video conference, a video to watch, an ID photo for an application and 定位 as
    # "positioning" prove no one's work: a supervisor should not be sent these.
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text", [
    "请各单位将盖章后的承诺书拍照发群里。",  # a document photographed is the document
    "请把盖章版扫描件或拍照发到邮箱ycjyj@163.com。",
    "报销的同志请把发票拍照上传财务系统。",
    "请各村把低保户的身份证正反面照片发给民政办核对。",
    "系统登录不了的，把报错截图发我，我帮你们看看。",  # a screenshot of an error to fix
    "有问题的截图发群里，大家一起看看怎么解决。",
    "系统登录不了的，截屏发我看看什么报错", "系统打不开的，截个图发群里大家一起看看",  # a 截图 all the same
    # A photo or a video of a fault, for whoever will fix it.
    "电脑蓝屏了，把报错界面拍照发给信息中心小王，他帮你看看", "三组路灯坏了，拍张照片发给城管站，他们会来修",
    "二楼饮水机漏水了，谁拍个视频发给后勤，好让他们报修",
    "谁有抢红包的截图，发群里看看",
    "明天中午在食堂吃饭的请接龙，方便食堂备餐。",  # a head count for lunch
    "请大家推荐本镇的网红打卡点，下周公众号要用。",
    "请各村把村委会的位置定位发我，明天督查组过来找不到路。",
    # Evidence of an incident to look into: harm done to someone or wrong done, not anyone's work.
    "这个学生被霸凌的视频发一下，我们要调查处理", "把打架的视频发我，派出所要看", "被打的照片发一下，我给医院看",
    "他骂人的截图发一下，我们核实一下", "村民吵架的视频发一下，看看谁先动的手", "昨晚偷电动车的监控视频发给派出所",
    "被盗现场的照片发一下", "那个孩子被狗咬伤的照片发一下", "酒后闹事的视频发我一份，纪委要核实",
    "学生打架的那段视频发群里，明天开会研究", "被骗群众的聊天截图发我，我转给反诈中心",
    "学生被打后就医的照片发我", "被盗的防盗门照片发我", "被打开的门锁照片发我",
    "开展防欺凌教育，学生被打的视频发我",  # the work is another part's
    # Or told before the medium's part of the clause, its evidence asked of whoever has it.
    "昨晚村口发生一起交通事故，有现场视频的发一下", "这个学生在学校被打了，谁有视频发我一下",
    "张大爷家的羊被偷了，有监控视频的发我一下", "刚才镇上发生车祸，谁拍到视频了发我看看",
    "昨晚王家村有人家里失火了，谁有现场视频发我一下", "前天村里着火了，谁有当时的视频发我一下",
    "上周发生偷盗案件，谁家监控拍到了，视频发我", "昨晚有学生打架，请有视频的老师发我一下",
    # A group photo for a briefing, as any picture for an article or to write one with.
    "谁有昨天开会时的合影，发我一下，写简报要用", "请宣传员把今天活动的照片挑几张发我，写信息用",
    "请各村把今天活动照片发我，我写稿用", "活动照片发我几张，我写个信息",
    # Left to them whether to send.
    "走访照片发不发群里都行，台账要交", "照片拍不拍都行，关键是把问题解决",
    # Let off: no media wanted.
    "下周督查组要来，请各村把台账准备好，不用拍照", "以后入户走访不再要求拍照留痕", "请大家观看警示教育片，观看后不用截图",
    "无需上传照片，纸质台账交到镇里即可", "不用再拍视频了，台账写清楚就行", "本次无需提交走访照片，台账交到镇里", "照片不需要了，台账交上来就行",
    "培训期间不需要定位打卡，把培训通知上传到系统里作为请假依据就行。",
    # A screenshot to be stamped with the unit's seal is a document.
    "将系统生成的汇总表截图，加盖学校公章后扫描报县资助中心，不需要提交学生个人材料照片。",
    "各位班主任：明天下午第三节课开安全教育主题班会，照片不用发群里，拷到德育处U盘就行",
    # Not sent where they were to go, and sent nowhere else: something else sent, or a sending told.
    "照片不用发太多", "照片不用发我了", "照片不用发群里了，台账交上来就行", "照片不用发群里，发了也没人看", "照片不需要发我，我这边已经看到了", "照片不用发给我，统一交台账就行", "截图不用发群里，大家心里有数就行",
    # The speaker's own sending, in a part of its own beside the media.
    "昨天发的照片有几张拍糊了，我重新发一下", "这张照片里有老人家的门牌号，我打了马赛克再发到宣传群，大家看看行不行。",
])
def test_media_asked_for_a_document_a_fix_an_incident_a_head_count_or_the_way_are_not_proof_demands(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text, media", [
    ("请各网格员每天巡查时拍照上传，不得弄虚作假。", "拍照"),  # the prohibition is about something else
    ("请各村上传人居环境整治工作图片，每村不少于5张。", "图片"),
    ("请各村把整治前后对比图发群里。", "对比图"),
    ("入户走访每户拍一张发群里，作为走访记录。", "拍一张"),
    ("走访完拍张照发我，算你们完成任务。", "拍张照"),
    ("学完截个图发群里，今晚统计。", "截个图"),
    ("巡河时请在群里共享实时位置，镇里随时抽查。", "实时位置"),
    ("整改完的发个现场图上来，没图不算整改完成。", "现场图"),
    # A document or another end named elsewhere in the clause excuses nothing.
    ("请各村将入户走访照片连同回执一并上传到群里", "照片"),
    ("请各校长每天把陪餐就餐照片发群里", "照片"),
    ("请各网格员对异常户逐户走访，并拍照上传", "拍照"),
    ("请各村把签字版和现场照片发群里", "照片"),
    ("请各村支书今晚把巡河照片发群里，谁有困难提前说", "照片"),
    # Pictures of publicity work done are its proof, whatever 宣传 names: no article is asked for.
    ("请各村开展防溺水宣传，宣传图片今天下班前发群里", "图片"),
    ("请各村把防诈骗宣传横幅悬挂后的图片发群里", "图片"),
    # Photos of a repair done or a fault checked prove the work: no fix is asked for.
    ("请各村把损坏的路灯修好后拍照发群里", "拍照"), ("请各村排查路灯故障，整改后拍照上传", "拍照"),
    # Screenshots of an article forwarded prove the forwarding, whatever publishes it.
    ("请大家把转发公众号文章的截图发到群里，镇里要统计转发量", "截图"),
    # Photos of following an account prove it as screenshots do.
    ("请大家关注公众号后拍照发群里", "拍照"),
    # Photos of studying or passing on what an account pushed prove that work.
    ("请各支部组织党员学习今天的推送内容，学习后拍照发群里", "拍照"), ("今天的推文请各村组织学习，学习现场拍照上传", "拍照"),
    ("请各村把县融媒的推送转发到村民群，并拍照发群里", "拍照"),
    # Told plainly what the act is for: proof of one's work.
    ("每个网格员今天入户核查完，截个图证明已完成系统录入", "截个图"), ("到岗后拍照证明自己在岗", "拍照"),
    ("学完截图作为学习凭证", "截图"),
    ("各校开展国家安全教育日宣传活动后，请将活动图片上传至群里", "图片"),
    # Photos of work against incidents, or of work among those harmed, prove that work.
    ("每户走访都要拍视频发一下", "视频"), ("请把防校园欺凌主题班会的照片发群里", "照片"), ("请把反诈骗宣传的视频发群里", "视频"),
    ("打架斗殴专项整治工作照片发群里", "照片"), ("请各校把预防学生欺凌专题教育的照片发群里", "照片"),
    ("请各校把防校园欺凌的宣传视频发群里", "视频"), ("校园安全隐患排查的照片发一下", "照片"), ("请把调解纠纷的照片发群里", "照片"),
    ("事故隐患整改前后的照片发群里", "照片"), ("走访被帮扶户的照片发一下", "照片"), ("请把打击盗窃专项行动的照片发群里", "照片"),
    ("请各村把矛盾纠纷排查化解的照片发群里", "照片"),
    ("走访被盗群众的照片请上传", "照片"), ("慰问被撞伤老人的照片发一下", "照片"),
    ("防范学生被欺凌的宣传照片请上传", "照片"), ("防止学生打架的宣传照片请上传", "照片"),
    # Work done on a thing, said with 被: no harm done.
    ("卫生死角被打扫干净的照片发群里", "照片"), ("道路被打通的照片发一下", "照片"), ("线路被抢修好的照片请发群里", "照片"),
    # An incident told first, then work on it whose photos prove it; or work done badly (偷懒), no incident.
    ("昨晚发生一起交通事故，今天各村开展交通安全检查，检查照片发群里", "照片"),
    ("村里发生一起盗窃案，请各村网格员入户排查，照片发群里", "照片"), ("学生被打了，请班主任家访，家访照片发一下", "照片"),
    ("昨天有群众反映被骗了，请各村今晚把反诈宣传照片发群里", "照片"), ("有的村干部偷懒，走访照片必须每户都有", "照片"),
    ("今天入户走访的照片发一下", "照片"),
    ("昨晚村里着火了，请各村开展消防安全排查，排查照片发群里", "照片"),
    ("前天村里着火了，今天各村都要组织人员清理柴草堆，清理前后照片发群里", "照片"),
    ("上周发生偷盗案件，各村要加强夜间巡逻，巡逻照片每天发群里", "照片"),
    ("昨天有户人家失火，各网格员今天逐户查看灶台电线，每户拍照上传", "拍照"),
    # Units set to act between the incident and the medium, whatever the work: its proof.
    ("昨天学校门口发生车祸后，今天各班主任要在班级群提醒家长，提醒截图发我", "截图"),
    ("发生溺水事故后，各校要给家长发安全提示，发送截图上传", "截图"),
    # A let-off of other media, or of something else, beside the demand; a form filled in (填写信息), no article.
    ("不用再拍视频了，拍照片发群里就行", "照片"), ("今天不用发照片了，明天统一拍照上传", "拍照"),
    ("照片不需要太多，每户一张就行，今晚发群里", "照片"), ("走访照片直接上传系统无需再报纸质版", "照片"),
    # A let-off of where the media go, the next part sending them elsewhere.
    ("照片不用发我，直接发群里", "照片"), ("照片不用发群里，私发给我就行", "照片"), ("视频不用上传系统了，直接发我", "视频"),
    ("截图不用发群里，私发给我", "截图"), ("照片不需要发我，直接传系统", "照片"), ("照片不用发给我，统一发到工作群", "照片"),
    # How many, not whether: "不用发太多" lets nothing off.
    ("照片不用发太多，每户两张，今晚发群里", "照片"), ("视频不用拍得太长，10秒就行，今晚发群里", "视频"),
    ("每个村都要有入户走访照片，写稿的同志另外找我", "照片"), ("拍照上传后不再需要纸质台账", "拍照"), ("拍照上传后无需再提交纸质台账", "拍照"),
    ("每人把学习截图发群里，村里统一盖章存档", "截图"), ("请各网格员入户核实后填写信息，并拍照上传群里", "拍照"),
    # A group photo of work, a tool ruled out, the speaker's own errand after the demand: still demands.
    ("请各村把今天活动的合影发群里", "合影"), ("不用手机拍照，统一用单位相机拍照上传", "拍照"),
    ("请各村把照片发我，我统一上传", "照片"), ("请各村今晚把走访照片发群里，我明天汇总", "照片"),
    ("请各村今晚把入户照片发群里，不强求每户都有，但每村不少于10张", "照片"),
    ("请大家把学习截图发一下，我要统计学习情况", "截图"),
])
def test_proof_demands_worded_in_other_ways_are_flagged(text, media):
    [flag] = run(proof_demand, msg(text))
    assert media in flag["evidence"]


@pytest.mark.parametrize("text, media", [
    ("请拍照上传现场图", "拍照"),
    ("今天入户走访，每户都要拍照", "拍照"),
    ("请截图发群里", "截图"),
    ("各卡点录制视频上传", "录制"),
    ("请各网格员上班时开启位置共享，到岗后打卡", "位置共享"),
    ("请各村把入户照片发群里", "照片"),
    ("请观看警示教育视频后拍照上传", "拍照"),
    # A quota after the act asks for it as surely as a 请 before it.
    ("入户要拍照留痕，每户一张", "拍照"), ("入户拍照，每户至少两张", "拍照"), ("卡点值守录制视频，每个点位不少于一段", "录制"),
])
def test_demands_to_take_or_send_photos_videos_or_locations_as_proof_are_still_flagged(text, media):
    [flag] = run(proof_demand, msg(text))
    assert media in flag["evidence"]


@pytest.mark.parametrize("text", [
    # Filming that someone else does, or that was done: a 请 after it asks for something else.
    "县电视台要来拍摄专题片，请各村配合",
    "我镇录制了一期防诈骗宣传视频，请大家帮忙转发",
    "明天县里组织拍摄全家福，请大家穿正装",
    # A post to fill, a sign-up, a photo for a certificate.
    "请各村报送一名宣传员，负责拍照和视频拍摄工作",
    "报名参加运动会的请在群里接龙，中午统计人数",
    "请把二寸蓝底照片发给我，办证用",
    # A reply, and the speaker sending it: not demands.
    "照片太多了，我压缩打包发了",
    "走访照片我发一下，大家参考",
    "附照片9张，请领导审阅",  # the speaker's own attachment, counted
    "昨天拍照了，每户一张，都发过了",  # a quota met, told done
    "走访要拍照吗，每户一张？",  # a quota asked about
    # The speaker's trouble sending what they were asked for.
    "中源乡今天入户走访了46户，照片太多，群里发不完，压缩打包发了。",
    "三阳镇中心小学的演练照片，视频太大发不上来，我私发给龙股长",
    # Asking what to do when it will not upload, or saying it will not: trouble, not a demand.
    "照片上传不了怎么办？", "请问入户照片上传不了是什么原因", "截图上传不了怎么办",
    "扶贫系统里照片提交不了怎么回事", "系统里走访照片一直提交不了", "照片报不上去是不是系统出问题了",
    # Asking how to take or send them.
    "请问微信怎么把聊天记录截图发给别人？", "请问照片怎么上传到系统？", "请问截图怎么发群里",
    "拍照上传怎么操作？", "照片怎么上传到系统",
    # Or why it is asked again.
    "怎么又要拍照上传啊？上周不是刚传过", "照片怎么又要重新发群里",
    # A question how, and what follows it; a reproach followed by no demand, or by one for something else.
    "照片怎么发群里？", "照片怎么发群里？我不会", "照片怎么上传？有没有人教一下", "照片怎么发群里？今晚要用",
    "照片怎么还没发？我明天要汇报", "照片怎么又没发？不用发了，我已经有了", "照片怎么还没发？我已经发了啊",
    "照片怎么又没发？今晚十点开会", "照片怎么还没发？是不是系统坏了", "照片怎么没发？今晚必须把表交上来",
    "照片怎么一直上传不了？是不是系统坏了",
    # Why media cannot be made so, and how instead: a rule or a fault, not a reproach.
    "为什么不能用手机拍照？请大家用单位相机", "为什么不可以用手机拍照？请大家用单位相机",
    "为什么不会拍照？请找网格员帮忙", "照片为什么不会拍？请网格员教一下",
    # A member asks why the upload fails: a fault, however the question ends.
    "视频为什么不能上传？", "视频为什么不能上传", "视频为什么上传失败？", "照片为什么一直上传不成功？",
    "系统里照片为什么不能上传？是不是网络问题", "照片怎么又没发？今晚必须发群里吗",
    "为什么照片一直上传不了？请技术人员帮忙看看", "为什么才发照片？",
    # Pictures to go with an article for publication, not proof of work.
    "请各单位于3月7日前，将本单位一季度政务信息（每单位不少于2篇，可附1-2张工作图片）报送区中心办公室",
    "请各卫生院把义诊活动图片发群里，用于宣传报道",
    "请各村于周五前报送政务信息，配图2张", "请各校报送信息稿时配图1-2张",
    # 现场图片 is read as 现场图: a picture all the same, going with the article.
    "【政务信息】请各单位报送春耕生产信息稿，需附现场图片2张", "报送政务信息须附现场图片2张",
    # Photos and videos, 现场照片 read as 现场照, go with an article as pictures do.
    "请各村报送一篇政务信息，附2-3张现场照片，用于宣传报道", "公众号推文需要配图，请各村把春耕的现场照片发给宣传办",
    "请各村拍摄春耕视频，用于宣传报道",
    # Photos an official account needs or uses, for its 推送, or to post on it with a 简讯.
    "请把活动照片发我，公众号要推送", "公众号需要几张活动照片，请各村发我", "请各村把春耕照片发给宣传办，上公众号",
    "请各村把活动照片发我，公众号推送要用", "活动照片发给我，用于公众号推送", "推送需要几张活动照片，请各村发我",
    "请把活动照片发我，明天发公众号", "今天活动的照片已经传到群相册了，请宣传员挑选几张写个简讯，明天上午发公众号。",
])
def test_media_mentioned_beside_a_request_for_something_else_is_not_a_proof_demand(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text, media", [
    # A demand reaches what follows it in the sentence, past a comma.
    ("请各村支书今晚十点前，把巡河现场拍照留底", "拍照"),
    ("县里明天来检查，请各村把整治现场拍照上传", "拍照"),
    ("请各村干部每天8点前在群里接龙报到", "接龙"),  # a roll call, not a head count
    ("请把入户走访的照片发给我，明天检查", "照片"),
    ("请各村周五前整改到位，整改前后对比照片发我（私发，别发群里）", "对比照"),
    # Photos uploaded to a platform still stand for the work: 第九条 names the upload,
    # not where it goes. A supervisor can dismiss a 随手拍 that reports a problem.
    ("请各单位上传照片到\"随手拍\"平台", "照片"),
    # Told what to do when the video will not send: the video is still demanded.
    ("巡查视频发不上来的私发我，今晚必须收齐", "视频"),
    ("每户都要拍照，照片发不完的分几次发群里", "照片"),
    # However the way round is told: the trouble is then no report of one's own sending.
    ("请各村今天把走访照片发群里，照片发不上来可以私发我", "照片"),
    ("每户都要拍照，照片群里发不完就分批发", "照片"),
    ("请各校把演练视频上传，视频太大传不上去就压缩一下", "视频"),
    # 发不了 is trouble sending, not "sent": the demand beside it stands.
    ("群里发不了视频的，每户都要有入户视频，明天镇里抽查", "视频"),
    ("视频发不了可以私发给我", "视频"),
    ("请各校今天把消防演练照片上传，照片传不了的私发我", "照片"),
    ("请各村把走访照片提交到系统，提交不了的交到镇党政办", "照片"),
])
def test_a_demand_for_media_is_still_flagged_when_the_request_comes_first(text, media):
    [flag] = run(proof_demand, msg(text))
    assert media in flag["evidence"]


@pytest.mark.parametrize("text, media", [
    ("各村把今天大扫除的照片发一下", "照片"),
    ("各村今天的走访照片发下", "照片"),
    ("请把入户照片传一下", "照片"),
    ("照片上报到党政办", "照片"),
    ("每个村今天拍几张照片，晚上之前交上来", "照片"),
    ("网格员入户后，在群里报个平安，附上照片", "照片"),
    ("各村巡河情况请附照片", "照片"),
    ("今天下村的同志，在群里报一下位置", "位置"),
    ("每天早中晚三次在群里报到，配图", "配图"),
    ("学了的回复\"已学习\"，并附截图", "截图"),
    ("今天入户的请发现场照", "现场照"),
    ("合个影发上来", "合个影"),
    # Sent to a group, named or not, by 发 or 传.
    ("今晚的安全巡查，每到一个点拍个小视频传群里", "小视频"), ("走访视频传到工作群", "视频"),
    ("学完截图发到年级群", "截图"), ("学完截图群里发", "截图"),
    # Chasing them is no question how, nor is a demand with help offered beside it, nor one
    # made whatever it takes.
    ("照片怎么还没发群里", "照片"), ("请各村把走访照片发群里，不会发的问我怎么发", "照片"),
    ("照片怎么又没发群里", "照片"), ("照片怎么又不发群里", "照片"), ("无论如何今晚都要把走访照片发群里", "照片"), ("不管怎样今晚都要把照片发群里", "照片"),
    # Help offered beside a demand asks how only in its own part, though it names the medium.
    ("请各村今晚把走访照片发群里，不会拍照的问我怎么拍", "照片"), ("每户都要拍照，不知道怎么上传照片的私聊我", "拍照"),
    ("截图发群里，如何截图见下图", "截图"),
    # Demanded after a reproach for not sending them, the demand's object the reproach's media.
    ("照片怎么又没发？今晚必须发群里", "照片"), ("照片怎么还没发？今晚必须发群里", "照片"),
    ("视频为什么还没发？今晚十点前发群里", "视频"), ("截图怎么又没发？请各村抓紧发群里", "截图"),
    ("照片咋还没发？今晚必须发群里", "照片"), ("照片怎么又没发？？今晚必须发群里", "照片"), ("照片为啥还不发？赶紧发群里", "照片"),
    ("照片怎么又没发！今晚必须发群里", "照片"), ("照片为什么不发？今晚必须发群里", "照片"),
    # Why they cannot be sent (on time): a reproach as much.
    ("你们村照片为什么不能按时发？今晚必须补上", "照片"), ("照片为什么不能发？今晚必须发群里", "照片"),
    ("照片为什么不能及时报上来？今晚必须报上来", "照片"), ("入户照片怎么一直没上传？请各村今晚补齐上传", "照片"),
    ("视频怎么还没发？发不上来的私发我", "视频"), ("照片怎么一直没发群里", "照片"),
    # Asked why not yet, or why they cannot be sent with a demand after: the reproach stays.
    ("视频为什么不能上传？今晚必须传上来", "视频"), ("照片为什么还没上传？", "照片"), ("照片为什么不上传？", "照片"),
    ("视频为什么不能及时上传？", "视频"), ("为什么你们村的照片还没上传？", "照片"),
    ("为什么你们村的照片一直不上传？马上上传", "照片"),
    # Words between the why and a sending not done, or done only when chased, then a demand.
    ("为什么你们村的走访照片到现在还没发？今晚必须发", "照片"), ("为什么催了三次你们才发照片？今晚必须发齐", "照片"),
])
def test_proof_asked_for_in_everyday_words_is_flagged(text, media):
    [flag] = run(proof_demand, msg(text))
    assert media in flag["evidence"]


@pytest.mark.parametrize("text", [
    "请上传申报材料", "请把会议纪要发群里", "请各村报送统计表", "照片已发，请查收", "照片见附件，请查收",
    "请附身份证复印件和户口本", "请各村上报本月会议纪要和签到表",
    "请把村委会的位置发我，明天督查组过来找不到路", "会议室位置在三楼东侧，请大家准时参加",
    # Publicity among the people (群众), not sending to a group.
    "请各村把防诈骗宣传视频发至各村群众手中", "请各村用小视频宣传群众防诈骗知识",
])
def test_documents_asked_for_in_the_same_words_are_not_proof_demands(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text", [
    # What someone else did, told: no demand on the readers.
    "有人把会议截图发到外面的群，影响很坏", "有人在村民群里发县里的截图，请各村及时澄清",
    "上次有人拍照发群里，被通报了",
    # What was sent, named; a sending forbidden or passed on outside; one's own sending done.
    "转发到家长群的截图里有老师的电话", "4.不外传群内容，不截图、不转发到其他群和社交平台",
    "发到工作群的会议照片里有群众的脸，请注意", "刚才传群里的视频是去年的",
    "我把监控的截图发到本地的“奉新大小事”群了，让大家认一认",
    # Media named by the sending that sent them, however said: what was sent, told.
    "刚发群里的照片是昨天的，大家注意", "刚发到群里的照片是昨天拍的", "昨天发群里的视频是演练，不是真的火情",
    "你发来的照片是去年的", "发过来的照片太模糊了", "上传到系统的照片有几张重复了", "大家发群里的照片我都看了，很好",
    "在群里发的照片是昨天的", "本人郑重声明：我没有转发群里的任何截图，请大家不要猜测",
    "刚才在群里发的那张图片里能看到文件的密级标志，我已经撤回了", "请大家看一下刚发群里的照片是不是昨天的",
    # Media sent already, whatever is to be done with them or guessed of them.
    "刚发群里的照片要删掉", "昨天上传的视频要重新剪一下", "发群里的照片应该是昨天的",
    "大家发群里的照片我都看了，应该没问题",
    # What readers are to do with media sent: no rule for media still to come.
    "发群里的照片请大家及时保存", "上传的视频请各村互相学习", "上传到系统的照片需要审核", "发群里的照片请大家点赞",
    "发群里的照片请大家看看", "上传的照片请大家看一下有没有问题", "发群里的照片请大家核对一下", "上传的照片请各村确认",
    "上传的照片请领导审阅", "报送的照片请各村自查", "发群里的视频要注意保密，不要外传",
    # What media sent are or fail to do, with a 要 or 一定 that requires nothing.
    "上传的照片主要是入户走访的", "发群里的照片不一定是今天的", "上传的视频不能播放",
])
def test_media_sent_to_a_group_told_named_or_forbidden_are_no_demand(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("text, media", [
    # Those who have not yet sent, everyone, or someone to be found: demands on them.
    ("还有人没把截图发到年级群，请抓紧", "截图"), ("所有人都要截图发到年级群", "截图"), ("要有人拍照发到工作群", "拍照"),
    ("每个卡点每小时必须有人拍照上传", "拍照"), ("每个路口须有人值守并拍照上传", "拍照"),
    ("每个点位应有人拍照发到工作群", "拍照"),
    # Forwarded, not forbidden; every evening.
    ("学完截图转发到年级群", "截图"), ("每天晚上截图发到工作群", "截图"),
    # The group's 的 before no medium: still where the media go.
    ("请各村把走访照片发到工作群的相册里", "照片"), ("请把照片发到工作群的同时抄送我", "照片"),
    ("照片统一发到村民群的相册，方便查看", "照片"), ("请各村把照片传群里的相册", "照片"),
    # Sent besides (另外, 额外), not passed on outside.
    ("材料交到党政办，照片另外发到工作群", "照片"), ("请把照片额外发到工作群一份", "照片"),
    # Media named by a sending, with a demand beside: to send them again or on, or how they must be.
    ("请把今天的照片发群里", "照片"), ("请把刚才拍的照片发群里", "照片"), ("请各村把刚拍的视频发到群里", "视频"),
    ("请把昨天发群里的照片重新发一下", "照片"), ("请把发群里的照片也上传到系统", "照片"),
    ("发群里的照片必须带日期水印", "照片"), ("各村发群里的照片都要有日期水印", "照片"), ("请发今天走访的照片", "照片"),
    ("上传的照片必须清晰，每户不少于3张", "照片"), ("没发群里的照片今晚必须补发", "照片"), ("照片发群里的时候要带上村名", "照片"),
    # How media still to be sent must be: the sending is asked for.
    ("上传的照片要清晰，请注明村名", "照片"), ("上传的照片请注明村名和时间", "照片"), ("发群里的照片要注明户主姓名", "照片"),
    ("提交的视频不能超过1分钟", "视频"), ("各村报送的整改前后对比照要一一对应", "对比照"),
    ("上传的照片一定要清晰", "照片"), ("上传的照片要看得清人脸", "照片"), ("上传的照片只要清楚就行", "照片"),
])
def test_media_to_be_sent_to_a_group_by_those_asked_are_demanded(text, media):
    [flag] = run(proof_demand, msg(text))
    assert media in flag["evidence"]


@pytest.mark.parametrize("text, demanded", [
    # Media reproached for not being sent and then urged ...
    ("照片怎么还没发？赶紧发", True), ("走访照片怎么还没传？抓紧传", True), ("截图怎么又没发？马上发", True),
    ("照片快点发，就差你们村了", True),
    # ... not the speaker hurrying their own, one sent in error, nor a post to one's own 朋友圈.
    ("照片我马上发，稍等", False), ("照片发错了，赶紧撤回", False), ("照片拍得真好，赶紧发朋友圈", False),
    ("照片怎么还没发？是不是忘了", False),
    # Nor chatter that hurries something else beside a photo (signing up, expenses, a red packet, a
    # file, what is happening), nor a clerk hurrying their own, whatever the verb; by anyone's 赶快 the
    # photos themselves are hurried.
    ("赶紧报名，名额有限，报名表照片在群里", False), ("尽快报销，照片已经附上了", False), ("快发红包，照片我都看到了", False),
    ("马上发生的事，视频里都有", False), ("赶紧交作业，照片我看了", False), ("快发言，照片的事一会儿说", False),
    ("马上报道，照片随后", False), ("尽快交费，缴费截图我收到了", False), ("快发通知，照片的事另说", False),
    ("马上发文件，照片在附件里", False), ("赶紧发工资，照片都拍好了", False), ("赶紧报到，合影照片我来拍", False),
    ("好的，照片我尽快报", False), ("收到，照片我马上交", False), ("截图我赶快传", False),
    ("照片怎么还没报？赶紧报", True), ("照片还有几个村没交，赶紧交", True), ("走访照片怎么还没传？赶快传", True),
    ("入户照片尽快交上来", True), ("巡河照片怎么还没发？赶紧发照片", True),
    # Photos an inspection is to see are asked for, whatever is let off about the group ...
    ("照片发不发群里无所谓，但镇里检查要看到照片", True), ("检查组要看到照片，各村做好准备", True),
    ("验收要看到不同角度的照片，请提前拍好", True), ("检查要看到没有遮挡的门牌照片，都拍清楚", True),
    # ... not the ledger it is to see, photos left to the villages, nor photos looked at.
    ("检查组要看到台账，各村做好准备", False), ("照片发不发群里都行", False), ("看到照片很感动，辛苦大家了", False),
    # ... nor photos it is said not to want; photos it is to see, after what else, are demanded.
    ("督查要看到整改，不是要照片", False), ("督查要看到实效，不是要照片", False), ("检查组要看到台账，照片不需要", False),
    ("督查组要看到整改前后的照片", True), ("验收要见到现场照片，各村准备好", True), ("考核需要看到入户照片", True),
    # Let off only sending them every day, then told when they go: still demanded, less often ...
    ("打卡截图不需要每天发，每周五统一发群里", True), ("走访照片不用每天发，每周一汇总发群里", True),
    ("学习截图不必天天发，周五前统一上传", True), ("照片不用每次都发，月底统一发我", True),
    # ... not let off with no sending after, nor one told of.
    ("截图不用每天都发了，大家辛苦", False), ("照片不用每天发，发了也没人看", False), ("照片不用每次都发，有问题再说", False),
    # Let off the group too, but told when they go, still demanded; let off twice, nothing is.
    ("照片不用每天发，也别发群里了，周五统一发我", True), ("走访照片不需要天天发，不要发大群了，每周五统一发我", True),
    ("照片不用每天发，每周也不用报", False), ("打卡截图不需要每天发，发了也没用", False),
    # Footage of a drowning or an accident that happened is evidence to look into, not proof of work ...
    ("昨天二组发生溺水事件，谁有现场视频发我一下", False), ("村里发生一起意外，谁有现场照片发我一下", False),
    ("刚才二组发生打架事件，谁有视频发我", False), ("村口发生车祸了，谁拍了照片发我一下", False),
    # ... but photos of the work against it, or set after it, are its proof.
    ("昨天发生溺水事件后，请各村开展防溺水宣传，宣传照片发群里", True),
    ("为防止发生溺水事件，请各村巡查河塘，巡查照片发群里", True), ("请各村今晚把防溺水巡查视频发群里", True),
])
def test_media_urged_kept_for_an_inspection_or_sent_less_often_are_demanded_but_an_incidents_footage_is_not(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # Sent less often, however plainly the sending is said, is sent still ...
    ("签到截图不用每天发，每周汇总发一次", True), ("走访照片不用每天发，一周汇总报一次", True),
    ("照片不用每次都发，月底统一交", True), ("学习截图不用每天发，周五交一次就行", True),
    # ... not let off with nothing sent after, or with thanks after.
    ("签到截图不用每天发了", False), ("签到截图不用每天发，大家辛苦了", False), ("签到截图不用每天发，以后不发了", False),
    ("签到截图不用每天发，周一发的那次算数", False), ("签到截图不用每天发，发过的不用撤回", False),
])
def test_screenshots_let_off_daily_but_sent_weekly_are_still_demanded(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # A member asks whether media are needed, the question mark left off or not ...
    ("检查要看到照片吗？", False), ("检查要看到照片吗", False), ("照片要发群里吗？", False), ("需要截图吗？", False),
    ("照片是不是要发群里？", False), ("是否需要上传照片？", False), ("要不要拍照留痕？", False),
    ("考核要看到照片吗？我们都是纸质台账", False),
    # ... not a demand with a check that it was heard, a request put as a question, or a reproach.
    ("检查要看到照片，知道吗？", True), ("走访照片都要上传系统，知道吗", True), ("大家能把照片发一下吗？", True),
    ("今晚能把走访照片发群里吗？", True), ("不是说了每户都要拍照吗？怎么又没拍", True), ("镇里检查要看到照片", True),
    # To see is to see, 到 or not; not a visit (看望), nor what was seen.
    ("检查要看照片", True), ("县里检查要看照片和台账，请各村准备好", True), ("督查组要看到整改前后的照片", True),
    ("领导检查要看照片吗", False), ("检查要看台账，不要照片", False), ("检查组看了照片，说不错", False),
    ("检查要看望困难群众，带上慰问品", False),
    # ... nor media set against what the inspection is to see.
    ("检查要看实际效果而非照片", False), ("考核要看群众满意度不看照片", False), ("检查要看台账和照片", True),
    # ... nor works judged for their quality.
    ("评比要看视频质量和创意", False), ("评比要看照片，每户一张", True),
])
def test_a_member_asking_whether_media_are_needed_demands_none(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # Photos of a member's wedding or baby asked for fun, or photos mailed as material: no proof ...
    ("快发照片看看新娘子", False), ("婚礼现场照片快发一下，大家都想看新娘", False), ("快发照片看看你家宝宝", False),
    ("婚纱照发群里让大家看看", False), ("请各网格员入户后自拍一张发群里", True), ("照片发我邮箱就行，不急", False), ("视频发我邮箱吧，群里发不了", False),
    # ... but photos of the work, or asked for by mail with the work named or a demand after, are.
    ("快发照片看看你们村的新路灯", True), ("快发照片看看整改效果", True), ("宝宝体检照片发群里，每户都要有", True),
    ("新娘新郎的婚事新办宣传照片请各村发群里", True), ("走访照片发我邮箱，每户一张", True),
    ("请各村把入户走访照片发我邮箱", True), ("照片发我邮箱，每户都要有", True), ("照片传我邮箱，今晚前必须传", True), ("照片发我邮箱，或者发群里也行", True),
])
def test_photos_asked_for_fun_or_mailed_as_material_are_no_proof_demand(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # A leader asks whether photos are needed only to answer it, urging them sent ...
    ("照片还没发的抓紧，检查要看到照片吗？都自觉点", True), ("检查要看到照片吗？还不赶紧发", True),
    ("巡河照片是否要上传？要上传，每天一张", True), ("照片要发群里吗？要！今晚都发", True),
    # ... or puts a demand as a question, or lets nothing off whether or not it is checked.
    ("照片必须发群里知道吗", True), ("走访照片今晚必须发群里好吗", True), ("每户照片无论是否需要检查都要上传", True),
    ("照片要发群里吗？要的", True), ("检查要看到照片吗？当然要看", True), ("照片是否需要发群里？请各村今晚前发", True),
    ("请各网格员确认是否需要补拍照片，需要的今晚发群里", True),
    # A member asking, with nothing urged, still asks.
    ("检查的时候要看到照片吗？我记得上次没要", False), ("照片要不要发群里？", False), ("是否需要上传照片？", False),
    ("请问照片怎么上传？我马上弄", False), ("检查要看到照片吗？要是要看，明天补拍", False),
    ("照片要发群里吗？需要的话明天补发", False), ("照片要发群里吗？得看县里要求", False), ("照片要发群里吗？当然要", True),
    ("照片必须今晚发吗？能不能明天", False), ("照片要发群里吗？请示一下领导", False),
    ("照片要发群里吗？请各村自行决定", False),
])
def test_a_question_whether_photos_are_needed_that_the_leader_answers_or_urges_is_a_demand(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # The daily screenshots let off, the speaker sending a weekly summary on, or something else sent ...
    ("截图不用每天发，我每周汇总报一次", False), ("照片不用每天发，我这边周五统一报县里", False),
    ("打卡截图不用每天发，每周五我统一报", False), ("定位截图不用每天发，每周交一次考勤表", False),
    ("学习截图不用天天发，县里只要周报", False), ("巡河照片不需要每天发，有问题再发", False),
    ("巡河视频不用每天发，需要的时候再发", False),
    # ... ask for no media; the members sending them weekly still do.
    ("巡河照片不需要每天发，每周一发一次", True), ("学习截图不用天天发，周五统一交", True),
    ("走访照片不用每次都传，月底一起传系统", True), ("打卡截图不用每天发，周五再发", True), ("截图不用每天发，月报里附上", True),
    ("截图不用天天发，每周五交党政办", True), ("照片不用每天发，每周报一次镇里", True),
])
def test_screenshots_let_off_daily_while_the_speaker_reports_weekly_are_no_demand(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # Photos of a newborn visit or a children's event prove the work ...
    ("请各村医把新生儿访视照片发群里，重点看宝宝黄疸情况", True), ("各村妇联主席入户看宝宝，照片发群里", True),
    ("请各网格员入户看宝宝并拍照上传", True), ("六一萌娃才艺展示活动，请各幼儿园拍照发群里", True),
    # ... a colleague's baby or bride shown for fun does not.
    ("快发照片看看你家宝宝", False), ("快发照片看看新娘子", False), ("快发照片看看宝宝", False),
    ("让我们看看宝宝，快发照片", False), ("萌娃照片发群里大家看看", False),
])
def test_photos_of_a_newborn_visit_or_a_childrens_event_are_proof_of_work(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # Photos to the mailbox by a deadline, from the villages, or for a check, a score or the files ...
    ("照片今晚发我邮箱", True), ("视频明天发我邮箱", True), ("照片务必发我邮箱", True), ("照片一律发我邮箱", True),
    ("照片发我邮箱，县里要检查", True), ("照片发我邮箱，作为考核依据", True), ("照片发我邮箱，留档备查", True),
    ("照片发我邮箱，没发的扣分", True), ("照片发我邮箱，每个村至少5张", True), ("照片发我邮箱，周五截止", True),
    # ... or after a sentence that sets the work they show, prove it.
    ("请各村今天开展入户走访。照片统一发我邮箱", True), ("入户走访要拍照。照片发我邮箱", True),
    ("照片发我邮箱\n每户都要有", True), ("照片发我邮箱。没发的扣分", True),
    # Photos for the speaker's own use, by mail, are material.
    ("照片发我邮箱，我做个PPT", False), ("图片发我邮箱，我做展板用", False), ("照片发我邮箱就行，不急", False),
    ("照片发我邮箱，我明天看", False), ("照片发我邮箱就行，不急\n今天辛苦了", False),
])
def test_photos_mailed_by_a_deadline_for_a_check_or_after_the_work_set_are_proof(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # What the sender attached, as the export writes it, is the sender's own sending ...
    ("按镇里要求报送本周整治进展：清运垃圾8车[图片]×3", False), ("周末去明月山拍的，晒一下[图片]", False),
    ("整改完了，前后对比照片发一下，领导看看行不行[图片]×2", False),
    # ... unless others are still asked for theirs.
    ("请各村今晚把整治照片发群里，我们村的在这[图片]", True),
    # Showing off one's own pictures is no demand.
    ("晒晒我家院子里的桂花，香得很", False),
    # Hearsay tells of a demand heard of ...
    ("听说以后网格员每天都要发定位到群里，达不到的扣钱", False), ("哎，据说下个月起每周都要拍照打卡", False),
    # ... unless it asks outright.
    ("听说明天市里暗访，请各村今晚把整改照片发群里", True), ("听说检查要看照片，大家提前准备一下", True),
    # The speaker's own screenshots, kept or passed on, and a complaint or a proposal about a demand.
    ("我把主任昨天在群里说的话全截图了，大家评评理", False), ("我已经把那段视频发给律师朋友了", False),
    ("入户都要拍照上传，群众很反感，建议改成系统签到", False),
    # A prohibition of the media, also when they are listed after it, and their deletion or masking.
    ("请勿在工作群发与工作无关的内容，比如美食、旅游照片", False), ("名单请在系统里查看，勿截图", False),
    ("存在手机里的群众信息截图，工作结束后及时删除", False), ("在群里发照片注意把群众的脸打码", False),
    ("入户照片仅用于台账，不得发群", False),
    # A sign-up, a clock-in for the office's hours, a fault or a scam to report are no proof of work.
    ("想报名参加培训的在群里接龙登记", False), ("下周起上下班一律用APP打卡，未在范围内打卡的视为缺勤", False),
    ("系统登录不上的截图发我，我统一找厂家", False), ("有人收到诈骗短信的，截图留存证据报派出所", False),
    ("新平台bug多，遇到问题截图发我，我反馈给厂家", False), ("那个“打卡群”已经解散了，以后按月报进度", False),
    ("已整改，照片稍后上传", False),
    # The demands beside them stay demands.
    ("请各村今天拍照上传整治前后对比照，注意把群众的脸打码", True), ("学完截图发群里，今晚统计", True),
])
def test_own_sendings_hearsay_prohibitions_sign_ups_and_faults_are_no_proof_demand(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


@pytest.mark.parametrize("text, demanded", [
    # An attachment shown as the example to follow, hearsay with a real request after it, and
    # an act after a video watched still demand ...
    ("[图片] 照这个样子，每户门口拍一张", True), ("[视频]×2 这是示范，大家照着拍，拍完发群里", True),
    ("据说下周检查要看照片，大家先把走访照片拍好发群里", True), ("听说市里要暗访，各村今天的整改照片发群", True),
    ("听说领导要看，今天的现场照片务必发群", True),
    ("组织学生观看安全教育视频，观看后班主任拍摄学生观看照片上传群里", True),
    # ... hearsay alone, a grumble, a choice asked, a reply's promise and an incident's footage do not.
    ("听人家讲要每户拍照，我们村还没开始", False), ("又要拍照上传，有完没完😩", False),
    ("走访照片是发群里还是传系统？", False), ("收到，明天一早拍照上传", False), ("村口有人烧秸秆，谁在附近拍个视频发我", False),
    ("有没有老师记得去年的评分标准，截图发一下", False), ("活动时多拍几张照片，发给办公室写信息报道", False),
    ("劝导时要拍照片，每天下班前把劝导照片打包发内勤", True),
])
def test_examples_to_follow_and_requests_after_hearsay_demand_but_grumbles_and_promises_do_not(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


def _with(key: str, words: list[str]) -> dict:
    section, _, name = key.partition(".")
    config = copy.deepcopy(CONFIG)
    config[section][name] = words
    return config


def _found(judge, message, config: dict) -> bool:
    # A detector's flag, or (`demands`) media the wording rules find asked, as proof or of many for another end.
    if judge == "demands":
        return proof_wording.demands(config)(message) is not None
    return bool(judge.detect([message], config, fresh_context()))


@pytest.mark.parametrize("judge, text, key, added, found_before", [
    # An archive's own word for an example to follow beside a picture ...
    ("demands", "[图片] 照此拍一张发群里", "proof_demand.example_words", ["照此"], False),
    # ... for those asked after hearsay, or for the many asked for media for another end ...
    ("demands", "据说要截图，网格员们学完都截个图发群里吧", "proof_demand.asked_outright_patterns", ["网格员们"], False),
    ("demands", "新入职人员把身份证照片发人事科", "proof_demand.to_many_patterns", ["新入职人员"], False),
    # ... for help that sets no task, and for a reply's "at once" that passes a task on.
    ("demands", "系统登不上的同志，把报错截图发群里，信息中心统一处理", "proof_demand.no_task_patterns", ["统一处理"], True),
    (after_hours, "收到，转头就请各村落实", "after_hours.at_once_words", ["转头"], True),
])
def test_an_archive_adds_its_own_words_to_the_lists_that_tell_a_demand(judge, text, key, added, found_before):
    night = msg(text, sent_at="2025-03-04T22:30:00")
    section, _, name = key.partition(".")
    assert _found(judge, night, CONFIG) is found_before
    assert _found(judge, night, _with(key, CONFIG[section][name] + added)) is not found_before


@pytest.mark.parametrize("text, demanded", [
    # Sent to a group named right after the sending, or to an office or a post, in plain words ...
    ("各科室消毒完成后拍照发院感群", True), ("整改前后照片报办公室", True), ("各所把现场照片报一下指挥中心", True),
    ("请全体老师把家访照片交到德育处，一户一张", True), ("请各社区把宣传照片发社区办", True), ("请把开会的照片甩群里", True), ("学完记得截个屏发我", True),
    ("搞完了拍个照发群里，莫要忘了", True), ("各包保干部入户后在群里发定位", True), ("能不能请大家把今天的照片发一下？", True),
    # ... but not passed on for publicity, told done, asked of whoever can, or forbidden.
    ("宣传视频已上传，请各村转发视频到村民群", False), ("已核实是谣言，已截图报县网信办", False),
    ("我已经把他的照片发村民小组长群里了", False), ("谁能把这学期的课表拍个照发我，我的丢了", False),
    ("能不能不要每天拍照上传了", False), ("医保系统结算失败的，截图发信息科，我们统一报厂家", False),
    ("报进度的时候附上施工现场照片，没照片的不算", True), ("家属送了锦旗，拍个照发医院公众号宣传一下吧", False),
    ("愿意去的老师请接龙", False),
])
def test_media_sent_to_a_named_group_or_office_in_plain_words_are_demanded(text, demanded):
    assert bool(run(proof_demand, msg(text))) is demanded


def test_a_valid_id_number_is_flagged_and_masked():
    [flag] = run(privacy, msg("户主身份证号360902195811203424，请核对"))
    assert "3609**********3424" in flag["evidence"] and "360902195811203424" not in flag["evidence"]


def test_an_id_like_number_with_a_wrong_check_digit_is_not_flagged():
    assert run(privacy, msg("编号360902195811203423，请核对")) == []


@pytest.mark.parametrize("text, shown", [
    ("投诉人电话15879503146，住在幸福小区", "158*****146"),
    ("一卡通账号6217995020031487654，请财政所核实", "6217***********7654"),
])
def test_phone_and_bank_card_numbers_are_masked(text, shown):
    [flag] = run(privacy, msg(text))
    assert shown in flag["evidence"]


@pytest.mark.parametrize("text, shown", [
    ("补贴打到卡号 6222021234567890128 上", "6222***********0128"),
    ("工资卡 6217001234567893，请核对", "6217********7893"),
    ("账号 6217 0012 3456 7893，户名李华", "6217********7893"),
    ("@财务 他的银行卡 6230-5911-2233-4455-668 建行", "6230***********5668"),
    ("卡号6217001234567893 3000元", "6217********7893"),  # a sum after it, not more of the number
    ("卡号 9558801234567890128", "9558***********0128"),  # an older domestic card
])
def test_a_bank_card_number_after_a_space_or_written_in_groups_is_flagged_and_masked(text, shown):
    [flag] = run(privacy, msg(text))
    assert flag["evidence"] == f"消息中含有个人信息：银行卡号 {shown}"


@pytest.mark.parametrize("text", [
    "补贴打到卡号 6222021234567890127 上",  # Luhn check fails: a typo or not a card
    "订单号 6217 0012 3456 7893 1234，请核对",  # a longer grouped number, not a card inside it
    "流水号 621700123456789312345，请核对",  # 21 digits: too long for a card, whatever is inside
    "身份证号 362202-19850312-3418",  # an ID's check digit fails
    "流水号 362202-19850312-3417-01",  # a longer grouped number, not an ID inside it
])
def test_a_number_that_is_not_a_whole_valid_card_or_id_is_not_flagged(text):
    assert run(privacy, msg(text)) == []


def test_an_id_number_and_a_phone_number_after_spaces_are_each_reported_once():
    [flag] = run(privacy, msg("户主 360902195811203424 电话 15879503146"))
    assert flag["evidence"] == "消息中含有个人信息：身份证号 3609**********3424；手机号 158*****146"


@pytest.mark.parametrize("text", [
    "【通知】请各村于3月10日前报送春耕数据，联系人：王磊，电话：13870512345。",
    "联系人：县政务服务中心李明，联系电话：13907950123",
    "如有疑问请联系镇农业农村办张主任，手机18979512345",
    "联系人：王老师 158 7950 3146（微信同号）",
    "有事打我电话13979512345，24小时开机。",
    "全县财政总收入15360000000.00元，同比增长5%",
    # Every number of a duty roster or a contact list, not only the first; colleagues' and one's own.
    "3月防汛值班表：\n3月4日 带班领导王建军 13907951234，值班人员刘洋 15979512345\n3月5日 带班领导陈静 13607953456",
    "3月防汛值班表：\n3月4日 王建军 13907951234\n3月5日 刘洋 15979512345",  # the heading makes it a roster
    "各村联络员：石门村 王磊 13907951234；新庄村 陈静 15979512345",
    "联系电话：13907951234（刘洋），15979512345（陈静）",
    "值班电话：13907951234，0795-2781234；带班领导：王建军 15979512345",
    "有事联系我，13907951234",
    "张书记手机号13907951234，有急事打他电话",
    "我的电话13907951234，有事随时打",
    "3月防汛值班表如下，请值班人员24小时保持通讯畅通。\n3月4日 王建军 13907951234\n3月5日 刘洋 15979512345",
    "有问题请联系值班室13907951234",  # an office's number
    "学生资助咨询电话：13907951234，13807954321",  # a public line: its topic is who calls it
    "居民医保缴费咨询电话：13907951234",
    "报名请联系镇党政办，电话15979512345",
    "监督举报电话：13907951234", "举报电话 13907951234",  # public lines too
    # A notice received and passed on, in a clause before the line: the line is still public.
    "接到县纪委通知，监督举报电话：13907951234，请各村张贴公示", "收到，监督举报电话：13907951234",
    "镇民政办：13907951234", "镇民政办电话：13907951234",  # an office's number, its name the line's label
    # A school's, a hospital's and the police's offices are offices too.
    "期中考试安排有疑问的，请联系学校教务处，13907951234", "县人民医院医务处：13907951234", "城关交警中队：13907951234",
    # Staff told to answer a public line, or a notice received and the line then put up:
    # no call was taken on it, the number is the line's.
    "春节期间各值班人员要24小时接听值班电话13907951234，不得关机。",
    "值班人员接听服务热线13907951234时要使用文明用语。",
    "请各村收到通知后在村务公开栏张贴镇纪委监督举报电话13907951234。",
    # A roster's own subheadings (days, shifts) name no one else: its list goes on under them.
    "3月防汛值班表：\n周一：\n王建军\n13907951234\n周二：\n刘洋\n15979512345",
    # Nor do those naming a duty, whoever it serves: the staff on it are listed under it.
    "春节期间值班安排：\n信访维稳值班：\n王建军 13907951234\n刘洋 15979512345",
    "疫情防控值班安排：\n患者转运组：\n王建军 13907951234\n家属接待组：\n刘洋 15979512345",
    # A duty named by those it serves, with no list of them: its staff are listed under it.
    "春节期间值班安排：\n带班领导：王建军 13907951234\n接待群众来访：\n刘洋 15979512345",
    "防汛值班安排：\n带班领导 王建军 13907951234\n包保困难户：\n刘洋 15979512345\n陈静 13607953456",
    # The same subheadings without a colon, and a list of no one else's (参会人员名单), as with one.
    "3月防汛值班表\n周一\n王建军 13907951234\n周二\n刘洋 15979512345",
    "春节期间值班安排\n信访维稳值班\n王建军 13907951234\n接待群众来访\n刘洋 15979512345",
    "本周值班表\n周一 王建军 13712345678\n参会人员名单\n张三 13800001234",
    # A duty named by the matter it handles, with a colon or without: 信访, 投诉, 咨询 are the work.
    "春节值班安排\n信访\n王建军 13907951234\n应急\n刘洋 15979512345", "春节值班安排\n信访：\n王建军 13907951234",
    "12345热线值班表\n投诉\n王建军 13907951234\n咨询\n刘洋 15979512345",
    # A roster's heading naming those its duty serves: the staff serving them are listed.
    "信访接待值班表\n周一 王建军 13907951234\n周二 刘洋 15979512345", "信访值班表：\n周一 王建军 13907951234",
    "接待群众来访值班安排：\n周一 王建军 13907951234",
    # On one line too: the heading's words are judged as the heading's, not said of a number.
    "群众来访接待值班安排：周一 刘洋 13907951234，周二 王芳 15979512345",
    "信访接待值班表：周一 王建军 13907951234；周二 刘洋 15979512345",
    "信访接待值班表：周一 王医生 13907951234；周二 刘护士 15979512345",
    # Liaisons named by those they serve are staff: their list goes on.
    "村联络员名单\n王磊 13712345678\n留守老人联络员\n张三 13800001234\n李四 13900005678",
    # A duty serving patients is staff's work: the staff on its roster are given for work.
    "患者转运值班表\n周一 王建军 13907951234\n周二 刘洋 15979512345", "患者转运值班表：周一 王建军 13907951234",
    # An official by title, the number right after it, under an office's label or not.
    "镇民政办：王主任13907951234", "民警刘警官13907951234", "有事找派出所刘警官：13907951234",
    "镇卫生院李院长13907951234", "中心小学王校长：13907951234", "联系镇卫生院刘医生13907951234",
])
def test_a_number_given_to_be_called_for_work_or_an_amount_is_no_privacy_breach(text):
    # Nearly every township notice ends with a contact number: 第十一条 protects others' privacy.
    assert run(privacy, msg(text)) == []


@pytest.mark.parametrize("text, shown", [
    ("投诉人电话13912345678，请联系核实", "手机号 139*****678"),
    ("请联系患者家属13912345678了解情况", "手机号 139*****678"),
    ("王某的手机号是13979512345，家住城北小区", "手机号 139*****345"),
    ("手机+8615879503146", "手机号 158*****146"),
    ("户主身份证 3609 0219 5811 2034 24，请核对", "身份证号 3609**********3424"),
    ("户主身份证 360902 19581120 3424，请核对", "身份证号 3609**********3424"),
    ("身份证号 362202-19850312-3417", "身份证号 3622**********3417"),
    ("学生张某某 学籍号G360902201501011233 请班主任核对", "身份证号 3609**********1233"),
    ("身份证360902195811203424 13979512345", "身份证号 3609**********3424；手机号 139*****345"),
    # Someone else's number, whatever contact words are near it.
    ("投诉人张三反映小区噪音问题多次未解决，请联系他：13812345678", "手机号 138*****678"),
    ("信访人王某某，联系电话13812345678，住幸福村三组", "手机号 138*****678"),
    ("低保户李某某联系电话13812345678，请核实", "手机号 138*****678"),
    ("咨询人刘某某 13812345678", "手机号 138*****678"),
    ("请联系王大爷13812345678，他家房子漏雨", "手机号 138*****678"),
    ("王某的电话13907951234，他欠钱不还", "手机号 139*****234"),
    ("村民王某患尿毒症住院了，家属电话13812345678，大家有空问候一下", "手机号 138*****678"),
    # Beside work numbers: a roster's heading or a liaison excuses only the work numbers.
    ("3月防汛值班表：\n3月4日 带班领导王建军 13907951234\n求助群众李某 15979512345，家住石门村", "手机号 159*****345"),
    ("各村联络员：石门村 王磊 13907951234。反映问题的村民陈某 15979512345", "手机号 159*****345"),
    ("张书记手机13907951234，村民李四手机13807954321", "手机号 138*****321"),  # the 村民 is the second's
    # Words that look like a contact field, and a roster that ended before the number.
    ("请联系所在村核实，刘建华13807954321", "手机号 138*****321"),
    ("这户的宅基地纠纷请联系镇里处理，刘建华13807954321", "手机号 138*****321"),  # what to do, no office
    ("联系我村刘建华13807954321，他家房屋漏雨", "手机号 138*****321"),
    ("各村联络员：今天反映的问题户 刘建华 13807954321 请核实", "手机号 138*****321"),
    # A roster word, then a full stop and more said on its line: the list, if any, is over.
    ("@各村联络员 请注意查收。新庄村3组刘建华13807954321反映自来水停了三天，请水务站今天上门", "手机号 138*****321"),
    ("值班安排已调整。昨晚砂场老板陈某13607951234又来闹了，派出所已介入", "手机号 136*****234"),
    # A heading saying whose numbers follow (低保户名单：) ends a duty roster's or a liaison
    # list: the villagers' numbers on their own lines under it are theirs. A public line and
    # an office's number after them are still given for work.
    ("本周值班表：\n周一 王建军 13712345678\n低保户名单：\n张三\n13800001234\n李四\n13900005678\n"
     "值班电话：13612345678\n监督举报电话：13512345678\n镇民政办：13312345678", "手机号 138*****234；手机号 139*****678"),
    ("村联络员：王磊 13712345678\n\n低保户名单：\n张三\n13800001234", "手机号 138*****234"),
    ("本周值班表：\n周一 王建军 13712345678\n以下为需重点走访的低保户：\n张三 13800001234", "手机号 138*****234"),
    # Without a colon, the heading on its own line ends the roster's list as well.
    ("本周值班表\n周一 王建军 13712345678\n低保户名单\n张三 13800001234", "手机号 138*****234"),
    ("村联络员名单\n王磊 13712345678\n需走访的困难户\n张三 13800001234\n李四 13900005678",
     "手机号 138*****234；手机号 139*****678"),
    # Those who bring the matter, or their list, are others all the same.
    ("春节值班安排\n信访\n王建军 13907951234\n信访人\n李某 13800001234", "手机号 138*****234"),
    ("12345热线值班表\n投诉\n王建军 13907951234\n投诉人名单：\n李某 13800001234", "手机号 138*****234"),
    # However the heading counts them or names their list; a list of those a duty serves too.
    ("本周值班表：\n周一 王建军 13712345678\n需走访的困难户（3户）：\n张三 13800001234", "手机号 138*****234"),
    ("本周值班表：\n周一 王建军 13712345678\n慰问困难群众名单及电话：\n张三 13800001234", "手机号 138*****234"),
    # Those a roster's line names may be the people themselves: the evacuees moved.
    ("防汛值班安排：\n带班领导 王建军 13712345678\n转移安置群众：\n张三 13800001234", "手机号 138*****234"),
    # An office's name labels only the number right after it: an office speaking ("镇综治办：")
    # and a form's field (住所：) tell whose number follows after the colon.
    ("镇综治办：新庄村刘建华13807954321，家中有精神障碍人员，请网格员重点关注", "手机号 138*****321"),
    ("姓名：张三，住所：新庄村3组，电话：13812345678", "手机号 138*****678"),
    # A report call taken is the caller's number, not the public line's.
    ("刚才那个举报电话是13812345678打来的，以后直接拉黑", "手机号 138*****678"),
    ("接到一个举报电话：13812345678，说村道塌方了", "手机号 138*****678"),
    ("刚接到的举报电话13812345678，反映养猪场污染", "手机号 138*****678"),
    ("收到群众举报电话13812345678，反映河道有人电鱼", "手机号 138*****678"),
    ("接到一个咨询电话：13812345678，问低保政策", "手机号 138*****678"),
    ("今天上午接听了一个咨询电话13812345678，问医保缴费的事，请医保站回个电话", "手机号 138*****678"),
    ("接到12345热线来电13812345678，反映路灯不亮，请城管站处理", "手机号 138*****678"),
    # A resident's number beside an office, a title or a duty serving them: still theirs.
    ("低保户张某某电话13907951234", "手机号 139*****234"),
    ("患者家属张老师13907951234", "手机号 139*****234"),
    ("患者家属王医生13907951234", "手机号 139*****234"),
    ("镇民政办：低保户王某13907951234", "手机号 139*****234"),
    ("王主任说村民李四13907951234", "手机号 139*****234"),
    # A resident called by a title of courtesy (老师, 主任) is still a resident.
    ("报警人王老师13907951234称家中被盗，请城关所出警", "手机号 139*****234"),
    ("受害人李老师13907951234被骗3万元，请反诈中心跟进", "手机号 139*****234"),
    ("病人王老师13907951234明天出院，请护士站通知", "手机号 139*****234"),
    ("业主张老师13907951234反映楼上漏水", "手机号 139*****234"),
    ("车主李主任13907951234的车挡住消防通道了，谁认识通知一下", "手机号 139*****234"),
    ("信访接待值班表：\n周一 王建军 13907951234\n来访群众李某 15979512345", "手机号 159*****345"),
    ("信访接待值班表：周一 王建军 13907951234，来访群众李某 15979512345", "手机号 159*****345"),
    ("低保户走访值班表：周一 王建军 13907951234", "手机号 139*****234"),
    ("留守老人联络员\n张三 13800001234\n需关注的留守老人：\n李大爷 13900005678", "手机号 139*****678"),
    ("患者转运值班表：\n周一 王建军 13907951234\n待转运患者李某 15979512345", "手机号 159*****345"),
    ("需转运患者名单：\n李某 15979512345", "手机号 159*****345"),
    # What leads into a contact field is said of every number of its list.
    ("低保户联系电话：张三13912345678，李四13812345678，王五13712345678",
     "手机号 139*****678；手机号 138*****678；手机号 137*****678"),
])
def test_someone_elses_number_is_flagged_however_it_is_written(text, shown):
    [flag] = run(privacy, msg(text))
    assert flag["evidence"] == f"消息中含有个人信息：{shown}"


@pytest.mark.parametrize("module, text, hidden", [
    (proof_demand, "请把走访照片发给李明13979512345，他负责汇总。", "13979512345"),
    (proof_demand, "请网格员今晚把走访照片发群里，张大爷电话138 1234 5678", "1234 5678"),
    (red_packet, "[红包] 张三 3609 0219 5811 2034 24", "0219 5811"),
    (red_packet, "[转账]卡号6228-4800-1234-5671", "4800-1234"),
    (proof_demand, "请王秋生（身份证362202-19850312-3417）今天下班前把入户走访照片发群里", "19850312"),
    # Cut short after masking, not before: a number cut in two is still a number.
    (red_packet, "[转账]石门村王秋生的生活补助，卡号6228-4800-1234-5671", "4800"),
    (proof_demand, "请各村网格员今天下班前把入户走访照片发群里，王秋生家的低保补助照片也要拍，补助款打到他的农行卡号6228-4800-1234-5671",
     "4800"),
])
def test_evidence_quoting_a_message_masks_the_numbers_in_it(module, text, hidden):
    [flag] = run(module, msg(text))
    assert hidden not in flag["evidence"]


@pytest.mark.parametrize("text, shown", [
    ("身份证362202-19850312-3417", "身份证3622**********3417"),
    ("身份证 3622 0219 8503 1234 17", "身份证 3622**********3417"),
    ("卡号6228-4800-1234-5671", "卡号6228********5671"),
    ("卡号6228 4800 1234 5671", "卡号6228********5671"),
    ("卡号6228.4800.1234.5671", "卡号6228********5671"),
    ("手机138-7951-2345", "手机138*****345"),
    ("手机138.7951.2345，微信同号", "手机138*****345，微信同号"),
    ("手机 1387 951 2345", "手机 138*****345"),
])
def test_masking_hides_an_id_card_or_phone_number_however_it_is_grouped(text, shown):
    assert privacy.masked(text) == shown


@pytest.mark.parametrize("text", ["请于2025-03-10前上传，共3 个村", "2025.03.10 上午9点", "完成进度1/3", "V2.3.1版",
                                  "2025-03-04 14:30:00开会", "会议号 892-394-567"])
def test_masking_numbers_leaves_dates_versions_and_short_numbers_alone(text):
    assert privacy.masked(text) == text


@pytest.mark.parametrize("text, shown", [
    ("联系电话0795-2781234", "联系电话0795-2*****4"),  # the area code is no one's
    ("传真27812345", "传真2******5"),
    ("编号123456789", "编号12*****89"),
    ("工单1234567890", "工单12******90"),
])
def test_a_short_number_is_masked_without_a_digit_added_or_most_of_it_shown(text, shown):
    assert privacy.masked(text) == shown


def test_landlines_and_invoice_like_numbers_are_not_privacy():
    assert run(privacy, msg("联系电话0795-3207715，文号宜府办字〔2025〕12号，金额123456.00元")) == []


def test_secret_marked_text_is_flagged_but_a_reminder_is_not():
    [flag] = run(secret, msg("秘密★1年\n靖安县全国两会期间安全稳定工作方案\n一、总体要求"))
    assert "秘密★1年" in flag["evidence"] and flag["article"] == "群规 第十一条"
    assert run(secret, msg("涉密文件严禁上传微信群，秘密★级材料一律走机要渠道")) == []


def test_a_document_marked_secret_is_flagged_even_if_its_marking_says_not_to_copy_it():
    # The marking itself says 不得翻印: that does not make the message a reminder.
    [flag] = run(secret, msg("【秘密★1年】县委常委会会议纪要（此件不得翻印），请各位传阅。"))
    assert "秘密★1年" in flag["evidence"]
    [flag] = run(secret, msg("【秘密】关于做好信访维稳工作的通知，严禁外传"))
    assert "【秘密】" in flag["evidence"]


@pytest.mark.parametrize("text", [
    "有一份机密级文件，请张书记到机要室阅看。",  # a file has come: read it in the 机要室
    "请到机要室领取机密级文件。",
    "今天收到县委秘密★1年文件一份，请相关领导到办公室阅文。",
    "县委转发的秘密★文件请于今天下午到机要室签收。",
    # A graded copy named, then where to sign for it: the rule kept, nothing of it passed on.
    "秘密级文件复印件，请到机要室签收", "机密级文件一份，请张书记到机要室阅看", "秘密★级文件复印件，请到机要室签收。",
    "保密知识测试题：秘密级国家秘密的保密期限一般不超过几年？",  # secrecy taught
    "根据保密法，国家秘密的密级分为绝密级、机密级和秘密级三个等级。",
    "保密知识竞赛第3题：绝密★级文件能否在微信群传输？答案：不能",
    "各位考务人员：期末试卷属于国家秘密，在启用前为绝密级。试卷保管实行双人双锁，任何人不得私自接触。",
    "国家安全机关提示：近期境外间谍情报机关以网上高薪兼职为诱饵，搜集我国机关单位的内部资料和工作照片，"
    "请各单位提醒干部职工提高警惕，发现可疑情况拨打12339举报。",
    "关于保密检查发现问题的整改情况：一台非涉密电脑存有内部文件，已删除并做了技术检查，未发现外联记录；"
    "一名同志用微信传输工作文件，已批评教育；保密柜密码长期未更换，已更换。请各股室对照自查，举一反三。",
])
def test_a_marked_file_announced_or_secrecy_taught_passes_nothing_on(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text, flagged", [
    # The words after the grade tell what the file says, not which file is to be signed for: passed on ...
    ("秘密级 张三拟任镇长，请到机要室签收", True), ("秘密级 拟提拔人选张三李四，请签收", True),
    ("机密级，王某某涉嫌违纪一案请到机要室阅看", True), ("秘密级 关于张三同志的任职通知，请签收", True),
    ("秘密级文件，张三免职请签收", True), ("机密级 张三任免通知，请签收", True),
    # ... the file named by its kind or title, then where to read or fetch it, is not.
    ("机密级干部考察名单，请到机要室阅看", False), ("秘密级文件两份，请党政办到机要室领取", False),
    ("秘密级 县纪委通报，请阅看", False), ("秘密级，请签收", False), ("秘密级文件已到，请到机要室签收", False),
    ("秘密级文件，各位领导请到机要室阅看", False), ("机密级文件一份，张书记请到机要室阅看", False),
    ("秘密级文件，办公室请签收", False), ("秘密级文件，李四被处分请签收", True),
])
def test_news_after_a_grade_is_passed_on_though_it_asks_to_be_signed_for(text, flagged):
    assert bool(run(secret, msg(text))) is flagged


@pytest.mark.parametrize("text, shown", [
    ("转发县委办密电〔2025〕3号：关于近期重点人员管控的通知，请各村落实。", "「县委办密电〔2025〕3号」"),
    ("根据宜委密〔2025〕5号文件精神，现将有关事项通知如下", "「宜委密〔2025〕5号」"),
    ("密级：秘密 保密期限：6个月\n关于近期重点人员动态的通报", "密级：秘密"),
    ("秘密＊1年 关于近期重点人员动态的通报", "秘密＊1年"),
    ("机密▲ 县委常委会议纪要第3期", "机密▲"),
    # A marked document is flagged though it asks to be signed for, or holds a quiz's answers.
    ("机密★1年 县委关于2025年征兵工作的通知，各单位收到后请签收", "机密★1年"),
    # A graded copy's words after it, or shown in the group before it is signed for: passed on.
    ("秘密级文件复印件，请到机要室签收：县委关于干部调整的初步方案", "秘密级"), ("机密级：县委常委会纪要，请到机要室签收", "机密级"),
    ("机密级文件复印件，大家先在群里看看，明天再去机要室签收", "机密级"), ("机密★1年，请到机要室签收", "机密★1年"),
    ("秘密★ 关于做好春节期间安全维稳工作的通知：各单位务必落实，请签收", "秘密★"),
    ("绝密★启用前 2025年县直机关公开遴选公务员笔试 申论试题及参考答案", "绝密★"),
    ("这份机密级维稳方案先发群里大家看看再锁进保密柜", "机密级"),  # kept later, passed on now
    # Handling words (传阅, 登记) a clause away from the grade: the material is passed on all the same.
    ("机密级文件：县委关于2025年干部调整的初步方案，请各位领导传阅", "机密级"),
    ("这是机密级的干部调整名单，请登记一下谁看过：张三、李四、王五", "机密级"),
    # However short: a starred marking, a grade said of the document.
    ("机密★1年", "机密★1年"), ("此件为机密级", "机密级"), ("跟你们说个机密级消息：老王要调走了", "机密级"),
    ("★秘密 关于近期重点人员动态的通报", "★秘密"),
    # 级别 as a heading's label or said of a document is its grade, as 级 is.
    ("秘密级别：县委关于重点人员管控的工作方案\n一、总体要求", "秘密级"),
    ("机密级别文件：县委关于2025年干部调整的方案，请各位阅后删除", "机密级"),
    ("这份机密级别的文件先发群里，大家看完再锁进保密柜", "机密级"),
    ("★机密 县委关于2025年征兵工作的通知，各单位收到后请签收", "★机密"),
    # The sender says what the material after the colon is: a note to keep it in excuses nothing.
    ("以下为秘密级文件，不得外传：关于2025年干部调整方案的说明……", "以下为秘密级"),
    ("此件为机密级，严禁转发：县委常委会关于……的决定", "此件为机密级"),
    ("这是机密文件，大家看完删掉：县委关于人事调整的几点意见……", "这是机密"),
    # A copy or a circulated copy of a graded file is the document, not a rule on copying or circulating.
    ("秘密级文件复印件，大家看完删除：县委常委会会议纪要（第3次）", "秘密级"),
    ("机密级传阅件：县委关于2025年度领导班子考核情况的通报", "机密级"),
])
def test_classified_document_numbers_and_markings_written_otherwise_are_flagged(text, shown):
    [flag] = run(secret, msg(text))
    assert shown in flag["evidence"]


@pytest.mark.parametrize("number", ["宜委密[2025]5号", "宜委密［2025］5号", "宜委密（2025）5号", "宜委密(2025)5号", "宜委密【2025】5号"])
def test_a_classified_document_number_in_any_bracket_is_flagged_though_no_grade_is_named(number):
    [flag] = run(secret, msg(f"根据{number}文件精神，请各村密切配合"))
    assert f"「{number}」" in flag["evidence"]


@pytest.mark.parametrize("text", ["请各村密切关注汛情（第3号）", "做好保密工作【2025】", "保密办〔2025〕3号：请各单位自查"])
def test_secrecy_words_beside_a_bracket_are_no_marking(text):
    assert run(secret, msg(text)) == []


STATISTICS_REPORT = ("一、总体情况：1-2月全县规模以上工业增加值同比增长6.8%，低于全市平均水平1.2个百分点，排全市第8位。"
                     "二、存在问题：部分乡镇统计基础薄弱，个别企业存在数据报送不及时、不准确的问题。"
                     "三、下步工作：各乡镇要压实统计责任，严禁虚报瞒报统计数据。")


@pytest.mark.parametrize("text, marked", [
    # 不得外传 marks the material itself: it is not a reminder excusing the message.
    ("内部文件 不得外传：关于部分单位违规发放津补贴问题的通报，经查，县某局2023年至2024年以各种名义违规发放补贴"
     "共计28.6万元，涉及干部职工45人，现已责令全额清退，相关责任人被给予党纪处分……", "内部文件"),
    # Nor does the material's own 严禁 (严禁虚报瞒报) remind anyone of secrecy.
    ("内部资料，仅供参阅。" + STATISTICS_REPORT, "内部资料"),
    ("（内部参考，不得外传）" + STATISTICS_REPORT, "内部参考"),
])
def test_internal_material_marked_not_to_be_passed_on_is_flagged_when_passed_on(text, marked):
    [flag] = run(secret, msg(text))
    assert marked in flag["evidence"]


@pytest.mark.parametrize("text", [
    "保密提醒：近期有干部将内部资料转发到微信工作群，造成不良影响。各单位要加强教育管理，内部资料一律不得在微信群、朋友圈传播，"
    "涉密文件严禁上传互联网，发现问题的将严肃追责问责。请各单位主要负责同志切实担起责任。",
    "关于加强工作群信息安全管理的提醒：\n1.群成员一律实名；\n2.不得在群内发布涉密信息；\n3.群内文件不得外传；\n"
    "4.人员调离后及时移出群聊。\n各群主对本群信息安全负直接责任，请各单位认真落实，发现问题及时向县委网信办报告。",
])
def test_a_long_reminder_not_to_pass_internal_material_on_is_not_flagged(text):
    assert len(text) >= 80 and run(secret, msg(text)) == []


@pytest.mark.parametrize("text", [
    "机密级、秘密级文件一律不得拍照上传",
    "涉密文件严禁上传微信群",
    "标有秘密★的文件严禁发到群里",
    "严禁将秘密★文件发到群里",
    "严禁将各类秘密★文件发到工作群",
    "各单位要将秘密★文件存放在保密柜中，专人管理",
    "昨天保密局来检查，说咱们机要室的秘密级文件柜锁坏了，要尽快修",
    "秘密级以上文件要存放在保密柜内",  # a range of grades is no document's marking
    "秘密级文件要统一存放在保密柜内",
    # Nor how they are read, lent or copied.
    "秘密级文件的传阅要登记，请各单位严格执行", "秘密级文件借阅须经分管领导批准", "机密级文件复印前要报分管领导同意",
    "秘密级文件复印件要登记编号", "秘密级文件传阅后要及时收回", "秘密级文件复制本、复印件一律登记",
    "请勿在群内传播秘密级文件", "各单位要严格保密管理，秘密文件不得上网", "标有★秘密的文件严禁发到群里",
    "这是机密文件，不能发到群里！",  # no material follows
    "这些机密文件要及时清退，不得外传：1.县委办2025年1号文件",  # files named, not called secret
])
def test_a_reminder_about_secret_grades_is_not_flagged(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text", ["以下是秘密武器：勤跑腿、多沟通", "这是秘密：明天给大家一个惊喜",
                                  "年终联欢会节目单这是秘密\n到时候大家就知道了",
                                  # Training on grades and carriers, a question, gossip called 机密.
                                  "以下是机密载体管理要求：\n1. 机密文件要存放在保密柜内", "以下为机密等级划分标准：绝密、机密、秘密三个等级",
                                  "这是机密吗？不是的：这份通知已经在政府网站公开了", "这是机密，先别外传：王主任下个月调县里去了",
                                  # The rules on keeping internal material, taught: not the material.
                                  "以下是内部资料保管要求，请勿外传：\n1. 内部资料用后及时收回，不得带出办公室",
                                  "以下是内部资料使用规定，不得外传：\n1. 内部资料一律不得拍照",
                                  # However the rule is worded, a few words on.
                                  "以下是内部资料的保管要求，请勿外传：\n1. 内部资料用后及时收回，不得带出办公室",
                                  "以下是内部文件流转规定，不得外传：\n1. 内部文件由办公室统一登记",
                                  "以下是机密文件的管理规定，不得外传：\n1. 机密文件由专人保管",
                                  # Gossip calling itself 机密: no ★, no grade, no material declared.
                                  "跟你们说个机密，老王要调走了", "这可是机密哈哈", "跟大家透露个机密：老王要调走了",
                                  # 级别 is the word for a level, not a grade's 级.
                                  "这可是机密级别的消息哈哈", "机密级别的八卦来了"])
def test_a_secret_in_the_everyday_sense_is_no_marking(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text", ["此件为机密，严禁转发：关于…的部署意见", "本件为绝密，请勿外传：县委常委会纪要",
                                  "以下为机密信息，不得外传：\n1. 维稳重点人员…", "这些是机密材料，看完删掉：县里下周要来暗访"])
def test_material_its_sender_calls_secret_is_flagged_whatever_the_note_beside(text):
    [flag] = run(secret, msg(text))
    assert "密级标志" in flag["evidence"]


@pytest.mark.parametrize("text, declared, asked, score", [
    # A sender calls what follows secret and asks readers to delete it or keep it in: the
    # material is in the group now, however short (群规 第十一条, 涉密不上网).
    ("这是机密，大家看完删掉：县委关于人事调整的几点意见……", "这是机密", "看完删掉", 1.0),
    ("以下内容机密，阅后即删：\n明天县委巡察组进驻我镇，重点查三资管理", "以下内容机密", "阅后即删", 1.0),
    ("这是机密，不要外传：县委常委会研究的干部调整名单", "这是机密", "不要外传", 1.0),
    ("以下内容为秘密，阅后即删：\n县委常委会研究的干部调整名单", "以下内容为秘密", "阅后即删", 1.0),
    # However it is exclaimed or worded.
    ("这是机密！大家看完删掉：县委关于人事调整的几点意见", "这是机密", "看完删掉", 1.0),
    ("以下信息属于机密，别往外传：\n明天县委巡察组进驻我镇，重点查三资管理", "以下信息属于机密", "别往外传", 1.0),
    ("这个是机密，大家看完删掉：县里下周要来暗访，重点查村务公开栏", "这个是机密", "看完删掉", 1.0),
    # What the material says of fetching or signing for things is no notice of a file to fetch.
    ("这是机密，看完删掉：县委关于领取慰问金的人员名单", "这是机密", "看完删掉", 1.0),
    ("这是内部资料，看完请删除：明天起困难户到民政所签收补助", "这是内部资料", "看完请删除", 0.7),
    ("以下内容涉及机密，看完删除：\n县委常委会研究的干部调整名单", "以下内容涉及机密", "看完删除", 1.0),
    # Called internal, it is flagged as internal material is.
    ("这是内部资料，看完请删除：县委关于人事调整的几点意见", "这是内部资料", "看完请删除", 0.7),
    ("以下内容仅限内部，别转发：\n下周起县纪委暗访组到各乡镇明察暗访", "以下内容仅限内部", "仅限内部", 0.7),
    ("这是内部材料，不要往外发：全县信访积案名单及化解进度", "这是内部材料", "不要往外发", 0.7),
    ("这是内部资料，看了就删：全县信访积案名单及化解进度", "这是内部资料", "看了就删", 0.7),
    ("以下内容仅限内部掌握：\n下周起县纪委暗访组到各乡镇明察暗访", "以下内容仅限内部掌握", "仅限内部", 0.7),
    # Internal material naming whose it is, or internal news, passed on.
    ("下面是县局内部通报，别转发：今年3月起县局对各乡镇开展作风暗访，重点查上班纪律", "下面是县局内部通报", "别转发", 0.7),
    ("这是县保密委的内部通报，看完删掉：\n3月份共查处违纪干部5人", "这是县保密委的内部通报", "看完删掉", 0.7),
    # A school's, a hospital's or a unit's internal notice, its content after the ask.
    ("这是学校内部通知，不要外传：下周起教师早上7:30前到校签到，迟到一次扣当月绩效", "这是学校内部通知", "不要外传", 0.7),
    ("下面是医院内部通知，别转发：\n本月起门诊医生收受患者红包的，一经查实停诊处理", "下面是医院内部通知", "别转发", 0.7),
    ("这是单位内部通知，看完删掉，下周县委巡察组进驻我局", "这是单位内部通知", "看完删掉", 0.7),
    ("这是内部消息，不要外传：县里下周要来暗访", "这是内部消息", "不要外传", 0.7),
    # A comma after the ask leads into the material as a colon does.
    ("这是内部消息，不要外传，县里下周要来暗访", "这是内部消息", "不要外传", 0.7),
    ("这是内部消息，不要外传，组织部下周来考察班子", "这是内部消息", "不要外传", 0.7),
    ("这是内部消息，不要外传，各乡镇考核排名出来了，我们镇倒数第二", "这是内部消息", "不要外传", 0.7),
    ("这是内部消息，别外传，看完删掉，县里下周要来暗访", "这是内部消息", "别外传", 0.7),
    ("这是机密，看完删掉，县委关于人事调整的几点意见", "这是机密", "看完删掉", 1.0),
])
def test_material_its_sender_calls_secret_or_internal_and_asks_to_delete_or_keep_in_is_flagged(text, declared, asked,
                                                                                                score):
    [flag] = run(secret, msg(text))
    assert f"「{declared}」" in flag["evidence"] and f"「{asked}」" in flag["evidence"] and flag["score"] == score


@pytest.mark.parametrize("text", [
    "机密文件请走机要通道，不要发群里",  # a reminder: nobody's material follows
    "这是机密，不要外传！",  # nor here: a file sent apart is a message of its own
    # A bare admonition about material named, not called secret or internal: at length the
    # material itself would be flagged as internal (内部资料全文转发), not its caption.
    "会议纪要请勿外传",
    "这是机密，暂时不要外传：王主任下个月调县里去了",  # news to keep for now, as 先别外传
    "这是机密，还不能外传：王主任下个月调县里去了",
    # A bare 秘密 said of no material is a secret among colleagues, not a grade.
    "这是秘密，不要外传：小王下个月结婚，到时候请大家喝喜酒",
    "这个是秘密，别往外传：小王下个月结婚，到时候请大家喝喜酒",
    "这是机密性要求，不要外传：系统账号不得多人共用",  # 机密性 is no grade
    # 仅限内部 saying who may take part in what follows, a training or a sign-up, keeps nothing in.
    "以下内容仅限内部人员参加：\n周五下午3点在三楼会议室开展消防安全培训",
    "以下内容仅限内部职工报名：\n今年职工疗养名额5个，请于周五前报工会",
    "以下内容仅限内部，报名请找党政办：\n第二期业务骨干培训班，名额20人",
    # Internal files to fetch from the 机要室, as marked ones: the notice passes none of them on.
    "以下内部资料请到机要室领取，勿外传：\n1. 县委办2025年12号文件",
    # A reminder or an ask with nothing passed on: more admonition or thanks after the
    # comma, a general instruction, the rules on such material.
    "内部通报不要外传", "这是内部通报，不要外传。", "这是内部通报，不要外传，违者追责", "这是内部消息，别转发，谢谢配合",
    # Nor into what the readers are to do with the file sent apart, however it is asked.
    "这是内部通报，不要外传，各单位收到后组织学习", "这是内部资料，不要外传，要求各村支书看完后立即整改",
    "这是内部资料，不要外传，学习后在群里回复收到", "下面是内部通报，不要外传，有问题及时联系我",
    "这是内部通报，不要外传，自己看就行", "这是内部文件，别外传，看完就删了吧", "这是内部通报，不要外传，望周知",
    "这是学校内部通知，不要外传，请各班主任收到后组织学习", "学校内部通知请勿外传", "这是医院内部通知，不要外传。",
    "以下是单位内部通知的管理要求，请勿外传：\n1. 内部通知不得带出办公室",
    "以下是学校内部通知，仅限内部人员报名：\n周五下午教职工羽毛球赛，每个年级组2人",
    "这是局里的内部资料，仅限内部，不要转发，谢谢",
    "下面是关于加强内部资料管理的规定，别转发：\n1. 内部资料不得带出办公室",
    # News kept for now, or a bare 秘密, as with a colon.
    "这是机密，先别外传，王主任下个月调县里去了", "这是秘密，不要外传，小王下个月结婚",
])
def test_a_caption_a_reminder_or_news_kept_for_now_is_no_declared_secret(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text, declared", [
    # Thanks or a warning signing off on the last line, or after a colon, as after a comma: no material.
    ("这是内部通知，不要随意转发到其他群\n谢谢配合", None), ("这是内部通知，不要随意转发到其他群，谢谢配合", None),
    ("这是内部通知，不要随意转发到其他群：谢谢配合", None), ("这是内部通知，不要随意转发到其他群\n违者追责", None),
    ("以下是县局内部通报，请勿外传\n望周知", None), ("这是内部资料，看完请删除\n谢谢大家配合！", None),
    # A short last line saying what readers are to do with the file sent apart, as after a comma.
    ("这是内部通报，请勿外传\n请各单位认真学习，引以为戒", None), ("这是县里的内部通知，不要转发到村民群\n请各村支书知悉", None),
    ("这是内部通知，不要随意转发到其他群\n请各村于周五前报送名单", None),
    ("这是内部资料，请勿外传\n具体内容见附件", None), ("这是内部资料，请勿外传，具体见附件", None),
    ("这是内部资料，请勿外传\n有问题请联系党政办小王，电话0795-1234567", None),
    ("这是内部资料，请勿外传\n有问题请联系党政办小王，电话：0795-1234567", None), ("这是县纪委内部通报，请勿外传\n注意保密", None),
    # A contact's field on the last line, or before a line of thanks, names whom to call: no material.
    ("这是内部通知，不要随意转发到其他群\n联系电话：0795-3281234", None), ("内部资料仅供参考，不得外传\n联系人：李主任", None),
    ("这是内部通知，不要随意转发到其他群\n联系人：党政办小王，电话：0795-3281234", None),
    ("以下内容仅限内部，别转发\n联系方式：13907951234", None), ("内部资料，请勿外传\n联系人：小王\n谢谢配合", None),
    ("这是内部通知，请勿外传\n联系人：小王，谢谢配合", None),
    # Names by their office, numbers labelled or with a word aside in brackets, however long the field.
    ("这是内部资料，不要外传：\n联系人：镇党政办 刘洋 13907951234", None), ("这是内部资料，不要外传：\n联系人：小王 电话：0795-3281234", None),
    ("这是内部资料，不要外传：\n联系电话：0795-3281234（党政办）", None), ("这是内部资料，不要外传：\n联系人：小王，小李", None),
    ("这是内部资料，不要外传：\n联系人：县委组织部干部科张科长", None), ("这是内部资料，不要外传：\n联系人：欧阳小明", None),
    # ... but news in the field, however short, or material after it, is passed on.
    ("这是内部资料，不要外传：\n联系人：小王已被停职", "这是内部资料"), ("这是内部资料，不要外传：\n联系人：文件已泄露", "这是内部资料"),
    ("这是内部资料，不要外传：\n联系人：王主任调县里", "这是内部资料"), ("这是内部资料，请勿外传\n联系人：小王已被停职", "这是内部资料"),
    ("这是内部资料，不要外传：\n联系人：张三李四王五赵六", "这是内部资料"),
    ("这是内部通知，不要随意转发到其他群\n联系人：小王因违纪被处分，大家引以为戒，具体情况是上周在村里喝酒", "这是内部通知"),
    ("内部资料，请勿外传\n联系人：小王\n王强同志因违纪被免职", "内部资料"),
    ("这是内部通知，请勿外传\n联系人：小王，谢谢配合\n县委决定免去张三同志职务", "这是内部通知"),
    # ... but a short line whose colon leads into more than a number is material, however it opens.
    ("这是县纪委内部通报，请勿外传\n注意：张三因酒驾被开除党籍", "这是县纪委内部通报"),
    ("这是内部资料，请勿外传\n请各单位：对照自查，3月15日前报送自查报告", None),
    ("这是内部资料，不要外传\n如有疑问：请联系小王", None),
    ("这是内部通报，请勿外传\n严禁效仿：某村书记李某挪用扶贫资金20万元被留置", "这是内部通报"),
    ("这是内部资料，请勿外传：\n大家的年度考核等次：王强 优秀，李娜 称职", "这是内部资料"),
    # The label opening the message, the ask after a comma, and material after the colon: passed on.
    ("内部资料仅供参考，不得外传：\n2025年全县干部考核结果：优秀等次名单如下：张某、李某、王某、赵某、刘某、陈某、杨某、黄某。", "内部资料"),
    ("内部资料，不得外传：\n县纪委通报3起违反中央八项规定精神问题，其中我镇1起", "内部资料"),
    ("内部消息，别外传：下个月要涨工资了", "内部消息"),
    # A rule, the ask right after the label, and news after it; or an ask with no material: nothing passed on.
    ("内部资料一律不得在微信群传播：近期个别干部将内部资料转发至家长群，造成不良影响，县委已对相关人员进行问责", None),
    ("内部资料不得外传，近期个别干部将内部资料转发至家长群，造成不良影响，县委已对相关人员进行问责", None),
    ("内部资料，请勿外传", None), ("内部通报，不要外传，违者追责", None),
    ("内部通知，不要外传，免得引起误会", None), ("内部资料，不得外传，这是保密纪律，大家务必遵守", None),
    ("这是内部通知，不要外传，免得引起误会", None), ("这是内部资料，不得外传，这是保密纪律，大家务必遵守", None),
    # The label opening the message sets material apart by a comma only when the words after it run
    # on and none says what a comma's would: otherwise they are the caption's last words.
    ("内部资料，不要外传，心里有数就行", None), ("内部资料，请勿外传，附件请查收", None),
    ("内部通报，不要外传，引以为戒", None), ("内部资料，请勿外传，领导讲话精神请各村认真学习", None),
    ("内部通知，不要外传，明天县纪委来暗访", "内部通知"), ("内部通知，别外传，我们镇这次考核排第二", "内部通知"),
    # Material on the line after the ask, or after the sign-off, or a long one however it opens: passed on.
    ("这是内部通知，不要随意转发到其他群\n一、各村要在本周五前完成辖区内所有危房的排查工作，建立台账，逐户登记，确保不漏一户。",
     "这是内部通知"),
    ("这是内部通知，不要随意转发到其他群\n谢谢配合\n一、各村要在本周五前完成辖区内所有危房的排查工作，建立台账，逐户登记，确保不漏一户。",
     "这是内部通知"),
    ("这是内部通知，不要随意转发到其他群\n请各村于本周五前完成辖区内所有危房的排查工作，建立台账，逐户登记，确保不漏一户。",
     "这是内部通知"),
    ("这是机密文件，看完删掉\n县委关于王某某同志的处理意见：给予党内警告处分", "这是机密"),
])
def test_what_stands_around_an_ask_decides_whether_internal_material_is_passed_on(text, declared):
    flags = run(secret, msg(text))
    assert [f"「{declared}」" in flag["evidence"] for flag in flags] == ([True] if declared else [])

@pytest.mark.parametrize("text", [
    # A contact named with a title, after a long office name, or by a Latin name ...
    "这是内部资料，不要外传：\n联系人：张建国主任", "这是内部资料，不要外传：\n联系人：办公室李晓明同志",
    "这是内部资料，不要外传：\n联系人：县纪委第三纪检监察室 王明", "这是内部资料，不要外传：\n联系人：党政办：张三",
    "这是内部资料，不要外传：\n联系人：Tom 13912345678",
    # ... a number in brackets, with an extension, a landline labelled, or set off by a slash or a wide space.
    "内部资料，请勿外传\n联系人：张主任（13912345678）", "这是内部资料，不要外传：\n联系人：小王 分机 8012",
    "这是内部资料，不要外传：\n联系人：县委办 张三 0795-1234567 转 8001", "这是内部资料，不要外传：\n联系电话：0795-12345678转802",
    "这是内部资料，不要外传：\n联系人：张三，座机：0795-1234567", "这是内部通知，请勿外传\n联系人：张三/13912345678",
    "这是内部资料，不要外传：\n联系人：王主任\u300013912345678", "这是内部资料，不要外传：\n联系电话：8012",
    "内部资料，请勿外传\n联系人：王洋；李娜",
])
def test_a_contact_line_with_titles_extensions_or_brackets_signs_the_caption_off(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text", [
    # News in the contact field is still material, titled or not.
    "这是内部资料，不要外传：\n联系人：王主任调县里", "这是内部资料，不要外传：\n联系人：张三涉嫌受贿",
    "这是内部资料，不要外传：\n联系人：王县长被查", "这是内部资料，不要外传：\n联系人：张三李四王五赵六",
    "这是内部资料，不要外传：\n联系人：拆迁补偿提高", "这是内部资料，不要外传：\n联系人：Tom said the plan leaked",
])
def test_news_in_a_contact_field_is_passed_on(text):
    assert run(secret, msg(text)) != []



@pytest.mark.parametrize("text, declared", [
    # A copy of a graded file, or news told not to be spread about (乱传), passed on after the ask ...
    ("秘密级文件复印件，请勿外传：县委关于2025年干部调整的初步方案", "秘密级"),
    ("秘密级材料，请勿外传：\n1.县委常委会研究的人事事项", "秘密级"),
    ("内部消息，不要乱传，下周县里要来暗访，重点查上班纪律", "内部消息"), ("这是内部消息，别乱传，王书记下个月调县里", "内部消息"),
    ("内部资料，不要乱发，县委关于干部考核的初步结果是各乡镇排名", "内部资料"),
    ("内部消息，不要乱讲，县里要调整分管领导", "内部消息"), ("这是内部消息，不要乱说，下周县里要来暗访", "内部消息"),
    # ... not the ask alone, a rule for such files, nor rumours not to be spread.
    ("秘密级文件复印件，请勿外传", None), ("秘密级文件一律不得在微信群传播：请各单位自查", None),
    ("秘密级以上文件，严禁外传：违者追责", None), ("内部消息，不要乱传，心里有数就行", None),
    ("秘密级及以上文件，一律不得外传：一、不得在微信群传播；二、不得拍照", None),
    ("机密级及以上文件，一律不得外传：一、不得在微信群传播；二、不得拍照", None),
    ("大家不要乱传谣言，以官方发布为准", None), ("这是内部消息，先别乱传，等正式通知", None),
    ("内部消息，不要乱说，心里有数就行", None), ("大家不要乱说，以官方发布为准", None),
])
def test_a_graded_copy_or_internal_news_not_to_be_spread_is_flagged_when_passed_on(text, declared):
    flags = run(secret, msg(text))
    assert [declared in flag["evidence"] for flag in flags] == ([True] if declared else [])


REPORT = "一、全县一季度财政收入完成情况通报，各乡镇收入排名及考核扣分明细如下，请对照整改落实。"


@pytest.mark.parametrize("text, asked", [
    # Where the material is not to go, said with the ask, is the ask all the same: the
    # material after the comma is in the message, internal material passed on.
    ("这是学校内部通知，请勿转发到家长群，周一起各班按新作息执行", "请勿转发到家长群"),
    ("这是内部消息，不要发给外单位，县里下周要来暗访", "不要发给外单位"),
    ("这是内部通报，不要转发至其他群，3月份共查处违纪干部5人", "不要转发至其他群"),
    ("这是内部资料，别发到朋友圈，全县信访积案名单及化解进度如下", "别发到朋友圈"),
    ("这是内部资料，别发给我们单位以外的人，县里下周要来暗访", "别发给我们单位以外的人"),
    ("这是学校内部通知，请勿转发家长群，周一起各班按新作息执行", "请勿转发家长群"),
    ("这是内部消息，别发朋友圈，县里下周要来暗访", "别发朋友圈"),
    # Where to, said before the passing on.
    ("这是内部消息，不要在家长群里转发，县里下周要来暗访", "不要在家长群里转发"),
    ("这是内部消息，请勿向外单位转发，县里下周要来暗访", "请勿向外单位转发"),
    ("这是内部消息，不要往外单位发，县里下周要来暗访", "不要往外单位发"),
    ("以下为内部通报，不得转发至外单位：\n3月份共查处违纪干部5人", "不得转发至外单位"),
    ("这是机密，不要发到群外，县委关于人事调整的几点意见", "不要发到群外"),
    # Where to, of any kind: a bare 发 in the group, 下面 (the villages), others to look at it.
    ("这是内部通知，不要在群里发，明天县里来检查", "不要在群里发"),
    ("这是内部资料，不要转到下面各村，县里下周来暗访", "不要转到下面各村"),
    ("这是内部通知，不要发给外人看，明天起机关食堂暂停营业", "不要发给外人看"),
    ("这是内部资料，不要在网上发表：\n全县考核排名第一某镇，最后一名某乡", "不要在网上发表"),
    # Not to be published online, the material after the colon or the comma.
    (f"这是内部资料，不要发表到网上：{REPORT}", "不要发表到网上"), (f"这是内部资料，不要发布到网上：{REPORT}", "不要发布到网上"),
    (f"这是内部资料，请勿上传到网上：{REPORT}", "请勿上传到网上"), (f"以下是内部资料，不得发表到网上：{REPORT}", "不得发表到网上"),
    (f"这是县委的内部文件，严禁发布到网络上：{REPORT}", "严禁发布到网络上"),
    (f"这是内部资料，不要公布到网上：{REPORT}", "不要公布到网上"), (f"这是内部资料，不要贴到网上：{REPORT}", "不要贴到网上"),
    (f"这是内部资料，不要发表到朋友圈：{REPORT}", "不要发表到朋友圈"),
    ("这是内部通报，不要发表到网上，县里下周要来暗访，各村提前准备", "不要发表到网上"),
    ("这是机密，不要发布到网上：县委关于人事调整的几点意见", "不要发布到网上"),
    (f"这是内部资料，不要发到网上：{REPORT}", "不要发到网上"),
    # How it is not to be passed on, said inside the ask (随意, 擅自, 私自, 任意 …).
    ("这是学校内部通知，请勿随意转发到家长群，周一起各班按新作息执行", "请勿随意转发到家长群"),
    (f"这是内部资料，不要擅自外传：{REPORT}", "不要擅自外传"), (f"这是内部文件，严禁私自转发：{REPORT}", "严禁私自转发"),
    (f"以下是内部资料，请勿任意转发：{REPORT}", "请勿任意转发"), ("这是机密，请勿随意转发：县委关于人事调整的几点意见", "请勿随意转发"),
    ("这是内部通报，不得私下外传，县里下周要来暗访", "不得私下外传"), ("这是内部消息，别随便发到朋友圈，县里下周要来暗访", "别随便发到朋友圈"),
    ("下面是县局内部通报，切勿随意转发：今年3月起县局对各乡镇开展作风暗访", "切勿随意转发"),
    (f"这是内部资料，请勿随意发表到网上：{REPORT}", "请勿随意发表到网上"),
    ("这是学校内部通知，不要轻易外传：下周起教师早上7:30前到校签到", "不要轻易外传"),
    # An ask running to the colon, however long: those it is asked of, how and where to.
    (f"这是内部资料，请不要随意上传到各类平台：{REPORT}", "不要随意上传到各类平台"),
    (f"这是内部资料，请大家不要随意转发到其他工作群：{REPORT}", "不要随意转发到其他工作群"),
    ("这是学校内部通知，请各位老师不要随意转发到家长群：下周三教育局来暗访", "不要随意转发到家长群"),
])
def test_an_ask_saying_where_or_how_the_material_is_not_to_go_is_an_ask_all_the_same(text, asked):
    [flag] = run(secret, msg(text))
    assert f"发送者要求「{asked}」" in flag["evidence"]


@pytest.mark.parametrize("text", [
    # The material sent apart: thanks, admonition or what to do with it after the comma.
    "这是学校内部通知，请勿转发到家长群，谢谢配合", "这是内部通报，不要发给外单位，违者追责",
    "这是内部资料，请勿转发到其他群，各单位收到后组织学习", "这是学校内部通知，请勿转发到家长群！",
    # Another ask, now that it may say where to.
    "这是内部消息，不要外传，别发到其他群",
    # News for now, a bare 秘密, the rules on such material.
    "这是机密，先别发给别人，王主任下个月调县里去了", "这是秘密，不要发给别人，小王下个月结婚",
    "以下是内部资料管理规定，不要转发到群里：\n1. 内部资料不得带出办公室",
    # Not to the sender, nor a bare 发 with nowhere to: nothing kept in.
    "这是内部资料，别发给我了，我这边已经有了", "这是内部通知，别发错了，周一起各班按新作息执行",
    "这是内部资料，不要再发到群里了，上次已经发过", "这是内部通知，别发给我看了，我已经有了",
    # Not to be published online, with no material after it, or a reminder.
    "这是内部资料，不要发表到网上", "内部资料不要发到网上，大家注意", "这是内部资料，不要发表到网上！",
    "这是内部资料，不要发表到网上，谢谢配合", "这是内部资料，不要发表到网上，违者追责", "机密文件不要发表到网上，大家注意",
    "这是内部通报，不要发表到网上，各单位收到后组织学习", "这是内部资料，不要发表到网上吗？",
    # Views not to air, news for now, a bare 秘密, the rules on such material.
    "这是内部资料，大家不要发表评论：明天上午县领导来检查", "这是内部资料，先别发表到网上：王主任下个月调县里去了",
    "这是秘密，不要发表到网上：小王下个月结婚", f"以下是内部资料的保管要求，不要发表到网上：{REPORT}",
    # Not to be passed on freely: thanks, admonition or what to do with the file after the ask, or nothing.
    "这是学校内部通知，请勿随意转发到家长群，谢谢配合", "这是学校内部通知，请勿随意转发到家长群",
    "这是学校内部通知，请勿随意转发到家长群，违者追责", "这是学校内部通知，请勿随意转发到家长群！",
    "这是学校内部通知，请勿随意转发，各班主任收到后组织学习", "这是内部通报，不要随意外传，望周知",
    # Not to do something else freely, news for now, a bare 秘密, no material called internal.
    "这是学校内部通知，请勿随意调课，周一起各班按新作息执行", "这是学校内部通知，请勿随意发言：周一起各班按新作息执行",
    "这是机密，先别随意外传：王主任下个月调县里去了", "这是秘密，不要随意外传：小王下个月结婚",
    "请勿随意转发到家长群，周一起各班按新作息执行", "以下是内部资料管理规定，请勿随意转发：\n1. 内部资料不得带出办公室",
    "这是秘密，请大家不要随意外传到其他群里：小王下个月结婚", "这是内部资料，请不要随意上传到各类平台，谢谢配合",
    f"以下是内部资料的保管要求，请大家不要随意转发到其他群：{REPORT}",
])
def test_an_ask_saying_where_to_with_no_material_after_it_is_no_declared_secret(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text", [
    # 发表 (views) and 转到下周 (work put off) pass no material on: what follows is the notice.
    "这是内部通知，大家不要在群里发表意见：明天上午县领导来检查", "这是内部资料，不要转到下周再办，今天必须处理完",
])
def test_views_not_to_air_or_work_not_to_put_off_are_no_ask_to_keep_material_in(text):
    assert run(secret, msg(text)) == []


@pytest.mark.parametrize("text, declared", [
    # 仅限内部 with who may read it is material kept in, though its readers take part in
    # something: the reading (传阅, 参阅, 知悉 …) says so, and it is pasted into the group.
    ("以下材料仅限内部参加会议人员传阅：1.全县信访积案名单及化解进度", "以下材料仅限内部参加会议人员传阅"),
    ("以下材料仅限内部参加会议人员传阅，会后收回：\n1. 全县信访积案名单", "以下材料仅限内部参加会议人员传阅"),
    ("以下材料仅限内部工作人员参阅：\n1. 全县信访积案名单及化解进度", "以下材料仅限内部工作人员参阅"),
    ("以下内容仅限内部相关人员知悉：\n下周起县纪委暗访组到各乡镇明察暗访", "以下内容仅限内部相关人员知悉"),
    ("以下文件仅限内部中层以上干部学习：\n1. 关于部分单位违规发放津补贴问题的通报", "以下文件仅限内部中层以上干部学习"),
    ("以下材料仅供内部参会人员参阅：\n1. 全县信访积案名单及化解进度", "以下材料仅供内部参会人员参阅"),
    # With its use however worded.
    ("以下材料仅限内部阅知：\n1. 全县信访积案名单及化解进度", "以下材料仅限内部阅知"),
    ("以下材料仅供内部参考使用：\n1. 全县信访积案名单及化解进度", "以下材料仅供内部参考使用"),
])
def test_material_limited_to_those_inside_who_may_read_it_is_flagged(text, declared):
    [flag] = run(secret, msg(text))
    assert f"标注「{declared}」" in flag["evidence"]


@pytest.mark.parametrize("text", [
    # Who may take part, however they are named: nothing is kept in.
    "以下内容仅限内部人员报名：\n今年职工疗养名额5个，请于周五前报工会",
    "以下内容仅限内部参加会议人员报名：\n第二期业务骨干培训班",
    "以下内容仅限内部在职人员报名参加：\n周五下午教职工羽毛球赛",
    "以下内容仅限内部人员参加学习：\n周五下午3点在三楼会议室开展消防安全培训",
    "以下内容仅限内部人员参加，报名请找党政办：\n第二期业务骨干培训班",
    # Who may use a thing is no reading; nor is a caption with nothing after it, or a question.
    "以下内容仅限内部人员使用：\n会议室预约系统账号", "以下材料仅限内部参加会议人员传阅：",
    "以下材料仅限内部参加会议人员传阅？",
    # The rules on such material.
    "以下是内部资料管理规定，仅限内部人员传阅：\n1. 内部资料不得带出办公室",
])
def test_limited_to_those_inside_who_may_take_part_is_no_declared_secret(text):
    assert run(secret, msg(text)) == []


def test_a_marked_document_forwarded_is_flagged():
    [flag] = run(secret, msg("现将秘密★1年《关于全县维稳工作的部署意见》转发给你们，请认真学习"))
    assert "秘密★1年" in flag["evidence"]


@pytest.mark.parametrize("text", ["订单号 2025-0312-0000-1230", "订单号 2025031200001230", "今年全镇GDP完成15360000000元左右"])
def test_a_date_led_order_number_or_an_amount_is_no_card_or_phone_number(text):
    assert run(privacy, msg(text)) == []


@pytest.mark.parametrize("text", ["系统要求每90天修改一次密码 2025年3月31日前完成", "登录不上的先点忘记密码 https://zwfw.jiangxi.gov.cn 按提示重置",
                                  "输入密码 Caps Lock要关掉，不然老是错", "密码 reset 之后还是进不去",
                                  "忘记密码 http://59.52.20.8:8080 点自助重置", "修改密码 OA2.0系统里点右上角头像就行"])
def test_talk_about_a_password_with_a_space_after_it_is_not_a_leak(text):
    assert run(credential_leak, msg(text)) == []


def test_credentials_are_flagged_with_the_secret_masked():
    [flag] = run(credential_leak, msg("统一账号：admin / 密码：Xy123456，登录后请改密"))
    assert "Xy123456" not in flag["evidence"] and "X******6" in flag["evidence"]
    assert run(credential_leak, msg("密码重置了吗？")) == []
    for text in ("社保系统 账号360902 密码 Sb#2025ab 明天上午统一录入", "学籍系统 用户名jyjxj 密码 Xj2025!!",
                 "村里wifi密码 88888888，连不上的找我", "账号 zhangsan 密码 abcdefgh"):
        [flag] = run(credential_leak, msg(text))  # a space alone between them
        assert not any(secret in flag["evidence"] for secret in ("Sb#2025ab", "Xj2025!!", "88888888", "abcdefgh"))
    assert run(credential_leak, msg("密码 忘了怎么办")) == []


@pytest.mark.parametrize("text", [
    "腾讯会议号：138-795-123，会议密码：2025，请各村准时参会。",  # a passcode meant for those invited
    "腾讯会议：892-394-567 密码：1234",  # as Tencent Meeting's invitations write it
    "会议号 892394567 密码 123456",
    "#腾讯会议：892 394 567\n会议号：892394567，密码：1234",
    "请登录 http://59.52.20.8:8080/admin/index.jsp 进行填报，截止周五。",  # a path, not admin / password
    "后台网址：https://ycjy.gov.cn/root/login",
    "密码：******（已私发）",
])
def test_a_meeting_passcode_a_web_address_or_a_hidden_password_is_no_leak(text):
    assert run(credential_leak, msg(text)) == []


@pytest.mark.parametrize("text, secret", [
    ("账号：yc_wzz 密码123456", "123456"),
    ("用户名和密码都是admin123", "admin123"),
    ("系统初始账号是工号，密码都是Aa123456", "Aa123456"),
    ("密码是：Yf2025!!", "Yf2025!!"),
    ("PW：Yfxz@2025", "Yfxz@2025"),
    ("用户名admin 密码admin", "admin"),  # the account is the password: both hidden
    # An account and its password with a slash between, on a platform or an account named as such.
    ("综治平台 yfzz01/Yf@12345", "Yf@12345"),
    ("账户：yfsb001 / Sb@2025", "Sb@2025"),
    # A meeting's passcode excuses no other password beside it.
    ("腾讯会议号 892394567。OA系统密码：Oa@2025", "Oa@2025"),
    ("会议号 892394567 入会后登录OA，账号yfzz01 密码 Oa@20250", "Oa@20250"),
    ("会议室电脑开机密码：Hy@2025!", "Hy@2025!"),
])
def test_credentials_written_in_other_ways_are_flagged_with_the_secret_hidden(text, secret):
    [flag] = run(credential_leak, msg(text))
    assert secret not in flag["evidence"] and "*" in flag["evidence"]


@pytest.mark.parametrize("text", [
    "密码已重置为初始密码，请登录后修改", "忘记密码请联系信息中心",
    # Slashes on a platform that are no account and password: a date, a fraction, a choice, a path.
    "系统于2025/03/04升级，登录后完成进度1/3", "平台考试分A/B 卷，账号为工号",
    "登录平台 https://yfzz.gov.cn/login/index2025 填报", "系统备份在 /home/yfzz01/backup2025 目录",
    "请登录系统上传 data/report2025.xlsx", "平台操作手册见共享盘 share/manual2025 文件夹",
    "系统升级通知：请各单位登录平台，下载路径 share/Manual2025", "登录系统查看 report/2025Q1 表格",
    "请登录系统填报，文号 ycf/2025-12", "平台接口地址 api/GetData2025",
])
def test_password_talk_dates_fractions_and_paths_on_a_platform_are_no_leak(text):
    assert run(credential_leak, msg(text)) == []


@pytest.mark.parametrize("text", [
    "各村综治平台账号密码如下（请妥善保管，不要外传）：\n1. 新庄村 xz001/Xz@2025\n2. 龙岗村 lg001/Lg@2025",
    "请登录平台查看，账号 yfzz01/Yf@12345", "新版本系统已上线，账号 xz001/Xz@2025",
    "系统下载地址见群公告，账号 yfzz01/Yf@12345", "xz001/Xz@2025 是综治平台的账号",
])
def test_account_password_pairs_are_leaks_wherever_the_account_is_named(text):
    [flag] = run(credential_leak, msg(text))
    assert "Xz@2025" not in flag["evidence"] and "Yf@12345" not in flag["evidence"]


@pytest.mark.parametrize("text, secret", [
    ("请注意保密，root/Rt@20250 仅限本人使用", "Rt@20250"),  # 保密 names no password: the slash shows it
    ("PASSWORD: Ab@12345", "Ab@12345"),  # no 密, no slash: the word alone
    ("PW：Yfxz@2025，3/5前改掉", "Yfxz@2025"),
    ("请保密 paſſword: Ab@12345", "Ab@12345"),  # a long s, which the patterns take for an s
])
def test_a_credential_is_found_by_the_word_or_the_slash_it_holds_whatever_else_the_text_has(text, secret):
    [flag] = run(credential_leak, msg(text))
    assert secret not in flag["evidence"]


@pytest.mark.parametrize("text", ["请注意保密，3/5前报送", "密钥管理员：王磊 / 李华"])
def test_secrecy_and_slashes_without_a_credential_are_no_leak(text):
    assert run(credential_leak, msg(text)) == []


def test_red_packets_and_transfers_are_flagged():
    flags = run(red_packet, msg("恭喜发财", kind="red_packet", id=1), msg("[转账]￥1360.00", id=2),
                msg("节日期间严禁收受红包礼金", id=3))
    assert [f["message_id"] for f in flags] == [1, 2]
    assert all(f["article"] == "群规 第十二条" for f in flags)


@pytest.mark.parametrize("text", ["[微信红包]恭喜发财，大吉大利", "[转账收款]已收款200.00元", "🧧[红包] 节日快乐",
                                  "[拼手气红包]大吉大利", "[专属红包]给王主任"])
def test_red_packets_pasted_as_text_in_other_forms_are_flagged(text):
    [flag] = run(red_packet, msg(text))
    assert flag["category"] == "red_packet"


def test_messages_of_an_exempt_group_are_archived_but_never_flagged(qunguan, db_path, tmp_path):
    import csv

    from ingest.schema import open_archive

    rows = [("请各支部委员今晚十点前把学习照片发群里，每人都要拍照", "2025-03-09 22:30:00"),
            ("王某的手机号是13979512345，家住城北小区", "2025-03-04 10:00:00")]
    for group in ("党支部学习群", "防汛工作群"):
        path = tmp_path / f"{group}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
            for i, (text, when) in enumerate(rows):
                out.writerow([f"{len(group)}{i}", "文本", "李华", when, text, "", "", "more"])
        qunguan("ingest", path, "--db", db_path, "--group", group, "--silent")
    qunguan("groups", "set", "党支部学习群", "--db", db_path, "--exempt")
    assert qunguan("classify", "--db", db_path, "--silent").exit_code == 0
    conn = open_archive(str(db_path)).conn
    flagged = {r[0] for r in conn.execute("select g.name from flags f join groups g on g.id = f.group_id "
                                          "where f.message_id is not null")}
    assert flagged == {"防汛工作群"}
    assert conn.execute("select count(*) from messages").fetchone()[0] == 4


@pytest.mark.parametrize("text", [
    "账号密码：请私聊我获取，不要在群里问。",
    "平台初始密码为身份证号后六位，登录后请修改",
    "密码为8-16位字母和数字组合",
])
def test_telling_how_to_get_a_password_or_what_it_is_made_of_is_not_a_leak(text):
    # Only a value that could be typed in as the password discloses it.
    assert run(credential_leak, msg(text)) == []


def test_an_initial_password_given_in_full_is_a_leak():
    [flag] = run(credential_leak, msg("平台初始密码为Yc@2025!，登录后请修改"))
    assert flag["evidence"] == "群内发布账号口令：密码为Y******!"


def test_a_new_detector_version_flags_what_the_old_one_missed_without_duplicates(qunguan, db_path, tmp_path, monkeypatch):
    """Given an archive classified by privacy version 1 (which missed a card number after a
    space), when classify runs with version 2, then the card is flagged, the phone number
    version 1 found is not flagged twice, the detectors that did not change judge nothing
    again, and a further run adds nothing."""
    import csv

    from detectors import run as rules
    from ingest.schema import open_archive

    path = tmp_path / "防汛工作群.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
        for i, text in enumerate(["王某的手机号是13979512345", "补贴打到卡号 6222021234567890128 上", "收到"]):
            out.writerow([f"m{i}", "文本", "李华", f"2025-03-04 10:0{i}:00", text, "", "", "more"])
    qunguan("ingest", path, "--db", db_path, "--group", "防汛工作群", "--silent")
    monkeypatch.setattr(rules, "BATCH", 1)  # several batches, as in a large archive
    with monkeypatch.context() as old:
        old.setattr(privacy, "VERSION", "1")
        old.setattr(privacy, "_CARD", __import__("re").compile(r"(?<![\d ])(?:\d[ ]?){15,18}\d(?![\d])"))
        assert qunguan("classify", "--db", db_path, "--silent").exit_code == 0
    conn = open_archive(str(db_path)).conn
    privacy_flags = "select evidence from flags where category = 'privacy' order by message_id"
    assert [r[0] for r in conn.execute(privacy_flags)] == ["消息中含有个人信息：手机号 139*****345"]

    judged = []
    monkeypatch.setattr(red_packet, "detect", lambda messages, *a: judged.extend(messages) or [])
    assert qunguan("classify", "--db", db_path, "--silent").exit_code == 0
    assert [r[0] for r in conn.execute(privacy_flags)] == ["消息中含有个人信息：手机号 139*****345",
                                                           "消息中含有个人信息：银行卡号 6222***********0128"]
    assert judged == []
    assert qunguan("classify", "--db", db_path, "--silent").stdout.startswith("flags added 0")
    assert [r[0] for r in conn.execute("select detector from detector_state where detector like 'rules@privacy.%'")
            ] == [f"rules@privacy.{privacy.VERSION}"]
