"""群规 第九条 "禁止同一信息在群内反复发布，多头发布": the same or nearly the same notice
posted again in a group within the window, or in two or more groups.

Near-duplicates are found with (one-permutation) MinHash over character 3-grams of the
normalised text and locality-sensitive hashing (8 bands of 4): each message stores its band keys (and
time) in `post_bands`, and a new message is compared only with messages of the window
sharing a band key, so the work grows with the number of messages, not its square."""
from __future__ import annotations

import hashlib
import zlib
from datetime import timedelta

import numpy as np

from detectors.base import Message, flag, normalise, when_zh

NAME, CATEGORY, ARTICLE = "repeated_post", "repeated_post", "群规 第九条"
BANDS, ROWS = 8, 4
SLOTS = BANDS * ROWS
_EMPTY = np.uint32(0xFFFFFFFF)


def shingles(norm: str) -> set[str]:
    return {norm[i:i + 3] for i in range(max(1, len(norm) - 2))}


def band_keys(grams: set[str]) -> list[int]:
    return batch_band_keys([grams])[0]


def batch_band_keys(shingle_sets: list[set[str]]) -> list[list[int]]:
    """The LSH band keys of many messages at once. The signature is one-permutation
    MinHash: each shingle's crc32 picks one of 32 slots and competes for its minimum, so
    a message costs one hash per shingle (not 32), all in one numpy pass."""
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for grams in shingle_sets for g in grams), dtype=np.uint32)
    owners = np.repeat(np.arange(len(shingle_sets)), [len(grams) for grams in shingle_sets])
    signatures = np.full((len(shingle_sets), SLOTS), _EMPTY, dtype=np.uint32)
    np.minimum.at(signatures, (owners, hashes % SLOTS), hashes // SLOTS)
    keys = []
    for raw in map(np.ndarray.tobytes, signatures):
        keys.append([int.from_bytes(hashlib.blake2b(raw[b * ROWS * 4:(b + 1) * ROWS * 4] + bytes([b]),
                                                    digest_size=8).digest(), "big") >> 1 for b in range(BANDS)])
    return keys


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _eligible(m: Message, settings: dict, short: set[str]) -> str | None:
    norm = normalise(m.text)
    if m.kind not in ("text", "notice") or len(norm) < settings["min_chars"] or norm in short:
        return None
    return norm


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["repeated_post"]
    conn = context["conn"]
    short = {normalise(s) for s in settings["short_replies"]}
    window = timedelta(days=settings["window_days"])
    group_names = dict(conn.execute("select id, name from groups"))
    eligible = [(m, norm) for m in messages if (norm := _eligible(m, settings, short))]
    if not eligible:
        return []
    grams = [shingles(norm) for _, norm in eligible]
    keys = batch_band_keys(grams)
    # Messages sharing a band within the window around this batch, fetched once through
    # the (band, time) index; this batch's own messages are matched in memory as they go.
    earliest = (min(m.when for m, _ in eligible) - window).isoformat(timespec="seconds")
    latest = (max(m.when for m, _ in eligible) + window).isoformat(timespec="seconds")
    by_band: dict[int, list[Message]] = {}
    all_keys = sorted({k for ks in keys for k in ks})
    for band, *row in conn.execute(
            "select b.band, m.id, m.group_id, m.member_id, m.sent_at, m.kind, m.text from json_each(?) k "
            "join post_bands b on b.band = k.value and b.sent_at between ? and ? "
            "join messages m on m.id = b.message_id", [str(all_keys), earliest, latest]):
        by_band.setdefault(band, []).append(Message(*row))
    conn.executemany("insert into post_bands (band, sent_at, message_id) values (?, ?, ?)",
                     [(k, m.sent_at, m.id) for (m, _), ks in zip(eligible, keys) for k in ks])
    known_grams: dict[int, set[str]] = {m.id: g for (m, _), g in zip(eligible, grams)}
    flags = []
    for (m, _), mine, ks in zip(eligible, grams, keys):
        candidates = {c.id: c for k in ks for c in by_band.get(k, ()) if c.id != m.id}
        for k in ks:
            by_band.setdefault(k, []).append(m)
        copies = []
        for c in candidates.values():
            if abs(c.when - m.when) > window:
                continue
            if c.id not in known_grams:
                known_grams[c.id] = shingles(normalise(c.text))
            if similarity(mine, known_grams[c.id]) >= settings["similarity"]:
                copies.append(c)
        if not copies:
            continue
        posts = sorted(copies + [m], key=lambda p: (p.sent_at, p.id))
        first = posts[0]
        for later in posts[1:]:
            flags.append(flag(later, CATEGORY, ARTICLE, _explain(later, first, posts, group_names),
                              related=first.id, score=1.0))
    return flags


def _explain(post: Message, first: Message, posts: list[Message], names: dict) -> str:
    groups = sorted({p.group_id for p in posts if p.sent_at <= post.sent_at})
    where = f"「{names.get(first.group_id, first.group_id)}」"
    if post.group_id != first.group_id:
        others = "、".join(f"「{names.get(g, g)}」" for g in groups)
        return f"多头发布：同一内容已于 {when_zh(first.sent_at)} 在{where}发布，先后出现在 {others}"
    repeat = sum(p.group_id == post.group_id and p.sent_at <= post.sent_at for p in posts)
    return f"重复发布：同一内容已于 {when_zh(first.sent_at)} 在本群发布，这是第 {repeat} 次"
