"""Hashed n-gram TF-IDF features, computed for a whole batch of messages at once.

Two blocks, each l2-normalised on its own: word 1-2-grams of the archive's `tokens`,
and character 1-3-grams of the raw text (they carry words the segmenter splits oddly
and words no one wrote in training). N-grams are hashed into buckets, so there is no
vocabulary to store or look up.

scikit-learn's HashingVectorizer builds every n-gram as a Python string and hashes
them one by one, about 80 µs a message; here the hashes are computed with numpy over
the code points of the whole batch, which is what lets `classify` keep up with an
archive of millions of messages.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize

_PRIME = np.uint64(0x100000001B3)
_SEEDS = [np.uint64(s) for s in (0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB)]


def mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole word."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


# Odd multipliers by position inside a token, so 图书 and 书图 hash apart. Fixed by
# arithmetic, not drawn from a random generator whose stream may change with numpy.
_POSITION = mix(np.arange(1, 257, dtype=np.uint64)) | np.uint64(1)


def code_points(strings: list[str], separator: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the strings joined by `separator`, and where each string ends in them."""
    joined = separator.join(strings).encode("utf-32-le", "surrogatepass")
    ends = np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) + len(separator)) - len(separator)
    return np.frombuffer(joined, dtype=np.uint32).astype(np.uint64), ends


def _ngrams(units: np.ndarray, doc: np.ndarray, sizes: range, seed_offset: int = 0):
    """(doc, hash, start, size) of every n-gram of `units` (one hash per unit, in
    document order) that does not cross a document boundary."""
    docs, hashes, starts, lengths = [], [], [], []
    for n in sizes:
        if len(units) < n:
            continue
        start = np.arange(len(units) - n + 1)
        inside = doc[start] == doc[start + n - 1]
        h = units[: len(start)] ^ _SEEDS[(n + seed_offset) % len(_SEEDS)]
        for k in range(1, n):
            h = (h * _PRIME) ^ units[k: k + len(start)]
        docs.append(doc[start][inside])
        hashes.append(mix(h[inside]))
        starts.append(start[inside])
        lengths.append(np.full(int(inside.sum()), n))
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0, dtype=np.uint64), empty, empty
    return np.concatenate(docs), np.concatenate(hashes), np.concatenate(starts), np.concatenate(lengths)


def char_ngrams(texts: list[str], sizes: range):
    """N-grams of characters; `start` indexes the code points of the joined texts."""
    points, ends = code_points(texts, "")
    return _ngrams(points, np.repeat(np.arange(len(texts)), np.diff(ends, prepend=0)), sizes)


def word_ngrams(token_strings: list[str], sizes: range):
    """N-grams of the space-separated tokens; `start` indexes the tokens of the batch."""
    # Documents joined by one space: a space ends a token, whichever document it is in.
    cp, ends = code_points(token_strings, " ")
    doc = np.repeat(np.arange(len(token_strings)), np.diff(ends, prepend=-1))[: len(cp)]
    letter = cp != 32
    first = letter & ~np.concatenate(([False], letter[:-1]))
    token = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    position = np.arange(len(cp)) - starts[token.clip(0)] if len(starts) else np.zeros(len(cp), dtype=np.int64)
    # One hash per token: its code points times multipliers by position, summed.
    weighted = np.where(letter, cp * _POSITION[position % len(_POSITION)], np.uint64(0))
    units = mix(np.add.reduceat(weighted, starts)) if len(starts) else np.zeros(0, dtype=np.uint64)
    return _ngrams(units, doc[starts], sizes, 2)


def _tfidf(doc: np.ndarray, column: np.ndarray, n_docs: int, width: int, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear term frequencies (1 + ln count) × idf, each row scaled to unit length."""
    # Building from (row, column) pairs sums the duplicates: the counts.
    counts = sp.csr_matrix((np.ones(len(doc), dtype=np.float32), (doc, column)), shape=(n_docs, width))
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    return normalize(counts, copy=False)


class NgramHasher(TransformerMixin, BaseEstimator):
    """Rows of (tokens, text) -> [word n-gram block | character n-gram block].

    `fit` learns the smoothed inverse document frequency of every bucket."""

    def __init__(self, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (1, 3),
                 hash_bits: int = 16):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.hash_bits = hash_bits

    @property
    def width(self) -> int:
        return 2 ** self.hash_bits

    def grams(self, token_strings: list[str], texts: list[str]):
        """Per block: (doc, column, start, size) of every n-gram. Columns of the
        character block follow the word block's."""
        shift = np.uint64(64 - self.hash_bits)
        words = word_ngrams(token_strings, range(self.word_ngrams[0], self.word_ngrams[1] + 1))
        chars = char_ngrams(texts, range(self.char_ngrams[0], self.char_ngrams[1] + 1))
        return [(d, (h >> shift).astype(np.int64) + offset, s, n)
                for (d, h, s, n), offset in ((words, 0), (chars, self.width))]

    def fit(self, X, y=None):
        width = 2 * self.width
        df = np.zeros(width, dtype=np.int64)
        for doc, column, _, _ in self.grams(*_columns(X)):
            df += np.bincount(np.unique(doc * width + column) % width, minlength=width)
        # Smoothed as scikit-learn's TfidfTransformer does: as if one document held every n-gram.
        self.idf_ = (np.log((1 + len(X)) / (1 + df)) + 1).astype(np.float32)
        return self

    def transform(self, X) -> sp.csr_matrix:
        tokens, texts = _columns(X)
        blocks = []
        for index, (doc, column, _, _) in enumerate(self.grams(tokens, texts)):
            offset = index * self.width
            blocks.append(_tfidf(doc, column - offset, len(texts), self.width, self.idf_[offset: offset + self.width]))
        return sp.hstack(blocks, format="csr", dtype=np.float32)


def _columns(X) -> tuple[list[str], list[str]]:
    X = np.asarray(X, dtype=object)
    return list(X[:, 0]), list(X[:, 1])
