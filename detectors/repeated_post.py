"""群规 第九条 "禁止同一信息在群内反复发布，多头发布": the same or nearly the same notice
posted again in a group within the window, or in two or more groups.

Near-duplicates are found with MinHash over character 3-grams of the normalised text
and locality-sensitive hashing (8 bands of 4): each message stores its band keys in
`post_bands`, and a new message is compared only with messages sharing a band key, so
the work grows with the number of messages, not its square."""
from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta

import numpy as np

from detectors.base import Message, flag, normalise, when_zh

NAME, CATEGORY, ARTICLE = "repeated_post", "repeated_post", "群规 第九条"
BANDS, ROWS = 8, 4
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(9)
_A = _rng.integers(1, _PRIME, BANDS * ROWS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, BANDS * ROWS, dtype=np.uint64)


def shingles(norm: str) -> set[str]:
    return {norm[i:i + 3] for i in range(max(1, len(norm) - 2))}


def band_keys(grams: set[str]) -> list[int]:
    values = np.array([zlib.crc32(g.encode("utf-8")) for g in grams], dtype=np.uint64)
    # (a*x + b) mod 2^64, a cheap universal-style permutation per row; numpy wraps silently.
    signature = ((_A[:, None] * values[None, :] + _B[:, None])).min(axis=1)
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS:(band + 1) * ROWS].tobytes() + bytes([band])
        keys.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big") >> 1)
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
    flags = []
    for m in messages:
        norm = _eligible(m, settings, short)
        if norm is None:
            continue
        grams = shingles(norm)
        keys = band_keys(grams)
        candidates = conn.execute(
            "select distinct m.id, m.group_id, m.member_id, m.sent_at, m.kind, m.text from post_bands b "
            "join messages m on m.id = b.message_id where b.band in (select value from json_each(?)) and m.id != ?",
            [str(keys), m.id]).fetchall()
        conn.executemany("insert into post_bands (band, message_id) values (?, ?)", [(k, m.id) for k in keys])
        copies = [Message(*row) for row in candidates
                  if abs(datetime.fromisoformat(row[3]) - m.when) <= window
                  and similarity(grams, shingles(normalise(row[5]))) >= settings["similarity"]]
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
