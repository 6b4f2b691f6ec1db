"""The compiled vote's products (classifiers/model.py `Linear`) computed straight from
the messages' text and tokens: the numbers of `NgramHasher.transform` followed by the
sparse product, worked out message by message in one compiled loop.

The numpy path builds, for a whole batch, arrays of every n-gram's document, hash and
column, then a sparse matrix whose rows must be sorted to count repeated n-grams, then
the product: a dozen passes over ~300 entries a message, about 60 µs a message. Here
each message's n-gram columns are counted in a small open-addressing table and
multiplied into the voters' weights at once: about 15 µs a message, most of it reading
the weights (12 voters × 2^19 columns, 25 MB, at random; bench/classify.py). Training
keeps the numpy path: it needs the matrix itself.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np
from numba import njit

from classifiers.features import _POSITION, _PRIME, _SEEDS, NgramHasher, code_points, mix


def products(hasher: NgramHasher, weights: np.ndarray, token_strings: list[str], texts: list[str]) -> np.ndarray:
    """(messages, voters): each message's feature row times `weights` (features × voters),
    as `hasher.transform(rows) @ weights` gives it."""
    chars, char_ends = code_points(texts, "")
    words, word_ends = code_points(token_strings, " ")
    out = np.zeros((len(texts), weights.shape[1]), dtype=np.float64)
    longest = max(int(np.diff(char_ends, prepend=0).max(initial=0)), int(np.diff(word_ends, prepend=0).max(initial=0)))
    sizes = np.array([*hasher.word_ngrams, *hasher.char_ngrams])
    most = longest * int(max(sizes[1] - sizes[0], sizes[3] - sizes[2]) + 1)
    slots = 1 << (2 * most + 1).bit_length()  # at most half full
    _products(chars, char_ends, words, word_ends, np.array(_SEEDS, dtype=np.uint64), _PRIME, _POSITION,
              np.uint64(64 - hasher.hash_bits), hasher.width, sizes,
              hasher.idf_, weights, np.full(slots, -1, dtype=np.int64), np.zeros(slots, dtype=np.int64),
              np.empty(most + 1, dtype=np.int64), np.empty(longest + 1, dtype=np.uint64), out)
    return out


def compiled(function):
    """`function` compiled by numba, and cached in `__pycache__` beside its source or in
    the user's cache folder. Where neither is writable (an install owned by another
    user, run by an account without a home), it is compiled again in each process
    (~3 s) rather than not at all: numba would refuse to import it."""
    try:
        return njit(cache=True)(function)
    except RuntimeError as e:
        if "no locator available" not in str(e):
            raise
        _say_uncached()
        return njit(function)


@functools.cache
def _say_uncached() -> None:
    warnings.warn("numba finds no writable folder for its cache: qunguan's compiled code is compiled again "
                  "in each process (~3 s)", stacklevel=3)


# features.mix compiled for one word at a time. numba's cache does not notice when a
# function compiled into another changes: after editing features.mix, delete the
# __pycache__ folders of classifiers/ and detectors/.
mix_one = compiled(mix)


@compiled
def _products(chars, char_ends, words, word_ends, seeds, prime, position, shift, width, sizes, idf, weights,
              table, counts, used, units, out):
    pushed = np.zeros(weights.shape[1])
    for doc in range(len(char_ends)):
        # Word block: one hash per token (a run of non-spaces), as features.word_ngrams makes it.
        lo = word_ends[doc - 1] + 1 if doc else 0
        count, i = 0, lo
        while i < word_ends[doc]:
            if words[i] == 32:
                i += 1
                continue
            h, k = np.uint64(0), 0
            while i < word_ends[doc] and words[i] != 32:
                h += words[i] * position[k % len(position)]
                i += 1
                k += 1
            units[count] = mix_one(h)
            count += 1
        _block(units, count, sizes[0], sizes[1], 2, seeds, prime, shift, 0, idf, weights, table, counts, used, pushed, out[doc])
        # Character block: the text's code points.
        lo = char_ends[doc - 1] if doc else 0
        _block(chars[lo:char_ends[doc]], char_ends[doc] - lo, sizes[2], sizes[3], 0, seeds, prime, shift, width,
               idf, weights, table, counts, used, pushed, out[doc])


@compiled
def _block(units, count, smallest, largest, seed_offset, seeds, prime, shift, offset, idf, weights, table, counts,
           used, pushed, row):
    """Adds one block's l2-normalised sublinear TF-IDF row times `weights` to `row`.
    Repeated n-grams are counted in `table` (open addressing, empty slots -1), which
    is left empty again."""
    mask = len(table) - 1
    distinct = 0
    for n in range(smallest, largest + 1):
        seed = seeds[(n + seed_offset) % len(seeds)]
        for start in range(count - n + 1):
            h = units[start] ^ seed
            for k in range(1, n):
                h = (h * prime) ^ units[start + k]
            column = np.int64(mix_one(h) >> shift) + offset
            slot = column & mask
            while table[slot] != -1 and table[slot] != column:
                slot = (slot + 1) & mask
            if table[slot] == -1:
                table[slot] = column
                counts[slot] = 0
                used[distinct] = slot
                distinct += 1
            counts[slot] += 1
    if distinct == 0:
        return
    pushed[:] = 0.0
    squares = 0.0
    for i in range(distinct):
        slot = used[i]
        column = table[slot]
        table[slot] = -1
        value = (1.0 + np.log(counts[slot])) * idf[column]
        squares += value * value
        for v in range(len(pushed)):
            pushed[v] += value * weights[column, v]
    norm = np.sqrt(squares)
    for v in range(len(pushed)):
        row[v] += pushed[v] / norm
