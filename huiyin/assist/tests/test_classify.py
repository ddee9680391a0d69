"""Tests of the category model's NB-SVM training (no database, no Django, no shipped data)."""

from __future__ import annotations

import numpy as np
import pytest

from huiyin.assist import classify

# A tiny synthetic corpus: each class has its own vocabulary plus shared filler words.
_WORDS = {
    "教育文体": ["学校", "学生", "老师", "补课", "学位", "教育局"],
    "交通运输": ["公交", "道路", "出租车", "车站", "高速", "运输"],
    "环境保护": ["噪音", "污染", "排放", "垃圾", "油烟", "环保局"],
}
_FILLER = ["您好", "请问", "领导", "我们", "希望", "解决", "问题", "小区"]


def _corpus(n_per_class: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for label, words in _WORDS.items():
        for _ in range(n_per_class):
            picks = list(rng.choice(words, 3)) + list(rng.choice(_FILLER, 4))
            rng.shuffle(picks)
            docs.append("，".join(picks) + f"。编号{rng.integers(1000)}")
            labels.append(label)
    return docs, labels


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


def test_nbsvm_coefficients_equal_the_per_class_svm_on_scaled_features(corpus):
    from sklearn.svm import LinearSVC

    docs, labels = corpus
    params = {**classify.PARAMS, "model": "nbsvm", "nb_alpha": 1.0, "C": 0.6}
    vec = classify._vectorizer({**params, "min_df": 1})
    X = vec.fit_transform(docs)
    classes = sorted(set(labels))
    coef, intercept = classify._fit_linear(X, labels, classes, params)
    y = np.asarray(labels)
    Xb = (X > 0).astype(np.float64)
    for k, c in enumerate(classes):
        p = np.asarray(Xb[y == c].sum(0)).ravel() + 1.0
        q = np.asarray(Xb[y != c].sum(0)).ravel() + 1.0
        r = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=0.6, class_weight="balanced", random_state=0, max_iter=5000)
        svm.fit(X.multiply(r.astype(np.float32)).tocsr(), y == c)
        expected = svm.decision_function(X.multiply(r.astype(np.float32)).tocsr())
        np.testing.assert_allclose(X @ coef[k] + intercept[k], expected, rtol=1e-4, atol=1e-4)
        # the class's own words weigh for it
        assert coef[k, vec.vocabulary_[_WORDS[c][1]]] > 0


@pytest.mark.parametrize("model", ["svm", "nbsvm"])
def test_both_recipes_learn_and_are_deterministic(tmp_path, model):
    docs, labels = _corpus(seed=1)
    test_docs, test_labels = _corpus(n_per_class=10, seed=2)
    params = {"model": model, "min_df": 1, "calibration_folds": 2}
    m = classify.train(docs, labels, params=params)
    assert m.classes == sorted(set(labels))
    acc = np.mean([p == t for p, t in zip(m.predict(test_docs), test_labels, strict=True)])
    assert acc > 0.9
    # the single-message path gives the batch path's scores
    batch = [*test_docs, *test_docs, *test_docs][:70]
    fast = np.vstack([m._decision_one(d) for d in batch])
    np.testing.assert_allclose(fast, m.decision(batch), atol=1e-4)
    # probabilities: a fitted temperature, rows summing to 1
    p = m.predict_proba(test_docs[:3])
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    assert m.temperature > 0
    a = m.save(tmp_path / "a.npz").read_bytes()
    b = classify.train(docs, labels, params=params).save(tmp_path / "b.npz").read_bytes()
    assert a == b


def test_a_class_absent_from_a_calibration_fold_never_wins(corpus):
    docs, labels = corpus
    params = {**classify.PARAMS, "model": "nbsvm", "min_df": 1}
    vec = classify._vectorizer(params)
    keep = [i for i, lab in enumerate(labels) if lab != "环境保护"]
    X = vec.fit_transform([docs[i] for i in keep])
    classes = sorted(set(labels))
    coef, intercept = classify._fit_linear(X, [labels[i] for i in keep], classes, params)
    k = classes.index("环境保护")
    assert not coef[k].any() and intercept[k] == -1.0
    scores = X @ coef.T + intercept
    assert (scores.argmax(1) != k).all()
