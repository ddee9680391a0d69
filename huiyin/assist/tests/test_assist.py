"""Tests of the smart-assist aids (no database, no Django)."""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from huiyin.assist import classify, cli, duplicates, gazetteer, hotspots, reply_quality
from huiyin.assist.data import data_dir, labelled_rows, near_duplicate_groups

DATA = data_dir()
needs_data = pytest.mark.usefixtures("shipped_messages")  # fails loudly when ../shared is missing


# ---- classifier -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_split():
    rows = labelled_rows()
    rng = random.Random(0)
    by_label: dict[str, list] = {}
    for r in rows:
        by_label.setdefault(r[2], []).append(r)
    train, test = [], []
    for items in by_label.values():
        rng.shuffle(items)
        train += items[:120]
        test += items[120:150]
    return train, test


@pytest.mark.slow
@needs_data
def test_small_model_learns_and_round_trips(tmp_path, small_split):
    train, test = small_split
    docs = [t for _, t, _ in train]
    model = classify.train(docs, [lab for *_, lab in train], params={"calibration_folds": 2})
    preds = model.predict([t for _, t, _ in test])
    acc = np.mean([p == lab for p, (*_, lab) in zip(preds, test, strict=True)])
    assert acc > 0.7  # 840 training messages, 7 classes: far above chance (0.14)
    # the single-message fast path computes the same scores as the sklearn vectorizer
    many = [*[t for _, t, _ in test][:70], "  多个   空格\n\n换行 ABC abc"]
    fast = np.vstack([model._decision_one(d) for d in many])
    np.testing.assert_allclose(fast, model.decision(many), atol=1e-4)
    path = model.save(tmp_path / "m.npz")
    again = classify.CategoryModel.load(path)
    assert again.predict([t for _, t, _ in test]) == preds
    np.testing.assert_allclose(again.predict_proba(docs[:5]), model.predict_proba(docs[:5]), rtol=1e-5)
    # deterministic: same data, same bytes
    model2 = classify.train(docs, [lab for *_, lab in train], params={"calibration_folds": 2})
    assert model2.save(tmp_path / "m2.npz").read_bytes() == path.read_bytes()


@needs_data
def test_shipped_model_suggests_topk_with_probabilities():
    top = classify.suggest_categories("小区垃圾无人清理", "我们小区垃圾堆积如山，物业不管，臭气熏天", k=3)
    assert len(top) == 3
    labels = [lab for lab, _ in top]
    assert len(set(labels)) == 3 and set(labels) <= set(classify.get_model().classes)
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 1
    full = classify.get_model().predict_proba(["孩子上学学位不足，学校乱收补课费"])[0]
    assert abs(full.sum() - 1) < 1e-6
    assert classify.get_model().classes[int(full.argmax())] == "教育文体"
    assert classify.suggest_categories("", "") == []


@needs_data
def test_cli_evaluate_prints_one_json_object(tmp_path, capsys, small_split):
    _, test = small_split
    f = tmp_path / "t.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for _, text, label in test[:40]:
            w.writerow([text, label])
        w.writerow(["多行\n文本：公交车司机开车太快，公交站台没有遮雨棚", "交通运输"])
    assert cli.main(["evaluate", "--test", str(f)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    assert set(result) >= {"macro_f1", "accuracy", "per_class_f1", "ms_per_message"}
    assert result["n"] == 41
    assert 0 <= result["macro_f1"] <= 1 and isinstance(result["per_class_f1"], dict)


def test_near_duplicate_groups_join_repeats_only():
    a = "我是A市A3区某小区业主，小区物业乱收停车费，多次反映无果，请领导关注解决。"
    b = a + "谢谢！"
    c = "学校食堂饭菜质量差，价格贵，学生家长意见很大，希望教育局调查处理。"
    g = near_duplicate_groups([a, b, c])
    assert g[0] == g[1] != g[2]


# ---- duplicates -----------------------------------------------------------------------------------
TEXT = (
    "尊敬的领导：我是A市A5区魅力之城小区的业主，小区临街门面的餐饮店油烟直排，噪音扰民，"
    "晚上十二点以后还在营业，严重影响居民休息，多次向社区和城管反映，至今没有解决，请相关部门尽快处理。"
)
OTHER = "我家孩子今年上小学，按照学区划分应该在本片区入学，但学校以学位已满为由拒绝接收，请问教育局如何处理？"


def test_index_finds_edited_repeat_with_reason():
    idx = duplicates.DuplicateIndex()
    idx.add("m1", TEXT, petitioner="U1")
    idx.add("m2", OTHER, petitioner="U2", review_final=True)
    edited = "再次反映：" + TEXT.replace("至今没有解决", "到现在都没解决") + "望早日答复。"
    same = idx.find_duplicates(edited, petitioner="U1")
    assert [c.key for c in same] == ["m1"]
    assert same[0].reason == "same_petitioner" and 0.5 <= same[0].score < 1
    other = idx.find_duplicates(edited, petitioner="U9")
    assert other[0].reason == "other_petitioner"
    final = idx.find_duplicates(OTHER, petitioner="U2")
    assert final[0].key == "m2" and final[0].review_final and "复核终结" in final[0].explanation
    assert idx.find_duplicates("今天天气很好，公园里的花开了，市民纷纷出游赏花拍照留念。") == []


def test_bulk_and_incremental_parts_agree():
    rng = random.Random(3)
    base = [f"{i}号楼{OTHER}{rng.random()}" for i in range(1500)]
    idx = duplicates.DuplicateIndex()
    idx.add_many((f"b{i}", t, None, False) for i, t in enumerate(base))  # bulk → sorted arrays
    idx.add("late", TEXT)  # small → dict part
    assert idx.find_duplicates(TEXT)[0].key == "late"
    hit = idx.find_duplicates(base[700], limit=50)
    assert "b700" in [c.key for c in hit]


def test_one_off_find_duplicates_uses_exact_similarity():
    corpus = [("a", TEXT, "U1"), ("b", OTHER, "U2", True)]
    res = duplicates.find_duplicates(TEXT[:-10], corpus, petitioner="U3")
    assert [c.key for c in res] == ["a"] and res[0].reason == "other_petitioner"
    assert duplicates.similarity(TEXT, TEXT) == 1.0
    assert duplicates.similarity(TEXT, OTHER) < 0.1


def test_signature_estimates_jaccard():
    rng = random.Random(0)
    edited = duplicates.edit_copy(TEXT * 3, rng)
    exact = duplicates.similarity(TEXT * 3, edited)
    est = float((duplicates.signature(TEXT * 3) == duplicates.signature(edited)).mean())
    assert abs(exact - est) < 0.2
    assert float((duplicates.signature(TEXT) == duplicates.signature(OTHER)).mean()) < 0.15


# ---- hotspots -------------------------------------------------------------------------------------
def _msg(i, user, title, text, day, likes=0):
    return hotspots.Message(str(i), user, title, text, datetime(2019, 8, 1) + timedelta(days=day), likes, 0)


def test_hotspots_cluster_and_rank():
    msgs = []
    for i in range(8):
        msgs.append(
            _msg(
                i,
                f"U{i}",
                "投诉A市伊景园滨河苑捆绑销售车位",
                f"伊景园滨河苑开发商捆绑销售车位，购房必须买车位{i}号",
                i,
            )
        )
    for i in range(3):
        msgs.append(
            _msg(
                10 + i,
                f"V{i}",
                "A2区丽发新城搅拌站噪音扰民",
                f"丽发新城小区附近搅拌站日夜施工噪音灰尘{i}",
                40 + i,
                5,
            )
        )
    msgs.append(_msg(20, "W", "学校收费问题", "某学校违规收取补课费用", 3))
    msgs.append(_msg(21, "W", "学校收费问题", "某学校违规收取补课费用再次反映", 4))  # one user only: not hot
    top = hotspots.find_hotspots(msgs, window_days=30, top=5)
    assert [h.n_users for h in top] == [8, 3]
    assert "伊景园" in top[0].label and top[0].place.startswith("伊景园滨河苑")
    assert top[1].area == "A市A2区" or top[1].area.endswith("A2区")
    assert top[0].start <= top[0].end and top[0].rank == 1


@needs_data
def test_hotspots_on_shipped_data_top_cluster_is_coherent():
    msgs = hotspots.load_messages(DATA / "hotspot_messages.csv")[:1500]
    top = hotspots.find_hotspots(msgs, top=3)
    assert top
    h = top[0]
    # coherent: most titles in the cluster share the label's place
    key = h.place[:3]
    assert key and sum(key in t for t in h.titles) >= len(h.titles) * 0.6


# ---- reply quality --------------------------------------------------------------------------------
def test_reply_check_flags_missing_parts():
    good = (
        "网友您好！您反映的“A3区某小区物业乱收停车费”问题已收悉。经调查核实，该物业未经业主大会同意上调停车费，"
        "根据《西地省机动车停放服务收费管理办法》第七条规定，已责令物业公司恢复原收费标准并退还多收费用。"
        "如对处理意见不服，可自收到本答复之日起30日内向上一级行政机关请求复查。"
    )
    c = reply_quality.check_reply("小区物业乱收停车费", good, "A3区某小区物业乱收停车费")
    assert c.addresses_request and c.states_decision and c.states_basis and c.review_route
    assert c.completeness and c.interpretability and c.warnings == []
    bad = reply_quality.check_reply(
        "小区物业乱收停车费",
        "网友您好！您的留言已收悉。感谢您对我们工作的支持。",
        "A3区某小区物业乱收停车费",
        datetime(2019, 1, 1),
        datetime(2019, 4, 1),
    )
    assert not bad.completeness and not bad.review_route and bad.timely is False
    assert any("复查" in w for w in bad.warnings) and any("超过" in w for w in bad.warnings)


@needs_data
def test_reply_agreement_report_has_baselines():
    r = reply_quality.agreement()
    assert r["n"] == 99
    for k in ("completeness", "interpretability"):
        assert 0 <= r[k]["accuracy"] <= 1 and 0.5 <= r[k]["majority_baseline"] <= 1


# ---- gazetteer ------------------------------------------------------------------------------------
def test_gazetteer_longest_match_and_hierarchy():
    g = gazetteer.Gazetteer.from_rows(
        [
            {"code": "A", "name": "A市"},
            {"code": "A5", "name": "A5区", "aliases": "雨花区|A5", "parent": "A"},
            {"code": "A5-1", "name": "东塘街道", "aliases": ["东塘"], "parent": "A5"},
            {"code": "B", "name": "B市"},
        ]
    )
    text = "我住在雨花区东塘街道魅力之城小区，东塘这边油烟扰民"
    assert [m.place.code for m in g.extract(text)] == ["A5", "A5-1", "A5-1"]
    assert [p.code for p in g.territory(text)] == ["A5-1", "A5", "A"]
    assert g.best("没有地名的文字") is None
    assert g.best("B市和A市") is not None
    assert gazetteer.admin_codes("A市A3区和B1县") == ["A市", "A3区", "B1县"]
    assert "魅力之城小区" in gazetteer.local_places("A5区魅力之城小区油烟扰民")
