"""Reply-quality check before a reply is sent (an aid for the handler; never blocks on its own).

Checks, each with a warning in Chinese when it fails:

* ``addresses_request`` — the reply takes up the request: share of the request title's distinctive
  character bigrams (or, without a title, of the text's first 60 characters) found in the reply ≥ 0.3;
* ``states_decision`` — it states what was found/decided (经调查/经核实/决定/同意/不予/已…/将…);
* ``states_basis`` — it gives the basis: a cited document 《…》, 第…条, or 根据/依据/按照…规定/政策/标准;
* ``review_route`` — it tells the petitioner how to seek review (复查/复核/行政复议/诉讼/如有异议/不服…);
* ``timely`` — days from the message to the reply ≤ ``deadline_days`` (default 60, 《信访工作条例》
  办理期限); a reply time is needed for this check, otherwise it is not evaluated;
* ``substantive`` — more than boilerplate: ≥ 80 characters once greeting/thanks are removed.

``completeness`` = substantive ∧ (addresses_request ∨ states_decision);
``interpretability`` = states_basis ∨ (an explanation: 因为/由于/因此/鉴于/原因 …).
:func:`agreement` compares the last two with the hand labels of reply_quality_annotated.csv.

    check_reply(request_text, reply_text, request_title="", received_at=None, replied_at=None) -> ReplyCheck
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

_DECISION = re.compile(
    r"经(?:调查|核实|核查|查|了解|研究|现场|走访|协调)|调查(?:处理)?情况|决定|同意|不予|不能|无法|不符合|符合|"
    r"已(?:经)?(?:责令|要求|安排|组织|完成|处理|整改|解决|落实|修复|清理|办理|督促|告知|联系|立案|发放|受理)|"
    r"将(?:于|在|尽快|继续|加快|进一步)|预计|目前|现已|正在"
)
_BASIS = re.compile(
    r"《[^》]{2,40}》|第[一二三四五六七八九十百零\d]+条|(?:根据|依据|按照|依照|参照)[^。；]{0,40}?(?:规定|政策|标准|办法|条例|法|文件|要求|精神|意见|通知)"
)
_EXPLAIN = re.compile(r"因为|由于|因此|鉴于|原因|所以|故|因该|考虑到")
_REVIEW = re.compile(r"复查|复核|行政复议|行政诉讼|提起诉讼|如(?:有|对)[^。]{0,20}(?:异议|不服|不满意)|不服")
_BOILER = re.compile(
    r"网友[“\"]?[A-Z0-9]*[”\"]?|您好|你好|市民同志|感谢您?对我们工作的[^。！]*[。！]?|"
    r"您的留言已收悉|已收悉|现(?:将[^。：]*)?(?:回复|答复)如下|特此回复|\d{4}年\d{1,2}月\d{1,2}日"
)
_NONWORD = re.compile(r"[\W_]+")


@dataclass
class ReplyCheck:
    addresses_request: bool
    states_decision: bool
    states_basis: bool
    review_route: bool
    substantive: bool
    timely: bool | None
    days_to_reply: float | None
    completeness: bool
    interpretability: bool
    warnings: list[str] = field(default_factory=list)
    overlap: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _bigrams(s: str) -> set[str]:
    s = _NONWORD.sub("", s or "")
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _overlap(request: str, reply: str) -> float:
    req = {b for b in _bigrams(request) if not re.fullmatch(r"[A-Z0-9]+", b)}
    if not req:
        return 0.0
    rep = _bigrams(reply)
    return len(req & rep) / len(req)


def check_reply(
    request_text: str,
    reply_text: str,
    request_title: str = "",
    received_at: datetime | None = None,
    replied_at: datetime | None = None,
    deadline_days: int = 60,
) -> ReplyCheck:
    reply = reply_text or ""
    anchor = request_title or (request_text or "")[:60]
    overlap = _overlap(anchor, reply)
    addresses = overlap >= 0.3
    decision = bool(_DECISION.search(reply))
    basis = bool(_BASIS.search(reply))
    review = bool(_REVIEW.search(reply))
    body = _NONWORD.sub("", _BOILER.sub("", reply))
    substantive = len(body) >= 80
    days = None
    timely = None
    if received_at and replied_at:
        days = round((replied_at - received_at).total_seconds() / 86400, 1)
        timely = days <= deadline_days
    warnings = []
    if not addresses:
        warnings.append(f"答复与诉求关联度低（重合 {overlap:.0%}）：请确认是否回应了所反映的具体问题")
    if not decision:
        warnings.append("未写明调查核实情况或处理意见（同意/不予支持/已办理/将办理）")
    if not basis:
        warnings.append("未写明依据（法律法规、政策文件或具体条款）")
    if not review:
        warnings.append("未告知复查/复核途径和期限（如对处理意见不服，可在收到之日起30日内请求复查）")
    if not substantive:
        warnings.append("答复内容过短，多为客套语")
    if timely is False:
        warnings.append(f"答复用时 {days:g} 天，超过 {deadline_days} 天办理期限")
    return ReplyCheck(
        addresses_request=addresses,
        states_decision=decision,
        states_basis=basis,
        review_route=review,
        substantive=substantive,
        timely=timely,
        days_to_reply=days,
        completeness=substantive and (addresses or decision),
        interpretability=basis or bool(_EXPLAIN.search(reply)),
        warnings=warnings,
        overlap=round(overlap, 3),
    )


def _kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return round((po - pe) / (1 - pe), 3) if pe < 1 else 0.0


def agreement(directory=None) -> dict:
    """Agreement of completeness/interpretability with the hand labels, against the majority baseline;
    plus how often each check fires and reply times on messages_with_replies.csv."""
    from huiyin.assist.data import data_dir, read_csv

    d = data_dir(directory)
    rows = list(read_csv(d / "reply_quality_annotated.csv"))
    out: dict = {"n": len(rows)}
    checks = [check_reply(r["留言详情"], r["答复意见"], r.get("留言主题", "")) for r in rows]
    for name, col in (("completeness", "完整性指标"), ("interpretability", "可解释性指标")):
        gold = [float(r[col] or 0) >= 0.5 for r in rows]
        pred = [getattr(c, name) for c in checks]
        acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
        tp = sum(g and p for g, p in zip(gold, pred, strict=True))
        base = max(sum(gold), len(gold) - sum(gold)) / len(gold)
        out[name] = {
            "accuracy": round(acc, 3),
            "majority_baseline": round(base, 3),
            "kappa": _kappa(gold, pred),
            "precision_of_ok": round(tp / max(1, sum(pred)), 3),
            "recall_of_ok": round(tp / max(1, sum(gold)), 3),
            "gold_ok": sum(gold),
            "pred_ok": sum(pred),
        }
    # How the individual checks fire on all replies (with reply times).
    full = list(read_csv(d / "messages_with_replies.csv"))
    fired = {
        k: 0 for k in ("addresses_request", "states_decision", "states_basis", "review_route", "substantive")
    }
    late = 0
    timed = 0
    days = []
    for r in full:
        t0: datetime | None
        t1: datetime | None
        try:
            t0 = datetime.fromisoformat(r["留言时间_iso"])
            t1 = datetime.fromisoformat(r["答复时间_iso"])
        except (KeyError, ValueError):
            t0 = t1 = None
        c = check_reply(r["留言详情"], r["答复意见"], r.get("留言主题", ""), t0, t1)
        for k in fired:
            fired[k] += bool(getattr(c, k))
        if c.timely is not None:
            timed += 1
            late += not c.timely
            days.append(c.days_to_reply)
    days.sort()
    out["all_replies"] = {
        "n": len(full),
        "share_passing": {k: round(v / max(1, len(full)), 3) for k, v in fired.items()},
        "late_over_60_days": late,
        "median_days_to_reply": days[len(days) // 2] if days else None,
        "with_times": timed,
    }
    return out
