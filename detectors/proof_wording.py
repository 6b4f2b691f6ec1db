"""What a message's wording demands of media (群规 第九条 "过度留痕"; detectors/proof_demand.py
weighs it beside the proof-demand model): screenshots, photos, videos, location shares, 打卡
or 接龙 as proof of work. A request for a document is not a proof demand: only a clause
that names such media and also makes a demand counts. An act (拍照, 录制 …) counts
only when the demand comes before it or in its own part of the clause ("县电视台要来拍摄
专题片，请各村配合" asks for something else). Media that are things rather than acts
(照片, 视频, 定位 …) count only when the clause asks to send them in or to keep them for
every case (每户都要有照片), and never in another sense (视频会议, 免冠照片, 发展定位, a
video to watch, a post's duties). A clause that forbids or reports it done is not a
demand, nor a sending that names the media it sent (刚发群里的照片是昨天的)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from detectors.base import LEADING_MENTIONS, TEXT_KINDS, Message, any_pattern, word_pattern
from detectors.setting_values import Problem

_COMMAS = re.compile(r"([，,])")  # a clause's parts; split at them, it keeps them
_CLAUSE_ENDS = "。！？!?\n；;"
_CLAUSE = re.compile(f"[^{_CLAUSE_ENDS}]+[{_CLAUSE_ENDS}]*")  # a clause with the marks that end it
# Asked why media are not sent yet: "照片怎么又没发？", "视频为什么还没上传！", or cannot be sent
# (on time): "照片为什么不能按时发？", "视频为什么不能上传？" (alone a question about a fault, in
# proof_demand.question_patterns; a reproach when a demand follows). Not why they cannot be made
# so: "为什么不能用手机拍照？" asks about a rule or a fault, not for the media. Words may stand
# between the why and a sending not done, or done only when chased: "为什么你们村的走访照片到现在
# 还没发？", "为什么每次都要催你们才发照片？" (not "为什么照片一直上传不了？", a fault).
_REPROACH = re.compile(r"(?:怎么|为什么|为啥|为何|咋)(?:(?:还|又|一直)?"
                       r"(?:没|不(?![能会可])|不(?:能|会|可以?)(?=(?:按时|及时|准时)?(?:发|传|上传|交|报|提交))|未)"
                       r"|[^，,？?！!]{1,12}?(?:没有?|未|不|才)(?=(?:按时|及时|准时)?(?:发|传|上传|交|报|提交)))"
                       r"[^，,]{0,6}[？?！!]+\s*$")
_OBJECT = re.compile("[把将]")
# A question after it asks what went wrong, and demands nothing: "视频为什么不能上传？是不是网络问题".
ASKS = re.compile(r"[？?吗呢][^\w]*$|是不是|是否")
# A let-off of where the media go, the next part sending them elsewhere ("照片不用发我，直接发
# 群里", "截图不用发群里，私发给我", "照片不需要发我，直接传系统"), lets nothing off: the media
# are still asked for. Only the let-off's words and comma are blanked: the sending stays in the
# media's part. Not when the next part sends something else or takes them elsewhere unsent
# ("照片不用发群里了，台账交上来就行", "…，拷到德育处U盘就行", "照片不用发给我，统一交台账就行":
# the sending's object right after it), nor tells of a sending done ("…，发了也没人看").
_SENT_ELSEWHERE = re.compile(r"(?P<not>(?:不用|无需|不必|不需要)再?)(?P<sending>(?:发|传|上传|报|交)(?:给|到|至|进)?"
                             r"(?:我(?!们)|[^，,。\s]{0,6}?(?:群|系统|平台))里?)(?P<end>[了啦哈啊呀]*[，,])"
                             r"(?=\s*(?:直接|私下?|单独|统一|另外|都|就|只|请)*(?:发|传|上传|交|报)"
                             r"(?:给|到|至|进|我|群|系统|平台|邮箱|上来|过来|上去|一下|[，,。！!]|\s*$))")

# A let-off of how often, the next part sending them still ("打卡截图不需要每天发，每周五统一发群里",
# "照片不用每次都发，月底统一发我"), lets nothing off either: they are sent less often. Not with no
# sending after ("截图不用每天发了", "…，发了也没人看" and "…，周一发的那次算数" tell of a sending done), nor one forbidden
# or let off too ("…，也别发群里了，周五统一发我": joined to it, the let-off would read as done), nor the
# speaker's own ("…，我每周汇总报一次"), nor one only when asked or something is wrong ("…，有问题再发",
# "…，需要的时候再传"), nor of something else ("…，每周交一次考勤表": the sending's object, not where to, right after it,
# or 周报, a report, not 报, as 每周报 is; but 月报里附上 attaches them).
_HOW_OFTEN = re.compile(r"(?P<not>(?:不用|无需|不必|不需要)再?(?:每天|天天|每日|每次|次次|每回)都?)"
                        r"(?P<sending>(?:发|传|上传|报|交)[^，,。\s]{0,6}?)(?P<end>[了啦哈啊呀]*[，,])"
                        r"(?=(?:(?![别不没未勿我])[^，,。！!？?])*?(?<![时候话题查况要]再)"
                        r"(?:发|传|上传|交|附上|附在|附到|(?<![简快通情电画海年])(?<!(?<!每)[周月日])报)(?![的过])"
                        r"(?=\s*(?:一次|一下|一遍)?\s*(?:就行|即可|就好|就可以|给|到|至|进|我|群|系统|平台|邮箱|上来|过来|上去|[县镇乡村]里"
                        r"|[\u4e00-\u9fff]{0,3}(?:办|办公室|中心)"
                        r"|[，,。！!；;~～]|$))(?![^，,。！!？?]*了))")
# A message that urges the media sent, or answers its own question whether they are needed
# ("照片还没发的抓紧，检查要看到照片吗？都自觉点", "巡河照片是否要上传？要上传，每天一张"), asks no
# question whether they are (proof_demand.whether_patterns): not the speaker's own haste ("我这边抓紧"), nor
# a member's if or it depends ("？要是要看…", "？需要的话我发群里", "？得看县里要求"). A request after the
# question answers it too ("照片是否需要发群里？请各村今晚前发"; not "？请各村自行决定", "？请示一下领导").
_URGED = re.compile(r"(?<![我们边])(?:抓紧|赶紧|赶快|尽快|立即)|自觉|[？?！!]\s*(?:请(?!问|示)[^，,。？?]{0,12}(?:发|传|交|报|拍)|(?:当然|肯定)?(?:要|需要|必须|得)(?:看)?(?=[！!，,。\s~～]|$|的(?!话)|[啊呀哈]|发|传|上传|拍|交|报|每))")


def _sent_elsewhere(proof: str) -> str:
    """`proof` with the let-offs of where media go, when sent elsewhere, or of how often, when sent
    still, blanked but for the sending."""
    for let_off in (_SENT_ELSEWHERE, _HOW_OFTEN):
        proof = let_off.sub(lambda off: " " * len(off["not"]) + off["sending"] + " " * len(off["end"]), proof)
    return proof


def other_senses(settings: dict) -> re.Pattern:
    """Where a media word means something else: the words that hold one in another
    sense, a thing to watch after a viewing verb ("观看警示教育视频"), and a post's duties
    ("负责拍照和视频拍摄工作"). Media asked for by mail as material ("照片发我邮箱就行") are
    another sense only where a message opens (`mailed_patterns`, read by detect)."""
    held = word_pattern(tuple(settings["non_proof_words"])).pattern
    viewing = word_pattern(tuple(settings["viewing_words"])).pattern
    things = word_pattern(tuple(settings["needs_sending"])).pattern
    duties = any_pattern(tuple(settings["duty_patterns"])).pattern
    # Up to the thing watched, not past an act after it: "观看后班主任拍摄学生观看照片上传" asks for photos.
    return re.compile(f"{held}|(?:{viewing})(?:(?![后拍截录])[^，,、])*?(?:{things})|{duties}")


def named_sendings(settings: dict, any_media: re.Pattern) -> re.Pattern:
    """A sending that names media by it, a medium right after its 的 ("刚发群里的照片是昨天的",
    "上传的照片要清晰"), with what its part of the clause says after the medium (`after`)."""
    sends = any_pattern(tuple(map(re.escape, settings["send_words"])) + tuple(settings["send_patterns"])).pattern
    return re.compile(rf"(?:{sends})(?=(?:[到至进在][^，,。、\s的]{{1,8}})?里?的[^，,。、\s]{{0,4}}?(?:{any_media.pattern})"
                      r"(?P<after>[^，,]*))")


# What the media a sending names must be ("上传的照片要清晰", "发群里的照片请注明户主姓名",
# "提交的视频不能超过1分钟"): the sending is asked for, the rule is for media still to come.
# Not 应该, a guess ("发群里的照片应该是昨天的"), nor 要 or 一定 inside words that require
# nothing ("上传的照片主要是入户走访的", "发群里的照片不一定是今天的").
_REQUIRED = re.compile("(?<![主重])要|须|需|一律|应当?(?!该)|请|不能|不得|不可|(?<!不)一定")
# Unless the sending is past, said before it in its part ("刚发群里的照片要删掉", "昨天上传的
# 视频要重新剪一下"): those media are sent, a rule for them asks for none.
_PAST = re.compile("刚|已|昨|前天|之前|先前|上次|上周|上个?月|前几天|前面")
# Nor is what readers are to do with media sent a rule for them ("发群里的照片请大家及时保存",
# "上传的视频请各村互相学习", "上传到系统的照片需要审核", "…请大家看看", "…请领导审阅",
# "…要注意保密，不要外传"), nor their fault ("上传的视频不能播放"). Not 看得清 or 看清, what
# the media must show ("上传的照片要看得清人脸").
_USED = re.compile("保存|下载|删|点赞|点评|欣赏|学习|审核|审阅|过目|看(?![得清])|核对|核实|确认|检查|自查|浏览|整理"
                   "|分类|归档|打印|收藏|转发|外传|保密|播放|打开")


def _part_start(clause: str, at: int) -> int:
    """Where the part of `clause` (between its commas) holding position `at` begins."""
    return max(clause.rfind("，", 0, at), clause.rfind(",", 0, at)) + 1


def _told_sendings(proof: str, named: re.Pattern) -> str:
    """`proof` with the sendings that name media sent blanked: they tell what was sent and
    ask for no sending. One with a rule for the media (`_REQUIRED`) asks for them, unless past
    or the rule is what to do with them (`_USED`)."""
    def told(sending: re.Match) -> str:
        part = proof[_part_start(proof, sending.start()):sending.start()]
        if _REQUIRED.search(sending["after"]) and not _USED.search(sending["after"]) and not _PAST.search(part):
            return sending[0]
        return " " * len(sending[0])
    return named.sub(told, proof)


# What the sender attached, as exporters write it into the text ("…图片见下[图片]×6",
# "晒一下[图片]"): the sender's own media, asked of no one.
_ATTACHED = re.compile(r"\[(图片|视频|表情|动画表情)\](?:\s*[×xX*]\s*\d+)?")


# A part of a clause that lists what the part before it names: "请大家不要在群里发与工作无关的内容，
# 比如美食、旅游照片", "…，包括会议照片和讲话要点", "请勿发布…，如商品推销、投票拉票、红包接龙等".
_LISTING = re.compile(r"\s*(?:比如|例如|譬如|诸如|包括|如|像)")


def _forbidden(proof: str, prohibition: re.Pattern, any_media: re.Pattern) -> bool:
    """Whether a part of the clause forbids its media: the part naming them, or the one
    before a listing of them."""
    parts = _COMMAS.split(proof)[::2]
    return any(any_media.search(part) and (prohibition.search(part) or at and _LISTING.match(part)
                                           and prohibition.search(parts[at - 1]))
               for at, part in enumerate(parts))


def said_text(text: str, example: re.Pattern) -> str:
    """The text with its attachments blanked (a space each: words either side must not
    join into a media word), but those shown as an example to follow (`example`: config
    `example_words`), which name the
    media asked for ("[视频]×3 这是示范，大家照着拍，每个点位拍满30秒发群里"), and its
    opening @mentions left out: they stand before a question's 请问 ("@办公室 请问…") as
    they do before a demand."""
    if "[" in text:
        shown = example.search(text) is not None
        text = _ATTACHED.sub(lambda attached: f" {attached[1]} " if shown else " ", text)
    return LEADING_MENTIONS.sub("", text) if text.lstrip().startswith("@") else text


def demand_clauses(text: str, any_media: re.Pattern) -> list[str]:
    """The text's clauses (base.clauses), but a reproach for media not yet sent and the clause
    after it are one when that clause names neither media nor an object (把…) of its own and
    asks nothing: its demand is for the reproach's media ("照片怎么又没发？今晚必须发群里")."""
    joined: list[str] = []
    for clause in _CLAUSE.findall(text):
        if (joined and _REPROACH.search(joined[-1]) and any_media.search(joined[-1])
                and not any_media.search(clause) and not _OBJECT.search(clause) and not ASKS.search(clause)):
            joined[-1] += clause
        else:
            joined.append(clause)
    return [kept for clause in joined if (kept := clause.rstrip(_CLAUSE_ENDS)).strip()]


def _demanded(clause: str, acts: re.Pattern, demand: re.Pattern, back: re.Pattern) -> bool:
    """Whether a demand stands before the clause's last act or in its part of the clause:
    a demand reaches forward ("请各村今晚十点前，把巡河现场拍照"), back only when it tells
    to carry the act out (`back`: "每个点位拍照打卡，请各村务必落实")."""
    ends = [found.end() for found in acts.finditer(clause)]
    if not ends:
        return False
    part_end = _COMMAS.search(clause, ends[-1])
    return (demand.search(clause, 0, part_end.start() if part_end else len(clause)) is not None
            or back.search(clause, ends[-1]) is not None)


def incidents(settings: dict):
    """Whether the medium at `start` of `clause` shows an incident to look into, named just
    before it ("这个学生被霸凌的视频") or told in a part of the clause before the medium's ("这个
    学生在学校被打了，谁有视频发我一下"), and no work on such incidents is named there too, or
    anywhere before the medium for one told before: those media prove the work ("走访被盗群众的
    照片", "防范学生被欺凌的宣传照片"), nor units set to act between the two: "…发生车祸后，今天
    各班主任要在班级群提醒家长，提醒截图发我" asks for the work's proof."""
    incident = any_pattern(tuple(settings["incident_patterns"]))
    # The medium right after the incident's 的, but for a word or two ("打架的那段视频", "偷车的监控视频").
    shown = re.compile(rf"(?:{incident.pattern})的[^，,。、\s]{{0,3}}$")
    work = word_pattern(tuple(settings["incident_work_words"]))
    tasked = any_pattern(tuple(settings["incident_tasked_patterns"]))

    def of_incident(clause: str, start: int) -> bool:
        part = _part_start(clause, start)
        named_from = max(start - 16, part)
        if shown.search(clause, named_from, start):
            return work.search(clause, named_from, start) is None
        told = incident.search(clause, 0, part)
        return (told is not None and work.search(clause, 0, start) is None
                and tasked.search(clause, told.end(), start) is None)
    return of_incident


def _for_another_end(clause: str, any_media, document, photo, of_incident, purposes: dict) -> bool:
    """Whether every medium the clause names is a document's photo, shows an incident or
    serves another end."""
    for found in any_media.finditer(clause):
        medium = found.group()
        if photo.fullmatch(medium) and document.search(clause, max(0, found.start() - 10), found.start()):
            continue
        if of_incident(clause, found.start()):
            continue
        if medium in purposes and purposes[medium].search(clause):
            continue
        return False
    return True


def _parts_aside(clause: str, aside: Callable[[str, list[str]], bool]) -> str:
    """The clause with every part that is `aside` (given the parts after it) blanked, not cut: its
    words stay as far apart."""
    parts = _COMMAS.split(clause)
    return "".join(" " * len(part) if aside(part, parts[at + 1:]) else part for at, part in enumerate(parts))


# Media told taken but not sent ("拍了照片", "照片拍好了"), by no speaker named: a step before a sending
# asked in a later part of the clause ("拍了照片，记得发群里", "各村拍了照片，今晚之前统一上传", "照片拍好了，
# 请今晚发群里"), not a report; "我拍了照片，晚点发群里" tells the speaker's own. The later part sends them,
# naming no object of its own, only where to: not "照片拍好了，请各村报送走访台账".
_TAKEN = re.compile("拍了|拍好|拍完|录好|录完|拍照[^，,。]{0,2}了")
_SENDING = re.compile("发(?![现生言展布放烧])|传|报(?![告道])|交(?![通流])")
_SENT_ON = re.compile(r"(?:发(?![现生言展布放烧])|传|报(?![告道])|交(?![通流]))"
                      r"(?:(?:给|到|至|进|群|我|系统|平台)[^，,。]{0,8}|一下|上来|过来|上去)?[！!~～]*\s*$")
_TAKER = re.compile("我(?![们镇乡县村市区局])")
# Nor where the later part tells of the taker's own sending soon ("照片拍好了，等会发群里", "拍好了，回头发你"),
# or to the one addressed ("照片拍完了，下午发给你"), one shared for all to see or keep ("…，发给大家看看",
# "…，晚上发群里大家自己存"), one someone else will make ("他们会发群里", "李姐拍了照片，她晚上发群里"), asks
# whether to send ("要不要发给你", "要发群里吗？") or tells it failed.
_OWN_SENDING = re.compile(r"^\s*(?:等会儿?|等一?下|一会儿?|待会儿?|稍后|晚点|晚些|回头|这就|过会儿?|[她他](?!们))|要不要|会(?=[发传报交])|失败"
                          r"|发给?你(?!们)|给你发|发给大家看|大家(?:自己)?(?:存|保存|看看)|[吗么][？?]?\s*$|[？?]")
# Those told to take them are told to send them, whenever ("各村拍了照片，等会统一发群里").
_ADDRESSED = re.compile("各|大家|你们|所有|全体|请")
# Words of standing_demands and demand_words that count the media: beside media told sent they tell
# what was sent (detect).
_TOLD_WORDS = ("每户", "每人", "一律")


def unknown_purposes(settings: dict) -> list[Problem]:
    """What `purposes_as` names that the detector passes over, as the caller should say:
    a medium that is none of `media_words` (never found in a message), or one it serves
    the ends of that has none in `other_purposes`. A typo (照骗), or a list changed since.
    Each said in English and in Chinese (`zh`)."""
    unknown = [Problem(f"{medium}, not a medium proof_demand.media_words lists",
                       f"{medium}（不在 proof_demand.media_words 中）")
               for medium in settings["purposes_as"] if medium not in settings["media_words"]]
    return unknown + [Problem(f"{kind} (for {medium}), not a medium proof_demand.other_purposes lists",
                              f"{kind}（{medium} 所用，不在 proof_demand.other_purposes 中）")
                      for medium, kinds in settings["purposes_as"].items() for kind in kinds.split()
                      if kind not in settings["other_purposes"]]


def _purposes(settings: dict) -> dict[str, re.Pattern]:
    """By medium, the words of the ends it serves: its own and those of the media its
    `purposes_as` names."""
    own = settings["other_purposes"]
    shared = {medium: kinds.split() for medium, kinds in settings["purposes_as"].items()}
    return {medium: word_pattern(tuple(word for kind in [medium, *shared.get(medium, ())] for word in own.get(kind, ())))
            for medium in own.keys() | shared.keys()}


class Demand(NamedTuple):
    """Media asked for in a message: the clause asking, the media it names, and whether as
    proof of work (else for another end, asked of many)."""

    clause: str
    media: list[str]
    proof: bool


def demands(config: dict) -> Callable[[Message], Demand | None]:
    """What finds the media a message asks for: as proof of work, or else, asked of many,
    for another end (a document's photo, a fault's screenshot, an incident's footage:
    "新入职的同志把身份证照片发人事科", "系统登不上的，把报错截图发我"), but not of one colleague
    ("麻烦把发票的照片发我一下，我帮企业看看") nor of whoever has them; None if neither.
    proof_demand flags the first; after_hours reads either as a task."""
    settings = config["proof_demand"]
    # Most messages name no medium at all: one scan rules them out.
    any_media = word_pattern(tuple(settings["media_words"]))
    acts = word_pattern(tuple(w for w in settings["media_words"] if w not in settings["needs_sending"]))
    things = word_pattern(tuple(settings["needs_sending"]))

    def asking(left_out: tuple[str, ...] = ()) -> tuple[re.Pattern, re.Pattern]:
        """What asks for media sent or kept, and what demands an act, but for the words `left_out`."""
        def words(key: str) -> list[str]:
            return [word for word in settings[key] if word not in left_out]
        return (any_pattern(tuple(map(re.escape, settings["send_words"] + words("standing_demands")))
                            + tuple(settings["send_patterns"])),
                # Sent to a group, named or not, is a demand for an act too: "学完截图发到年级群".
                any_pattern(tuple(map(re.escape, words("demand_words") + settings["send_words"]))
                            + tuple(settings["send_patterns"])))
    asked, demand = asking()
    # Beside media told sent, 每户 or 一律 tells what was sent, not what is asked ("照片已上传，每户都有照片",
    # "我已上传照片，共计23户，每户一张照片"); a request, a must or a sending still asks ("…，剩下的村照片今晚
    # 必须上传", "县里已上传照片，要求各村每户拍照").
    asked_beside_told, demand_beside_told = asking(_TOLD_WORDS)
    back = any_pattern(tuple(settings["demands_after"]))
    prohibition, done = word_pattern(tuple(settings["prohibition_words"])), any_pattern(tuple(settings["done_patterns"]))
    let_off = any_pattern(tuple(settings["let_off_patterns"]))
    question = any_pattern(tuple(settings["question_patterns"]))
    whether = any_pattern(tuple(settings["whether_patterns"]))
    elsewise = other_senses(settings)
    mailed = any_pattern(tuple(settings["mailed_patterns"]))
    document = word_pattern(tuple(settings["document_words"]))
    photo = word_pattern(tuple(settings["photo_words"]))
    of_incident = incidents(settings)
    purposes = _purposes(settings)
    named = named_sendings(settings, any_media)
    told, still_asking = any_pattern(tuple(settings["told_patterns"])), any_pattern(tuple(settings["still_asking_patterns"]))
    heard, outright = any_pattern(tuple(settings["hearsay_patterns"])), any_pattern(tuple(settings["asked_outright_patterns"]))
    example = word_pattern(tuple(settings["example_words"]))
    to_many, no_task = any_pattern(tuple(settings["to_many_patterns"])), any_pattern(tuple(settings["no_task_patterns"]))

    def aside(part: str, later: list[str], urged: bool) -> bool:
        """Whether a part of a clause speaks for itself alone: a question how to take or send its
        media asks only there ("请问照片怎么上传到系统？"; "…把走访照片发群里，不会拍照的问我怎么拍"
        still demands), as does one whether they are needed in a message that does not urge them
        (`urged`), and so does a let-off ("不用再拍视频了，拍照片发群里就行" still demands
        the photos) or a report of its media sent or taken ("走访照片上传了", but "我已上传照片，
        请各村也拍照上传" still demands theirs); a report or the speaker's own sending in a part
        naming no media asks for none named beside it ("昨天发的照片有几张拍糊了，我重新发一下")."""
        if any_media.search(part):
            return (question.search(part) is not None or not urged and whether.search(part) is not None
                    or let_off.search(part) is not None
                    or done.search(part) is not None and not step_before_sending(part, later))
        return done.search(part) is not None

    def step_before_sending(part: str, later: list[str]) -> bool:
        """Whether media told taken, not sent, are what a later part asks sent (`_TAKEN`)."""
        return (_TAKEN.search(part) is not None and not _SENDING.search(part) and not _TAKER.search(part)
                and any(_SENT_ON.search(after) and not done.search(after)
                        and (_ADDRESSED.search(part) or not _OWN_SENDING.search(after)) for after in later))
    def demand_in(m: Message) -> Demand | None:
        if m.kind not in TEXT_KINDS or not any_media.search(m.text or ""):
            return None
        text = said_text(m.text, example)
        # Media attached tell of the sender's own sending, unless something still asks others.
        attached = "[" in m.text and _ATTACHED.search(m.text) is not None
        urged = _URGED.search(text) is not None
        # Media mailed as material open the message, no demand in any line of it ("照片发我邮箱\n每户都要有").
        as_material = mailed.match(" ".join(text.splitlines())) is not None
        other = None  # the first clause asking media for another end
        for at, clause in enumerate(demand_clauses(text, any_media)):
            if not any_media.search(clause):
                continue
            # A space, not nothing: the words either side must not join into a media word.
            proof = elsewise.sub(" ", clause)
            if at == 0 and as_material:  # nothing before it names the work that media mailed would prove
                proof = mailed.sub(" ", proof)
            if "的" in proof:  # which a named sending has, and most clauses do not: a cheap test first
                proof = _told_sendings(proof, named)
            # A prohibition forbids the media in its own part of the clause ("拍照上传，不得弄虚作假"
            # still demands the photos), and a clause that forbids them is about them, not a demand.
            if _forbidden(proof, prohibition, any_media):
                continue
            # Sent less often is sent still, however plainly the sending is said ("签到截图不用每天发，每周汇总发一次").
            less_often = _HOW_OFTEN.search(proof) is not None
            if any(any_media.search(part) and done.search(part) for part in _COMMAS.split(proof)):
                asked_here, demand_here = asked_beside_told, demand_beside_told
            else:
                asked_here, demand_here = asked, demand
            proof = _parts_aside(_sent_elsewhere(proof), lambda part, later: aside(part, later, urged))
            if not any_media.search(proof):
                continue
            if not (less_often or _demanded(proof, acts, demand_here, back)
                    or things.search(proof) and asked_here.search(proof)):
                continue
            another = _for_another_end(proof, any_media, document, photo, of_incident, purposes)
            if another and (other or not to_many.search(text) or no_task.search(text)):
                continue
            # Asked of the few messages that get this far: a message told of lets off all its clauses.
            if (attached and not example.search(text) or told.search(text)) and not still_asking.search(text):
                return None
            if heard.search(text) and not outright.search(text):
                return None
            found = Demand(clause, list(dict.fromkeys(media.group() for media in any_media.finditer(proof))), not another)
            if found.proof:
                return found
            other = found
        return other
    return demand_in
