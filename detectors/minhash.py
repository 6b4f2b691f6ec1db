"""repeated_post's compiled loops: MinHash signatures of posts, and the exact overlap
(Jaccard similarity, and the share of the shorter text found in the longer) of the
pairs whose estimate is too close to a threshold to trust.

Both run over the code points of each normalised text once. The numpy signatures built
arrays of every 3-gram of a batch and scattered them with `np.minimum.at`, and the exact
check built Python sets of 3-gram strings: together about half of the detector's time
on bench/classify.py's archive.
"""
from __future__ import annotations

import numpy as np

from classifiers.features import _PRIME, _SEEDS, code_points
from classifiers.scoring import compiled, mix_one

EMPTY = np.uint32(0xFFFFFFFF)
_SEED = _SEEDS[3 % len(_SEEDS)]  # as features.char_ngrams hashes 3-grams


def signatures(norms: list[str], slots: int) -> np.ndarray:
    """One-permutation MinHash over character 3-grams: each 3-gram's hash picks one of
    `slots` slots and competes for its minimum, so a text costs one hash per 3-gram,
    not one per slot. A text shorter than three characters (padded) is its own 3-gram."""
    points, ends = _code_points(norms)
    signature = np.full((len(norms), slots), EMPTY, dtype=np.uint32)
    _sign(points, ends, _SEED, _PRIME, np.empty(_longest(ends), dtype=np.uint64), signature)
    return signature


def overlaps(norms: list[str], pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (rows of two indexes into `norms`): |A ∩ B| / |A ∪ B| of their 3-gram
    sets, and the share of the shorter text's characters that stand in a 3-gram of the
    longer. A character edited costs three 3-grams but one character: a few scattered edits
    keep the share high. 3-grams are compared by 64-bit hash."""
    points, ends = _code_points(norms)
    # Each text's 3-grams are hashed and sorted once, not once per pair it is in: a post
    # near a threshold is often so beside several others.
    size = len(points) - 2 * len(norms)  # a text of c characters (padded to 3) has c - 2 3-grams
    grams, distinct, order = np.empty(size, dtype=np.uint64), np.empty(size, dtype=np.uint64), np.empty(size, dtype=np.int64)
    counts = np.empty(len(norms), dtype=np.int64)
    _sorted_grams(points, ends, _SEED, _PRIME, grams, order, distinct, counts)
    jaccard, contained = np.zeros(len(pairs)), np.zeros(len(pairs))
    _overlaps(ends, np.ascontiguousarray(pairs, dtype=np.int64), grams, order, distinct, counts,
              np.empty(_longest(ends), dtype=np.bool_), jaccard, contained)
    return jaccard, contained


def similarities(signature: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of the pairs of rows (left[i], right[i]) of
    `signature`: equal slots among those that are filled in either (the estimator for
    one-permutation MinHash). Row by row, without gathering the pairs' rows first."""
    found = np.empty(len(left))
    _similarities(signature, np.ascontiguousarray(left, dtype=np.int64), np.ascontiguousarray(right, dtype=np.int64),
                  found)
    return found


def _code_points(norms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    return code_points([n if len(n) >= 3 else n + "\0" * (3 - len(n)) for n in norms], "")


def _longest(ends: np.ndarray) -> int:
    return int(np.diff(ends, prepend=0).max(initial=0))


@compiled
def _grams(points, lo, hi, seed, prime, out):
    """Hashes of the 3-grams of points[lo:hi] into `out`; returns how many."""
    for start in range(lo, hi - 2):
        h = points[start] ^ seed
        h = (h * prime) ^ points[start + 1]
        h = (h * prime) ^ points[start + 2]
        out[start - lo] = mix_one(h)
    return max(hi - lo - 2, 0)


@compiled
def _sign(points, ends, seed, prime, grams, signature):
    slots = np.uint64(signature.shape[1])
    for post in range(len(ends)):
        for h in grams[:_grams(points, ends[post - 1] if post else 0, ends[post], seed, prime, grams)]:
            value = np.uint32(h >> np.uint64(32))
            if value < signature[post, h % slots]:
                signature[post, h % slots] = value


@compiled
def _sorted_grams(points, ends, seed, prime, grams, order, distinct, counts):
    """For each text k, in its stretch of the outputs (its code points' less 2k): its
    3-grams' hashes in text order (`grams`), the order that sorts them (`order`, within
    the text), and its distinct ones sorted (`distinct`: the first `counts[k]` of them)."""
    for k in range(len(ends)):
        lo = ends[k - 1] if k else 0
        at = lo - 2 * k
        n = _grams(points, lo, ends[k], seed, prime, grams[at:])
        order[at:at + n] = np.argsort(grams[at:at + n])
        count = 0
        for i in range(n):
            gram = grams[at + order[at + i]]
            if count == 0 or gram != distinct[at + count - 1]:
                distinct[at + count] = gram
                count += 1
        counts[k] = count


@compiled
def _overlaps(ends, pairs, grams, order, distinct, counts, covered, jaccard, contained):
    for p in range(len(pairs)):
        a, b = pairs[p, 0], pairs[p, 1]
        a_lo, b_lo = ends[a - 1] if a else 0, ends[b - 1] if b else 0
        if ends[b] - b_lo < ends[a] - a_lo:  # `a` the shorter
            a, b, a_lo, b_lo = b, a, b_lo, a_lo
        n, at, y_at = ends[a] - a_lo - 2, a_lo - 2 * a, b_lo - 2 * b
        left, sorted_left, y = grams[at:at + n], order[at:at + n], distinct[y_at:y_at + counts[b]]
        # The shorter's 3-grams in sorted order, walked beside the longer's distinct ones:
        # each found one covers its three characters, each new one counts once.
        covered[:n + 2] = False
        j = shorter_distinct = common = 0
        for i in range(n):
            gram = left[sorted_left[i]]
            new = i == 0 or gram != left[sorted_left[i - 1]]
            shorter_distinct += new
            while j < len(y) and y[j] < gram:
                j += 1
            if j < len(y) and y[j] == gram:
                common += new
                covered[sorted_left[i]:sorted_left[i] + 3] = True
        jaccard[p] = common / (shorter_distinct + len(y) - common)
        contained[p] = covered[:n + 2].sum() / (n + 2)


@compiled
def _similarities(signature, left, right, found):
    for p in range(len(left)):
        equal = filled = 0
        for k in range(signature.shape[1]):
            a, b = signature[left[p], k], signature[right[p], k]
            if a != EMPTY or b != EMPTY:
                filled += 1
                equal += a == b
        found[p] = equal / max(filled, 1)
