"""群规 第十一条 "涉密不上网": text carrying a secret marking (绝密/机密/秘密 with ★ or 级),
or internal material passed on at length. A reminder not to post secret files is not a
breach: a clause that names a grade (秘密级, 秘密★级) and also forbids (严禁, 不得, 请勿 …)
is left alone. A document's own marking (秘密★1年, ★秘密, 【秘密】) is flagged whatever its
clause says: "【秘密★1年】…纪要（此件不得翻印）" is the document, not a reminder; so is the
sender's word for what follows ("以下为秘密级文件，不得外传：…", "这是机密，大家看完删掉：…",
and, as internal material, "这是内部资料，看完请删除：…")."""
from __future__ import annotations

import re

from detectors.base import Message, any_pattern, clauses, flag, word_pattern

NAME, CATEGORY, ARTICLE = "secret", "secret", "群规 第十一条"
VERSION = "23"  # in the name on its flags and watermark (detectors/run.py)
_STAR = "[★☆*＊▲△]"
# What a sender asks of those reading material they call secret or internal: to delete it
# after reading, or not to pass it on. Not for now only (先别外传, 暂时不要外传, 还不能外传):
# news to be told later ("这是机密，先别外传：王主任下个月调县里去了"), not material kept in.
# How it is not to be passed on may be said in the ask: "请勿随意转发到家长群", 不得擅自外传.
_DONT = r"(?<![先暂还])(?<!暂时)(?:不要|不得|不能|不准|请勿|严禁|切勿|勿|别)(?:随意|随便|擅自|私自|私下|任意|轻易)?"
# A character of the clause the ask is in: where it is not to go runs to its end.
_IN_CLAUSE = r"[^，,。；;：:\n？?！!]"
# Where it is not to go, after the passing on: to someone or somewhere (转发到家长群, 发给外单位,
# 转发至其他群, 发进大群) or straight into a group (转发家长群, 发朋友圈); not to the sender
# ("别发给我了，我这边已经有了", "别发给我看了"), nor to a later day ("不要转到下周再办": the
# work put off; it keeps nothing in).
_TO = (rf"(?:(?:到(?!下周|下个?月|明天|后天|明年|节后|年后|月底|年底)|给(?!我们?看?[了啦吧啊呀]*(?:[，,。！!\s]|$))|至|进)"
       rf"{_IN_CLAUSE}{{1,16}}|{_IN_CLAUSE}{{0,8}}?[群圈]里?)")
# Or before it: 往外单位发, 向外单位转发, 在家长群里转发, 在网上发表; not views aired (发表意见,
# 发言, 发声: "不要在群里发表意见" keeps no material in). A bare 发, 传 or 转 passes on only
# with where to ("别发错了" asks nothing), as does publishing ("不要发表到网上", 发布到网络上,
# 上传到网上, 贴到网上): "不要发表意见" keeps nothing in. 乱传 (乱讲, 乱说) spreads it anywhere ("内部消息，不要乱传，…").
_PASS_ON = (rf"(?:往?外传|外泄|往?外发|转发|扩散|[传发]出去|外流|乱[传发转讲说])(?:{_TO})?|(?:[传发转]|发表|发布|公布|上传|张?贴){_TO}"
            rf"|(?:往|向|在){_IN_CLAUSE}{{1,8}}?(?:转发|[传转]|发(?!表(?:意见|看法|评论|言论|感想)|言|声)表?)")
# Or 仅限内部 (仅供内部), or to delete it after reading. 仅限内部 saying who may take part is no
# such ask ("以下是学校内部通知，仅限内部人员报名：…"); saying who may read it is one, though
# they take part in something ("以下材料仅限内部参加会议人员传阅：…"): the reading ends it.
_READERS = r"[^，,：:\n]{0,10}?(?:人员|同志|干部|职工|成员|领导|学员|党员)"
_READ = r"(?:传阅|参阅|阅知|阅读|查阅|参考|掌握|知悉|传达|学习)(?:使用)?"
_ASK = (rf"{_DONT}(?:{_PASS_ON})"
        rf"|仅限(?:内部|本群|群内)(?:{_READERS}{_READ}|(?![^，,：:\n]{{0,10}}?(?:报名|参加|参与)))|仅供内部"
        r"|(?:看|阅|读)(?:完|后|过|了)后?[^，,：:\n]{0,3}?(?:删除|删掉|删|撤回)|阅后即焚")
# A document's own marking: starred (the star before or after), not in quotes and not
# followed by 级 or 的 (which name a grade: "标有秘密★的文件", "秘密★级材料"), or in
# brackets, or a 密级 field.
_OWN_MARKING = re.compile(rf"(?<![“\"「『])(?:{_STAR}\s*(?:绝密|机密|秘密)|(?:绝密|机密|秘密)\s*{_STAR}(?:\s*(?:\d+\s*年|长期))?+)"
                          r"(?!\s*[级的])"
                          r"|[（(【\[](?:绝密|机密|秘密)[）)】\]]|密级\s*[:：]\s*(?:绝密|机密|秘密)")
# A grade named for a document ("这份是机密级文件"), not a range of grades ("秘密级以上") nor
# for where such files are kept or how they are handled ("机要室的秘密级文件柜锁坏了",
# "秘密级文件要统一存放在保密柜内", "秘密级文件的传阅要登记", "…复制本、复印件一律登记"; but a copy
# or a circulated copy heading the words is the document: "秘密级文件复印件，…", "机密级传阅件：…"), nor the chatty 级别 ("这可是机密级别的消息哈哈": the
# word for a level, where a marking's grade is 机密级 or 机密★). 级别 labelling a heading or
# said of a document is its grade all the same ("秘密级别：县委关于…方案", "机密级别文件：…").
_GRADE = re.compile(rf"(?:绝密|机密|秘密)\s*{_STAR}?\s*级(?!别(?!\s*[：:]|的?(?:文件|材料|资料|文稿|纪要|公文|件)))"
                    rf"(?!\s*及?以[上下])(?![^，,。]{{0,10}}(?:柜|室|载体|管理|存放|保管|销毁|(?:传阅|复印|复制)(?![件本稿](?:[：:，,\s]|$))|登记|借阅|携带|交接|清退|归档))")
# The sender's word for what they post, after a colon or a line break, or an ask and a
# comma (`caption`): "以下为秘密级文件，不得外传：…", "此件为机密级，严禁转发：…", "这是机密文件，
# 大家看完删掉：…". A note to keep it in does not make it a reminder. Three ways to say it,
# each a part below, then what must not follow and where the material starts.
#
# The document itself called graded, 级 or not: "此件为机密级", "本件为绝密，请勿外传：…".
_ITSELF = "此件|本件|这份"
_ITSELF_GRADED = rf"(?:{_ITSELF})(?:为|是|系|属)?(?:绝密|机密|秘密)(?:\s*级)?"
# What follows called graded (以下, 这是, 这个是, 这些是): the grade takes 级 or names a
# document, for "以下是秘密武器：…" and "这是机密，先别外传：王主任…" (gossip) call nothing graded.
_FOLLOWING = "以下|这是|这个是|这些是"
_FOLLOWING_GRADED = (rf"(?:{_FOLLOWING})(?:为|是|系|属)?(?:绝密|机密|秘密)"
                     r"(?:\s*级|(?=文件|材料|资料|文稿|内容|件|信息|事项|纪要))")
# A bare grade, or internal material, is the sender's word for what follows only when they
# ask its readers (`ask`, a few words on) to delete it or keep it in: "这是机密，大家看完
# 删掉：…", "这是机密！大家看完删掉：…", "以下内容仅限内部，别转发：…". Or the message opens
# with the label, the ask after a comma: "内部资料仅供参考，不得外传：\n…"; not a rule, the ask
# right after the label ("内部资料一律不得在微信群传播：…", "内部资料不得外传，近期个别干部…").
# Its material is set apart by a colon or a line break, or by a comma when the words after it run
# on (8 characters or more) and none says what a comma's would (`first`, _LABEL_TO_ASK): "内部
# 消息，别外传，下周县里要来暗访…", not the caption's last words ("内部资料，不要外传，心里有数就行",
# "…，附件请查收", "…，领导讲话精神请各村认真学习").
_LABEL_FIRST = rf"(?P<first>^\s*)(?=[^：:\n？?，,]{{0,10}}?[，,][^：:\n？?]{{0,10}}?(?:{_ASK}))"
_ASKED = rf"(?:{_ITSELF}|{_FOLLOWING}|下面|{_LABEL_FIRST})(?=[^：:\n？?]{{0,20}}?(?P<ask>{_ASK}))"
# Internal material may name whose it is (下面是县局内部通报, 这是县纪委的内部资料, 这是学校
# 内部通知) and be news (这是内部消息).
_WHOSE = r"(?:[\u4e00-\u9fff]{0,4}(?:局|委|办|部|厅|院|所|站|校|里|中心|政府|单位|系统)的?)?"
_INTERNAL = rf"{_WHOSE}内部(?:资料|文件|材料|参考|通报|通知|消息|信息)"
# 仅限内部 marks the material alone, with its use (仅限内部参考, 仅供内部参考使用, 仅限内部掌握)
# or with who may read it (仅限内部参加会议人员传阅), not with who may take part, there or in
# the words before the colon ("以下内容仅限内部人员报名：…", "以下内容仅限内部，报名请找党政办：…").
_LIMITED = (rf"(?:仅限|仅供)内部(?:(?:{_READERS})?{_READ}|交流|使用)?(?![\u4e00-\u9fff])"
            r"(?![^：:\n]{0,10}?(?:报名|参加|参与))")
# What an ask is said of: a grade, internal material or 仅限内部 (not 机密性, no grade). A
# bare 秘密 is everyone's word for a secret ("这是秘密，不要外传：小王下个月结婚"): a grade
# only of material named (以下内容为秘密) or with 级 ("秘密级文件复印件，请勿外传：…"). Not a range of
# grades, as in _GRADE: "秘密级及以上文件，一律不得外传：一、…" is a rule, its list no material.
_MATERIAL = "(?:内容|材料|文件|资料|信息)"
_ASKED_OF = (rf"(?:{_MATERIAL}?(?:(?:为|是|系|属于?|涉及)?(?:(?:绝密|机密|秘密\s*级)(?!\s*级?\s*及?以[上下])|{_INTERNAL})|{_LIMITED})"
             rf"|{_MATERIAL}(?:为|是|系|属于?)?秘密)(?!性)")
# Not the rules on such material, taught ("以下是机密载体管理要求：", "以下是内部资料保管要求，
# 请勿外传：…", "以下是机密文件的管理规定，…": the rule named within a few words, before the
# clause ends), nor a question ("这是机密吗？").
_NOT_RULES = (r"(?!\s*(?:载体|等级|吗)"
              r"|[^：:\n，,。！!？?]{0,6}?(?:管理|保管|使用|存放|流转|借阅|规定|要求|制度|办法|须知))")
# The words up to the ask, and the ask: "，请不要随意上传到各类平台".
_UP_TO_ASK = rf"[^：:\n？?！!]{{0,12}}?(?:{_ASK})"
# `caption` ends where the material starts: at a colon or a line break a few words on, or
# after the ask however long the ask ("这是内部资料，请不要随意上传到各类平台：…"),
_TO_COLON = rf"(?:{_UP_TO_ASK}|[^：:\n？?！!]{{0,12}})(?=[：:\n])"
# or at a comma after the ask, as at a colon: "这是内部消息，不要外传，县里下周要来暗访".
# What may follow that comma and is no material (_TOLD): more admonition or thanks ("这是
# 内部通报，不要外传，违者追责", "…，谢谢配合"), another ask, or what the readers are to do with
# the file sent apart ("各单位收到后组织学习", "要求各村…整改", "学习后在群里回复收到", "有问题
# 及时联系我", "自己看就行", "望周知", "具体内容见附件"): the material then is a message of its own. 各… only
# with what they are to do (各乡镇考核排名出来了 is news); not 组织部 (组织部下周来考察).
_TOLD = (r"请|仅限|注意|谢谢|感谢|以免|免得|以防|否则|违者|一经|如有|大家|各位|严禁|不得|切勿|务必|要求|望|收到|学习|组织(?!部)|认真"
         r"|自己|以上|有问题|有疑问|有事|阅知|知悉|详见|具体(?:内容|情况)?见|见附件|这是[^，,。]{0,4}纪律"
         r"|各[^，,。]{0,6}?(?:要|须|务必|收到|认真|组织|及时|抓紧|尽快|立即|对照|结合|做好|落实|学习|传达|自查|引以为戒)"
         rf"|{_ASK}")
_TO_ASK = rf"{_UP_TO_ASK}(?=[，,](?!\s*(?:{_TOLD})))"
_LABEL_TO_ASK = rf"{_UP_TO_ASK}(?=[，,](?![^，,。！!？?\n]*?(?:{_TOLD}))[^，,。！!？?\n]{{8}})"
# A short last line (or a colon's words) after it that says what a comma's would (_TOLD) is no
# material either: "这是内部通知，不要随意转发到其他群\n谢谢配合", "…：违者追责", "…\n请各单位认真
# 学习，引以为戒", "…\n有问题请联系党政办小王，电话0795-1234567". A line of material after it is
# ("…\n谢谢配合\n一、各村要在…"), and so is a long one, whatever it opens with, or one whose colon
# leads into more than a number or what a comma's words would, or after those addressed ("…\n请各
# 单位：对照自查，…", "…\n如有疑问：请联系小王"):
# "…\n注意：张三因酒驾被开除党籍", "…\n大家的年度考核等次：王强 优秀".
# A contact's field names whom to call, not material: names, each maybe after its office, and
# numbers, maybe labelled or with a word aside in brackets ("联系人：小王", "联系电话：0795-…",
# "联系人：党政办小王，电话：0795-…", "联系人：镇党政办 刘洋 139…", "联系人：小王 电话：0795-…",
# "联系方式：139…（小王）"); not news, however short ("联系人：小王已被停职", "联系人：文件已泄露",
# "联系人：小王因违纪被处分，大家引以为戒…"): a name is four characters at most, none of them 已, 被,
# 了 or 因, and two names stand apart. A title may follow the name ("张建国主任", "李晓明同志"), a
# Latin name stand for it (Tom, one word), a colon follow the office ("党政办：张三"); a number may have
# its extension ("0795-1234567 转 8001", "分机 8012"), be an extension alone (联系电话：8012), a landline
# labelled (座机：…) or stand in the brackets ("张主任（139…）"), and items be set apart by a slash or a
# wide space too. Thanks may end it or follow on a line.
_CONTACT_TITLE = "(?:副?(?:主任|科长|局长|书记|部长|镇长|乡长|县长|站长|所长|院长|校长|组长|股长|队长|处长|主席)|委员|干事|科员|专干|老师|同志)"
_CONTACT_NAME = (r"(?:[\u4e00-\u9fff]{1,12}?(?:办公室|办|室|站|所|局|股|科|中心|部|委|院|校|队)[ \t\u3000]*(?:[：:][ \t\u3000]*)?)?"
                 rf"(?:(?:(?![已被了因])[\u4e00-\u9fff·]){{1,4}}{_CONTACT_TITLE}?|[A-Za-z][A-Za-z.]{{0,19}}(?![ \t]*[A-Za-z]))")
_CONTACT_EXTENSION = r"(?:转|分机|内线)[：:]?[ \t]*\d{2,6}"
_CONTACT_NUMBER = (r"(?:(?:联系|办公|值班)?(?:电话|手机|座机|固话)[：:]?[ \t]*)?\d[\d\-－ ]{6,15}"
                   rf"(?:[ \t]*{_CONTACT_EXTENSION})?|{_CONTACT_EXTENSION}|\d{{3,6}}(?![\d\-－])")
_CONTACT_ITEM = rf"(?:{_CONTACT_NAME}|{_CONTACT_NUMBER})"
_CONTACT_MORE = (rf"(?:(?:[，,、/／；;][ \t\u3000]*|[ \t\u3000]+){_CONTACT_ITEM}"
                 rf"|[ \t\u3000]*(?:{_CONTACT_NUMBER}|[（(](?:{_CONTACT_NUMBER}|[^）)\n]{{1,10}})[）)]))")
_CONTACT = (rf"\s*联系(?:人|电话|方式|手机)[：:][ \t\u3000]*{_CONTACT_ITEM}{_CONTACT_MORE}{{0,4}}"
            r"(?:[，,]\s*(?:谢谢|感谢)[^\n，,]{0,6})?[ \t\u3000]*(?:\n|$)")
_ADDRESSED = "各位|大家|单位|各村|乡镇|部门|股室|科室|学校|支部|社区"
_TOLD_LINE = rf"\s*(?:{_TOLD})(?:[^\n：:]|(?<={_ADDRESSED})[：:]|[：:](?=\s*(?:\d|{_TOLD}))){{0,30}}$"
_SIGN_OFF = rf"{_TOLD_LINE}|{_CONTACT}(?:{_TOLD_LINE}|$)"
# An exclamation may stand before it ("这是机密！大家看完删掉：…"), and some material after.
_CAPTION = rf"(?=[！!]?(?P<caption>{_TO_COLON}|(?(first){_LABEL_TO_ASK}|{_TO_ASK}))(?:[，,]|[：:\n](?!{_SIGN_OFF}))\s*\S)"
# Behind a lookahead of its first characters (any_pattern): it is searched in every message
# with 密 or 内部 in it.
_DECLARED = any_pattern((rf"(?:{_ITSELF_GRADED}|{_FOLLOWING_GRADED}|{_ASKED}{_ASKED_OF}){_NOT_RULES}{_CAPTION}",))
_GRADE_WORD = re.compile("绝密|机密|秘密")
_LEAD_VERB = re.compile(r"^(?:根据|按照|依据|转发|执行|落实|传达|学习)")
_HEADED = re.compile(rf"\s*[【\[（(]|\s*{_STAR}?\s*(?:绝密|机密|秘密)")  # the document itself, its marking at the head
# But a grade with 级 at the head and one clause after it, where to read or sign for the copy
# ("秘密级文件复印件，请到机要室签收"), names the file, as is the rule: nothing of it follows. The
# grade's words, ten at most, name the file by its kind or title (文件两份, 干部考察名单, 县纪委通报), maybe
# come (文件已到), not what it says ("秘密级 张三拟任镇长，请签收", "秘密级 关于张三同志的任职通知，…"): a
# personnel matter named in the title tells it ("机密级 张三任免通知，请签收"),
# and the clause after them opens with where or when to fetch it, or who is asked to (各位领导请…), not
# with news ("机密级，王某某涉嫌违纪一案请到机要室阅看").
_COPY_TO_FETCH = re.compile(rf"\s*(?:绝密|机密|秘密)\s*{_STAR}?\s*级"
                            r"(?![^，,。；;：:\n]{0,10}?(?:任免|任职|拟任|免职|提拔|处分|辞退|开除))"
                            r"(?:(?=[^，,。；;：:\n]{0,10}[，,])[^，,。；;：:\n]*?(?:文件|材料|资料|复印件|复制件|传阅件|件|文稿|纪要|通报"
                            r"|通知|电报|函|名单|计划|方案|试题|[一两二三四五六七八九十\d]+份)(?:已到|已送达|到了)?)?[，,]\s*"
                            r"(?P<fetch>(?:(?:各位|相关|有关|全体|各)?[\u4e00-\u9fff]{0,3}?"
                            r"(?:领导|同志|人员|书记|主任|镇长|乡长|县长|部长|局长|科长|办公室|办|室|单位|村)?请|速|即|于|到|今天|明天|今日|上午|下午)[^，,。；;：:\n]{0,23})[。！!]?\s*$")
# A classified document's number: 县委办密电〔2025〕3号, 宜委密〔2025〕5号 (not the 保密办's own).
_OPENING = r"[〔\[［（(【]"
_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{0,6}}(?<!保)密(?:电|函|发)?\s*{_OPENING}\s*\d{{4}}\s*[〕\]］）)】]\s*\d+\s*号")
# What _marked finds nothing without: a grade (every marking names one) or a document
# number's opening bracket. Most texts with 密 have neither (保密, 密切): their clauses
# are not read.
_MAY_BE_MARKED = re.compile(f"{_GRADE_WORD.pattern}|{_OPENING}")
_HANDLED = re.compile(r"[将把对]")


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["secret"]
    internal_words = word_pattern(tuple(settings["internal_words"]))
    reminders = word_pattern(tuple(settings["reminder_words"]))
    # A short notice that a marked file has come, to be read or signed for in the 机要室,
    # passes none of it on; nor does a secrecy quiz or the law's text on the grades.
    announced = word_pattern(tuple(settings["handling_words"]))
    taught = word_pattern(tuple(settings["teaching_words"]))
    flags = []
    for m in messages:
        text = m.text or ""
        graded = "密" in text  # every marking has 密 in it, and every declared secret
        # Declared internal material has 内部 in it.
        declared = _DECLARED.search(text) if graded or "内部" in text else None
        # What a file to fetch from the 机要室 is, internal or marked, is said before the
        # material: "以下内部资料请到机要室领取，勿外传：1.…" passes none of it on, but "这是机密
        # 文件，看完删掉：县委关于领取慰问金的人员名单" is the material, whatever it says.
        caption = declared.end("caption") if declared else len(text)
        # Neither excuses a document that carries its own marking: at its head (机密★1年 …，
        # 请签收), or anywhere for a quiz (绝密★启用前 …试题及参考答案).
        if ((graded or "内部" in text) and taught.search(text) and not _OWN_MARKING.search(text)
                or len(text) < settings["internal_min_chars"] and announced.search(text, 0, caption)
                and not _headed(text, announced) and (graded or declared)):
            continue
        evidence = _marked(text, reminders) if graded and _MAY_BE_MARKED.search(text) else None
        if evidence:
            flags.append(flag(m, "secret", ARTICLE, evidence))
        elif declared:
            flags.append(_declared(m, declared))
        elif len(text) >= settings["internal_min_chars"] and (internal := _internal(text, internal_words, reminders)):
            flags.append(flag(m, "secret", ARTICLE, f"疑似内部资料全文转发（标注「{internal}」，{len(text)} 字）", score=0.7))
    return flags


def _headed(text: str, announced: re.Pattern) -> bool:
    """Whether `text` opens with the document's marking, not a copy named to be fetched."""
    copy = _COPY_TO_FETCH.match(text)
    return _HEADED.match(text) is not None and not (copy and announced.search(copy["fetch"]))


def _marked(text: str, reminders: re.Pattern) -> str | None:
    """The evidence of a secret marking or a classified document's number in `text`: in a
    clause that is no reminder not to post secrets, or the document's own marking in any."""
    for clause in clauses(text):
        reminder = reminders.search(clause)
        own = _OWN_MARKING.search(clause)
        if own and _HANDLED.search(clause[max(0, own.start() - 4): own.start()]) \
                and not clause[own.end():].lstrip().startswith("《"):
            # "严禁将各类秘密★文件…", "要将秘密★文件存放在保密柜": the grade of files being
            # handled is named, not a marking; "现将秘密★1年《…》转发" marks the document.
            own = None
        marking = own or (None if reminder else _GRADE.search(clause))
        if marking:
            return f"含有密级标志「{marking.group().strip()}」的内容在群内传播"
        number = None if reminder else _NUMBER.search(clause)
        if number:
            return f"含有涉密文件文号「{_LEAD_VERB.sub('', number.group().strip())}」的内容在群内传播"
    return None


def _declared(m: Message, declared: re.Match) -> dict:
    """The flag on material its sender calls secret (a grade in the words) or internal
    (only ever with an ask), naming what they asked of its readers, if anything. Whose the
    internal material is may hold 密 and no grade (县保密委的内部通报)."""
    if not _GRADE_WORD.search(declared.group()):
        return flag(m, "secret", ARTICLE, f"疑似内部资料在群内传播（标注「{declared.group()}」，发送者要求「{declared['ask']}」）",
                    score=0.7)
    asked = f"（发送者要求「{declared['ask']}」）" if declared["ask"] else ""
    return flag(m, "secret", ARTICLE, f"含有密级标志「{declared.group()}」的内容在群内传播{asked}")


def _internal(text: str, internal_words: re.Pattern, reminders: re.Pattern) -> str | None:
    """The internal-material label `text` carries, unless a clause about such material or
    secrets reminds not to pass them on ("内部资料一律不得在微信群传播", "不得发布涉密信息").
    不得外传 marks the material itself, and the material's own 严禁 ("严禁虚报瞒报统计数据")
    reminds no one."""
    internal = internal_words.search(text)
    if internal and not any(reminders.search(internal_words.sub("", clause)) for clause in clauses(text)
                            if "密" in clause or internal_words.search(clause)):
        return internal.group()
    return None
