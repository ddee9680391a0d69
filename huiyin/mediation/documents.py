"""The 人民调解协议书 (人民调解法 §28–§30) as .docx (python-docx) and a print view, from one description."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from huiyin.cases.documents import _font
from huiyin.mediation.choices import MediationKind
from huiyin.mediation.models import Agreement
from huiyin.mediation.services import confirmation_deadline


def _d(day: object) -> str:
    return f"{day.year}年{day.month}月{day.day}日"  # type: ignore[attr-defined]


def agreement_sections(agreement: Agreement) -> dict[str, object]:
    m = agreement.mediation
    title = "人民调解协议书" if m.kind == MediationKind.PEOPLE else f"{m.get_kind_display()}协议书"
    parties = [f"{p.get_side_display()}：{p.name}" for p in m.parties.all()]
    sections = [
        ("纠纷的主要事实、争议事项", agreement.facts),
        ("经调解，当事人自愿达成如下协议", agreement.obligations),
        ("履行协议的方式、期限", agreement.performance_terms),
        (
            "其他",
            f"本协议自各方当事人签名盖章或按指印、调解员签名并加盖调解组织印章之日起生效，一式{agreement.copies}份，"
            "当事人、调解组织各执一份。经调解组织调解达成的调解协议，具有法律约束力，当事人应当按照约定履行"
            "（《中华人民共和国人民调解法》第三十一条）。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
            f"（第三十三条），即{_d(confirmation_deadline(agreement))}前。",
        ),
    ]
    return {
        "title": title,
        "number": f"编号：调字第{m.pk}号",
        "parties": parties,
        "sections": sections,
        "signatures": [
            "当事人（签名盖章或按指印）：",
            "调解员（签名）：" + "、".join(u.full_name or u.username for u in m.mediators.all()),
        ],
        "organ": f"{m.organ.name}（印章）",
        "date": _d(agreement.signed_on),
    }


def agreement_docx(agreement: Agreement) -> bytes:
    data = agreement_sections(agreement)
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(head.add_run(str(data["title"])), "SimHei", 22, bold=True)
    num = doc.add_paragraph()
    num.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(num.add_run(str(data["number"])), "FangSong", 12)
    for line in data["parties"]:  # type: ignore[attr-defined]
        _font(doc.add_paragraph().add_run(line), "FangSong", 16)
    for title, text in data["sections"]:  # type: ignore[attr-defined]
        _font(doc.add_paragraph().add_run(f"{title}："), "SimHei", 16, bold=True)
        for line in (text or "").splitlines() or [""]:
            _font(doc.add_paragraph().add_run(line), "FangSong", 16)
    for line in [*data["signatures"], data["organ"], data["date"]]:  # type: ignore[misc]
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(p.add_run(str(line)), "FangSong", 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
