"""Hot-issue discovery: clusters of similar messages in a sliding time window, ranked.

1. Each message is title (twice) + the first 400 characters of its text, as character 2–3-gram TF-IDF
   (sublinear, df ≥ 2, df ≤ max(5%, 20 messages)), L2-normalised.
2. Edges join pairs with cosine ≥ ``sim`` (default 0.2) that are also among each other's 20 nearest
   neighbours (mutual kNN keeps unrelated topics from chaining); clusters are connected components
   of this graph with messages from ≥ 2 distinct users.
3. For each cluster, the ``window_days`` window (sliding over message times) holding most distinct
   users is its hot window; ``growth`` compares the window's second half with its first half.
4. Heat = distinct users in the window + 0.5·log(1 + likes + dislikes in the window) + growth bonus
   (min(growth, 2)); ties by total users, then earliest id. Place = most named local place and
   administrative area in the cluster; label = the most central message's title.

    find_hotspots(messages, window_days=30, top=5) -> [Hotspot]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from huiyin.assist.data import read_csv
from huiyin.assist.gazetteer import admin_codes, local_places


@dataclass
class Message:
    id: str
    user: str
    title: str
    text: str
    time: datetime
    likes: int = 0
    dislikes: int = 0


@dataclass
class Hotspot:
    rank: int
    label: str
    place: str
    area: str
    start: datetime
    end: datetime
    n_messages: int
    n_users: int
    window_messages: int
    window_users: int
    likes: int
    dislikes: int
    growth: float
    heat: float
    message_ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    def as_dict(self, max_ids: int = 20) -> dict:
        return {
            "rank": self.rank,
            "label": self.label,
            "place": self.place,
            "area": self.area,
            "time_range": [self.start.isoformat(), self.end.isoformat()],
            "n_messages": self.n_messages,
            "n_users": self.n_users,
            "window_messages": self.window_messages,
            "window_users": self.window_users,
            "likes": self.likes,
            "dislikes": self.dislikes,
            "growth": self.growth,
            "heat": self.heat,
            "message_ids": self.message_ids[:max_ids],
            "sample_titles": self.titles[:5],
        }


def _int(v) -> int:
    try:
        return int(float(v or 0))
    except ValueError:
        return 0


def load_messages(path: str | Path) -> list[Message]:
    out = []
    for r in read_csv(path):
        try:
            t = datetime.fromisoformat((r.get("留言时间_iso") or "").strip())
        except ValueError:
            continue
        out.append(
            Message(
                id=str(r.get("留言编号", "")).strip(),
                user=(r.get("留言用户") or "").strip(),
                title=(r.get("留言主题") or "").strip(),
                text=(r.get("留言详情") or "").strip(),
                time=t,
                likes=_int(r.get("点赞数")),
                dislikes=_int(r.get("反对数")),
            )
        )
    return out


def _components(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def cluster(messages: list[Message], sim: float = 0.2, k: int = 20) -> np.ndarray:
    """A cluster label per message (singletons get their own label)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(messages)
    if n == 0:
        return np.zeros(0, dtype=int)
    docs = [f"{m.title}。{m.title}。{m.text[:400]}" for m in messages]
    max_df = max(20, int(0.05 * n))  # drop n-grams in more than 5% of messages (but keep small inputs)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2, max_df=max_df)
    try:
        X = vec.fit_transform(docs)
    except ValueError:  # tiny input: no term passes the df limits
        return np.arange(n)
    S = (X @ X.T).tocsr()
    S.setdiag(0)
    S.eliminate_zeros()
    # top-k neighbours per row (by similarity, ties by index → deterministic)
    nbrs: list[set[int]] = []
    for i in range(n):
        lo, hi = S.indptr[i], S.indptr[i + 1]
        idx, val = S.indices[lo:hi], S.data[lo:hi]
        keep = val >= sim
        idx, val = idx[keep], val[keep]
        order = np.lexsort((idx, -val))[:k]
        nbrs.append(set(idx[order].tolist()))
    rows, cols = [], []
    for i in range(n):
        for j in nbrs[i]:
            if i < j and i in nbrs[j]:
                rows.append(i)
                cols.append(j)
    return _components(n, np.array(rows, dtype=int), np.array(cols, dtype=int))


def _hot_window(ms: list[Message], days: int):
    """(start, end, members) of the window of *days* with most distinct users (earliest on ties)."""
    ms = sorted(ms, key=lambda m: (m.time, m.id))
    span = timedelta(days=days)
    best = None
    j = 0
    for i in range(len(ms)):
        while j < len(ms) and ms[j].time - ms[i].time <= span:
            j += 1
        members = ms[i:j]
        users = len({m.user for m in members})
        if best is None or users > best[0]:
            best = (users, i, j)
    assert best is not None  # ms is never empty here
    _, i, j = best
    return ms[i:j], ms[i].time


def find_hotspots(
    messages: Iterable[Message], window_days: int = 30, top: int = 5, sim: float = 0.2, min_users: int = 2
) -> list[Hotspot]:
    msgs = list(messages)
    labels = cluster(msgs, sim=sim)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(labels.tolist()):
        groups.setdefault(c, []).append(i)
    hot: list[Hotspot] = []
    for members in groups.values():
        ms = [msgs[i] for i in members]
        users = {m.user for m in ms}
        if len(users) < min_users:
            continue
        window, start = _hot_window(ms, window_days)
        w_users = len({m.user for m in window})
        end = max(m.time for m in window)
        mid = start + (end - start) / 2
        first = sum(1 for m in window if m.time <= mid)
        second = len(window) - first
        growth = round((second - first) / max(1, first), 3)
        likes = sum(m.likes for m in window)
        dislikes = sum(m.dislikes for m in window)
        heat = w_users + 0.5 * math.log1p(likes + dislikes) + max(0.0, min(growth, 2.0))
        text_all = " ".join(f"{m.title} {m.text}" for m in ms)
        places: Counter[str] = Counter()
        for m in ms:
            places.update(set(local_places(m.title + "，" + m.text)))
        areas = Counter(a for m in ms for a in set(admin_codes(m.title + m.text)) if not a.endswith("市"))
        cities = Counter(a for a in admin_codes(text_all) if a.endswith("市"))
        place = places.most_common(1)[0][0] if places else ""
        area = (cities.most_common(1)[0][0] if cities else "") + (areas.most_common(1)[0][0] if areas else "")
        # label: the title sharing most characters with the others (a cheap medoid)
        title_counts = Counter(ch for m in ms for ch in set(m.title))
        medoid = max(
            ms, key=lambda m: (sum(title_counts[c] for c in set(m.title)) / (1 + len(m.title)) ** 0.5, m.id)
        )
        ordered = sorted(ms, key=lambda m: (m.time, m.id))
        hot.append(
            Hotspot(
                rank=0,
                label=medoid.title,
                place=place,
                area=area,
                start=start,
                end=end,
                n_messages=len(ms),
                n_users=len(users),
                window_messages=len(window),
                window_users=w_users,
                likes=likes,
                dislikes=dislikes,
                growth=growth,
                heat=round(heat, 3),
                message_ids=[m.id for m in ordered],
                titles=[m.title for m in ordered],
            )
        )
    hot.sort(key=lambda h: (-h.heat, -h.n_users, h.message_ids[0]))
    for r, h in enumerate(hot, 1):
        h.rank = r
    return hot[:top] if top else hot
