"""The 意见书 documents: the .docx and the print view carry every section 条例 §32 asks for."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document

from huiyin.cases import documents
from huiyin.core.models import AuditEntry
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(register_case, clock, dispatcher_zhou, handler_wang_unit_a, org):
    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # 条例 §23¶3
    clock.set(date(2025, 3, 20))
    return wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查，3栋楼道确有漏水。\n已责令物业限期维修。",
        decision="support",
        legal_basis="《物业管理条例》第三十五条",
    )


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_handling_opinion_docx_has_every_section(replied):
    opinion = replied.opinions.get()
    text = docx_text(documents.opinion_docx(opinion))
    assert "信访处理意见书" in text
    assert "信访请求：" in text and "请督促物业维修" in text
    assert "事实和理由：" in text and "已责令物业限期维修。" in text
    assert "处理意见：" in text and "支持" in text
    assert "法律法规依据：" in text and "《物业管理条例》第三十五条" in text
    assert "请求复查的途径和期限：" in text and "30日内" in text and "示范县人民政府请求复查" in text
    assert "示范县住房和城乡建设局" in text and "2025年3月20日" in text
    assert "刘群众：" in text
    assert "11010519491231002X" not in text  # the document names the petitioner, never their ID number


def test_a_review_opinion_says_how_to_ask_for_rereview(replied, clerk_li, reviewer_qian, clock):
    case = wf.case_deliver(case=replied, actor=clerk_li, method="in_person")
    case = wf.case_request_review(case=case, actor=clerk_li, reason="不服")
    case = wf.case_review_reply(
        case=case, actor=reviewer_qian, facts_reasons="复查维持", decision="not_support", legal_basis="条例"
    )
    opinion = case.opinions.get(stage="review")
    text = docx_text(documents.opinion_docx(opinion))
    assert "复查意见书" in text and "不予支持" in text
    assert "请求复核的途径和期限：" in text and "示范市人民政府请求复核" in text


def test_downloading_the_docx_is_audited(client, replied, dispatcher_zhou):
    opinion = replied.opinions.get()
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("opinion_docx", args=[replied.code, opinion.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "信访处理意见书" in docx_text(response.content)
    entry = AuditEntry.objects.get(kind="document")
    assert entry.actor == dispatcher_zhou and entry.case_id == replied.pk
    assert entry.detail == {"opinion": opinion.pk, "stage": "handling", "format": "docx"}


def test_the_print_view_shows_the_same_sections_and_is_audited(client, replied, handler_wang_unit_a):
    opinion = replied.opinions.get()
    client.force_login(handler_wang_unit_a)
    html = client.get(reverse("opinion_print", args=[replied.code, opinion.pk])).content.decode()
    for heading in ("信访请求", "事实和理由", "处理意见", "法律法规依据", "请求复查的途径和期限"):
        assert f"<h2>{heading}</h2>" in html
    assert AuditEntry.objects.filter(kind="document", detail__format="print").count() == 1


def test_another_unit_cannot_download_the_opinion(client, replied, handler_zhao_unit_b):
    opinion = replied.opinions.get()
    client.force_login(handler_zhao_unit_b)
    assert client.get(reverse("opinion_docx", args=[replied.code, opinion.pk])).status_code == 404
    assert not AuditEntry.objects.filter(kind="document").exists()
