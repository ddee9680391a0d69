"""Territory extraction from a message's text against the organisation's gazetteer.

The gazetteer is a list of places, each with a code, a name and aliases, optionally a parent code:

    gaz = Gazetteer([Place("A5", "A5区", aliases=["A5"], parent="A"), Place("A", "A市")])
    gaz.extract("A市A5区魅力之城小区…") -> [Match(place=A5区, alias="A5区", start=2, end=5), ...]
    gaz.best("…") -> the most specific place mentioned (deepest in the hierarchy, then most mentioned)

Matching is a longest-match scan over all names and aliases (an Aho–Corasick-style trie walk; no
regex per place), so thousands of places cost little. Aliases shorter than 2 characters are ignored
unless given explicitly with ``allow_short=True``. Also: :func:`local_places` pulls local place-like
phrases (…小区, …花园, …村, …路, …街道) that a gazetteer usually lacks — used for hot-issue labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None

    def __init__(self, code, name, aliases: Iterable[str] = (), parent: str | None = None):
        object.__setattr__(self, "code", str(code))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "aliases", tuple(aliases))
        object.__setattr__(self, "parent", parent)


@dataclass(frozen=True)
class Match:
    place: Place
    alias: str
    start: int
    end: int


@dataclass
class Gazetteer:
    places: list[Place]
    allow_short: bool = False
    _trie: dict = field(default_factory=dict, repr=False)
    _by_code: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.places = list(self.places)
        for p in self.places:
            self._by_code[p.code] = p
            for alias in {p.name, *p.aliases}:
                alias = (alias or "").strip()
                if not alias or (len(alias) < 2 and not self.allow_short):
                    continue
                node = self._trie
                for ch in alias.lower():
                    node = node.setdefault(ch, {})
                node.setdefault("\0", []).append((p, alias))

    @classmethod
    def from_rows(cls, rows: Iterable[dict]) -> Gazetteer:
        """From dicts with code, name, aliases (list or '|'/','-separated string) and optional parent."""
        places = []
        for r in rows:
            aliases = r.get("aliases") or []
            if isinstance(aliases, str):
                aliases = [a for a in re.split(r"[|,，;；]", aliases) if a.strip()]
            places.append(Place(r["code"], r["name"], aliases, r.get("parent") or None))
        return cls(places)

    def depth(self, place: Place) -> int:
        d, seen = 0, set()
        while place.parent and place.parent in self._by_code and place.code not in seen:
            seen.add(place.code)
            place = self._by_code[place.parent]
            d += 1
        return d

    def extract(self, text: str) -> list[Match]:
        """Non-overlapping longest matches, left to right."""
        text_l = (text or "").lower()
        out: list[Match] = []
        i = 0
        while i < len(text_l):
            node = self._trie
            best = None
            j = i
            while j < len(text_l) and text_l[j] in node:
                node = node[text_l[j]]
                j += 1
                if "\0" in node:
                    best = (j, node["\0"])
            if best:
                end, hits = best
                # The same alias may name several places: prefer the most specific one.
                place, alias = max(hits, key=lambda h: (self.depth(h[0]), h[0].code))
                out.append(Match(place, alias, i, end))
                i = end
            else:
                i += 1
        return out

    def best(self, text: str) -> Place | None:
        """The most specific place the text names (deepest level, then most mentions, then first)."""
        matches = self.extract(text)
        if not matches:
            return None
        counts = Counter(m.place.code for m in matches)
        first: dict[str, int] = {}
        for m in matches:
            first.setdefault(m.place.code, m.start)
        code = max(counts, key=lambda c: (self.depth(self._by_code[c]), counts[c], -first[c]))
        return self._by_code[code]

    def territory(self, text: str) -> list[Place]:
        """The best place and its ancestors, most specific first."""
        p = self.best(text)
        chain = []
        while p is not None and p not in chain:
            chain.append(p)
            p = self._by_code.get(p.parent) if p.parent else None
        return chain


_LOCAL = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{2,10}?(?:小区|花园|家园|新城|公寓|广场|大厦|苑|村|社区|街道|镇|乡|大道|路|街|学校|学院|医院|公司|市场))"
)
_ADMIN = re.compile(r"([A-Z]\d{0,2}(?:市|区|县))")
_LEADING_NOISE = re.compile(
    r"^(?:我们|我是|位于|关于|请问|投诉|反映|举报|建议|咨询|而且|而|在|的|了|和|与|是|距|离)+"
)


def admin_codes(text: str) -> list[str]:
    """Anonymised administrative names in the shipped data (A市, A3区, B1县…)."""
    return _ADMIN.findall(text or "")


def local_places(text: str) -> list[str]:
    """Place-like phrases (小区, 路, 村, 学校…) found in free text, most frequent first."""
    found = []
    for m in _LOCAL.findall(_ADMIN.sub("，", text or "")):
        m = _LEADING_NOISE.sub("", m.split("的")[-1])
        if len(m) >= 3:
            found.append(m)
    return [p for p, _ in Counter(found).most_common()]
