"""First-level category suggestion (7 classes) from a message's title and text.

Model: character 1–3-gram TF-IDF (sublinear tf, min_df=2, the 200k most frequent n-grams) → NB-SVM: per
class, a class-balanced binary linear SVM on the features scaled by the class's naive-Bayes log-count
ratio (folded back into one coefficient matrix, so scoring is one dot product); scores turned into
probabilities by a softmax whose temperature is fitted on out-of-fold scores.
Trained on the distinct labelled messages of the shipped data; training is deterministic (fixed
seeds, sorted vocabulary, a zip written with fixed timestamps) so ``assist train`` rebuilds the shipped
file byte for byte.

The model file is a plain ``.npz`` (no pickle): vocabulary, idf, coefficients, intercepts, classes,
temperature and the training parameters.

    suggest_categories(title, text, k=3) -> [(label, probability), ...]
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from huiyin.assist.data import labelled_rows, near_duplicate_groups

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_PATH = MODEL_DIR / "category.npz"
FORMAT = "huiyin-category-v1"
_WHITESPACES = re.compile(r"\s\s+")  # as sklearn's char analyzer

PARAMS = {
    "ngram_min": 1,
    "ngram_max": 3,
    "min_df": 2,
    "max_features": 200_000,
    "model": "nbsvm",  # or "svm" (plain one-vs-rest LinearSVC, the v1 recipe)
    "nb_alpha": 1.0,
    "C": 1.0,
    "seed": 0,
    "calibration_folds": 3,
}


def model_path() -> Path:
    """$HUIYIN_CATEGORY_MODEL if set, else the shipped ``huiyin/assist/models/category.npz``."""
    env = os.environ.get("HUIYIN_CATEGORY_MODEL")
    return Path(env) if env else DEFAULT_MODEL_PATH


def compose(title: str | None, text: str | None) -> str:
    """The document the model sees: title and text joined (either may be empty)."""
    title = (title or "").strip()
    text = (text or "").strip()
    if title and text:
        return f"{title}。{text}"
    return title or text


def _vectorizer(params: dict, vocabulary: dict[str, int] | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(params["ngram_min"], params["ngram_max"]),
        min_df=params["min_df"],
        max_features=None if vocabulary is not None else params.get("max_features"),
        sublinear_tf=True,
        lowercase=True,
        dtype=np.float32,
        vocabulary=vocabulary,
    )


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class CategoryModel:
    classes: list[str]
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (n_classes, n_features) float32
    intercept: np.ndarray  # (n_classes,)
    temperature: float
    params: dict = field(default_factory=lambda: dict(PARAMS))
    meta: dict = field(default_factory=dict)
    _vec: Any = field(default=None, repr=False, compare=False)
    _index: dict | None = field(default=None, repr=False, compare=False)

    # ---- features -------------------------------------------------------------------------------
    def _vectorize(self, docs: Sequence[str]):
        if self._vec is None:
            vec = _vectorizer(self.params, {t: i for i, t in enumerate(self.vocabulary)})
            vec.idf_ = self.idf.astype(np.float64)
            self._vec = vec
        return self._vec.transform(docs)

    def decision(self, docs: Sequence[str]) -> np.ndarray:
        """Linear scores (n_docs, n_classes). Small batches take a fast path without sklearn."""
        if len(docs) > 64:
            X = self._vectorize(docs)
            return np.asarray(X @ self.coef.T, dtype=np.float64) + self.intercept
        return np.vstack([self._decision_one(d) for d in docs]) if docs else np.zeros((0, len(self.classes)))

    def _decision_one(self, doc: str) -> np.ndarray:
        # Same features as TfidfVectorizer(analyzer="char", lowercase, sublinear_tf, l2 norm).
        if self._index is None:
            self._index = {t: i for i, t in enumerate(self.vocabulary)}
        text = _WHITESPACES.sub(" ", doc.lower())
        index = self._index
        counts: dict[int, int] = {}
        for n in range(self.params["ngram_min"], self.params["ngram_max"] + 1):
            for i in range(len(text) - n + 1):
                j = index.get(text[i : i + n])
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
        if not counts:
            return self.intercept.copy()
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        w = tf * self.idf[idx]
        w /= np.sqrt(np.dot(w, w))
        return self.coef[:, idx].astype(np.float64) @ w + self.intercept

    def predict_proba(self, docs: Sequence[str]) -> np.ndarray:
        """Probabilities per class (columns in ``self.classes`` order)."""
        return _softmax(self.decision(docs), self.temperature)

    def predict(self, docs: Sequence[str]) -> list[str]:
        scores = self.decision(docs)
        return [self.classes[i] for i in scores.argmax(axis=1)]

    def top_k(self, title: str | None, text: str | None, k: int = 3) -> list[tuple[str, float]]:
        doc = compose(title, text)
        if not doc:
            return []
        p = self.predict_proba([doc])[0]
        order = np.argsort(-p, kind="stable")[: max(1, k)]
        return [(self.classes[i], float(p[i])) for i in order]

    # ---- persistence ----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a deterministic npz (same model → same bytes)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "format": FORMAT,
            "classes": self.classes,
            "temperature": self.temperature,
            "params": self.params,
            "meta": self.meta,
        }
        arrays = {
            "header": np.frombuffer(
                json.dumps(header, ensure_ascii=False, sort_keys=True).encode(), np.uint8
            ),
            "vocabulary": np.array(self.vocabulary, dtype=str),
            "idf": self.idf.astype(np.float32),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float64),
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                buf = io.BytesIO()
                np.save(buf, arr, allow_pickle=False)
                info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, buf.getvalue(), compresslevel=9)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CategoryModel:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(bytes(z["header"]).decode())
            if header.get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} model")
            return cls(
                classes=list(header["classes"]),
                vocabulary=z["vocabulary"].tolist(),
                idf=z["idf"],
                coef=z["coef"],
                intercept=z["intercept"],
                temperature=float(header["temperature"]),
                params=header["params"],
                meta=header.get("meta", {}),
            )


# ---- training -----------------------------------------------------------------------------------
def _fit_svm(X, y, params):
    from sklearn.svm import LinearSVC

    clf = LinearSVC(C=params["C"], class_weight="balanced", random_state=params["seed"], max_iter=5000)
    clf.fit(X, y)
    return clf


def _fit_linear(X, y, classes: list[str], params: dict) -> tuple[np.ndarray, np.ndarray]:
    """(coef (n_classes, n_features), intercept (n_classes,)) in *classes* order.

    ``"svm"``: one-vs-rest linear SVM on the TF-IDF features. ``"nbsvm"`` (NB-SVM, Wang & Manning 2012):
    per class, the TF-IDF features are scaled by the class's naive-Bayes log-count ratio
    r = log((p/|p|₁)/(q/|q|₁)) of binary feature counts in / outside the class (smoothing ``nb_alpha``),
    and a class-balanced binary linear SVM is fitted on them; its weights times r are the class's
    coefficients on the plain TF-IDF features, so scoring stays one dot product.
    """
    from sklearn.svm import LinearSVC

    y = np.asarray(y)
    if params.get("model", "svm") == "svm":
        clf = _fit_svm(X, y, params)
        cols = np.searchsorted(classes, clf.classes_)
        coef = np.zeros((len(classes), X.shape[1]))
        intercept = np.full(len(classes), -1.0)  # a class missing from *y* never wins
        if clf.coef_.shape[0] == len(clf.classes_):
            coef[cols], intercept[cols] = clf.coef_, clf.intercept_
        else:  # two classes: one decision function
            coef[cols] = np.vstack([-clf.coef_[0], clf.coef_[0]])
            intercept[cols] = [-clf.intercept_[0], clf.intercept_[0]]
        return coef, intercept
    Xb = X.copy()
    Xb.data[:] = 1.0
    alpha = params.get("nb_alpha", 1.0)
    coef = np.zeros((len(classes), X.shape[1]))
    intercept = np.full(len(classes), -1.0)
    for k, c in enumerate(classes):
        pos = y == c
        if not pos.any() or pos.all():
            continue
        p = np.asarray(Xb[pos].sum(0)).ravel() + alpha
        q = np.asarray(Xb[~pos].sum(0)).ravel() + alpha
        r = np.log((p / p.sum()) / (q / q.sum()))
        clf = LinearSVC(C=params["C"], class_weight="balanced", random_state=params["seed"], max_iter=5000)
        clf.fit(X.multiply(r.astype(np.float32)).tocsr(), pos)
        coef[k] = clf.coef_[0] * r
        intercept[k] = clf.intercept_[0]
    return coef, intercept


def _fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """Temperature minimising the log-loss of softmax(scores*T) (grid then refine; deterministic)."""

    def nll(t: float) -> float:
        p = _softmax(scores, t)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None))))

    grid = np.geomspace(0.25, 32, 57)
    best: float = min(grid.tolist(), key=nll)
    fine = np.linspace(best / 1.2, best * 1.2, 41)
    found: float = min(fine.tolist(), key=nll)
    return round(found, 4)


def train(
    docs: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[int] | None = None,
    params: dict | None = None,
    meta: dict | None = None,
) -> CategoryModel:
    """Fit a model on *docs*/*labels*. *groups* keep near-duplicates together in the calibration folds."""
    from sklearn.model_selection import StratifiedGroupKFold

    params = {**PARAMS, **(params or {})}
    docs = list(docs)
    y = np.asarray(labels)
    classes = sorted(set(y.tolist()))
    y_idx = np.searchsorted(classes, y)
    group_ids = np.asarray(near_duplicate_groups(docs) if groups is None else groups)

    # Out-of-fold scores for the probability temperature.
    oof = np.zeros((len(docs), len(classes)))
    n_folds = params["calibration_folds"]
    if n_folds >= 2 and len(set(group_ids.tolist())) >= n_folds:
        folds = StratifiedGroupKFold(n_folds, shuffle=True, random_state=params["seed"])
        for tr, te in folds.split(docs, y, group_ids):
            vec = _vectorizer(params)
            Xtr = vec.fit_transform([docs[i] for i in tr])
            coef, intercept = _fit_linear(Xtr, y[tr], classes, params)
            oof[te] = vec.transform([docs[i] for i in te]) @ coef.T + intercept
        temperature = _fit_temperature(oof, y_idx)
    else:
        temperature = 4.0

    vec = _vectorizer(params)
    X = vec.fit_transform(docs)
    coef, intercept = _fit_linear(X, y, classes, params)
    # Sorted vocabulary so the file does not depend on dict order.
    vocab_items = sorted(vec.vocabulary_.items())
    order = np.array([i for _, i in vocab_items], dtype=np.int64)
    vocabulary = [t for t, _ in vocab_items]
    return CategoryModel(
        classes=[str(c) for c in classes],
        vocabulary=vocabulary,
        idf=vec.idf_[order].astype(np.float32),
        coef=coef[:, order].astype(np.float32),
        intercept=np.asarray(intercept, dtype=np.float64),
        temperature=temperature,
        params=params,
        meta=meta or {},
    )


def train_from_data(data_directory: str | os.PathLike[str] | None = None) -> CategoryModel:
    """Train on the distinct labelled messages of the shipped data (text only, as evaluation sees it)."""
    rows = labelled_rows(data_directory)
    docs = [text for _, text, _ in rows]
    labels = [label for _, _, label in rows]
    digest = hashlib.sha256(
        "\x1e".join(f"{d}\x1f{label}" for d, label in zip(docs, labels, strict=True)).encode()
    )
    meta = {"n_train": len(docs), "data_sha256": digest.hexdigest()}
    return train(docs, labels, near_duplicate_groups(docs), meta=meta)


# ---- the shared instance ------------------------------------------------------------------------
_lock = threading.Lock()
_cache: dict[str, CategoryModel] = {}


def get_model(path: str | os.PathLike[str] | None = None) -> CategoryModel:
    """The model at *path* (default :func:`model_path`), loaded once per process."""
    p = str(Path(path) if path else model_path())
    with _lock:
        if p not in _cache:
            _cache[p] = CategoryModel.load(p)
        return _cache[p]


def suggest_categories(title: str | None, text: str | None, k: int = 3, model: CategoryModel | None = None):
    """Top-*k* first-level categories as ``[(label, probability), ...]``, most likely first.

    Only a suggestion for the person registering the matter; never an automatic decision.
    """
    return (model or get_model()).top_k(title, text, k)


def predict_labels(texts: Iterable[str], model: CategoryModel | None = None) -> list[str]:
    return (model or get_model()).predict(list(texts))
