"""Review deduplication: one customer opinion counts once, however many times it reached us (retried
deliveries, the same review mirrored to social media, a copy with a channel prefix or an extra emoji).

Counting copies as separate reviews would inflate issue volumes and fire false alerts; collapsing
different customers' short, generic reviews ("Great!") would hide real volume. The rules below sit
between the two."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from triage_platform.lib.text.normalize import _fingerprint_basis

NUM_PERM = 64
_MINHASH_SEED = 1
SHINGLE_SIZE = 5
# Exact copies must have at least this many letters/digits: shorter texts are generic ("Great product!").
MIN_FINGERPRINT_CHARS = 20
# Near-duplicates must both have at least this many characters: short texts share shingles by chance.
MIN_NEAR_DUPLICATE_CHARS = 40
# The LSH index only proposes candidate pairs (the exact Jaccard similarity of the shingle sets decides),
# so its bands are chosen for recall: a pair right at the threshold must be proposed with this probability.
# (datasketch's default banding for 0.85 at 64 permutations proposes only about 30% of such pairs.)
LSH_RECALL_AT_THRESHOLD = 0.995
# In a bucket of identical texts, an item is compared with at most this many distinct groups (bounds the
# work for a flood of identical generic reviews).
MAX_EXACT_GROUPS_COMPARED = 64

_SHINGLE_DROP_RE = re.compile(r"[\W_]+")
_ROLLING_BASE = np.uint64(0x100000001B3)
_MIX_MULTIPLIER = np.uint64(0xFF51AFD7ED558CCD)
_SIGNATURE_CHUNK = 128  # texts per vectorized signature block (about 7 MB of uint32 for 200-character texts)


@dataclass(frozen=True)
class DedupItem:
    """One received copy of a review: its origin, its text, and what identifies its author and product."""

    key: str
    source: str
    source_review_id: str
    text: str
    sku: str | None = None
    customer_id: str | None = None
    order_id: str | None = None


class _Groups:
    """Union-find over the items; a group's root is its first item in input order. Each group remembers its
    SKUs and, per source, its customers, so that a merge can be refused when it would join two products or
    two customers of the same channel."""

    def __init__(self, items: Sequence[DedupItem]) -> None:
        self.parent = list(range(len(items)))
        self.skus: list[set[str]] = [{item.sku} if item.sku else set() for item in items]
        self.customers: list[dict[str, set[str]]] = [
            {item.source: {item.customer_id}} if item.customer_id else {} for item in items
        ]

    def find(self, index: int) -> int:
        parent = self.parent
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def compatible(self, a: int, b: int) -> bool:
        """Whether the groups of a and b can be one review: one product at most, one customer per source."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        if len(self.skus[root_a] | self.skus[root_b]) > 1:
            return False
        customers_a, customers_b = self.customers[root_a], self.customers[root_b]
        return all(
            len(customers_a[source] | customers_b[source]) <= 1 for source in customers_a.keys() & customers_b
        )

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        root, other = min(root_a, root_b), max(root_a, root_b)
        self.parent[other] = root
        self.skus[root] |= self.skus[other]
        for source, customers in self.customers[other].items():
            self.customers[root].setdefault(source, set()).update(customers)
        self.skus[other] = set()
        self.customers[other] = {}


def _skus_compatible(a: DedupItem, b: DedupItem) -> bool:
    """Same product, or one copy does not say which product."""
    return a.sku is None or b.sku is None or a.sku == b.sku


def _shingle_text(text: str) -> str:
    """Case-folded words of the text separated by single spaces (punctuation and emoji dropped)."""
    return _SHINGLE_DROP_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _shingle_hashes(texts: Sequence[str]) -> list[np.ndarray]:
    """For each prepared text, a 32-bit hash of each of its character 5-grams (in text order, repeats kept).

    Computed for the whole batch at once as a polynomial rolling hash over the code points: deterministic
    between runs (unlike Python's `hash`) and much faster than hashing each shingle in Python."""
    if not texts:
        return []
    starts = np.cumsum([0] + [len(text) for text in texts])
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = len(codes) - SHINGLE_SIZE + 1
    if windows <= 0:
        return [np.empty(0, dtype=np.uint32) for _ in texts]
    rolling = codes[:windows].copy()
    for offset in range(1, SHINGLE_SIZE):
        rolling = rolling * _ROLLING_BASE + codes[offset : offset + windows]
    rolling ^= rolling >> np.uint64(31)
    rolling *= _MIX_MULTIPLIER
    rolling ^= rolling >> np.uint64(32)
    hashes = rolling.astype(np.uint32)
    return [hashes[start : max(start, end - SHINGLE_SIZE + 1)] for start, end in pairwise(starts)]


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads every input bit over the output before the affine
    permutations (as datasketch does), without which MinHash under-estimates similarity."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _minhash_values(shingles: Sequence[np.ndarray], permutations: np.ndarray) -> list[np.ndarray]:
    """The MinHash signature of each shingle-hash array under datasketch's affine32 permutations
    (h -> a * h + b mod 2^32), computed in vectorized chunks."""
    a, b = (row.astype(np.uint32) for row in permutations)
    signatures: list[np.ndarray] = []
    for first in range(0, len(shingles), _SIGNATURE_CHUNK):
        chunk = shingles[first : first + _SIGNATURE_CHUNK]
        offsets = np.cumsum([0] + [len(values) for values in chunk[:-1]])
        stacked = _fmix32(np.concatenate(chunk))
        permuted = a[:, None] * stacked[None, :] + b[:, None]  # (permutation, shingle): reduce along rows
        signatures.extend(np.minimum.reduceat(permuted, offsets, axis=1).T)
    return signatures


def _collapse_retries(items: Sequence[DedupItem], groups: _Groups) -> None:
    """Rule (a): the same (source, source_review_id) is the same review delivered again."""
    first_seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        first = first_seen.setdefault((item.source, item.source_review_id), index)
        if first != index:
            groups.union(first, index)


def _collapse_exact_copies(items: Sequence[DedupItem], groups: _Groups) -> None:
    """Rule (b): the same letters and digits (case, punctuation, emoji and spacing aside), long enough not to
    be generic, for a compatible product: a copy mirrored across channels."""
    buckets: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        basis = _fingerprint_basis(item.text)
        if len(basis) >= MIN_FINGERPRINT_CHARS:
            buckets.setdefault(basis, []).append(index)
    for members in buckets.values():
        if len(members) < 2:
            continue
        seen: list[int] = []  # one member per distinct group, in input order
        for index in members:
            joined = False
            for other in seen[:MAX_EXACT_GROUPS_COMPARED]:
                if groups.find(other) == groups.find(index):
                    joined = True
                elif _skus_compatible(items[other], items[index]) and groups.compatible(other, index):
                    groups.union(other, index)
                    joined = True
            if not joined:
                seen.append(index)


def _lsh_bands(near_threshold: float) -> tuple[int, int]:
    """(bands, rows per band) over the 64 permutations: the most selective banding that still proposes a pair
    of similarity `near_threshold` with probability LSH_RECALL_AT_THRESHOLD."""
    for rows in range(NUM_PERM, 0, -1):
        bands = NUM_PERM // rows
        if 1.0 - (1.0 - near_threshold**rows) ** bands >= LSH_RECALL_AT_THRESHOLD:
            return bands, rows
    return NUM_PERM, 1


def _collapse_near_duplicates(items: Sequence[DedupItem], groups: _Groups, near_threshold: float) -> None:
    """Rule (c): texts of at least 40 characters whose 5-shingle Jaccard similarity reaches the threshold
    (a copy with a channel prefix, a fixed typo), same product, and the same customer when both are known.

    MinHash (64 permutations) + LSH propose candidate pairs; the exact Jaccard similarity of the two shingle
    sets decides, so the estimate's noise cannot merge different reviews."""
    eligible: list[int] = []
    prepared: list[str] = []
    for index, item in enumerate(items):
        text = _shingle_text(item.text)
        if len(text) >= MIN_NEAR_DUPLICATE_CHARS:
            eligible.append(index)
            prepared.append(text)
    if len(eligible) < 2:
        return
    template = MinHash(num_perm=NUM_PERM, seed=_MINHASH_SEED)
    shingles = _shingle_hashes(prepared)
    signatures = _minhash_values(shingles, template.permutations)
    lsh = MinHashLSH(threshold=near_threshold, num_perm=NUM_PERM, params=_lsh_bands(near_threshold))
    shingle_sets: dict[int, set[int]] = {}
    for index, values, signature in zip(eligible, shingles, signatures, strict=True):
        item = items[index]
        sketch = LeanMinHash(seed=_MINHASH_SEED, hashvalues=signature, scheme=template.scheme)
        own: set[int] | None = None
        for other in sorted(lsh.query(sketch)):
            candidate = items[other]
            if not _skus_compatible(candidate, item):
                continue
            if candidate.customer_id and item.customer_id and candidate.customer_id != item.customer_id:
                continue
            if groups.find(other) == groups.find(index) or not groups.compatible(other, index):
                continue
            own = own if own is not None else set(values.tolist())
            theirs = shingle_sets[other]
            if len(own & theirs) >= near_threshold * len(own | theirs):
                groups.union(other, index)
        lsh.insert(index, sketch)
        shingle_sets[index] = own if own is not None else set(values.tolist())


def find_duplicate_groups(items: Sequence[DedupItem], near_threshold: float = 0.85) -> list[int]:
    """For each item, the index of the first item (in input order) of the review it is a copy of; an item
    that copies nothing points to itself. Copies are retries, exact mirrors and near-duplicates."""
    if not 0.0 < near_threshold <= 1.0:
        raise ValueError(f"near_threshold must be in (0, 1], got {near_threshold}")
    groups = _Groups(items)
    _collapse_retries(items, groups)
    _collapse_exact_copies(items, groups)
    _collapse_near_duplicates(items, groups, near_threshold)
    return [groups.find(index) for index in range(len(items))]
