"""群规 第九条 "过度留痕": demanding screenshots, photos, videos, location shares, 打卡 or
接龙 as proof of work. A request for a document is not a proof demand: only a clause
that names such media and also makes a demand is flagged."""
from __future__ import annotations

from detectors.base import Message, clauses, flag, word_pattern

NAME, CATEGORY, ARTICLE = "proof_demand", "proof_demand", "群规 第九条"
VERSION = "1"  # in the name on its flags and watermark (detectors/run.py)


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["proof_demand"]
    # Most messages name no medium at all: one scan rules them out.
    any_media = word_pattern(tuple(settings["media_words"]))
    demand, prohibition = word_pattern(tuple(settings["demand_words"])), word_pattern(tuple(settings["prohibition_words"]))
    flags = []
    for m in messages:
        if m.kind not in ("text", "notice", "quote") or not any_media.search(m.text or ""):
            continue
        for clause in clauses(m.text):
            if any_media.search(clause) and demand.search(clause) and not prohibition.search(clause):
                media = [w for w in settings["media_words"] if w in clause]
                flags.append(flag(m, CATEGORY, ARTICLE,
                                  f"要求以{'、'.join(media)}作为工作留痕：「{clause.strip()[:60]}」", score=0.9))
                break
    return flags
