"""群规 第九条 "过度留痕": demanding screenshots, photos, videos, location shares, 打卡 or
接龙 as proof of work. What a message's wording demands is read by `proof_wording`; beside
it, the proof-demand model (detectors/learned.py) doubts a worded demand or reads one the
wording does not foresee. The title of a 接龙 copied by one answering it is no demand
(detectors/sign_up.py). A short follow-up chasing what a demand of its group asked for is
one again (detectors/proof_chasers.py)."""
from __future__ import annotations

import re

from detectors.base import TEXT_KINDS, Message, any_pattern, flag, when_zh, word_pattern
from detectors.learned import PROOF_DEMANDS, archived_tokens
from detectors.privacy import masked
from detectors.proof_chasers import Chasing, Standing
from detectors.proof_wording import ASKS, Demand, demand_clauses, demands, said_text
from detectors.sign_up import answers_earlier

NAME, CATEGORY, ARTICLE = "proof_demand", "proof_demand", "群规 第九条"
# In the name on its flags and watermark (detectors/run.py), with its model's version: a model
# trained anew reads the archive again, as a new version of the rules does.
VERSION = f"26.{PROOF_DEMANDS.version() or 'none'}"


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    """A demand for proof is what the wording finds (`demands`) unless the proof-demand model
    doubts it (scores it under `rules_doubted_below`: a document's photo, an incident's, a
    rule), or what the model reads as one (from `model_demands_from`) in a message naming
    media, not too short to tell (`model_min_chars`), that neither asks (a question why a video
    will not upload is none) nor forbids, tells hearsay, lets off or shows an incident."""
    settings = config["proof_demand"]
    demand_in = demands(config)
    any_media, example = word_pattern(tuple(settings["media_words"])), word_pattern(tuple(settings["example_words"]))
    # What sets a message apart from any demand, whatever the model reads in it: a question, a
    # prohibition, hearsay, a let-off, an incident's pictures.
    apart = any_pattern(tuple(settings["question_patterns"]) + tuple(settings["hearsay_patterns"])
                        + tuple(settings["let_off_patterns"]) + tuple(settings["incident_patterns"])
                        + tuple(map(re.escape, settings["prohibition_words"])))
    # What after_hours found already of this batch's messages outside working hours.
    found_before = context.get(FOUND_KEY, {})
    named = [m for m in messages if m.kind in TEXT_KINDS and any_media.search(m.text or "")]
    archived = archived_tokens(context["conn"], [m.id for m in named])
    found_scores = PROOF_DEMANDS.scores([m.text for m in named], context, [archived.get(m.id) for m in named])
    scores = dict(zip((m.id for m in named), found_scores[0])) if found_scores else {}
    flags = []
    for m in named:
        found = found_before.pop(m.id) if m.id in found_before else demand_in(m)
        score = scores.get(m.id)
        by_wording = found is not None and found.proof and (score is None or score >= settings["rules_doubted_below"])
        read = (score is not None and score >= settings["model_demands_from"] and len(m.text.strip()) >= settings["model_min_chars"]
                and not ASKS.search(m.text) and not apart.search(m.text))
        # Asked last: it reads the archive.
        if not (by_wording or read) or answers_earlier(context, m, config["sign_up"]["answer_days"]):
            continue
        if not by_wording:  # the clause it is in: the first naming media, not in an @mention or as [视频] attached
            clause = next((c for c in demand_clauses(said_text(m.text, example), any_media) if any_media.search(c)), None)
            if clause is None:
                continue
            found = Demand(clause, list(dict.fromkeys(media.group() for media in any_media.finditer(clause))), True)
        flags.append(flag(m, CATEGORY, ARTICLE, f"要求以{'、'.join(found.media)}作为工作留痕：「{masked(found.clause.strip())[:60]}」",
                          score=0.9))
    return flags + _chasers(messages, {f["message_id"] for f in flags}, config, context)


def _chasers(messages: list[Message], demands: set[int], config: dict, context) -> list[dict]:
    """Flags of the messages chasing the proof an earlier demand of their group asked for
    (the `demands` of this batch, by id, or one flagged before)."""
    chasing_now = Chasing(config).among(messages, demands)
    if not chasing_now:
        return []
    standing = Standing(context["conn"], messages, config)
    for m in messages:
        if m.id in demands:
            standing.demanded(m)
    return [flag(m, CATEGORY, ARTICLE, f"催交本群 {when_zh(demand[0])} 所要求的{'、'.join(named)}："
                 f"「{masked(m.text.strip())[:60]}」", score=0.8, related=demand[1])
            for m, named in chasing_now
            # A 接龙's answer copies its title: the starter's demand, not the one answering.
            if (demand := standing.before(m, named)) and not answers_earlier(context, m, config["sign_up"]["answer_days"])]


# Where after_hours keeps, for the batch, what `demands` found of the messages it read: a
# demand for proof is read once a run, not twice.
FOUND_KEY = "proof_demands"
