"""群规 第九条 "禁止同一信息在群内反复发布，多头发布": the same or nearly the same notice
posted again in a group within the window, or in two or more groups by one source (one
account, one person or one unit on the roster): another person passing a notice on to
their own group (县农业农村局 to the county group, 镇党政办 to the township's) relays it.

Near-duplicates are found with one-permutation MinHash over character 3-grams of the
normalised text and locality-sensitive hashing (8 bands of 4 slots): a new message is
compared only with posts of the window sharing a band key, so the work grows with the
number of messages, not its square. Two posts are copies when the Jaccard similarity
of their 3-gram sets reaches the configured similarity, or when nearly all the shorter
one stands in the longer (`containment`: a notice reposted under 【再次提醒】, or with a
few words changed). Both are estimated by a finer 128-slot signature (standard
deviation under 0.04 at 0.8) and the posts' lengths, and computed exactly only when the
estimate is close to a threshold.

Band keys are stored in `post_bands`, one row per post clustered by time, so signing a
week of messages appends to the table instead of writing all over it. During a run the posts of the time
window around the current batch are kept in memory (`_Window`), loaded once per stretch
of time, and candidate pairs, the window check and the estimates are computed for a
whole batch at once with numpy."""
from __future__ import annotations

import functools
import json
import re
from datetime import datetime, timedelta

import numpy as np

from classifiers.features import mix
from detectors.after_hours import RELAYED, notices_among
from detectors.base import Message, flag, normalise, when_zh, word_pattern
from detectors.learned import NOTICES
from detectors.minhash import EMPTY as _EMPTY, overlaps, signatures, similarities
from detectors.sign_up import adds_to

NAME, CATEGORY, ARTICLE = "repeated_post", "repeated_post", "群规 第九条"
VERSION = f"15.{NOTICES.version() or 'none'}"  # in the name on its flags and watermark (detectors/run.py)
BANDS, ROWS = 8, 4
SLOTS = BANDS * ROWS
NO_BAND = -1
FINE_SLOTS = 128
_CHUNK = 50_000  # pairs compared at once (each reads two fine signatures)
_FILTER_BITS = (1 << 22) - 1  # band keys' low bits that _pairs filters stored entries by
_DOUBT = 0.1  # estimates this close to the threshold (2.8 standard deviations) are checked exactly


def coarse(fine: np.ndarray) -> np.ndarray:
    """The SLOTS-slot signatures of FINE_SLOTS-slot ones: a 3-gram in fine slot k is in
    slot k % SLOTS, so each coarse slot is the least of its FINE_SLOTS // SLOTS fine ones.
    A batch is hashed once for both."""
    return fine.reshape(len(fine), FINE_SLOTS // SLOTS, SLOTS).min(axis=1)


def band_keys(signature: np.ndarray) -> np.ndarray:
    """(messages, BANDS) keys: each band's four slots hashed together with the band's
    number; NO_BAND for a band whose slots are all empty (a short text leaves many so,
    and they would make every short text a candidate of every other)."""
    slots = signature.astype(np.uint64).reshape(len(signature), BANDS, ROWS)
    keys = np.broadcast_to(np.arange(BANDS, dtype=np.uint64), (len(signature), BANDS))
    for row in range(ROWS):
        keys = mix(keys * np.uint64(0x100000001B3) ^ slots[:, :, row])
    keys = (keys >> np.uint64(1)).astype(np.int64)
    return np.where((slots == _EMPTY).all(axis=2), NO_BAND, keys)


class _Window:
    """The signed posts of a stretch of time, kept between the batches of one run: their
    ids, times and normalised texts, and (band key, post) entries."""

    def __init__(self):
        self.lo = self.hi = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.times = np.zeros(0, dtype="datetime64[s]")
        self.norms = np.zeros(0, dtype=object)  # an array: dropping old posts is one step, not a loop
        self.band = np.zeros(0, dtype=np.int64)
        self.owner = np.zeros(0, dtype=np.int64)

    def cover(self, conn, lo: np.datetime64, hi: np.datetime64, upto: int) -> None:
        """Hold exactly the stored posts sent from `lo` to `hi`, of messages up to id `upto`,
        reading only what is missing (a later message's post is added when its batch is)."""
        if self.lo is None or hi < self.lo or lo > self.hi:
            self.keep(np.zeros(len(self.ids), dtype=bool))
            self._load(conn, "sent_at between ? and ?", [str(lo), str(hi)], upto)
        else:
            self.keep((self.times >= lo) & (self.times <= hi))
            if lo < self.lo:
                self._load(conn, "sent_at >= ? and sent_at < ?", [str(lo), str(self.lo)], upto)
            if hi > self.hi:
                self._load(conn, "sent_at > ? and sent_at <= ?", [str(self.hi), str(hi)], upto)
        self.lo, self.hi = lo, hi

    def keep(self, posts: np.ndarray) -> None:
        entries = posts[self.owner]
        self.band, self.owner = self.band[entries], (np.cumsum(posts) - 1)[self.owner[entries]]
        self.ids, self.times = self.ids[posts], self.times[posts]
        self.norms = self.norms[posts]

    def _load(self, conn, where: str, params: list, upto: int) -> None:
        rows = conn.execute(f"select message_id, bands from post_bands where {where} and message_id <= ? "
                            "order by message_id", [*params, upto]).fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        keys = np.frombuffer(b"".join(r[1] for r in rows), dtype="<i8").reshape(-1, BANDS)
        # Posts of this run are here already (added after their batch, and stored too).
        fresh = ~np.isin(ids, self.ids)
        found = conn.execute("select m.sent_at, m.text from json_each(?) k join messages m on m.id = k.value "
                             "order by m.id", [json.dumps(ids[fresh].tolist())]).fetchall()
        self.add(ids[fresh], np.array([r[0] for r in found], dtype="datetime64[s]"), normalise([r[1] for r in found]),
                 keys[fresh])

    def add(self, ids: np.ndarray, times: np.ndarray, norms: list[str], keys: np.ndarray) -> None:
        """Append posts and their band keys (one row of BANDS per post)."""
        banded = keys.ravel() != NO_BAND
        self.band = np.concatenate([self.band, keys.ravel()[banded]])
        self.owner = np.concatenate([self.owner, np.repeat(np.arange(len(ids)), BANDS)[banded] + len(self.ids)])
        self.ids, self.times = np.concatenate([self.ids, ids]), np.concatenate([self.times, times])
        self.norms = np.concatenate([self.norms, np.array(norms, dtype=object)])


def candidates(config: dict) -> tuple[str, list]:
    """The messages detect can flag, as a SQL condition and its parameters."""
    return "kind in ('text', 'notice') and length(text) >= ?", [config["repeated_post"]["min_chars"]]


def detect(messages: list[Message], config: dict, context) -> list[dict]:
    settings = config["repeated_post"]
    conn = context["conn"]
    short, shortest = set(_normalised(tuple(settings["short_replies"]))), settings["min_chars"]
    # Members answering a notice alike ("已收到通知，我村将按要求…") each reply once; only
    # notices are repeated, some after thanks ("辛苦各位，再发一遍：请各村…").
    replies = _normalised(tuple(settings["reply_openings"]))
    # Normalising only removes characters: a text too short before is too short after.
    posts = [m for m in messages if m.kind in ("text", "notice") and len(m.text) >= shortest]
    long_enough = [(m, norm) for m, norm in zip(posts, normalise([m.text for m in posts]))
                   if len(norm) >= shortest and norm not in short]
    notices = notices_among([m for m, norm in long_enough if norm.startswith(replies)], config["after_hours"], context)
    eligible = [(m, norm) for m, norm in long_enough if not norm.startswith(replies) or m.id in notices]
    flags, signed = _signed_and_flagged(context, eligible, messages, config) if eligible else ([], [])
    # Written last, so a run beside the other detectors (detectors/run.py) holds the archive's
    # write lock only for this. What was stored of this batch's messages (read again after a
    # reset: a new version, a setting changed) goes, so one that no longer counts as a post (an
    # answer the notice model now reads otherwise) is no one's copy; then one row per post, in
    # time order: each batch appends to the time-clustered table.
    if messages:
        conn.execute("delete from post_bands where sent_at between ? and ? and message_id between ? and ?",
                     [min(m.sent_at for m in messages), max(m.sent_at for m in messages),
                      min(m.id for m in messages), max(m.id for m in messages)])
    conn.executemany("insert or ignore into post_bands (sent_at, message_id, bands) values (?, ?, ?)", signed)
    return flags


def _signed_and_flagged(context: dict, eligible: list[tuple[Message, str]], messages: list[Message],
                        config: dict) -> tuple[list[dict], list[tuple]]:
    """The flags on the batch's posts (`eligible`, with their normalised texts), and the rows
    of `post_bands` that sign them."""
    settings = config["repeated_post"]
    window = np.timedelta64(int(settings["window_days"] * 86400), "s")
    batch = [m for m, _ in eligible]
    norms = [norm for _, norm in eligible]
    ids = np.array([m.id for m in batch], dtype=np.int64)
    times = np.array([m.sent_at for m in batch], dtype="datetime64[s]")
    fine = signatures(norms, FINE_SLOTS)
    keys = band_keys(coarse(fine))
    stored = context.setdefault("repeated_post", _Window())
    # Posts of later messages are known once their batch is read, as in a first run: what a run
    # before a reset stored of them is no one's copy yet.
    stored.cover(context["conn"], times.min() - window, times.max() + window, upto=max(m.id for m in messages))
    stored.keep(~np.isin(stored.ids, [m.id for m in messages]))  # signed before (a run after a reset): signed anew
    known = len(stored.ids)
    stored.add(ids, times, norms, keys)
    pairs = _pairs(stored.band, stored.owner, known)
    pairs = pairs[np.abs(stored.times[pairs[:, 0]] - stored.times[pairs[:, 1]]) <= window]
    copies = _copies(pairs, stored.norms, settings, known, fine)
    flags = _flags(context, copies, batch, stored, known, config) if copies else []
    return flags, sorted(zip([m.sent_at for m in batch], ids.tolist(), map(bytes, keys.astype("<i8"))))


def _flags(context: dict, copies: dict[int, list[int]], batch: list[Message], stored: _Window, known: int,
           config: dict) -> list[dict]:
    """A flag on each repeat, pointing at the thread's first post."""
    conn = context["conn"]
    posts = {m.id: m for m in batch}
    earlier = [int(stored.ids[i]) for i in {i for i in [*copies, *(j for js in copies.values() for j in js)] if i < known}]
    posts.update((row[0], Message(*row)) for row in conn.execute(
        "select m.id, m.group_id, m.member_id, m.sent_at, m.kind, m.text from json_each(?) k "
        "join messages m on m.id = k.value", [json.dumps(earlier)]))
    every_id = stored.ids.tolist()
    group_names = dict(conn.execute("select id, name from groups"))
    senders = _senders(conn, {p.member_id for p in posts.values()})
    verdicts = {(owner, i): _repeats(posts[every_id[owner]], stored.norms[owner], posts[every_id[i]], stored.norms[i],
                                     config, senders)
                for owner, found in copies.items() for i in found}
    # Whether it is a notice is asked last, of all the posts it decides at once: the model reads them together.
    undecided = {every_id[owner] for (owner, _), verdict in verdicts.items() if verdict is None}
    notices = notices_among([posts[i] for i in sorted(undecided)], config["after_hours"], context)
    flags = []
    for owner, found in sorted(copies.items()):
        later = posts[every_id[owner]]
        found = [i for i in found if verdicts[owner, i] or verdicts[owner, i] is None and later.id in notices]
        if not found:
            continue
        # The window holds every post's normalised text: not normalised again per flag.
        norms = {every_id[i]: stored.norms[i] for i in [*found, owner]}
        thread = sorted((posts[every_id[i]] for i in [*found, owner]), key=lambda p: (p.sent_at, p.id))
        for repeat in thread[1:]:
            flags.append(flag(repeat, CATEGORY, ARTICLE, _explain(repeat, thread[0], thread, group_names, norms),
                              related=thread[0].id, score=1.0))
    return flags


def _senders(conn, member_ids: set) -> dict[int, tuple]:
    """(account, roster person, roster unit) of each member: what tells one source."""
    return {row[0]: row[1:] for row in conn.execute(
        "select m.id, m.sender_key, m.person_id, nullif(p.unit, '') from json_each(?) k join members m on m.id = k.value "
        "left join people p on p.id = m.person_id", [json.dumps([i for i in member_ids if i is not None])])}


def _one_source(post: Message, earlier: Message, senders: dict) -> bool:
    """Whether the posts come from one account, person or unit; an unknown sender may be any."""
    if post.member_id not in senders or earlier.member_id not in senders:
        return True
    return any(a is not None and a == b for a, b in zip(senders[post.member_id], senders[earlier.member_id]))


def _repeats(post: Message, norm: str, earlier: Message, earlier_norm: str, config: dict,
             senders: dict) -> bool | None:
    """Whether `post` (normalised: `norm`), a near-copy of `earlier` (`earlier_norm`), posts
    the same information again (第九条), rather than something written alike; None when
    only whether `post` is a notice decides (`notices_among`):
    - an answer to a 接龙 copies the list and adds a line (detectors/sign_up.py);
    - a correction (更正, 延期, 改为 …) changes the earlier post: it is news;
    - what names a day, week or month relatively (今天, 下周, 本月 …) in another day
      (12 hours on), week or month is another occasion, in one group or two: the daily
      duty roster, the weekly meeting, a village's daily report;
    - in two groups, another source's post passes the notice on (_one_source);
    - in one group, another member's post that is no notice answers or reports alike
      (six villages filling in one template, "新田村收到，我村将…"): each reports their own;
      nor is one that answers the notice by echoing it after an acknowledgement or thanks
      naming someone ("收到，" or "感谢王主任提醒！" and the notice). Thanks naming everyone
      or no one ("辛苦各位，再发一遍：", "感谢各村支持，") are the notice-giver's voice: that
      post is the notice again;
    - an echo answers a notice whichever of the two it is, unless one member posted both
      in one group (then it is their own notice again, whatever it opens with): it is
      no post of the notice to be counted in its thread, and the member who echoed it and
      then passed it on to their own group relays it, once, not 多头发布. A notice relayed
      from above ("收到县里通知，请各村…") opens with an acknowledgement but echoes nothing."""
    settings = config["repeated_post"]
    if adds_to(post.text, earlier.text) or _corrects(post, earlier, settings):
        return False
    if _another_occasion(post, earlier, settings):
        return False
    if post.group_id == earlier.group_id and post.member_id == earlier.member_id:
        return True
    echo = _echo_opening(*(tuple(settings[key]) for key in ("acknowledgements", "thanks", "thanked")),
                         tuple(config["after_hours"]["question_titles"]))
    if _echoes(post, norm, echo) or _echoes(earlier, earlier_norm, echo):
        return False
    if post.group_id != earlier.group_id:
        return _one_source(post, earlier, senders)
    return None


def _echoes(post: Message, norm: str, echo: re.Pattern) -> bool:
    """Whether `post` (normalised: `norm`) answers a notice by echoing it, rather than
    relaying one from above."""
    return echo.match(norm) is not None and not RELAYED.match(post.text or "")


@functools.lru_cache(maxsize=16)
def _normalised(words: tuple[str, ...]) -> tuple[str, ...]:
    """A config list of words normalised as the posts are: once per run, not once per pair
    of posts compared."""
    return tuple(normalise(list(words)))


@functools.lru_cache(maxsize=16)
def _echo_opening(acknowledgements: tuple[str, ...], thanks: tuple[str, ...], thanked: tuple[str, ...],
                  titles: tuple[str, ...]) -> re.Pattern:
    """What opens a normalised post answering a notice: an acknowledgement, or thanks naming
    someone (a name or an office between, never 各 or the notice's 请) by title or by one of
    `thanked` ("感谢刘局提醒"). Not a title for all of a kind: 书记们, nor one that a class,
    village or grade holds (辛苦班主任, 辛苦村书记, 年级组长): the notice-giver thanks them all."""
    acknowledged, thanking, named, title = (word_pattern(_normalised(words)).pattern
                                            for words in (acknowledgements, thanks, thanked, titles))
    return re.compile(f"(?:{acknowledged})|(?:{thanking})[^各请]{{0,6}}?(?:(?:{named})|(?<![班村级])(?:{title})(?!们))")


def _corrects(post: Message, earlier: Message, settings: dict) -> bool:
    corrections = word_pattern(tuple(settings["correction_words"]))
    return bool(corrections.search(post.text)) and not corrections.search(earlier.text)


def _another_occasion(post: Message, earlier: Message, settings: dict) -> bool:
    then, now = datetime.fromisoformat(earlier.sent_at), datetime.fromisoformat(post.sent_at)
    return bool(
        now.date() != then.date() and now - then >= timedelta(hours=12)
        and word_pattern(tuple(settings["relative_days"])).search(post.text)
        or now.isocalendar()[:2] != then.isocalendar()[:2] and word_pattern(tuple(settings["relative_weeks"])).search(post.text)
        or (now.year, now.month) != (then.year, then.month)
        and word_pattern(tuple(settings["relative_months"])).search(post.text))


def _copies(pairs: np.ndarray, norms: np.ndarray, settings: dict, known: int,
            batch_fine: np.ndarray) -> dict[int, list[int]]:
    """For each later post of the pairs, the earlier ones it copies. Posts from `known`
    on are the batch's, whose fine signatures are `batch_fine`; earlier ones are signed again."""
    threshold, containment = settings["similarity"], settings["containment"]
    involved = np.unique(pairs)
    fine = np.empty((len(involved), FINE_SLOTS), dtype=np.uint32)
    earlier = involved < known
    fine[~earlier] = batch_fine[involved[~earlier] - known]
    if earlier.any():
        fine[earlier] = signatures(norms[involved[earlier]].tolist(), FINE_SLOTS)
    lengths = np.fromiter(map(len, norms[involved]), dtype=np.int64, count=len(involved))
    copies: dict[int, list[int]] = {}
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start: start + _CHUNK]
        left, right = np.searchsorted(involved, chunk[:, 0]), np.searchsorted(involved, chunk[:, 1])
        estimate = similarities(fine, left, right)
        shorter, longer = np.minimum(lengths[left], lengths[right]), np.maximum(lengths[left], lengths[right])
        alike = shorter >= settings["shorter_share"] * longer
        # Clear verdicts stand; the few near a threshold are settled on the 3-grams themselves.
        sure = estimate >= threshold + _DOUBT
        doubtful = ~sure & ((np.abs(estimate - threshold) < _DOUBT)
                            | alike & (_contained(estimate, shorter, longer) >= containment - _DOUBT))
        close = chunk[doubtful]
        texts = np.unique(close)
        jaccard, contained = overlaps(norms[texts].tolist(), np.searchsorted(texts, close))
        near = (jaccard >= threshold) | alike[doubtful] & (contained >= containment)
        for a, b in [*chunk[sure].tolist(), *close[near].tolist()]:
            copies.setdefault(a, []).append(b)
    return copies


def _contained(jaccard: np.ndarray, shorter: np.ndarray, longer: np.ndarray) -> np.ndarray:
    """The share of the shorter text's 3-grams in the longer, from the Jaccard similarity
    J of two texts with s and l 3-grams: they share J(s + l) / (1 + J). Lengths count a
    text's 3-grams as if none repeats. Below the share of its characters when the edits
    are scattered (three 3-grams each), so the doubt is on the low side."""
    grams_s, grams_l = np.maximum(shorter - 2, 1), np.maximum(longer - 2, 1)
    return jaccard * (grams_s + grams_l) / ((1 + jaccard) * grams_s)


def _pairs(bands: np.ndarray, owners: np.ndarray, stored: int) -> np.ndarray:
    """Distinct (post, earlier post) pairs sharing a band, for each post of this batch
    (owner >= stored); an earlier post is a stored one or one before it in the batch."""
    # Only stored entries in a band of this batch can pair: the window's other entries
    # (most of a week's) are left out before the sort, which costs the most here. Band keys
    # are hashes, so their low bits index a table of the batch's; a few others pass too,
    # and pair with nothing.
    fresh = owners >= stored
    seen = np.zeros(_FILTER_BITS + 1, dtype=bool)
    seen[bands[fresh] & _FILTER_BITS] = True
    near = fresh | seen[bands & _FILTER_BITS]
    bands, owners = bands[near], owners[near]
    order = np.lexsort((owners, bands))
    bands, owners = bands[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], bands[1:] != bands[:-1])))
    group_start = np.repeat(starts, np.diff(np.concatenate((starts, [len(bands)]))))
    counts = np.where(owners >= stored, np.arange(len(bands)) - group_start, 0)
    left = np.repeat(owners, counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    right = owners[np.repeat(group_start, counts) + offset]
    width = int(owners.max()) + 1 if len(owners) else 1
    pairs = np.sort(left * width + right)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    pairs = np.column_stack([pairs // width, pairs % width])
    return pairs[pairs[:, 0] != pairs[:, 1]]


def _explain(post: Message, first: Message, posts: list[Message], names: dict, norms: dict[int, str]) -> str:
    # The groups in the order the post reached them.
    groups = list(dict.fromkeys(p.group_id for p in sorted(posts, key=lambda p: (p.sent_at, p.id))
                                if p.sent_at <= post.sent_at))
    where = f"「{names.get(first.group_id, first.group_id)}」"
    # A near-copy is not called the same: a supervisor reading 同一内容 would not look for what changed.
    alike = "同一内容" if norms[post.id] == norms[first.id] else "相近内容"
    if post.group_id != first.group_id:
        others = "、".join(f"「{names.get(g, g)}」" for g in groups)
        return f"多头发布：{alike}已于 {when_zh(first.sent_at)} 在{where}发布，先后出现在 {others}"
    repeat = sum(p.group_id == post.group_id and p.sent_at <= post.sent_at for p in posts)
    return f"重复发布：{alike}已于 {when_zh(first.sent_at)} 在本群发布，这是第 {repeat} 次"
