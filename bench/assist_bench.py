"""Smart-assist benchmark: category model quality/speed/size, duplicate detection at scale, hot issues,
reply-quality agreement. Prints one JSON object per section and a final summary.

    python -m bench.assist_bench [--folds 5] [--dedup-size 1000000] [--skip-cv] [--skip-dedup]

Category macro-F1 is measured by grouped, stratified k-fold cross-validation on the distinct labelled
messages of the shipped data: near-duplicate messages (same normalised opening or ending) stay on one
side of every split, and each fold trains the production recipe from scratch (temperature calibration
included). Latency is one message at a time on one thread, after loading. Training time is the full
``train_from_data`` (what ``huiyin assist train`` runs), with BLAS limited to 2 threads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")


def _emit(name: str, obj: dict) -> None:
    print(json.dumps({"section": name, **obj}, ensure_ascii=False), flush=True)


def bench_classifier(folds: int, skip_cv: bool) -> dict:
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    from huiyin.assist import classify
    from huiyin.assist.data import labelled_rows, near_duplicate_groups

    rows = labelled_rows()
    docs = [t for _, t, _ in rows]
    y = np.array([lab for *_, lab in rows])
    groups = np.array(near_duplicate_groups(docs))
    out: dict = {
        "recipe": {k: classify.PARAMS[k] for k in ("model", "C", "ngram_min", "ngram_max")},
        "n_distinct": len(docs),
        "n_groups": len(set(groups.tolist())),
    }
    if not skip_cv:
        f1s, accs, per_class = [], [], []
        classes = sorted(set(y.tolist()))
        for tr, te in StratifiedGroupKFold(folds, shuffle=True, random_state=42).split(docs, y, groups):
            m = classify.train([docs[i] for i in tr], y[tr], groups[tr])
            pred = m.predict([docs[i] for i in te])
            f1s.append(f1_score(y[te], pred, average="macro"))
            accs.append(accuracy_score(y[te], pred))
            per_class.append(f1_score(y[te], pred, labels=classes, average=None))
        out.update(
            {
                "cv": f"{folds}-fold StratifiedGroupKFold (near-duplicates grouped)",
                "macro_f1_mean": round(float(np.mean(f1s)), 4),
                "macro_f1_folds": [round(float(f), 4) for f in f1s],
                "accuracy_mean": round(float(np.mean(accs)), 4),
                "per_class_f1": dict(
                    zip(classes, np.round(np.mean(per_class, axis=0), 4).tolist(), strict=True)
                ),
            }
        )
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    model = classify.train_from_data()
    out["train_seconds_wall"] = round(time.perf_counter() - t0, 1)
    out["train_seconds_cpu"] = round(time.process_time() - cpu0, 1)
    with tempfile.TemporaryDirectory() as d:
        p = model.save(os.path.join(d, "m.npz"))
        out["model_bytes"] = p.stat().st_size
        shipped = classify.DEFAULT_MODEL_PATH
        out["identical_to_shipped"] = shipped.exists() and shipped.read_bytes() == p.read_bytes()
    sample = docs[:1000]
    model.predict(sample[:1])
    t0 = time.perf_counter()
    for d_ in sample:
        model.top_k("", d_, 3)
    out["ms_per_message"] = round((time.perf_counter() - t0) * 1000 / len(sample), 3)
    return out


def bench_dedup(size: int) -> dict:
    from huiyin.assist import duplicates

    return duplicates.benchmark(index_size=size)


def bench_hotspots() -> dict:
    from huiyin.assist import hotspots
    from huiyin.assist.data import data_dir

    t0 = time.perf_counter()
    msgs = hotspots.load_messages(data_dir() / "hotspot_messages.csv")
    top = hotspots.find_hotspots(msgs, window_days=30, top=5)
    secs = time.perf_counter() - t0
    return {
        "seconds": round(secs, 2),
        "n_messages": len(msgs),
        "top5": [
            {k: v for k, v in h.as_dict(max_ids=0).items() if k not in ("message_ids", "sample_titles")}
            for h in top
        ],
    }


def bench_reply() -> dict:
    from huiyin.assist import reply_quality

    return reply_quality.agreement()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--dedup-size", type=int, default=1_000_000)
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--skip-dedup", action="store_true")
    args = ap.parse_args(argv)
    summary = {}
    c = bench_classifier(args.folds, args.skip_cv)
    _emit("category", c)
    summary.update(
        {k: c.get(k) for k in ("macro_f1_mean", "ms_per_message", "train_seconds_wall", "model_bytes")}
    )
    if not args.skip_dedup:
        d = bench_dedup(args.dedup_size)
        _emit("duplicates", d)
        summary.update(
            {
                "dedup_precision": d["precision"],
                "dedup_recall": d["recall"],
                "dedup_p95_ms": d["lookup_ms_p95"],
            }
        )
    h = bench_hotspots()
    _emit("hotspots", h)
    summary["hotspot_seconds"] = h["seconds"]
    r = bench_reply()
    _emit("reply_quality", r)
    summary["reply_completeness_acc"] = r["completeness"]["accuracy"]
    summary["reply_interpretability_acc"] = r["interpretability"]["accuracy"]
    _emit("summary", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
