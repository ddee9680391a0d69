"""Research for the category model (Huiyin issue 5): which recipe gets closest to macro-F1 0.93?

    python -m bench.category_research [--recipes NAME,NAME…] [--plain]

Every recipe is scored with the same 5-fold StratifiedGroupKFold (near-duplicates grouped,
random_state=42) that ``bench.assist_bench`` uses; ``--plain`` also scores it with a plain stratified
5-fold split (near-duplicates may straddle folds) to show how optimistic non-grouped CV is.
One JSON line per recipe: macro-F1 mean and folds, accuracy, per-message latency of a pure-Python
single-message scorer for the recipe's features (one thread), training time of the full recipe on all
data and the float32 size of its parameters.

To keep the search fast, n-gram counts are computed once for all messages; each fold then keeps the
n-grams that the fold's *training* part has in ≥ min_df messages and takes idf from the training part
only (the same as fitting a vectorizer on the training part). All recipes take about an hour on
2 cores (Crammer–Singer alone ~11 minutes); pick some with ``--recipes``. Results: docs/assist.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from itertools import pairwise

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import scipy.sparse as sp

_WS = re.compile(r"\s\s+")
_PUNCT = re.compile(r"[\W_]+")


# ---- data ---------------------------------------------------------------------------------------
def load():
    from huiyin.assist.data import labelled_rows, near_duplicate_groups

    rows = labelled_rows()
    docs = [t for _, t, _ in rows]
    y = np.array([lab for *_, lab in rows])
    groups = np.array(near_duplicate_groups(docs))
    return docs, y, groups


def folds(y, groups, plain: bool):
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    idx = np.arange(len(y))
    if plain:
        return list(StratifiedKFold(5, shuffle=True, random_state=42).split(idx, y))
    return list(StratifiedGroupKFold(5, shuffle=True, random_state=42).split(idx, y, groups))


# ---- n-gram count blocks ---------------------------------------------------------------------------
def taxonomy_terms():
    from huiyin.assist.data import data_dir, read_csv

    terms: dict[str, set[str]] = {}
    for r in read_csv(data_dir() / "taxonomy.csv"):
        for col in ("二级分类", "三级分类"):
            for t in re.split(r"[、，,/（）()和及与]", r[col]):
                t = t.strip()
                if len(t) >= 2:
                    terms.setdefault(t, set()).add(r["一级分类"])
    return terms


def simple_words(doc: str) -> list[str]:
    """A fast tokenizer without a dictionary: runs of letters/digits, and CJK split into 2-char words
    at punctuation-free stretches (bigrams of every phrase) plus the phrase-final 3/4 characters."""
    out = []
    for ph in _PUNCT.split(doc.lower()):
        if not ph:
            continue
        if ph.isascii():
            out.append(ph)
            continue
        out.extend(ph[i : i + 2] for i in range(len(ph) - 1))
        if 3 <= len(ph) <= 8:
            out.append("P" + ph)  # short whole phrases (often a place/organisation name)
    return out


def with_bigrams(words: list[str]) -> list[str]:
    return words + [a + " " + b for a, b in pairwise(words)]


_FMM: set[str] = set()


def fmm_words(doc: str) -> list[str]:
    """Forward maximum matching (words of 2–4 characters from jieba's dictionary; pure Python)."""
    if not _FMM:
        import jieba

        path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                w, f, _ = line.split(" ", 2)
                if 2 <= len(w) <= 4 and int(f) >= 2:
                    _FMM.add(w)
    out = []
    for ph in _PUNCT.split(doc.lower()):
        i, n = 0, len(ph)
        while i < n:
            for k in (4, 3, 2):
                if i + k <= n and ph[i : i + k] in _FMM:
                    out.append(ph[i : i + k])
                    i += k
                    break
            else:
                out.append(ph[i])
                i += 1
    return out


class Blocks:
    """Raw count matrices over all docs, one per analyzer; column n-gram lengths kept."""

    def __init__(self, docs):
        self.docs = docs
        self.cache = {}

    def counts(self, kind: str):
        if kind in self.cache:
            return self.cache[kind]
        from sklearn.feature_extraction.text import CountVectorizer

        t0 = time.perf_counter()
        if kind == "char":
            v = CountVectorizer(analyzer="char", ngram_range=(1, 5), lowercase=True, dtype=np.float32)
        elif kind == "char_wb":
            v = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, dtype=np.float32)
        elif kind == "words":
            v = CountVectorizer(analyzer=simple_words, dtype=np.float32)
        elif kind == "words12":
            v = CountVectorizer(
                analyzer=lambda d: with_bigrams([t for t in simple_words(d) if not t.startswith("P")]),
                dtype=np.float32,
            )
        elif kind == "fmm":
            v = CountVectorizer(analyzer=fmm_words, dtype=np.float32)
        elif kind == "fmm12":
            v = CountVectorizer(
                analyzer=lambda d: with_bigrams(fmm_words(d)),
                dtype=np.float32,
            )
        elif kind == "tax":
            terms = taxonomy_terms()
            classes = sorted({c for cs in terms.values() for c in cs})
            M = np.zeros((len(self.docs), len(classes)), np.float32)
            for i, d in enumerate(self.docs):
                for t, cs in terms.items():
                    if t in d:
                        for c in cs:
                            M[i, classes.index(c)] += 1
            self.cache[kind] = (sp.csr_matrix(M), np.array([1] * len(classes)), classes)
            return self.cache[kind]
        else:
            raise ValueError(kind)
        X = v.fit_transform(self.docs).tocsr()
        names = v.get_feature_names_out()
        lens = np.array([len(n) if kind in ("char", "char_wb") else 1 for n in names])
        print(f"# counts {kind}: {X.shape} in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
        self.cache[kind] = (X, lens, names)
        return self.cache[kind]


def tfidf_block(blocks: Blocks, tr, spec: dict):
    """(X_all, n_features) for one feature spec fitted on the rows *tr*: select n-grams, idf, l2."""
    kind = spec["kind"]
    X, lens, _ = blocks.counts(kind)
    if kind == "tax":
        M = X.toarray()
        M = np.log1p(M) * spec.get("scale", 0.3)
        return sp.csr_matrix(M)
    cols = np.flatnonzero((lens >= spec.get("nmin", 1)) & (lens <= spec.get("nmax", 9)))
    Xs = X[:, cols]
    Xtr = Xs[tr]
    df = np.asarray((Xtr > 0).sum(0)).ravel()
    keep = np.flatnonzero(df >= spec.get("min_df", 2))
    mf = spec.get("max_features")
    if mf and len(keep) > mf:
        tf = np.asarray(Xtr[:, keep].sum(0)).ravel()
        keep = keep[np.argsort(-tf, kind="stable")[:mf]]
        keep.sort()
    Xs = Xs[:, keep].tocsr()
    n = len(tr)
    if spec.get("binary"):
        Xs.data[:] = 1.0
        return Xs, df[keep]
    Xs.data = 1.0 + np.log(Xs.data)  # sublinear tf
    idf = np.log((1 + n) / (1 + df[keep])) + 1.0
    Xs = Xs @ sp.diags(idf.astype(np.float32))
    norms = np.sqrt(np.asarray(Xs.multiply(Xs).sum(1)).ravel())
    norms[norms == 0] = 1
    Xs = sp.diags(1 / norms) @ Xs
    return Xs.tocsr(), df[keep]


# ---- models --------------------------------------------------------------------------------------
def fit_scores(model: dict, X, y, tr, te, classes):
    """Decision scores (len(te), n_classes) of one base model trained on *tr*."""
    kind = model["model"]
    Xtr, Xte = X[tr], X[te]
    ytr = y[tr]
    cw = model.get("class_weight", "balanced")
    if kind == "svm":
        from sklearn.svm import LinearSVC

        clf = LinearSVC(C=model.get("C", 1.0), class_weight=cw, random_state=0, max_iter=5000)
        clf.fit(Xtr, ytr)
        return clf.decision_function(Xte)
    if kind == "cs_svm":  # Crammer-Singer multiclass SVM
        from sklearn.svm import LinearSVC

        clf = LinearSVC(
            C=model.get("C", 1.0),
            class_weight=cw,
            multi_class="crammer_singer",
            random_state=0,
            max_iter=5000,
        )
        clf.fit(Xtr, ytr)
        return clf.decision_function(Xte)
    if kind == "sgd":
        from sklearn.linear_model import SGDClassifier

        clf = SGDClassifier(
            loss=model.get("loss", "modified_huber"),
            alpha=model.get("alpha", 1e-5),
            class_weight=cw,
            random_state=0,
            max_iter=50,
            tol=None,
            average=model.get("average", False),
        )
        clf.fit(Xtr, ytr)
        return clf.decision_function(Xte)
    if kind == "cnb":
        from sklearn.naive_bayes import ComplementNB

        clf = ComplementNB(alpha=model.get("alpha", 0.3))
        clf.fit(Xtr, ytr)
        jll = clf.predict_joint_log_proba(Xte) if hasattr(clf, "predict_joint_log_proba") else None
        s = jll if jll is not None else clf.predict_log_proba(Xte)
        return s - s.mean(1, keepdims=True)
    if kind == "nbsvm":
        # One-vs-rest: scale binary features by the class's log-count ratio, linear SVM on top.
        from sklearn.svm import LinearSVC

        Xb = X.copy()
        Xb.data[:] = 1.0
        a = model.get("alpha", 1.0)
        out = np.zeros((len(te), len(classes)))
        for k, c in enumerate(classes):
            pos = ytr == c
            p = np.asarray(Xb[tr][pos].sum(0)).ravel() + a
            q = np.asarray(Xb[tr][~pos].sum(0)).ravel() + a
            r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            Xr = (Xb if model.get("on") == "binary" else X) @ sp.diags(r)
            clf = LinearSVC(C=model.get("C", 0.3), class_weight="balanced", random_state=0, max_iter=5000)
            clf.fit(Xr[tr], pos)
            out[:, k] = clf.decision_function(Xr[te])
        return out
    if kind == "lr":
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=model.get("C", 10.0), class_weight=cw, max_iter=2000)
        clf.fit(Xtr, ytr)
        return clf.decision_function(Xte)
    raise ValueError(kind)


def standardise(s: np.ndarray) -> np.ndarray:
    """Per-message softmax-free calibration: zero-mean over classes, scaled by the score spread."""
    s = s - s.mean(1, keepdims=True)
    return s / (s.std() + 1e-9)


# ---- recipes -------------------------------------------------------------------------------------
C13 = {"kind": "char", "nmin": 1, "nmax": 3, "min_df": 2, "max_features": 200_000}
C14 = {"kind": "char", "nmin": 1, "nmax": 4, "min_df": 2}
C24 = {"kind": "char", "nmin": 2, "nmax": 4, "min_df": 2}
C15 = {"kind": "char", "nmin": 1, "nmax": 5, "min_df": 2}
C12 = {"kind": "char", "nmin": 1, "nmax": 2, "min_df": 2}
WB25 = {"kind": "char_wb", "nmin": 2, "nmax": 5, "min_df": 2}
W1 = {"kind": "words", "min_df": 2}
W12 = {"kind": "words12", "min_df": 2}
F1 = {"kind": "fmm", "min_df": 2}
F12 = {"kind": "fmm12", "min_df": 2}
TAX = {"kind": "tax", "scale": 0.3}

# A recipe: list of members; each member = (feature specs joined side by side, model); ensemble = mean of
# standardised scores (weights optional).
RECIPES: dict[str, list[tuple[list[dict], dict]]] = {
    "baseline_c13_svm_C1": [([C13], {"model": "svm", "C": 1.0})],
    "c13_svm_C0.5": [([C13], {"model": "svm", "C": 0.5})],
    "c13_svm_C0.3": [([C13], {"model": "svm", "C": 0.3})],
    "c13_svm_C2": [([C13], {"model": "svm", "C": 2.0})],
    "c13_svm_noweight": [([C13], {"model": "svm", "C": 1.0, "class_weight": None})],
    "c13_cs_svm": [([C13], {"model": "cs_svm", "C": 0.5})],
    "c14_svm_C0.5": [([C14], {"model": "svm", "C": 0.5})],
    "c14_svm_C1": [([C14], {"model": "svm", "C": 1.0})],
    "c15_svm_C1": [([C15], {"model": "svm", "C": 1.0})],
    "c12_svm_C1": [([C12], {"model": "svm", "C": 1.0})],
    "wb25_svm_C1": [([WB25], {"model": "svm", "C": 1.0})],
    "words_svm_C1": [([W1], {"model": "svm", "C": 1.0})],
    "words12_svm_C1": [([W12], {"model": "svm", "C": 1.0})],
    "c13_sgd_mhuber": [([C13], {"model": "sgd", "alpha": 2e-5})],
    "c14_sgd_mhuber_avg": [([C14], {"model": "sgd", "alpha": 1e-5, "average": True})],
    "c13_cnb": [([C13], {"model": "cnb", "alpha": 0.3})],
    "c14_cnb": [([C14], {"model": "cnb", "alpha": 0.1})],
    "c13_nbsvm": [([C13], {"model": "nbsvm", "C": 0.3})],
    "c14_nbsvm": [([C14], {"model": "nbsvm", "C": 0.3})],
    "fmm_svm_C1": [([F1], {"model": "svm", "C": 1.0})],
    "fmm12_svm_C1": [([F12], {"model": "svm", "C": 1.0})],
    "c13+fmm12_svm": [([C13, F12], {"model": "svm", "C": 1.0})],
    "ens_c13svm+fmm12svm": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([F12], {"model": "svm", "C": 1.0}),
    ],
    "c13_nbsvm_C0.15": [([C13], {"model": "nbsvm", "C": 0.15})],
    "c13_nbsvm_C0.6": [([C13], {"model": "nbsvm", "C": 0.6})],
    "c13_nbsvm_C1": [([C13], {"model": "nbsvm", "C": 1.0})],
    "c13_nbsvm_C1.5": [([C13], {"model": "nbsvm", "C": 1.5})],
    "c14_nbsvm_C0.6": [([C14], {"model": "nbsvm", "C": 0.6})],
    "c13_nbsvm_binary": [([C13], {"model": "nbsvm", "C": 0.3, "on": "binary"})],
    "c13_nbsvm_a0.5": [([C13], {"model": "nbsvm", "C": 0.3, "alpha": 0.5})],
    "c13+tax_nbsvm": [([C13, TAX], {"model": "nbsvm", "C": 0.3})],
    "ens_c13svm+c13nbsvm": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([C13], {"model": "nbsvm", "C": 0.3}),
    ],
    "c13+tax_svm": [([C13, TAX], {"model": "svm", "C": 1.0})],
    "c13+words_svm": [([C13, W1], {"model": "svm", "C": 1.0})],
    "ens_c13svm+c14nbsvm": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([C14], {"model": "nbsvm", "C": 0.3}),
    ],
    "ens_c13svm+cnb": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([C14], {"model": "cnb", "alpha": 0.1}),
    ],
    "ens_c13svm+wb25svm+words": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([WB25], {"model": "svm", "C": 1.0}),
        ([W12], {"model": "svm", "C": 1.0}),
    ],
    "ens_4": [
        ([C13], {"model": "svm", "C": 1.0}),
        ([C14], {"model": "nbsvm", "C": 0.3}),
        ([C14], {"model": "cnb", "alpha": 0.1}),
        ([W12], {"model": "svm", "C": 1.0}),
    ],
}


def run_recipe(name, blocks, y, splits, classes):
    members = RECIPES[name]
    f1s, accs, preds_all = [], [], np.empty(len(y), dtype=object)
    from sklearn.metrics import accuracy_score, f1_score

    member_scores = []
    for tr, te in splits:
        total = np.zeros((len(te), len(classes)))
        per = []
        for specs, model in members:
            mats = [tfidf_block(blocks, tr, s) for s in specs]
            X = sp.hstack([m[0] if isinstance(m, tuple) else m for m in mats]).tocsr()
            s = fit_scores(model, X, y, tr, te, classes)
            per.append(s)
            total += model.get("weight", 1.0) * (standardise(s) if len(members) > 1 else s)
        member_scores.append(per)
        pred = np.array(classes)[total.argmax(1)]
        preds_all[te] = pred
        f1s.append(f1_score(y[te], pred, average="macro"))
        accs.append(accuracy_score(y[te], pred))
    return {
        "macro_f1_mean": round(float(np.mean(f1s)), 4),
        "macro_f1_folds": [round(float(f), 4) for f in f1s],
        "accuracy_mean": round(float(np.mean(accs)), 4),
    }


def _analyzer(spec: dict):
    """The pure-Python single-message analyzer of a feature spec (a list of features)."""
    kind = spec["kind"]
    if kind == "char":
        lo, hi = spec.get("nmin", 1), spec.get("nmax", 9)

        def char(doc):
            t = _WS.sub(" ", doc.lower())
            return [t[i : i + n] for n in range(lo, hi + 1) for i in range(len(t) - n + 1)]

        return char
    if kind == "char_wb":
        lo, hi = spec.get("nmin", 1), spec.get("nmax", 9)

        def char_wb(doc):
            out = []
            for w in _WS.sub(" ", doc.lower()).split():
                w = f" {w} "
                out += [w[i : i + n] for n in range(lo, hi + 1) for i in range(len(w) - n + 1)]
            return out

        return char_wb
    if kind in ("fmm", "fmm12"):
        if kind == "fmm":
            return fmm_words
        return lambda d: with_bigrams(fmm_words(d))
    if kind in ("words", "words12"):
        return simple_words
    if kind == "tax":
        terms = taxonomy_terms()
        return lambda d: [c for t, cs in terms.items() if t in d for c in cs]
    raise ValueError(kind)


def deploy_costs(name, docs, y, classes):
    """Train the recipe on all messages from raw text (wall seconds, one process), the float32 size of
    what a model file would hold, and the latency of scoring one message with a pure-Python n-gram
    count + one dot product (an ensemble of linear members is one linear model over its blocks)."""
    from sklearn.feature_extraction.text import CountVectorizer

    members = RECIPES[name]
    all_idx = np.arange(len(docs))
    t0 = time.perf_counter()
    specs = {json.dumps(sp_, sort_keys=True): sp_ for specs_, _ in members for sp_ in specs_}
    vocab, blocks_x = {}, {}
    for key, spec in specs.items():
        if spec["kind"] in ("char", "char_wb"):  # sklearn's own (faster) analyzer, same n-grams
            an = {"analyzer": spec["kind"], "ngram_range": (spec.get("nmin", 1), spec.get("nmax", 9))}
        else:
            an = {"analyzer": _analyzer(spec)}
        v = CountVectorizer(**an, min_df=spec.get("min_df", 1), dtype=np.float32)
        Xc = v.fit_transform(docs).tocsr()
        if spec.get("max_features") and Xc.shape[1] > spec["max_features"]:
            top = np.sort(np.argsort(-np.asarray(Xc.sum(0)).ravel(), kind="stable")[: spec["max_features"]])
            Xc = Xc[:, top]
            names = v.get_feature_names_out()[top]
        else:
            names = v.get_feature_names_out()
        vocab[key] = {t: i for i, t in enumerate(names)}
        Xc.data = 1.0 + np.log(Xc.data)
        norms = np.sqrt(np.asarray(Xc.multiply(Xc).sum(1)).ravel())
        norms[norms == 0] = 1
        blocks_x[key] = (sp.diags(1 / norms) @ Xc).tocsr()
    n_features = sum(len(v) for v in vocab.values())
    for specs_, model in members:
        X = sp.hstack([blocks_x[json.dumps(s_, sort_keys=True)] for s_ in specs_]).tocsr()
        fit_scores(model, X, y, all_idx, all_idx[:1], classes)
    train_s = time.perf_counter() - t0
    n_chars = sum(len(t) for v in vocab.values() for t in v)
    size = n_features * (4 * len(classes) + 4) + 4 * n_chars  # coef + idf + utf-32 vocabulary (upper bound)
    # latency: count features of every block, then one sparse dot
    rng = np.random.default_rng(0)
    coef = rng.standard_normal((len(classes), n_features)).astype(np.float32)
    idf = np.ones(n_features)
    offsets, off = {}, 0
    for key in vocab:
        offsets[key] = off
        off += len(vocab[key])
    analyzers = {key: _analyzer(spec) for key, spec in specs.items()}
    sample = docs[:500]
    t0 = time.perf_counter()
    for d in sample:
        counts: dict[int, int] = {}
        for key, an in analyzers.items():
            index, o = vocab[key], offsets[key]
            for tok in an(d):
                j = index.get(tok)
                if j is not None:
                    counts[j + o] = counts.get(j + o, 0) + 1
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            w = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[idx]
            w /= np.sqrt(np.dot(w, w))
            _ = coef[:, idx].astype(np.float64) @ w
    ms = (time.perf_counter() - t0) * 1000 / len(sample)
    return {
        "train_seconds": round(train_s, 1),
        "n_features": n_features,
        "model_mb_est": round(size / 1e6, 1),
        "ms_per_message": round(ms, 3),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--plain", action="store_true", help="also plain (non-grouped) stratified 5-fold")
    ap.add_argument("--no-cv", action="store_true", help="only the deployment costs")
    ap.add_argument("--no-costs", action="store_true", help="skip the deployment costs")
    args = ap.parse_args(argv)
    docs, y, groups = load()
    classes = sorted(set(y.tolist()))
    blocks = Blocks(docs)
    g_splits = folds(y, groups, plain=False)
    p_splits = folds(y, groups, plain=True) if args.plain else None
    for name in args.recipes.split(","):
        t0 = time.perf_counter()
        out = {"recipe": name}
        if not args.no_cv:
            out["grouped"] = run_recipe(name, blocks, y, g_splits, classes)
            if p_splits:
                out["plain"] = run_recipe(name, blocks, y, p_splits, classes)
            out["cv_seconds"] = round(time.perf_counter() - t0, 1)
        if not args.no_costs:
            out.update(deploy_costs(name, docs, y, classes))
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
