"""群规 第十条: non-urgent notices and tasks are not posted outside working hours.

Working days come from chinese-calendar (weekends and statutory holidays off, make-up
working days 调休 on). For years it does not cover, weekdays are working days, adjusted
by the config's extra holidays and workdays, and a warning says so once.

A notice or a task is what `is_notice` reads as one, by its wording or as the notice
model reads it (detectors/learned.py), or a demand for media, as proof of work or for
another end (detectors/proof_wording.py): both set others something to do."""
from __future__ import annotations

import functools
import re
from datetime import date, time

import chinese_calendar

from detectors import proof_demand, proof_wording
from detectors.base import LEADING_MENTIONS, TEXT_KINDS, Message, any_pattern, flag, when_zh, word_pattern
from detectors.learned import NOTICES, archived_tokens
from detectors.sign_up import answers_earlier

NAME, CATEGORY, ARTICLE = "after_hours", "after_hours", "群规 第十条"
# In the name on its flags and watermark (detectors/run.py), with the notice model's version:
# a model trained anew reads the archive again, as a new version of the rules does.
VERSION = f"25.{NOTICES.version() or 'none'}"
# Thanks that open a request, not a reply: "辛苦各位今晚把表填一下".
_POLITE_REQUEST = re.compile(r"^(?:辛苦|感谢|谢谢)(?:各位|大家)")
_WORDS = re.compile(r"\w")
# A reply's first clause, and a new task after it: "收到。另外请各村明天上午把…", or the
# task posted again after thanks: "辛苦村书记，再发一遍：请各村…", or a notice received and
# relayed after a colon, its task there or after the notice's first clause: "收到县应急局
# 通知：请各村今晚把…", "收到县政府办通知：明天上午召开…调度会，请各乡镇长…" (the first
# clause the shortest that a task follows). The task may open with its deadline ("已收到县局
# 通知：本周五前请各股室报送…"), not with the speaker (我请…), nor with the speaker's errand
# said without 我: done ("已经请各村连夜落实了") or, in a reply that relays no notice, to be
# done at once (config `at_once_words`: "马上请各村落实", "回头请各村把表报上来": the speaker tells the one
# who set the task how it is passed on; "收到县防指通知：立即请各村…" passes the notice on).
# Not 请…放心, which reassures (passed over: "收到：请领导放心，明天一早就把材料报上来" is the
# speaker's own promise; "收到：请领导放心。另外请各村…" sets a task), nor 请示, the speaker's
# own errand.
_REASSURED = r"请[^，,。！!；;]{0,8}放心"
# More acknowledgement may follow the first, each a clause of its own, before the task:
# "收到，已阅，请各村明天上午报送名单", "收到，谢谢王主任提醒，请各村…", or the speaker's
# own part done, then the task passed on: "收到，已安排，请各村明天上午报送名单".
_ACKNOWLEDGED = (r"(?:收到|已收到|已收悉|已知悉|已阅|已安排|已通知|已转发|已落实|明白|好的|好滴|是的|谢谢|感谢|多谢|辛苦)"
                 r"[^，,。！!；;：:\s]{0,6}")
# Or the task put to the units without 请 ("已转发，各村明天上午报名单"): the units (or their
# heads) told when or how, a deadline, a manner or 把 right after them ("收到，各村书记明天8点到镇里
# 开会", "已转发，各村抓紧报送", "已转发，各村于3月5日前报送", "…各村按要求报送"). Not the units told of: what is theirs ("好的，各村情况明天汇报",
# "收到，各村名单明天报"), what they can or will do ("收到，各村明天就能报齐", "…明天会报上来"), the
# speaker's errand with them ("收到，等各村报上来再说", "好的，让各村明天报"), done or the speaker's
# ("收到，各村已经报上来了", "好的，各村的我明天去收"), or a reassurance before: "收到：请您放心，
# 各村今晚把表报上来" promises how the task is met.
_UNITS = "各(?:村|乡镇|镇|单位|股室|部门|科室|站所|学校|社区|组|网格员|支部)"
_UNITS_HEADS = "(?:的?(?:党支部|支部)?(?:书记|支书|主任|干部|负责人|站长|所长|校长|网格员|联络员|信息员))?"
_UNITS_WHEN = (r"(?:都|要|须|需|务必|必须|于|在)*(?:今晚|今天|明天|明早|明晚|后天|本周|下周|周[一二三四五六日天]|上午|下午|中午|晚上|早上"
               r"|[\d一二三四五六七八九十]+[月日号点]|月底|月初|近期|规定|尽快|抓紧|马上|立即|及时|按|统一|做好|认真|把|将)")
_UNITS_TOLD = (rf"(?<!放心[，,])(?<![让叫等待催])(?<!督促|通知|提醒|要求){_UNITS}(?={_UNITS_HEADS}{_UNITS_WHEN})"
               r"(?![^。！!；;？?]*?(?:[已了我吗？?]|能(?!不能)|可以|会(?=上?[报交发送填])|应该|估计|可能))")
_REPLY_THEN_TASK = re.compile(rf"^[^，,。！!；;\s]*?[，,。！!；;：:\s]+(?:{_ACKNOWLEDGED}[，,。！!；;：:\s]+)*"
                              rf"(?:{_REASSURED}[，,。！!；;\s]+)?"
                              r"(?:(?:另外|另|还有|同时)[，,]?\s*|(?:再|重新)(?:发|提醒|强调|通知)一?[遍次下][：:，,]?\s*)?"
                              rf"(?P<lead>(?:(?!已)[^，,。！!；;\s请我]){{0,10}}?)(?=请|{_UNITS_TOLD})(?!请示|{_REASSURED})")
# A notice relayed from above opens saying so, its acknowledgement no answer: "收到县里通知，
# 请各村…", "收到县应急局通知：…", "已转发县里文件，…" (@mentions may come first).
RELAYED = re.compile(r"^(?:\s*@[^\s@\u2005]{1,30}[\u2005 ]?)*\s*(?:已?收到|已收悉|已转发|接到)"
                     r"[^，,。！!；;：:\s]{0,12}?(?:通知|文件|来文|函|电报|指示|要求|精神)")

# A part of a sentence that asks sets no task, its question mark left off or not: a member's
# "明天上午的调度会还开吗", "明天的例会在三楼还是五楼开", "明天下午的党委会是不是改到后天了",
# "明天是8点到岗还是8点半到岗", "明天8点准时到镇政府报到对吧", "明天上午开会的通知大家看到了吧"
# (not a bare 吧: "明天8点准时到镇政府报到吧，别迟到" asks them to). 还是 is a choice only between
# alternatives, not "still" after the day or the people ("明天还是8点开会", "大家还是要…", "还是
# 在三楼开会", "还是老时间", "还是原地点"), nor before an hour with none before it to choose
# from ("下周一还是8点开会", "明天例会还是上午9点"; "明天是8点还是8点半" chooses), unless a 是
# opens the first alternative ("明天是去县里开会还是在镇里开" chooses where): not the day told
# and "still" after it ("明天是周六还是要8点到岗", "…还是照常开例会"), nor a concession ("即使是
# 下雨还是8点准时集合"). A 呢 after
# 还要 tells ("明天上午8点还要开会呢，大家早点休息"). A request put as a question still asks
# ("能不能请各村明天…？", "各村明天能不能把名单报上来？", "…把名单报上来好不好", "…好吗"), and so does a
# task whose object holds the question ("各村明天把有没有危房户的情况报上来"); so does a demand
# ("今晚务必报上来，听到没有？" keeps its first part). A question quoted is someone
# else's, answered ("有党员问“今年党费标准是不是要涨”，…"), and 是否 asks only of an hour
# ("明天是否8点准时到岗"): "中考是否加考英语口语，请以…为准" tells whether.
# A tag after a comma asks of the part before it: "明天是8点准时到岗，对吧？".
# Its question marks stay: a directive's span must not reach across them once the words are blanked.
_PART = re.compile(r"(?P<said>[^，,。！!？?；;\n]+(?:[，,]\s*(?:对吧|是吧|对不对|是不是|对吗|是吗|没错吧)\s*(?=[。！!？?]|$))?)"
                   r"(?P<marks>[？?]*)")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|‘[^’]*’")
_HOUR = r"[\d一二三四五六七八九十两]+点"
_SPEAKER = re.compile("(?<!请)我(?![镇乡县区村]各)")
# A clock's hour, not "a little" (早一点, 快一点, 好一点): "明天开会早一点" is no short task. A duty
# roster's heading is one too: "今天值班：刘主任", "值班名单：张三、李四"; and so is lateness or
# absence forbidden after a comma ("周六加班到岗，不得请假"), and a request to others ("请相关人员明天准时参加").
_TASK_SIGN = re.compile(rf"(?!(?<=[早晚快慢多少好差有])一点){_HOUR}|\d[:：]\d{{2}}|{_UNITS}|值班[表名单安排人员]*[：:]"
                        r"|请(?:各|全体|相关|有关)[^，,。]{0,6}(?:准时|按时|参加|到岗|报送|上报|提交)"
                        r"|[，,]\s*(?:不得|不准|不许|严禁)(?:无故)?(?:迟到|早退|缺席|缺勤|缺岗|离岗|脱岗|请假)(?![的了吗么嘛呢]|\s*[？?])")
# Every day's hour as much as one day's: "下周还是每天8点到岗".
_AT_HOUR = rf"(?:每[天日晚]|每周[一二三四五六日天]?)?(?:上午|下午|早上|晚上|中午)?{_HOUR}"
_ASKING = re.compile(rf"[？?]|(?:[吗么]|了吧|^(?![^，,]*还[要得])[^，,]*呢)(?:[啊呀哈]|\s)*$|(.)不\1|有没有|是否(?={_HOUR})|[对是]吧|对不对"
                     rf"|(?<![天午晚早上下家们我你他都也])还是(?![要得需按由在以照老原]|{_AT_HOUR})|点[^，,]*还是(?={_AT_HOUR})"
                     rf"|(?<![但就还都总要只可于凡也不使算然怕])是[^，,]{{1,12}}?还是(?![要得需照按])")
_REQUEST = r"能不能|可不可以|可否|好不好|行不行|好吗|行吗|可以吗"
# Units or everyone addressed make a 把 beside a request word a request, not a member's question
# ("明天能不能把会议推迟到下午？", "明天要不要把有没有低保户的情况报上去？" ask).
_STILL_ASKED = re.compile(rf"请(?!问)|务必|必须|^(?=[^，,]*(?:各|大家|你们|全体|所有))"
                          rf"[^，,]*?(?:(?:{_REQUEST})[^，,]*把|把[^，,]*(?:{_REQUEST}|(?:有没有|(.)不\1)[^，,]*的))")


def _questions_blanked(text: str) -> str:
    """`text` with the parts that ask blanked, not cut: directives' spans stay as they were."""
    def blanked(part: re.Match) -> str:
        asks = _ASKING.search(_QUOTED.sub("", part[0])) and not _STILL_ASKED.search(part[0])
        return " " * len(part["said"]) + part["marks"] if asks else part[0]
    return _PART.sub(blanked, text)


class Calendar:
    def __init__(self, config: dict):
        self.extra_holidays = {date.fromisoformat(d) for d in config.get("extra_holidays", [])}
        self.extra_workdays = {date.fromisoformat(d) for d in config.get("extra_workdays", [])}
        self.warnings: list[str] = []
        self._days: dict[str, str | None] = {}  # by 'YYYY-MM-DD', as the archive writes days

    def day_type_of(self, day: str) -> str | None:
        """`day_type` of a 'YYYY-MM-DD' day."""
        if day not in self._days:
            self._days[day] = self._day_type(date.fromisoformat(day))
        return self._days[day]

    def day_type(self, day: date) -> str | None:
        """None for a working day, else why it is off: 周末, 法定节假日 (holiday name)."""
        return self.day_type_of(day.isoformat())

    def _day_type(self, day: date) -> str | None:
        if day in self.extra_workdays:
            return None
        if day in self.extra_holidays:
            return "节假日"
        try:
            if chinese_calendar.is_workday(day):
                return None
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            return f"法定节假日（{_HOLIDAYS.get(name, name)}）" if on_holiday and name else "周末"
        except NotImplementedError:
            warning = (f"chinese-calendar has no data for {day.year}: weekdays count as working days; "
                       "add that year's holidays to after_hours.extra_holidays / extra_workdays")
            if warning not in self.warnings:
                self.warnings.append(warning)
            return "周末" if day.weekday() >= 5 else None


_HOLIDAYS = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
             "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节"}


def _periods(config: dict) -> list[tuple[str, str]]:
    """Working periods as 'HH:MM:SS' strings."""
    return [(time.fromisoformat(a).isoformat(), time.fromisoformat(b).isoformat()) for a, b in config["periods"]]


def off_hours(sent_at: str, calendar: Calendar, periods) -> str | None:
    """Why `sent_at` (the archive's local ISO time) is outside working hours, or None
    when it is inside them. Compared as strings: every message passes through here."""
    off_day = calendar.day_type_of(sent_at[:10])
    if off_day:
        return off_day
    clock = sent_at[11:19]
    if any(start <= clock < end for start, end in periods):
        return None
    return "工作日非工作时段"


def is_notice(message: Message, config: dict, read_as_notice: bool = False) -> bool:
    """Whether the message tells others to do something (config `directives`, or
    `read_as_notice`: the notice model reads it so) and is not a reply, a report of one's
    own work, a question, a leave request or a greeting (`not_directives`), nor a notice
    passed on or told of (`told_patterns`) that asks no one anything (`still_asking_patterns`),
    unless it chases those who have not reported (`chasers`). Care wished (`good_wishes`:
    请大家注意安全) is no directive. A reply that goes on to set a task ("好的，请各村支书明天
    下午…") is judged on the task. @mentions in front are not part of what is said."""
    said = (message.text or "").strip()
    bare = LEADING_MENTIONS.sub("", said).strip()
    # A task may be short when it names the hour or the units ("明早7点半到校", "请李主任明天8点到岗",
    # "已转发，各村周五前上报"): min_chars keeps out short chatter that names neither, and what
    # short chatter tells of the speaker ("我明天8点开会", "我来通知各村", "各村的表我明天交"), not
    # the speaker's units asked ("请我镇各村明天上午报送", "我乡各村明天报").
    short = len(bare) < config["min_chars"]
    if message.kind not in TEXT_KINDS or short and (not _TASK_SIGN.search(bare) or _SPEAKER.search(bare)):
        return False
    if bare.startswith(tuple(config["reply_openings"])) and not _POLITE_REQUEST.match(bare):
        task = _REPLY_THEN_TASK.match(bare)
        if task and not (word_pattern(tuple(config["at_once_words"])).search(task["lead"]) and not RELAYED.match(bare)):
            said = bare = bare[task.end():]
        else:
            # A notice the model reads after an answer's first word is judged on what follows it,
            # when that says enough alone ("是的，下周一县卫健局来督导，各位把…周五下班前完成").
            rest = _AFTER_OPENING.sub("", bare, count=1)
            if not (read_as_notice and task is None and len(rest) >= config["min_chars"]):
                return False
            said = bare = rest
    if _question_to(tuple(config["question_titles"])).match(bare):
        return False
    if any_pattern(tuple(config["chasers"])).search(bare):
        return True
    # Blanked, not cut: words either side of a wish must stay as far apart as they were, or a
    # directive's span reaches words it never did ("…500米，送孩子上学的注意安全，…以交警…").
    asked = _wishes_blanked(said, config)
    directives = any_pattern(tuple(config["directives"]))
    # Most messages hold no directive at all: the parts that ask are looked for only in those that do.
    # A short one the model reads as a notice still needs the wording of one ("小王明天8点值班" is news).
    worded = (read_as_notice and not short) or (directives.search(asked) is not None
                                                and directives.search(_questions_blanked(asked)) is not None)
    return (worded and any_pattern(tuple(config["not_directives"])).search(bare) is None
            and not (any_pattern(tuple(config["told_patterns"])).search(bare)
                     and not any_pattern(tuple(config["still_asking_patterns"])).search(bare)))


def _read_as_notices(messages: list[Message], config: dict, context: dict) -> list[bool]:
    """Per message, whether the notice model reads it as a notice, once care wished is
    blanked (`good_wishes`: "请大家注意安全" asks nothing); all False without the model."""
    texts = [(i, _wishes_blanked(m.text, config)) for i, m in enumerate(messages) if m.kind in TEXT_KINDS]
    # No word left once the wishes are blanked ("请大家注意安全，早点休息"): nothing to read, and the
    # model's reading of nothing is its bias alone, which a model trained anew may set over its threshold.
    texts = [(i, text) for i, text in texts if _WORDS.search(text)]
    scored, said = [i for i, _ in texts], [text for _, text in texts]
    # The archive's tokens serve a text read as it was sent; one with a wish blanked is segmented anew.
    archived = archived_tokens(context["conn"], [messages[i].id for i, text in zip(scored, said) if text == messages[i].text])
    read = NOTICES.read(said, context, [archived.get(messages[i].id) for i in scored]) or [False] * len(scored)
    found = [False] * len(messages)
    for i, notice in zip(scored, read):
        found[i] = notice
    return found


def notices_among(messages: list[Message], config: dict, context: dict) -> set[int]:
    """The ids of `messages` that are notices (`is_notice`), by their wording or as the
    model reads them. The model reads only what the wording leaves out, each text once
    (a repeated post is read once for all its copies)."""
    texts = [m for m in messages if m.kind in TEXT_KINDS]
    worded = {m.id for m in texts if is_notice(m, config)}
    rest = list({m.text: m for m in texts if m.id not in worded}.values())
    read = _read_as_notices(rest, config, context)
    notices = {m.text for m, notice in zip(rest, read) if notice and is_notice(m, config, True)}
    return worded | {m.id for m in texts if m.text in notices}


# A reply's opening: its first words up to the first mark.
_AFTER_OPENING = re.compile(r"^[^，,。！!；;：:\s]*[，,。！!；;：:\s]+")


def _wishes_blanked(text: str, config: dict) -> str:
    return any_pattern(tuple(config["good_wishes"])).sub(lambda wish: " " * len(wish[0]), text)


def _demand_found(found: dict, demand_in, m: Message) -> bool:
    """Whether `m` asks for media (proof_wording.demands), kept in `found` by its id."""
    found[m.id] = demand_in(m)
    return found[m.id] is not None


@functools.lru_cache(maxsize=8)
def _question_to(titles: tuple[str, ...]) -> re.Pattern:
    """A first sentence that addresses someone by title and asks: "王主任，…？"."""
    # Not "各位村主任，…能来吗？": addressing all of them opens a notice.
    return re.compile(rf"(?!各|全体|大家|所有)[^，,。！!？?]{{0,8}}(?:{'|'.join(map(re.escape, titles))})[，,：:][^。！!？?]*[？?]")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["after_hours"]
    calendar = context.setdefault("calendar", Calendar(settings))
    periods = _periods(settings)
    urgent = word_pattern(tuple(settings["urgent_words"]))
    event, happening = word_pattern(tuple(settings["emergency_events"])), word_pattern(tuple(settings["happening_words"]))
    weather, coming = word_pattern(tuple(settings["weather_words"])), any_pattern(tuple(settings["weather_signs"]))
    # 应急 and 预警 also name routine subjects (应急管理工作总结, 预警信息员名单).
    routine = word_pattern(tuple(settings["routine_topics"]))
    # A demand for photos, screenshots or 打卡 is a task, however it is worded, as proof of
    # work ("各所接龙报一下今天的宣传情况，并附现场照片", "以后巡逻必须开启共享定位") or for
    # another end ("发票拍照上传报销系统", "系统登不上的，把报错截图发我").
    demand_in = proof_wording.demands(config)
    found = context[proof_demand.FOUND_KEY] = {}  # for proof_demand, which reads the same batch after
    # Chat comes in bursts: the answer for one time holds for its whole minute when no
    # working period starts or ends inside a minute.
    per_minute = all(bound.endswith(":00") for period in periods for bound in period)
    reasons: dict[str, str | None] = {}
    off = []
    for m in messages:
        # The time first: it rules out most messages for the least work.
        when = m.sent_at[:16] if per_minute else m.sent_at
        if when not in reasons:
            reasons[when] = off_hours(m.sent_at, calendar, periods)
        if reasons[when]:
            off.append((m, when, reasons[when]))
    read = _read_as_notices([m for m, _, _ in off], settings, context)
    flags = []
    for (m, when, reason), read_as_notice in zip(off, read):
        told = routine.sub(" ", m.text)
        if ((is_notice(m, settings, read_as_notice) or _demand_found(found, demand_in, m))
                and not (urgent.search(told) or event.search(told) and happening.search(told)
                         or weather.search(told) and coming.search(told))
                # Asked last: it reads the archive. A 接龙's task is its starter's, not each answer's.
                and not answers_earlier(context, m, config["sign_up"]["answer_days"])):
            flags.append(flag(m, CATEGORY, ARTICLE, f"发送于 {when_zh(m.sent_at)}，{reason}；内容为工作通知/任务，且未标明紧急"))
    return flags
