"""Minutes of a 民情恳谈会 as .docx (python-docx, as huiyin/cases/documents.py does)."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from huiyin.outreach.models import Meeting


def _para(doc: object, text: str, size: float = 12, bold: bool = False) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    run = p.add_run(text)
    run.font.name = "FangSong"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "FangSong")
    run.font.size = Pt(size)
    run.bold = bold


def minutes_filename(meeting: Meeting) -> str:
    return f"{meeting.held_on:%Y%m%d}-{meeting.get_kind_display()}纪要.docx"


def minutes_docx(meeting: Meeting) -> bytes:
    """Title, date, place, attendees (staff document: names stay in the office), each issue raised and
    what became of it: the answer given, the case registered, or the promise published."""
    doc = Document()
    _para(doc, f"{meeting.get_kind_display()}纪要", 18, bold=True)
    _para(doc, f"主题：{meeting.title}")
    _para(doc, f"时间：{meeting.held_on:%Y年%m月%d日}    地点：{meeting.place}")
    _para(doc, f"召集单位：{meeting.unit.name}    记录人：{meeting.convened_by}")
    _para(doc, f"参会人员：{meeting.attendees}")
    _para(doc, "群众提出的问题及答复办理情况", 14, bold=True)
    for n, issue in enumerate(meeting.issues.select_related("case", "commitment"), start=1):
        _para(doc, f"{n}. {issue.text}")
        if issue.outcome == "answered":
            outcome = f"当场答复：{issue.answer}"
        elif issue.case is not None:
            outcome = f"经本人同意登记为信访事项（编号 {issue.case.code}），进入信访部门办理"
        elif issue.commitment is not None:
            outcome = f"作出公开承诺：{issue.commitment.title}，{issue.commitment.due_on:%Y年%m月%d日}前完成"
        else:
            outcome = "待答复"
        _para(doc, f"    办理情况：{outcome}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
