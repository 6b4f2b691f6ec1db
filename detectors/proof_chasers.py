"""群规 第九条 in a thread: a follow-up chasing the proof that a demand of the same group
asked for ("@老周 位置呢", "三组的照片还冇发", "今天照常，位置发群里") demands it again.
Read alone, such a message names a medium and asks nothing a model or the wording rules
could tell from it; read after the demand, it is the demand repeated to the late ones.

A message chases when it is short (`chase_max_chars`, its opening @mentions and attachments
aside), names a medium (`media_words` or `chased_words`: 位置 is a location share only in
this thread) and chases it: asks where it is ("…的照片呢"), names it bare to someone ("@小李
下午的照片"), asks whether it was sent ("照片发了没"), or says it is missing, to be sent again
or as before (`chase_patterns`: 还冇发, 还差, 补发, 照常发, 发群里 …); and it tells of nothing
done, asks no question, forbids or lets off nothing, is no report of the speaker's own and
no picture for fun. It chases a demand for the same kind of media made in its group within
`chase_days` before it: one flagged before (in `flags`, not dismissed, not one a reading now
under way no longer finds) or one found earlier in the same batch; never another chaser, so
neither the window nor a supervisor's dismissal is got round by chasing a chaser."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

from detectors.base import TEXT_KINDS, Message, any_pattern, word_pattern
from detectors.proof_wording import said_text

# A question, in the chase's own words (question_patterns and whether_patterns ask the rest).
_QUESTION = re.compile(r"[吗么](?:[？?]|\s*$)|是不是|是否")
# The speaker's own media or their unit's ("我的照片还没发，马上", "我们村还差两户的照片", "照片我们晚点补发",
# "一号站的照片我还冇发"), promised for later ("还有几个村信号不好，照片晚上补发"), or told sent ("石溪已补传",
# "三组的也传完了"); not media the speaker has not seen ("我还冇收到二号站的照片") or asked for ("我要的
# 照片呢"), nor sending not yet complete ("还没交齐").
_OWN = re.compile(r"^\s*(?:我|俺)(?:们|的|村|镇|乡|组|站|所|校|这边|这里)|(?:我|俺)们?[^，,。看收见要]{0,4}(?:发|传|报|交|拍|补)"
                  r"|(?:晚上|今晚|晚点|晚些|明天|明早|等下|等一下|等会|待会|稍后|回头|随后|过会)[^，,。]{0,2}(?:补|发|传|报|交)"
                  r"|已经?(?:补|发|传|报|交|上传|拍)|(?<![没冇未])(?:发|传|报|交|拍)(?:完|好|齐)")
# Pictures to enjoy, or asked of whoever has them: no proof ("萌娃照片发群里大家看看", "谁有截图发群里").
_NO_PROOF = re.compile(r"(?:大家|一起)(?:看看|瞧瞧|欣赏)|晒|^\s*谁(?:手上|那里|那儿)?有|有没有人")
# Asked whether it was sent: a chase, though 发了 reads as a sending told.
_SENT_YET = re.compile(r"(?:发|报|传|交|拍)了没有?[？?]*\s*$")
# A bare medium addressed to someone is a chase this short at most ("@小李 下午的温度照片").
_ADDRESSED_CHARS = 12
# Room for the opening @mentions and attachments a chaser's length leaves out: a longer text is
# told apart by its length alone, which costs nothing, before anything is searched in it.
_ASIDE = 40


def media_named(settings: dict) -> re.Pattern:
    """The words that name media in a chaser or in the demand it chases."""
    return word_pattern(tuple(settings["media_words"]) + tuple(settings["chased_words"]))


def _days_before(sent_at: str, days: int) -> str:
    """The time `days` before `sent_at`, as the archive writes times (however many days a
    setting holds: not before the year 1)."""
    moment = datetime.fromisoformat(sent_at)
    return (moment - timedelta(days=min(days, (moment - datetime.min).days))).isoformat()


class Standing:
    """The demands for proof a batch's chasers may follow, with the kinds of media each
    asked for: those flagged before the batch, and those it finds, told by `demanded`.
    Flagged before means not dismissed, and not on a message this reading has read again
    without finding it (in this batch, or doubted in `reread_doubts` before it)."""

    def __init__(self, conn, messages: list[Message], config: dict):
        settings = config["proof_demand"]
        self.days = settings["chase_days"]
        self.media = media_named(settings)
        self.by_group: dict[int, list[tuple[str, int, set[str]]]] = defaultdict(list)
        self.dismissed: set[int] = set()
        if not messages:
            return
        reading = {m.id for m in messages}
        times = [m.sent_at for m in messages]
        # `+f.category`: by the flags of the window (flags_occurred), not every proof_demand flag.
        for group_id, sent_at, message_id, text, dismissed, doubted in conn.execute(
                "select f.group_id, f.occurred_at, f.message_id, m.text, coalesce(s.status, '') = 'dismissed', "
                "exists (select 1 from reread_doubts d where d.flag_id = f.id and d.found = 0) "
                "from flags f join messages m on m.id = f.message_id left join flag_state s on s.flag_id = f.id "
                "where +f.category = 'proof_demand' and f.occurred_at between ? and ? and f.related_message_id is null",
                [_days_before(min(times), self.days), max(times)]):
            if dismissed:
                self.dismissed.add(message_id)
            elif not doubted and message_id not in reading:
                self.by_group[group_id].append((sent_at, message_id, self.kinds(text or "")))

    def kinds(self, text: str) -> set[str]:
        return {kind_of(found.group()) for found in self.media.finditer(text)}

    def demanded(self, m: Message) -> None:
        if m.id not in self.dismissed:
            self.by_group[m.group_id].append((m.sent_at, m.id, self.kinds(m.text or "")))

    def before(self, m: Message, media: list[str]) -> tuple[str, int] | None:
        """(time, id) of the latest demand of `m`'s group for a kind of `media`, sent before
        it within the window."""
        since = _days_before(m.sent_at, self.days)
        wanted = {kind_of(medium) for medium in media}
        earlier = [(sent_at, message_id) for sent_at, message_id, kinds in self.by_group.get(m.group_id, ())
                   if message_id < m.id and since <= sent_at <= m.sent_at and kinds & wanted]
        return max(earlier) if earlier else None


# The kind of proof a media word names, so "位置呢" chases "发个定位" and "照片还冇发" chases
# "拍照发群里", but a 接龙 chases no photo: the first of these its word holds.
_KINDS = (("截", "截图"), ("视频|录像|录制", "视频"), ("位置|定位", "定位"), ("打卡", "打卡"), ("接龙", "接龙"),
          ("照|相片|图|拍|影", "照片"))


def kind_of(medium: str) -> str:
    return next((kind for holds, kind in _KINDS if re.search(holds, medium)), medium)


class Chasing:
    """What tells a chaser's words: called with a message, the media it chases (a list,
    empty when it chases none)."""

    def __init__(self, config: dict):
        settings = config["proof_demand"]
        self.media = media_named(settings)
        # The message ends with the medium, and 呢 if it asks where it is ("今天的温度照片呢？").
        self.bare = re.compile(f"(?:{self.media.pattern})(?P<where>呢)?[？?!！。.~～…\\s]*$")
        self.chase = any_pattern(tuple(settings["chase_patterns"]))
        self.done = any_pattern(tuple(settings["done_patterns"]))
        self.apart = any_pattern(tuple(settings["let_off_patterns"]) + tuple(settings["hearsay_patterns"])
                                 + tuple(settings["question_patterns"]) + tuple(settings["whether_patterns"])
                                 + tuple(map(re.escape, settings["prohibition_words"])))
        self.example = word_pattern(tuple(settings["example_words"]))
        self.longest = settings["chase_max_chars"]

    def among(self, messages: list[Message], left_out: set[int]) -> list[tuple[Message, list[str]]]:
        """The messages that chase media, but those `left_out`, with the media each chases."""
        # By length and media words first, in one pass: most messages are too long to be a
        # chaser, and most short ones name no media (收到, 好的).
        most, media = self.longest + _ASIDE, self.media.search
        return [(m, named) for m in messages
                if len(m.text or "") <= most and media(m.text or "") and m.id not in left_out and (named := self(m))]

    def __call__(self, m: Message) -> list[str]:
        text = m.text or ""
        if m.kind not in TEXT_KINDS or len(text) > self.longest + _ASIDE or not self.media.search(text):
            return []
        # Without its opening @mentions and attachments ("[图片] 石溪已补传" names none).
        rest = said_text(text, self.example).strip()
        if not rest or len(rest) > self.longest:
            return []
        named = [found.group() for found in self.media.finditer(rest)]
        if not named:
            return []
        bare, sent_yet = self.bare.search(rest), _SENT_YET.search(rest)
        addressed = text.lstrip().startswith("@") and len(rest) <= _ADDRESSED_CHARS
        if not (bare and (bare["where"] or addressed) or sent_yet or self.chase.search(rest)):
            return []
        if (not sent_yet and self.done.search(rest) or self.apart.search(rest) or _QUESTION.search(rest)
                or _OWN.search(rest) or _NO_PROOF.search(rest)):
            return []
        return list(dict.fromkeys(named))
