"""Writes of the smart assist: duplicate signatures of cases, and retraining the category model on the
office's own concluded cases. Neither touches a case: they only feed suggestions (SPEC §3.8)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from huiyin.assist import duplicates
from huiyin.assist.models import CaseBand, CaseSignature
from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed

# Concluded cases whose category a person has confirmed along the way (条例 §32–36 answers given).
TRAINING_STATUSES = (Status.CLOSED, Status.FINAL)
MSG_NO_MODEL_PATH = (
    "请用 --out 或环境变量 HUIYIN_CATEGORY_MODEL 指定新模型的保存位置（不覆盖随程序发布的模型）"
)
MSG_TOO_FEW = "可用于训练的已办结事项太少（至少需要两个分类、每类至少两件）"


def signature_text(title: str | None, content: str | None) -> str:
    """What duplicate detection compares: the matter's title and its facts and reasons."""
    title, content = (title or "").strip(), (content or "").strip()
    return f"{title}。{content}" if title and content else title or content


def band_rows(sig: np.ndarray) -> list[int]:
    """The 16 band keys of a signature as non-negative 64-bit integers (band << 32 | hash)."""
    keys = duplicates.band_keys(sig)[0]
    return [(b << 32) | int(k) for b, k in enumerate(keys.tolist())]


def is_blank(sig: np.ndarray) -> bool:
    """A text without any shingle: indexing it would make every empty text a duplicate of every other."""
    return bool(np.array_equal(sig, duplicates._EMPTY))


def encode(sig: np.ndarray) -> bytes:
    return np.asarray(sig, dtype="<u2").tobytes()


def decode(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u2")


@transaction.atomic
def case_signature_store(*, case: Case) -> CaseSignature | None:
    """Compute and store (or replace) the case's signature and band keys; none for an empty text."""
    sig = duplicates.signature(signature_text(case.title, case.content))
    old = CaseSignature.objects.filter(case_id=case.pk).first()
    if old is not None:
        CaseBand.objects.filter(key__in=band_rows(decode(old.minhash)), case_id=case.pk).delete()
        old.delete()
    if is_blank(sig):
        return None
    stored = CaseSignature.objects.create(case_id=case.pk, minhash=encode(sig), computed_at=timeutil.now())
    CaseBand.objects.bulk_create([CaseBand(key=k, case_id=case.pk) for k in set(band_rows(sig))])
    return stored


def signatures_backfill(*, batch: int = 1000, limit: int | None = None) -> dict[str, int]:
    """Store the signatures of cases that have none (existing data, or a case the receiver missed)."""
    done = skipped = 0
    last = 0
    now = timeutil.now()
    while limit is None or done + skipped < limit:
        size = batch if limit is None else min(batch, limit - done - skipped)
        rows = list(
            Case.objects.filter(pk__gt=last)
            .exclude(pk__in=CaseSignature.objects.values("case_id"))
            .order_by("pk")
            .values_list("pk", "title", "content")[:size]
        )
        if not rows:
            break
        last = rows[-1][0]
        sigs: list[Any] = []
        bands: list[Any] = []
        for pk, title, content in rows:
            sig = duplicates.signature(signature_text(title, content))
            if is_blank(sig):
                skipped += 1
                continue
            sigs.append(CaseSignature(case_id=pk, minhash=encode(sig), computed_at=now))
            bands.extend(CaseBand(key=k, case_id=pk) for k in set(band_rows(sig)))
        with transaction.atomic():
            CaseSignature.objects.bulk_create(sigs, batch_size=500, ignore_conflicts=True)
            CaseBand.objects.bulk_create(bands, batch_size=2000, ignore_conflicts=True)
        done += len(sigs)
    return {"stored": done, "skipped_empty": skipped}


# --- retraining ---------------------------------------------------------------------------------


def training_rows_from_cases(statuses: Iterable[str] = TRAINING_STATUSES) -> list[tuple[str, str]]:
    """(document, first-level label) of every concluded case with a category, oldest first."""
    rows = (
        Case.objects.filter(status__in=list(statuses), category__isnull=False, merged_into__isnull=True)
        .order_by("pk")
        .values_list("title", "content", "category__full_name")
    )
    from huiyin.assist.classify import compose

    out = []
    for title, content, full_name in rows.iterator(chunk_size=2000):
        doc = compose(title, content)
        if doc:
            out.append((doc, full_name.split(" / ")[0]))
    return out


def category_model_retrain(
    *, out: str | Path | None, include_shipped: bool = True, data_directory: str | Path | None = None
) -> dict[str, Any]:
    """Train the category model on the office's concluded cases (plus the shipped data) and save it.

    Deterministic: the same cases and data give the same file. The shipped model is never
    overwritten; the running servers pick the new file up on their next suggestion (file mtime).
    """
    from huiyin.assist.classify import DEFAULT_MODEL_PATH, model_path, train
    from huiyin.assist.data import labelled_rows, near_duplicate_groups

    target = Path(out) if out else model_path()
    if target.resolve() == DEFAULT_MODEL_PATH.resolve():
        raise ValidationFailed(MSG_NO_MODEL_PATH)
    t0 = time.perf_counter()
    case_rows = training_rows_from_cases()
    shipped = (
        [(text, label) for _title, text, label in labelled_rows(data_directory)] if include_shipped else []
    )
    rows = shipped + case_rows
    labels = [label for _, label in rows]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2 or min(counts.values()) < 2:
        raise ValidationFailed(MSG_TOO_FEW, extra={"classes": counts})
    docs = [doc for doc, _ in rows]
    digest = hashlib.sha256("\x1e".join(f"{d}\x1f{lab}" for d, lab in rows).encode()).hexdigest()
    meta = {"n_train": len(rows), "n_cases": len(case_rows), "n_shipped": len(shipped), "data_sha256": digest}
    model = train(docs, labels, near_duplicate_groups(docs), meta=meta)
    model.save(target)
    return {
        "model": str(target),
        "bytes": target.stat().st_size,
        "n_train": len(rows),
        "n_cases": len(case_rows),
        "n_shipped": len(shipped),
        "classes": model.classes,
        "train_seconds": round(time.perf_counter() - t0, 2),
    }
