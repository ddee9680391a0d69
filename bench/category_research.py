"""Research for the category model (Huiyin issue 5): which recipe gets closest to macro-F1 0.93?

    python -m bench.category_research [--recipes NAME,NAME…] [--plain]
    python -m bench.category_research --data-ideas [NAME,NAME…]   (about 25 minutes for all)

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

``--data-ideas`` keeps the shipped recipe and changes the *training data* of each fold instead: weak
labels from the department named in the government's reply, labels by text join with the other files,
label-noise cleaning (drop by out-of-fold own-label probability; confident learning). Extra messages
only join the training part, and never when they are near-duplicates of any labelled message.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
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


REPLY_DEPARTMENTS = {
    # Department names (not topics) as they appear in 答复意见, per first-level class. Only the
    # departments of the 7 classes of the labelled data: 公安/交警/民政/法院… are no class here.
    "城乡建设": r"住房和城乡建设局|住建局|城乡建设局|规划局|规划分局|自然资源和规划局|城管局|城市管理局"
    r"|城市管理和行政执法局|房产局|住房保障局|房屋征收|住房公积金管理中心",
    "交通运输": r"交通运输局|交通局|运输管理处|运管处|交通运输委",
    "卫生计生": r"卫生健康委|卫健委|卫健局|卫生健康局|卫生计生委|卫计委|卫计局|卫生局|疾控中心|疾病预防控制中心",
    "教育文体": r"教育局|教育厅|教体局|教育和体育局|体育局",
    "劳动和社会保障": r"人力资源和社会保障局|人力资源和社会保障厅|人社局|社保局|社保中心|医疗保障局|医保局"
    r"|医保中心|劳动保障监察",
    "环境保护": r"生态环境局|环保局|环境保护局|生态环境分局|环保分局|生态环境厅",
    "商贸旅游": r"商务局|市场监督管理局|市场监管局|工商局|质监局|旅游局",
}
# A looser variant that also counts topic words of the reply (公交, 社保, 物业管理 …).
REPLY_TOPICS = {
    "城乡建设": r"住房和城乡建设|住建|城乡建设局|规划局|规划分局|自然资源和规划|城管|城市管理|房产局|房屋交易"
    r"|住房保障|房屋征收|征收办|拆迁办|公积金|不动产登记|物业管理",
    "交通运输": r"交通运输局|交通局|公交|运输管理|出租车|客运|地铁|轨道交通|公路",
    "卫生计生": r"卫生健康|卫健|卫生计生|卫计|疾控|卫生局|疾病预防|食品药品监督",
    "教育文体": r"教育局|教育厅|教体局|教育和体育|体育局|教育部",
    "劳动和社会保障": r"人力资源和社会保障|人社|社保|医疗保障|医保|劳动监察|劳动保障|社会保险",
    "环境保护": r"生态环境|环保局|环境保护局|环境监测|环保分局",
    "商贸旅游": r"商务局|市场监督管理|市场监管|工商|质监|旅游局|商务和粮食",
}


def reply_label(reply: str, table: dict[str, str]) -> str | None:
    """The class whose departments the reply names, when it names those of exactly one class."""
    hits = [c for c, p in table.items() if re.search(p, reply)]
    return hits[0] if len(hits) == 1 else None


def _extra_rows(name: str):
    from huiyin.assist.data import data_dir, read_csv

    return [
        ((r.get("留言主题") or "").strip(), (r.get("留言详情") or "").strip(), r)
        for r in read_csv(data_dir() / name)
        if (r.get("留言详情") or "").strip()
    ]


def leak_filter(docs: list[str], titles: list[str], extra: list[tuple[str, str]], cos_max: float = 0.8):
    """Indices of *extra* (title, text) that are not near-duplicates of ANY labelled message: not in one
    :func:`near_duplicate_groups` group with one (shared normalised first/last 30 characters), not the
    same normalised title (≥ 8 characters), char 2–4-gram TF-IDF cosine ≤ *cos_max* to every one; and
    only the first of extra messages with the same normalised text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from huiyin.assist.data import near_duplicate_groups, normalize

    texts = [t for _, t in extra]
    g = near_duplicate_groups(docs + texts)
    lab_groups = set(g[: len(docs)])
    lab_titles = {normalize(t) for t in titles if len(normalize(t)) >= 8}
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), min_df=1, sublinear_tf=True, dtype=np.float32)
    A = vec.fit_transform(docs)
    B = vec.transform(texts)
    best = np.zeros(len(texts), np.float32)
    for s in range(0, len(texts), 500):
        best[s : s + 500] = (B[s : s + 500] @ A.T).max(1).toarray().ravel()
    keep, seen = [], set()
    for i, (title, text) in enumerate(extra):
        n = normalize(text)
        if g[len(docs) + i] in lab_groups or normalize(title) in lab_titles or best[i] > cos_max or n in seen:
            continue
        seen.add(n)
        keep.append(i)
    return keep


def join_labels(docs: list[str], y) -> dict:
    """Idea 2: labels of the unlabelled/hotspot/with-replies messages by exact or near-exact text join."""
    from huiyin.assist.data import near_duplicate_groups, normalize

    exact = {normalize(t): lab for t, lab in zip(docs, y, strict=True)}
    out = {}
    for name in ("messages_with_replies.csv", "hotspot_messages.csv", "messages_unlabeled.csv"):
        rows = _extra_rows(name)
        texts = [t for _, t, _ in rows]
        g = near_duplicate_groups(docs + texts)
        lab_by_group: dict[int, set] = {}
        for i, lab in enumerate(y):
            lab_by_group.setdefault(g[i], set()).add(lab)
        n_exact = sum(normalize(t) in exact for t in texts)
        near = [lab_by_group.get(g[len(docs) + i]) for i in range(len(texts))]
        out[name] = {
            "rows": len(rows),
            "exact_text_join": n_exact,
            "near_join": sum(1 for s in near if s),
            "near_join_unambiguous": sum(1 for s in near if s and len(s) == 1),
            "new_labelled_messages_not_near_duplicates": 0,  # a joined message is by definition one
        }
    return out


def reply_weak_labels(docs: list[str], titles: list[str], y, table: dict[str, str]):
    """Idea 1: (precision/coverage of the reply → class mapping on the replies whose message is labelled,
    extra (docs, labels) of the mapped replies that are no near-duplicate of any labelled message)."""
    from huiyin.assist.data import near_duplicate_groups

    rows = _extra_rows("messages_with_replies.csv")
    texts = [t for _, t, _ in rows]
    g = near_duplicate_groups(docs + texts)
    lab_by_group: dict[int, set] = {}
    for i, lab in enumerate(y):
        lab_by_group.setdefault(g[i], set()).add(lab)
    known = [
        (reply_label(r["答复意见"], table), lab_by_group.get(g[len(docs) + i]))
        for i, (_, _, r) in enumerate(rows)
    ]
    known = [(p, next(iter(s))) for p, s in known if s and len(s) == 1]
    mapped = [(p, t) for p, t in known if p]
    stats = {
        "replies": len(rows),
        "replies_with_labelled_message": len(known),
        "coverage": round(len(mapped) / max(1, len(known)), 3),
        "precision": round(sum(p == t for p, t in mapped) / max(1, len(mapped)), 3),
        "n_mapped_on_labelled": len(mapped),
    }
    keep = leak_filter(docs, titles, [(ti, t) for ti, t, _ in rows])
    ex_docs, ex_y = [], []
    for i in keep:
        lab = reply_label(rows[i][2]["答复意见"], table)
        if lab:
            ex_docs.append(rows[i][1])
            ex_y.append(lab)
    stats["mapped_all"] = sum(reply_label(r["答复意见"], table) is not None for _, _, r in rows)
    stats["extra_after_leak_filter"] = len(ex_docs)
    stats["extra_by_class"] = dict(Counter(ex_y).most_common())
    return stats, ex_docs, np.array(ex_y)


def shipped_fit_predict(tr_docs, tr_y, te_docs, classes, params=None, weights=None):
    """The shipped recipe (huiyin.assist.classify: char 1–3 TF-IDF → NB-SVM C=1) fitted on *tr_docs*.

    With *weights* (one per training message), the SVMs get them as sample weights and the NB ratios
    are counted on the messages of weight 1 only (the labelled ones)."""
    from huiyin.assist.classify import PARAMS, _fit_linear, _vectorizer

    p = {**PARAMS, **(params or {})}
    vec = _vectorizer(p)
    X = vec.fit_transform(tr_docs)
    Xte = vec.transform(te_docs)
    if weights is None:
        coef, intercept = _fit_linear(X, np.asarray(tr_y), classes, p)
        return np.asarray(Xte @ coef.T) + intercept
    from sklearn.svm import LinearSVC

    tr_y, weights = np.asarray(tr_y), np.asarray(weights, dtype=np.float64)
    Xb = X.copy()
    Xb.data[:] = 1.0
    full = weights == 1.0
    out = np.zeros((len(te_docs), len(classes)))
    for k, c in enumerate(classes):
        pos = tr_y == c
        a = np.asarray(Xb[pos & full].sum(0)).ravel() + p["nb_alpha"]
        b = np.asarray(Xb[~pos & full].sum(0)).ravel() + p["nb_alpha"]
        r = np.log((a / a.sum()) / (b / b.sum()))
        clf = LinearSVC(C=p["C"], class_weight="balanced", random_state=p["seed"], max_iter=5000)
        clf.fit(X.multiply(r.astype(np.float32)).tocsr(), pos, sample_weight=weights)
        out[:, k] = Xte @ (clf.coef_[0] * r) + clf.intercept_[0]
    return out


def oof_own_prob(docs, y, groups, classes, n_folds=3, seed=0):
    """Out-of-fold probability of each message's own label (3-fold grouped, softmax with fitted T)."""
    from sklearn.model_selection import StratifiedGroupKFold

    from huiyin.assist.classify import _fit_temperature, _softmax

    y_idx = np.searchsorted(classes, y)
    oof = np.zeros((len(docs), len(classes)))
    for tr, te in StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed).split(docs, y, groups):
        oof[te] = shipped_fit_predict([docs[i] for i in tr], y[tr], [docs[i] for i in te], classes)
    t = _fit_temperature(oof, y_idx)
    p = _softmax(oof, t)
    return p, p[np.arange(len(y)), y_idx]


def noise_keep(p, y, classes, rule: str) -> np.ndarray:
    """Boolean mask of training messages kept by a label-noise rule on out-of-fold probabilities *p*.

    ``own<T``: drop when the own-label probability is below T. ``cl``: confident learning (Northcutt et
    al. 2021, prune by noise rate): drop when another class's probability reaches that class's mean
    self-confidence and exceeds the own label's. ``cl+own<T``: both conditions (the intersection)."""
    y_idx = np.searchsorted(classes, y)
    own = p[np.arange(len(y)), y_idx]
    drop = np.zeros(len(y), bool)
    if rule.startswith("own<"):
        drop = own < float(rule[4:])
    elif rule.startswith("cl"):
        thr = np.array([p[y_idx == k, k].mean() for k in range(len(classes))])
        above = p >= thr
        above[np.arange(len(y)), y_idx] = False
        cand = np.where(above, p, -1).max(1)
        drop = (cand > own) & (cand >= 0)
        if "+own<" in rule:
            drop &= own < float(rule.split("+own<")[1])
    return ~drop


def run_data_ideas(only: set[str] | None = None):
    """Every data idea scored with the grouped 5-fold split of the labelled messages (``folds``): extra
    messages only ever join the training part; test folds are the untouched labelled messages."""
    from sklearn.metrics import accuracy_score, f1_score

    from huiyin.assist.data import labelled_rows

    rows = labelled_rows()
    docs = [t for _, t, _ in rows]
    titles = [ti for ti, _, _ in rows]
    y = np.array([lab for *_, lab in rows])
    from huiyin.assist.data import near_duplicate_groups

    groups = np.array(near_duplicate_groups(docs))
    classes = sorted(set(y.tolist()))
    splits = folds(y, groups, plain=False)

    print(json.dumps({"idea": "2_join", **join_labels(docs, y)}, ensure_ascii=False), flush=True)
    extras = {"baseline": ([], np.array([], dtype=y.dtype))}
    for key, table in (("1_replies_departments", REPLY_DEPARTMENTS), ("1_replies_topics", REPLY_TOPICS)):
        stats, ex_docs, ex_y = reply_weak_labels(docs, titles, y, table)
        print(json.dumps({"idea": key, **stats}, ensure_ascii=False), flush=True)
        extras[key] = (ex_docs, ex_y)

    def score(name, make_train):
        if only and name not in only:
            return
        t0 = time.perf_counter()
        f1s, accs, n_tr = [], [], []
        for fold, (tr, te) in enumerate(splits):
            tr_docs, tr_y, *w = make_train(fold, tr)
            n_tr.append(len(tr_docs))
            s = shipped_fit_predict(
                tr_docs, tr_y, [docs[i] for i in te], classes, weights=w[0] if w else None
            )
            pred = np.array(classes)[s.argmax(1)]
            f1s.append(f1_score(y[te], pred, average="macro"))
            accs.append(accuracy_score(y[te], pred))
        print(
            json.dumps(
                {
                    "recipe": name,
                    "macro_f1_mean": round(float(np.mean(f1s)), 4),
                    "macro_f1_folds": [round(float(f), 4) for f in f1s],
                    "accuracy_mean": round(float(np.mean(accs)), 4),
                    "n_train_mean": int(np.mean(n_tr)),
                    "seconds": round(time.perf_counter() - t0, 1),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )

    for key, (ex_docs, ex_y) in extras.items():
        score(
            key,
            lambda f, tr, ed=ex_docs, ey=ex_y: (
                [docs[i] for i in tr] + list(ed),
                np.concatenate([y[tr], ey]),
            ),
        )

    ex_docs, ex_y = extras["1_replies_departments"]
    score(
        "1_replies_departments_weight0.3",
        lambda f, tr: (
            [docs[i] for i in tr] + list(ex_docs),
            np.concatenate([y[tr], ex_y]),
            np.r_[np.ones(len(tr)), np.full(len(ex_docs), 0.3)],
        ),
    )

    # Idea 3: inner out-of-fold probabilities on each outer training part (computed once per fold).
    rules = ["own<0.05", "own<0.1", "own<0.2", "cl", "cl+own<0.3"]
    if only and not any(r.startswith("3_") for r in only):
        return
    inner = []
    for tr, _ in splits:
        p, _ = oof_own_prob([docs[i] for i in tr], y[tr], groups[tr], classes)
        inner.append(p)
    for rule in rules:

        def make(fold, tr, rule=rule):
            keep = noise_keep(inner[fold], y[tr], classes, rule)
            return [docs[i] for i, k in zip(tr, keep, strict=True) if k], y[tr][keep]

        score("3_clean_" + rule, make)
    ex_docs, ex_y = extras["1_replies_departments"]
    for rule in ("own<0.1", "cl"):

        def make2(fold, tr, rule=rule):
            keep = noise_keep(inner[fold], y[tr], classes, rule)
            return (
                [docs[i] for i, k in zip(tr, keep, strict=True) if k] + list(ex_docs),
                np.concatenate([y[tr][keep], ex_y]),
            )

        score("3_clean_" + rule + "+1_replies_departments", make2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--plain", action="store_true", help="also plain (non-grouped) stratified 5-fold")
    ap.add_argument("--no-cv", action="store_true", help="only the deployment costs")
    ap.add_argument("--no-costs", action="store_true", help="skip the deployment costs")
    ap.add_argument(
        "--data-ideas",
        nargs="?",
        const="all",
        help="score the data ideas (weak labels from replies, text joins, label-noise cleaning) instead",
    )
    args = ap.parse_args(argv)
    if args.data_ideas:
        run_data_ideas(None if args.data_ideas == "all" else set(args.data_ideas.split(",")))
        return 0
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
