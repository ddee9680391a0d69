"""Reading the shipped TipDM 2020 C data (real citizen messages) without Django.

The data directory is ``$HUIYIN_DATA_DIR`` if set, else ``<repo>/../shared/data/tipdm2020c`` (the repo is
always cloned next to ``shared/``). CSV cells contain newlines, so everything goes through :mod:`csv`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]

csv.field_size_limit(1 << 30)

_NON_WORD = re.compile(r"[\W_]+")


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The directory of the shipped data: *path*, else $HUIYIN_DATA_DIR, else ../shared/data/tipdm2020c."""
    if path:
        return Path(path)
    env = os.environ.get("HUIYIN_DATA_DIR")
    if env:
        return Path(env)
    return REPO_DIR.parent / "shared" / "data" / "tipdm2020c"


def read_csv(path: str | os.PathLike[str]) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV (with or without BOM) as dicts."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def normalize(text: str) -> str:
    """Text without whitespace and punctuation (for duplicate keys)."""
    return _NON_WORD.sub("", text or "")


def labelled_rows(directory: str | os.PathLike[str] | None = None) -> list[tuple[str, str, str]]:
    """(title, text, label) of every distinct labelled message in the shipped data.

    messages_labeled.csv first, then the rows of messages_fullrows.csv whose text is not already there.
    """
    d = data_dir(directory)
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for r in read_csv(d / "messages_labeled.csv"):
        text = (r.get("text") or "").strip()
        if text and text not in seen:
            seen.add(text)
            rows.append(((r.get("title") or "").strip(), text, r["label"].strip()))
    full = d / "messages_fullrows.csv"
    if full.exists():
        for r in read_csv(full):
            text = (r.get("留言详情") or "").strip()
            if text and text not in seen:
                seen.add(text)
                rows.append(((r.get("留言主题") or "").strip(), text, r["一级标签"].strip()))
    return rows


def near_duplicate_groups(texts: list[str], key_len: int = 30) -> list[int]:
    """A group id per text: texts sharing their normalised first or last *key_len* characters are one group.

    Used to keep repeated messages on one side of an evaluation split.
    """
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        n = normalize(text)
        keys = ["w" + n] if len(n) < 12 else ["p" + n[:key_len], "s" + n[-key_len:]]
        for k in keys:
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    return [find(i) for i in range(len(texts))]
