"""Duplicate / repeat detection: MinHash signatures of character 3-gram shingles + banded LSH.

* signature: 48 MinHash values of the normalised text's character 3-grams (punctuation and spaces
  removed), stored as 16-bit values (b-bit MinHash: ~1/65536 chance of a false agreement per slot);
* index: 16 bands × 3 rows; each band is hashed to 32 bits and kept in a sorted numpy array (bulk
  part) plus a dict (recently added part), so 1M messages take ~100 MB for signatures + ~130 MB for bands;
* a candidate is any indexed message sharing a band; its score is the fraction of agreeing
  signature slots (≈ Jaccard similarity of the shingle sets); it is reported when score ≥ threshold.

Reasons (the caller decides; these are aids, never automatic decisions about people):
``same_petitioner`` — the same matter from the same petitioner (重复信访);
``other_petitioner`` — the same matter from another petitioner (多人反映同一事项, collective / hot issue);
plus ``review_final`` when the indexed matter had its 复核 concluded (复核终结: not accepted again).

    index = DuplicateIndex(); index.add(key, text, petitioner=..., review_final=...)
    index.find_duplicates(text, petitioner=...) -> [Candidate(key, score, reason, ...)]
    find_duplicates(text, corpus, petitioner=None) for a one-off check against a small list.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from huiyin.assist.data import normalize

NUM_PERM = 48
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
DEFAULT_THRESHOLD = 0.5
_rng = np.random.RandomState(20200)  # fixed: signatures must be stable across processes and releases
# Multiply-shift hashing: h(x) = ((a*x + b) mod 2^64) >> 32 with odd 64-bit a (uint64 arithmetic wraps).
_A = (_rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(
    1
)
_B = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_SHIFT = np.uint64(32)
_BAND_MULT = np.array([1, 65537, 4294967311][:ROWS], dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, 0xFFFF, dtype=np.uint16)


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    n = normalize(text).lower()
    if len(n) <= k:
        return {n} if n else set()
    return {n[i : i + k] for i in range(len(n) - k + 1)}


def signature(text: str) -> np.ndarray:
    """48 MinHash values (uint16) of the text's character 3-gram shingles."""
    sh = shingles(text)
    if not sh:
        return _EMPTY.copy()
    h = np.fromiter((zlib.crc32(s.encode()) for s in sh), dtype=np.uint64, count=len(sh))
    return (_hash_min(h) & np.uint64(0xFFFF)).astype(np.uint16)


def _hash_min(h: np.ndarray) -> np.ndarray:
    """Full-width (32-bit) MinHash of the shingle hashes *h*."""
    with np.errstate(over="ignore"):
        return ((np.outer(h, _A) + _B) >> _SHIFT).min(axis=0)


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint32 keys, one per band of ROWS slots."""
    sigs = np.atleast_2d(sigs).astype(np.uint64).reshape(-1, BANDS, ROWS)
    mixed = (sigs * _BAND_MULT).sum(axis=2) + np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B1)
    mixed ^= mixed >> np.uint64(17)
    mixed *= np.uint64(0xED5AD4BB)
    mixed ^= mixed >> np.uint64(11)
    return (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def similarity(a: str, b: str) -> float:
    """Exact Jaccard similarity of the two texts' shingle sets."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


@dataclass
class Candidate:
    key: Any
    score: float
    reason: str  # same_petitioner | other_petitioner | unknown_petitioner
    review_final: bool = False
    petitioner: str | None = None
    explanation: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class DuplicateIndex:
    """An in-memory MinHash-LSH index of messages (keys are the caller's ids)."""

    threshold: float = DEFAULT_THRESHOLD
    keys: list = field(default_factory=list)
    petitioners: list = field(default_factory=list)
    final: list = field(default_factory=list)
    _sigs: list = field(default_factory=list, repr=False)  # list of (m, NUM_PERM) uint16 blocks
    _sig_matrix: np.ndarray | None = field(default=None, repr=False)
    _base_keys: np.ndarray | None = field(default=None, repr=False)  # (BANDS, n) sorted band keys
    _base_ids: np.ndarray | None = field(default=None, repr=False)
    _base_n: int = 0
    _delta: dict = field(default_factory=dict, repr=False)  # (band, key) -> [ids]

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: Any, text: str, petitioner: str | None = None, review_final: bool = False) -> None:
        self.add_signatures([key], signature(text)[None, :], [petitioner], [review_final])

    def add_many(self, items: Iterable[tuple[Any, str, str | None, bool]]) -> None:
        items = list(items)
        if not items:
            return
        sigs = np.vstack([signature(t) for _, t, _, _ in items])
        self.add_signatures([i[0] for i in items], sigs, [i[2] for i in items], [i[3] for i in items])

    def add_signatures(self, keys: Sequence, sigs: np.ndarray, petitioners=None, finals=None) -> None:
        """Add precomputed signatures; large batches go to the sorted part, small ones to the dict."""
        n0 = len(self.keys)
        m = len(keys)
        self.keys.extend(keys)
        self.petitioners.extend(petitioners if petitioners is not None else [None] * m)
        self.final.extend(finals if finals is not None else [False] * m)
        self._sigs.append(np.asarray(sigs, dtype=np.uint16))
        self._sig_matrix = None
        bk = band_keys(sigs)
        if m >= 1000 or self._delta_size() + m > 50_000:
            self._rebuild_base(extra=(np.arange(n0, n0 + m, dtype=np.uint32), bk))
        else:
            for j in range(m):
                for b in range(BANDS):
                    self._delta.setdefault((b, int(bk[j, b])), []).append(n0 + j)

    def _delta_size(self) -> int:
        return sum(len(v) for v in self._delta.values()) // BANDS

    def _rebuild_base(self, extra: Any) -> None:
        ids_parts: list[Any] = []
        key_parts: list[Any] = []
        if self._base_keys is not None:
            ids_parts.append(self._base_ids)
            key_parts.append(self._base_keys)
        if self._delta:
            d_ids = sorted({i for v in self._delta.values() for i in v})
            d_sigs = self.signatures()[d_ids]
            ids_parts.append(np.tile(np.asarray(d_ids, dtype=np.uint32), (BANDS, 1)))
            key_parts.append(band_keys(d_sigs).T)
            self._delta = {}
        ids_parts.append(np.tile(extra[0], (BANDS, 1)))
        key_parts.append(extra[1].T)
        keys = np.concatenate(key_parts, axis=1)
        ids = np.concatenate(ids_parts, axis=1)
        order = np.argsort(keys, axis=1, kind="stable")
        self._base_keys = np.take_along_axis(keys, order, axis=1)
        self._base_ids = np.take_along_axis(ids, order, axis=1)

    def signatures(self) -> np.ndarray:
        if self._sig_matrix is None:
            self._sig_matrix = np.vstack(self._sigs) if self._sigs else np.zeros((0, NUM_PERM), np.uint16)
            self._sigs = [self._sig_matrix]
        return self._sig_matrix

    def candidate_ids(self, sig: np.ndarray) -> np.ndarray:
        bk = band_keys(sig)[0]
        found: list[np.ndarray] = []
        if self._base_keys is not None:
            for b in range(BANDS):
                row = self._base_keys[b]
                lo = np.searchsorted(row, bk[b], "left")
                hi = np.searchsorted(row, bk[b], "right")
                if hi > lo:
                    found.append(self._base_ids[b, lo:hi])  # type: ignore[index]  # set with _base_keys
        for b in range(BANDS):
            ids = self._delta.get((b, int(bk[b])))
            if ids:
                found.append(np.asarray(ids, dtype=np.uint32))
        if not found:
            return np.zeros(0, dtype=np.uint32)
        return np.unique(np.concatenate(found))

    def query_signature(self, sig: np.ndarray, threshold: float | None = None, limit: int = 10):
        """(ids, scores) of indexed messages with estimated Jaccard ≥ threshold, best first."""
        thr = self.threshold if threshold is None else threshold
        ids = self.candidate_ids(sig)
        if ids.size == 0:
            return ids, np.zeros(0)
        scores = (self.signatures()[ids] == sig).mean(axis=1)
        keep = scores >= thr
        ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[:limit]
        return ids[order], scores[order]

    def find_duplicates(
        self,
        text: str,
        petitioner: str | None = None,
        threshold: float | None = None,
        limit: int = 10,
        exclude: Any = None,
    ) -> list[Candidate]:
        """Indexed messages about the same matter as *text*, with a reason and a similarity score."""
        ids, scores = self.query_signature(
            signature(text), threshold, limit + (1 if exclude is not None else 0)
        )
        out: list[Candidate] = []
        for i, s in zip(ids.tolist(), scores.tolist(), strict=True):
            key = self.keys[i]
            if exclude is not None and key == exclude:
                continue
            out.append(_candidate(key, s, petitioner, self.petitioners[i], self.final[i]))
        return out[:limit]


def _candidate(key, score, petitioner, other, final) -> Candidate:
    if petitioner and other:
        reason = "same_petitioner" if petitioner == other else "other_petitioner"
    else:
        reason = "unknown_petitioner"
    words = {
        "same_petitioner": "同一信访人反映同一事项（重复信访）",
        "other_petitioner": "其他信访人反映同一事项（多人/集体反映）",
        "unknown_petitioner": "内容与已有事项相同或相近",
    }[reason]
    expl = f"{words}，内容相似度 {score:.2f}"
    if final:
        expl += "；该事项已复核终结，同一事实和理由不再受理（仅供参考，由工作人员决定）"
    return Candidate(key, round(float(score), 4), reason, bool(final), other, expl)


def find_duplicates(
    text: str,
    corpus: Iterable[tuple[Any, str, str | None]] | Iterable[tuple[Any, str, str | None, bool]],
    petitioner: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[Candidate]:
    """One-off check of *text* against ``(key, text, petitioner[, review_final])`` items (exact Jaccard)."""
    sh = shingles(text)
    out = []
    for item in corpus:
        key, other_text, other_pet = item[0], item[1], item[2]
        final = bool(item[3]) if len(item) > 3 else False
        so = shingles(other_text)
        if not sh or not so:
            continue
        s = len(sh & so) / len(sh | so)
        if s >= threshold:
            out.append(_candidate(key, s, petitioner, other_pet, final))
    out.sort(key=lambda c: (-c.score, str(c.key)))
    return out[:limit]


# ---- benchmark ----------------------------------------------------------------------------------
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")


def edit_copy(text: str, rng: random.Random) -> str:
    """A plausible re-submission of *text*: small character edits, a changed opening/closing, a cut."""
    chars = list(text)
    n_edits = max(1, int(len(chars) * rng.uniform(0.02, 0.08)))
    for _ in range(n_edits):
        if not chars:
            break
        op = rng.random()
        i = rng.randrange(len(chars))
        if op < 0.4:
            del chars[i]
        elif op < 0.7:
            chars.insert(i, rng.choice("的了是我在有和就不也都这"))
        else:
            chars[i] = rng.choice("的了是我在有和就不也都这")
    out = "".join(chars)
    r = rng.random()
    if r < 0.3:
        out = rng.choice(["尊敬的领导：您好！", "再次反映：", "领导好，", "此前反映过，至今未解决。"]) + out
    elif r < 0.5:
        out = out + rng.choice(["恳请领导尽快解决！", "望早日答复，谢谢！", "请相关部门重视。"])
    if rng.random() < 0.3 and len(out) > 100:
        out = out[: int(len(out) * rng.uniform(0.85, 0.95))]
    return out


def _all_messages(directory) -> list[tuple[str, str, str]]:
    """(id, user, text) of every message row in the shipped files (repeats kept)."""
    from huiyin.assist.data import data_dir, read_csv

    d = data_dir(directory)
    out = []
    for f in (
        "messages_fullrows.csv",
        "hotspot_messages.csv",
        "messages_with_replies.csv",
        "messages_unlabeled.csv",
    ):
        for r in read_csv(d / f):
            t = (r.get("留言详情") or "").strip()
            if t:
                out.append((f"{f}:{r['留言编号']}", r.get("留言用户") or "", t))
    for i, r in enumerate(read_csv(d / "messages_labeled.csv")):
        t = (r.get("text") or "").strip()
        if t:
            out.append((f"labeled:{i}", "", t))
    return out


def build_benchmark(directory=None, seed: int = 0, n_edited: int = 600, n_negative: int = 600):
    """Labelled duplicate benchmark from the shipped data.

    Returns (index_items, queries, sentence_pool): index_items are (key, text) indexed for real;
    queries are (text, set_of_true_keys). Positives are the data's real repeats (distinct rows whose
    texts have exact shingle Jaccard ≥ 0.5, found exhaustively without MinHash) and edited copies of
    indexed messages; negatives are other real messages (their true set is empty). The sentence pool
    (from messages used nowhere else) feeds synthetic filler for scale tests.
    """
    rng = random.Random(seed)
    msgs = _all_messages(directory)
    # Group identical normalised texts first (the same text appears in several files).
    by_norm: dict[str, list[int]] = {}
    for i, (_, _, t) in enumerate(msgs):
        by_norm.setdefault(normalize(t), []).append(i)
    distinct = [v[0] for v in by_norm.values()]
    # Real repeats among distinct texts, found exhaustively and exactly (independent of MinHash):
    # candidate pairs share ≥ 5 rare shingles (document frequency ≤ 50), then exact Jaccard decides.
    pairs, grey = _exact_pairs([msgs[i][2] for i in distinct], truth_threshold=0.5, grey_threshold=0.25)
    pairs = {(distinct[a], distinct[b]) for a, b in pairs}
    grey_ids = {distinct[a] for a, b in grey} | {distinct[b] for a, b in grey}
    partner: dict[int, set[int]] = {}
    for a, b in pairs:
        partner.setdefault(a, set()).add(b)
        partner.setdefault(b, set()).add(a)
    in_pairs = sorted(partner)
    # Messages in a pair with Jaccard between 0.25 and 0.5 are left out: they are neither clear repeats
    # nor clearly different, so they serve as neither positives, negatives nor filler material.
    others = [i for i in distinct if i not in partner and i not in grey_ids]
    rng.shuffle(others)
    n_other = len(others)
    indexed_plain = others[: n_other // 2]
    negatives = others[n_other // 2 : n_other // 2 + n_negative]
    pool = others[n_other // 2 + n_negative :]
    # Real repeats: index one side of each pair, query the other.
    queries: list[tuple[str, set]] = []
    index_ids = set(indexed_plain)
    repeat_queries = []
    for a in in_pairs:
        if a in index_ids:
            continue
        if all(b not in index_ids for b in partner[a]) and rng.random() < 0.5:
            index_ids.add(a)
        else:
            repeat_queries.append(a)
    for a in repeat_queries:
        truth = {msgs[b][0] for b in partner[a] if b in index_ids}
        if truth:
            queries.append((msgs[a][2], truth))
    # Identical texts in several files are duplicates of each other too: key -> all row keys
    items = [(msgs[i][0], msgs[i][2]) for i in sorted(index_ids)]
    for i in rng.sample(sorted(index_ids), min(n_edited, len(index_ids))):
        truth = {msgs[i][0]} | {msgs[b][0] for b in partner.get(i, ()) if b in index_ids}
        queries.append((edit_copy(msgs[i][2], rng), truth))
    for i in negatives:
        queries.append((msgs[i][2], set()))
    sentences: list[str] = []
    for i in pool:
        sentences.extend(s for s in _SENT_SPLIT.split(msgs[i][2]) if len(normalize(s)) >= 8)
    return items, queries, sentences


def _exact_pairs(texts: list[str], truth_threshold: float, grey_threshold: float):
    """(pairs with Jaccard ≥ truth_threshold, pairs with grey_threshold ≤ Jaccard < truth_threshold)."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    sets = [shingles(t) for t in texts]
    indptr: list[int] = [0]
    indices: list[int] = []
    for sh in sets:
        indices.extend(vocab.setdefault(x, len(vocab)) for x in sh)
        indptr.append(len(indices))
    X = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(texts), len(vocab)))
    df = np.asarray(X.sum(axis=0)).ravel()
    rare = X[:, np.flatnonzero(df <= 50)]
    C = (rare @ rare.T).tocoo()
    sure, grey = set(), set()
    for a, b, c in zip(C.row.tolist(), C.col.tolist(), C.data.tolist(), strict=True):
        if a < b and c >= 5:
            j = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
            if j >= truth_threshold:
                sure.add((a, b))
            elif j >= grey_threshold:
                grey.add((a, b))
    return sure, grey


def synthetic_signatures(sentences: list[str], n: int, seed: int = 0) -> np.ndarray:
    """Signatures of *n* filler messages, each the union of 3–8 random sentences from the pool.

    MinHash of a union is the element-wise minimum of the parts' MinHashes (before the 16-bit cut),
    so fillers are built from per-sentence full-width MinHashes without re-hashing 1M texts.
    """
    full = []
    for s in sentences:
        sh = shingles(s)
        h = np.fromiter((zlib.crc32(x.encode()) for x in sh), dtype=np.uint64, count=len(sh))
        full.append(_hash_min(h))
    full_m = np.vstack(full)
    rs = np.random.RandomState(seed)
    out = np.empty((n, NUM_PERM), dtype=np.uint16)
    chunk = 50_000
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        k = rs.randint(3, 9, size=m)
        picks = rs.randint(0, len(full_m), size=(m, 8))
        acc = full_m[picks[:, 0]].copy()
        for j in range(1, 8):
            use = j < k
            acc[use] = np.minimum(acc[use], full_m[picks[use, j]])
        out[start : start + m] = (acc & np.uint64(0xFFFF)).astype(np.uint16)
    return out


def benchmark(
    directory=None, index_size: int = 100_000, seed: int = 0, threshold: float = DEFAULT_THRESHOLD
) -> dict:
    """Precision/recall on the labelled benchmark and lookup latency with *index_size* messages indexed."""
    t0 = time.perf_counter()
    items, queries, sentences = build_benchmark(directory, seed)
    index = DuplicateIndex(threshold=threshold)
    index.add_many((k, t, None, False) for k, t in items)
    n_fill = max(0, index_size - len(items))
    if n_fill:
        sigs = synthetic_signatures(sentences, n_fill, seed)
        index.add_signatures([f"filler:{i}" for i in range(n_fill)], sigs)
    build_s = time.perf_counter() - t0
    thresholds = sorted({threshold, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7})
    counts = {t: [0, 0, 0] for t in thresholds}  # tp, fp, fn
    lat = []
    q_sigs = [signature(q) for q, _ in queries]
    for (_, truth), sig in zip(queries, q_sigs, strict=True):
        t1 = time.perf_counter()
        ids, scores = index.query_signature(sig, min(thresholds), limit=50)
        lat.append((time.perf_counter() - t1) * 1000)
        for t in thresholds:
            found = {index.keys[i] for i, s in zip(ids.tolist(), scores.tolist(), strict=True) if s >= t}
            c = counts[t]
            c[0] += len(found & truth)
            c[1] += len(found - truth)
            c[2] += len(truth - found)
    tp, fp, fn = counts[threshold]
    # end-to-end (signature + lookup) latency on a sample
    e2e = []
    for q, _ in queries[:300]:
        t1 = time.perf_counter()
        index.find_duplicates(q)
        e2e.append((time.perf_counter() - t1) * 1000)
    n_pos = sum(1 for _, t in queries if t)
    return {
        "indexed": len(index),
        "real_indexed": len(items),
        "queries": len(queries),
        "positive_queries": n_pos,
        "negative_queries": len(queries) - n_pos,
        "threshold": threshold,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "by_threshold": {
            f"{t:g}": {
                "precision": round(c[0] / (c[0] + c[1]), 4) if c[0] + c[1] else 1.0,
                "recall": round(c[0] / (c[0] + c[2]), 4) if c[0] + c[2] else 1.0,
            }
            for t, c in counts.items()
        },
        "lookup_ms_p50": round(float(np.percentile(lat, 50)), 3),
        "lookup_ms_p95": round(float(np.percentile(lat, 95)), 3),
        "end_to_end_ms_p95": round(float(np.percentile(e2e, 95)), 3),
        "build_seconds": round(build_s, 1),
        "benchmark_sha256": hashlib.sha256(
            repr(sorted((q, sorted(t)) for q, t in queries)).encode()
        ).hexdigest()[:16],
    }
