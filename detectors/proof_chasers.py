"""群规 第九条 in a thread: a follow-up chasing the proof that a demand of the same group
asked for ("@老周 位置呢", "三组的照片还冇发", "今天照常，位置发群里") demands it again.
Read alone, such a message names a medium and asks nothing a model or the wording rules
could tell from it; read after the demand, it is the demand repeated to the late ones.

A message chases when it is short (`chase_max_chars`, its opening @mentions aside), names
a medium (`media_words` or `chased_words`: 位置 is a location share only in this thread),
chases (`chase_patterns`: 呢 at the end, 还没发, 还差, 补发, 照常发, 发群里 …, or is a bare
medium addressed to someone, "@小李 下午的照片"), tells of nothing done, forbids or lets off
nothing and asks no question how, and follows, within `chase_days`, a demand for proof in
its group that no supervisor dismissed: one flagged before (in `flags`) or one found
earlier in the same batch."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

from detectors.base import TEXT_KINDS, Message, any_pattern, word_pattern
from detectors.proof_wording import said_text

# A question how or why (not 呢, which asks where the media are), in the chase's own words.
_HOW = re.compile(r"怎么(?!还|又|一直|没)|如何|怎样|咋(?!还|又|没)|[吗么](?:[？?]|\s*$)|是不是|是否|请问")
# The speaker's own media ("我的照片还没发，马上", "一号站的照片我还冇发") or media told sent ("石溪已
# 补传", "三组的也传完了"); not media the speaker has not seen ("我还冇收到二号站的照片" chases them).
_OWN = re.compile(r"^\s*(?:我|俺|本人)(?![们镇乡县村市区局])(?![^，,。]{0,4}(?:看到|收到|见到))"
                  r"|(?:我|俺)(?![们镇乡县村市区局])[^，,。看收见]{0,4}(?:发|传|报|交|拍)|已|(?:发|传|报|交|拍)(?:完|好|齐)")
# A bare medium addressed to someone is a chase this short at most ("@小李 下午的温度照片").
_ADDRESSED_CHARS = 12
# Room for the opening @mentions and attachments a chaser's length leaves out: a longer text is
# told apart by its length alone, which costs nothing, before anything is searched in it.
_ASIDE = 40


def media_named(settings: dict) -> re.Pattern:
    """The words that name media in a chaser or in the demand it chases."""
    return word_pattern(tuple(settings["media_words"]) + tuple(settings["chased_words"]))


class Standing:
    """The demands for proof a batch's chasers may follow, with the kinds of media each
    asked for: those flagged before the batch (not dismissed), and those it finds, told by
    `demanded`."""

    def __init__(self, conn, messages: list[Message], config: dict):
        settings = config["proof_demand"]
        self.days = settings["chase_days"]
        self.media = media_named(settings)
        self.by_group: dict[int, list[tuple[str, int, set[str]]]] = defaultdict(list)
        if not messages:
            return
        since = (datetime.fromisoformat(min(m.sent_at for m in messages)) - timedelta(days=self.days)).isoformat()
        for group_id, sent_at, message_id, text in conn.execute(
                "select f.group_id, f.occurred_at, f.message_id, m.text from flags f join messages m on m.id = f.message_id "
                "left join flag_state s on s.flag_id = f.id where f.category = 'proof_demand' and f.occurred_at >= ? "
                "and coalesce(s.status, '') != 'dismissed'", [since]):
            self.by_group[group_id].append((sent_at, message_id, self.kinds(text or "")))

    def kinds(self, text: str) -> set[str]:
        return {kind_of(found.group()) for found in self.media.finditer(text)}

    def demanded(self, m: Message) -> None:
        self.by_group[m.group_id].append((m.sent_at, m.id, self.kinds(m.text)))

    def before(self, m: Message, media: list[str]) -> tuple[str, int] | None:
        """(time, id) of the latest demand of `m`'s group for a kind of `media`, sent before
        it within the window."""
        since = (datetime.fromisoformat(m.sent_at) - timedelta(days=self.days)).isoformat()
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
        self.chase = any_pattern(tuple(settings["chase_patterns"]))
        self.done = any_pattern(tuple(settings["done_patterns"]))
        self.apart = any_pattern(tuple(settings["let_off_patterns"]) + tuple(settings["hearsay_patterns"])
                                 + tuple(map(re.escape, settings["prohibition_words"])))
        self.example = word_pattern(tuple(settings["example_words"]))
        self.longest = settings["chase_max_chars"]

    def among(self, messages: list[Message], left_out: set[int]) -> list[tuple[Message, list[str]]]:
        """The messages that chase media, but those `left_out`, with the media each chases."""
        # By length and media words first, in one pass: most messages are too long to be a
        # chaser, and most short ones name no media (收到, 好的).
        most, media = self.longest + _ASIDE, self.media.search
        return [(m, named) for m in messages
                if len(m.text) <= most and media(m.text) and m.id not in left_out and (named := self(m))]

    def __call__(self, m: Message) -> list[str]:
        if m.kind not in TEXT_KINDS or len(m.text) > self.longest + _ASIDE or not self.media.search(m.text):
            return []
        # Without its opening @mentions and attachments ("[图片] 石溪已补传" names none).
        rest = said_text(m.text, self.example).strip()
        if not rest or len(rest) > self.longest:
            return []
        named = [found.group() for found in self.media.finditer(rest)]
        if not named:
            return []
        addressed = m.text.lstrip().startswith("@") and len(rest) <= _ADDRESSED_CHARS
        if not (self.chase.search(rest) or addressed):
            return []
        if self.done.search(rest) or self.apart.search(rest) or _HOW.search(rest) or _OWN.search(rest):
            return []
        return list(dict.fromkeys(named))
