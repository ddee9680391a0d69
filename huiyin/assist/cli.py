"""``huiyin assist …``: train / evaluate the category model, hot issues, duplicate benchmark, reply check.

    huiyin assist train [--data DIR] [--out PATH]
    huiyin assist evaluate --test FILE.csv [--model PATH]      (CSV columns: text,label[,title])
    huiyin assist suggest [--title T] TEXT
    huiyin assist hotspots [--data DIR] [--file CSV] [--top 5] [--window-days 30]
    huiyin assist dedup-bench [--data DIR] [--index-size N]
    huiyin assist reply-check [--data DIR]                     (agreement with reply_quality_annotated.csv)
    huiyin assist retrain --from-cases [--out PATH] [--no-shipped-data]   (the office's concluded cases)
    huiyin assist backfill [--batch 1000]                      (store duplicate signatures of existing cases)

Every command prints JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _print(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=None) + "\n")
    sys.stdout.flush()


def cmd_train(args) -> int:
    from huiyin.assist.classify import model_path, train_from_data

    t0 = time.perf_counter()
    model = train_from_data(args.data)
    out = Path(args.out) if args.out else model_path()
    model.save(out)
    _print(
        {
            "model": str(out),
            "bytes": out.stat().st_size,
            "n_train": model.meta.get("n_train"),
            "classes": model.classes,
            "n_features": len(model.vocabulary),
            "temperature": model.temperature,
            "train_seconds": round(time.perf_counter() - t0, 2),
        }
    )
    return 0


def evaluate_file(test_csv: str, model_file: str | None = None) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    from huiyin.assist.classify import CategoryModel, compose, model_path
    from huiyin.assist.data import read_csv

    model = CategoryModel.load(model_file or model_path())
    docs, gold = [], []
    for row in read_csv(test_csv):
        label = (row.get("label") or "").strip()
        doc = compose(row.get("title"), row.get("text"))
        if not label or not doc:
            continue
        docs.append(doc)
        gold.append(label)
    if not docs:
        raise SystemExit(f"{test_csv}: no rows with text and label")
    model.predict(docs[:1])  # build the vectorizer once, outside the timing
    pred = []
    t0 = time.perf_counter()
    for d in docs:  # one message at a time: the latency a user sees
        pred.append(model.predict([d])[0])
    ms = (time.perf_counter() - t0) * 1000 / len(docs)
    labels = sorted(set(gold) | set(model.classes))
    per_class = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    present = sorted(set(gold))
    return {
        "macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "per_class_f1": {
            lab: round(float(f), 4) for lab, f in zip(labels, per_class, strict=True) if lab in present
        },
        "ms_per_message": round(ms, 3),
        "n": len(docs),
    }


def cmd_evaluate(args) -> int:
    _print(evaluate_file(args.test, args.model))
    return 0


def cmd_suggest(args) -> int:
    from huiyin.assist.classify import get_model, suggest_categories

    model = get_model(args.model) if args.model else None
    _print(
        [
            {"label": lab, "probability": round(p, 4)}
            for lab, p in suggest_categories(args.title, args.text, args.k, model)
        ]
    )
    return 0


def cmd_hotspots(args) -> int:
    from huiyin.assist import hotspots
    from huiyin.assist.data import data_dir

    path = Path(args.file) if args.file else data_dir(args.data) / "hotspot_messages.csv"
    t0 = time.perf_counter()
    msgs = hotspots.load_messages(path)
    result = hotspots.find_hotspots(msgs, window_days=args.window_days, top=args.top)
    _print(
        {
            "seconds": round(time.perf_counter() - t0, 2),
            "n_messages": len(msgs),
            "hotspots": [h.as_dict(max_ids=args.max_ids) for h in result],
        }
    )
    return 0


def cmd_dedup_bench(args) -> int:
    from huiyin.assist import duplicates

    _print(duplicates.benchmark(args.data, index_size=args.index_size, seed=args.seed))
    return 0


def cmd_reply_check(args) -> int:
    from huiyin.assist import reply_quality

    _print(reply_quality.agreement(args.data))
    return 0


def _django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    django.setup()


def cmd_retrain(args) -> int:
    if not args.from_cases:
        raise SystemExit("huiyin assist retrain: --from-cases is required (use `train` for the shipped data)")
    _django()
    from huiyin.assist.services import category_model_retrain
    from huiyin.core.errors import ApplicationError

    try:
        _print(
            category_model_retrain(
                out=args.out, include_shipped=not args.no_shipped_data, data_directory=args.data
            )
        )
    except ApplicationError as exc:
        sys.stderr.write(exc.message + "\n")
        return 2
    return 0


def cmd_backfill(args) -> int:
    _django()
    from huiyin.assist.services import signatures_backfill

    t0 = time.perf_counter()
    result = signatures_backfill(batch=args.batch, limit=args.limit)
    _print({**result, "seconds": round(time.perf_counter() - t0, 2)})
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="huiyin assist", description="Smart-assist aids (suggestions only).")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="rebuild the category model from the shipped data (deterministic)")
    t.add_argument("--data", help="data directory (default $HUIYIN_DATA_DIR or ../shared/data/tipdm2020c)")
    t.add_argument("--out", help="model file (default huiyin/assist/models/category.npz)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="macro-F1 etc. on a CSV with columns text,label")
    e.add_argument("--test", required=True)
    e.add_argument("--model")
    e.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("suggest", help="top-k categories for one message")
    s.add_argument("text")
    s.add_argument("--title", default="")
    s.add_argument("-k", type=int, default=3)
    s.add_argument("--model")
    s.set_defaults(func=cmd_suggest)

    h = sub.add_parser("hotspots", help="hot issues in hotspot_messages.csv (or --file)")
    h.add_argument("--data")
    h.add_argument("--file")
    h.add_argument("--top", type=int, default=5)
    h.add_argument("--window-days", type=int, default=30)
    h.add_argument("--max-ids", type=int, default=20)
    h.set_defaults(func=cmd_hotspots)

    d = sub.add_parser("dedup-bench", help="duplicate detection precision/recall and lookup latency")
    d.add_argument("--data")
    d.add_argument("--index-size", type=int, default=100_000)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=cmd_dedup_bench)

    r = sub.add_parser("reply-check", help="agreement of the reply checks with reply_quality_annotated.csv")
    r.add_argument("--data")
    r.set_defaults(func=cmd_reply_check)

    rt = sub.add_parser("retrain", help="retrain the category model on the office's concluded cases")
    rt.add_argument("--from-cases", action="store_true", help="closed/final cases with a category")
    rt.add_argument("--out", help="model file (default $HUIYIN_CATEGORY_MODEL; never the shipped file)")
    rt.add_argument("--no-shipped-data", action="store_true", help="train on the cases only")
    rt.add_argument("--data", help="shipped data directory")
    rt.set_defaults(func=cmd_retrain)

    b = sub.add_parser("backfill", help="store duplicate signatures of cases registered without one")
    b.add_argument("--batch", type=int, default=1000)
    b.add_argument("--limit", type=int)
    b.set_defaults(func=cmd_backfill)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
