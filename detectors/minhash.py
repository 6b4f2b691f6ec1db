"""repeated_post's compiled loops: MinHash signatures of posts, and the exact Jaccard
similarity of the pairs whose estimate is too close to the threshold to trust.

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


def jaccards(norms: list[str], pairs: np.ndarray) -> np.ndarray:
    """|A ∩ B| / |A ∪ B| of the 3-gram sets of each pair (rows of two indexes into
    `norms`); 3-grams are compared by 64-bit hash."""
    points, ends = _code_points(norms)
    found, longest = np.zeros(len(pairs)), _longest(ends)
    _jaccards(points, ends, np.ascontiguousarray(pairs, dtype=np.int64), _SEED, _PRIME,
              np.empty(longest, dtype=np.uint64), np.empty(longest, dtype=np.uint64), found)
    return found


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
def _jaccards(points, ends, pairs, seed, prime, left, right, found):
    for p in range(len(pairs)):
        a, b = pairs[p, 0], pairs[p, 1]
        n = _grams(points, ends[a - 1] if a else 0, ends[a], seed, prime, left)
        m = _grams(points, ends[b - 1] if b else 0, ends[b], seed, prime, right)
        x, y = np.unique(left[:n]), np.unique(right[:m])
        i = j = common = 0
        while i < len(x) and j < len(y):
            if x[i] == y[j]:
                common += 1
                i += 1
                j += 1
            elif x[i] < y[j]:
                i += 1
            else:
                j += 1
        found[p] = common / (len(x) + len(y) - common)


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
