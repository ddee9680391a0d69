"""The written answers as documents: 信访处理意见书, 复查意见书, 复核意见书 (条例 §32, §35, §36).

`opinion_sections` is the one description of a document's content; the .docx (python-docx, built
programmatically so nothing depends on a binary template) and the HTML print view both render it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from huiyin.cases.choices import Decision, OpinionStage
from huiyin.cases.models import Opinion

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SECTION_REQUEST = "信访请求"
SECTION_FACTS = "事实和理由"
SECTION_DECISION = "处理意见"
SECTION_AGREEMENT = "调解协议或和解协议"
SECTION_LEGAL_BASIS = "法律法规依据"
ROUTE_TITLES = {
    OpinionStage.HANDLING: "请求复查的途径和期限",
    OpinionStage.REVIEW: "请求复核的途径和期限",
    OpinionStage.REREVIEW: "告知事项",
}
DECISION_TEXT = {
    Decision.SUPPORT: "支持。请求事实清楚，符合法律、法规、规章或者其他有关规定，予以支持。",
    Decision.EXPLAIN: "解释说明。请求事由合理但缺乏法律依据，作出解释说明。",
    Decision.NOT_SUPPORT: "不予支持。请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，不予支持。",
    Decision.MEDIATED: "经调解，双方达成协议（见下）。",
}


@dataclass
class OpinionDocument:
    title: str
    number: str
    addressee: str
    sections: list[tuple[str, str]] = field(default_factory=list)
    issuer: str = ""
    issued_on: str = ""


def opinion_filename(opinion: Opinion) -> str:
    return f"{opinion.case.code}-{OpinionStage(opinion.stage).label}.docx"


def opinion_sections(opinion: Opinion) -> OpinionDocument:
    """What the document says, in order: request, facts and reasons, decision, legal basis, route."""
    case = opinion.case
    stage = OpinionStage(opinion.stage)
    names = "、".join(p.petitioner.name for p in case.parties.select_related("petitioner"))
    sections = [
        (SECTION_REQUEST, opinion.request_summary or case.request or case.title),
        (SECTION_FACTS, opinion.facts_reasons),
        (SECTION_DECISION, DECISION_TEXT.get(Decision(opinion.decision), opinion.get_decision_display())),
    ]
    if opinion.agreement:
        sections.append((SECTION_AGREEMENT, opinion.agreement))
    sections.append((SECTION_LEGAL_BASIS, opinion.legal_basis))
    if opinion.review_route:
        sections.append((ROUTE_TITLES[stage], opinion.review_route))
    issued = timezone.localtime(opinion.issued_at)
    return OpinionDocument(
        title=stage.label,
        number=f"编号：{case.code}-{opinion.pk}",
        addressee=f"{names or '信访人'}：",
        sections=sections,
        issuer=opinion.issued_unit.name,
        issued_on=f"{issued.year}年{issued.month}月{issued.day}日",
    )


def _font(run: object, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    r_pr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), name)  # East Asian text needs its own font slot


def opinion_docx(opinion: Opinion) -> bytes:
    """Render the opinion as a .docx (A4, 仿宋 body, 黑体 headings, issuing unit and date at the foot)."""
    doc_data = opinion_sections(opinion)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Pt(842), Pt(595)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(doc_data.title), "SimHei", 22, bold=True)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(number.add_run(doc_data.number), "FangSong", 12)
    _font(doc.add_paragraph().add_run(doc_data.addressee), "FangSong", 16)
    for title, text in doc_data.sections:
        _font(doc.add_paragraph().add_run(f"{title}："), "SimHei", 16, bold=True)
        for line in text.splitlines() or [""]:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(32)
            _font(para.add_run(line), "FangSong", 16)
    for text in (doc_data.issuer, doc_data.issued_on):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(para.add_run(text), "FangSong", 16)
    doc.core_properties.title = f"{doc_data.title} {opinion.case.code}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
