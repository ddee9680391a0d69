"""The intake window (登记): what the clerk types is registered once, or shown back with the reason."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huiyin.cases.models import Case, Category
from huiyin.core.models import AuditEntry

pytestmark = pytest.mark.django_db

IDS = ["11010519491231002X", "110105194912310134", "110105194912310230", "110105194912310337",
       "110105194912310433", "11010519491231053X"]  # fmt: skip


def intake_data(people=None, **overrides):
    people = (
        people if people is not None else [{"name": "刘群众", "id_number": IDS[0], "phone": "13800001234"}]
    )
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "channel": "visit",
        "petition_type": "complaint",
        "category": "",
        "territory": "",
        "address": "东城镇柳林村",
        "title": "小区楼道漏水无人维修",
        "content": "楼道漏水半年，多次找物业无果。",
        "request": "请督促物业维修",
        "accused_person": "",
        "accused_unit": "",
        "headcount": "1",
        "p-TOTAL_FORMS": str(len(people)),
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "200",
    }
    for i, person in enumerate(people):
        data[f"p-{i}-name"] = person.get("name", "")
        data[f"p-{i}-kind"] = person.get("kind", "person")
        data[f"p-{i}-id_number"] = person.get("id_number", "")
        data[f"p-{i}-phone"] = person.get("phone", "")
        data[f"p-{i}-address"] = person.get("address", "")
        if person.get("is_representative"):
            data[f"p-{i}-is_representative"] = "on"
    data.update(overrides)
    return data


def test_clerk_gets_the_form_with_leaf_categories_grouped_by_first_level(client, clerk_li):
    client.force_login(clerk_li)
    response = client.get(reverse("case_new"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<optgroup label="城乡建设">' in html
    groups = response.context["form"].fields["category"].choices[1:]
    assert len(groups) == Category.objects.filter(level=1).count()
    leaves = sum(len(group) for _, group in response.context["form"].fields["category"].choices[1:])
    assert leaves == Category.objects.filter(level=3).count() == 517
    assert 'name="idempotency_key"' in html


def test_handler_may_not_open_the_intake_form(client, handler_wang_unit_a):
    client.force_login(handler_wang_unit_a)
    response = client.get(reverse("case_new"))
    assert response.status_code == 403
    assert "您的岗位不能登记信访事项" in response.content.decode()


def test_registering_a_visit_redirects_to_the_case_with_its_receipt_code(client, clerk_li):
    client.force_login(clerk_li)
    response = client.post(reverse("case_new"), intake_data(), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("case_detail", args=[case.code])
    html = response.content.decode()
    assert f"受理凭证编号：{case.code}" in html
    assert reverse("case_receipt", args=[case.code]) in html
    assert case.parties.get().petitioner.id_number == IDS[0]


def test_a_double_submit_with_the_same_key_creates_one_case(client, clerk_li):
    client.force_login(clerk_li)
    data = intake_data()
    client.post(reverse("case_new"), data)
    response = client.post(reverse("case_new"), data, follow=True)
    assert Case.objects.count() == 1
    assert "未重复建件" in response.content.decode()


def test_an_accusation_without_accused_is_refused_and_nothing_typed_is_lost(client, clerk_li):
    client.force_login(clerk_li)
    data = intake_data(petition_type="accusation", content="某某收受好处费，情节严重。")
    response = client.post(reverse("case_new"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "检举控告须写明被反映人或被反映单位" in html
    assert "某某收受好处费，情节严重。" in html
    assert IDS[0] in html and data["idempotency_key"] in html
    assert Case.objects.count() == 0


def test_six_representatives_are_refused_then_five_are_registered(client, clerk_li):
    client.force_login(clerk_li)
    people = [{"name": f"代表{i}", "id_number": IDS[i], "is_representative": True} for i in range(6)]
    data = intake_data(people, is_collective="on", headcount="30")
    refused = client.post(reverse("case_new"), data)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "代表不得超过5人" in html
    assert all(f"代表{i}" in html for i in range(6))
    assert Case.objects.count() == 0

    data.pop("p-5-is_representative")
    registered = client.post(reverse("case_new"), data)
    assert registered.status_code == 302
    case = Case.objects.get()
    assert case.is_collective and case.headcount == 30
    assert case.parties.filter(is_representative=True).count() == 5


def test_an_invalid_id_number_is_marked_on_its_row(client, clerk_li):
    client.force_login(clerk_li)
    people = [{"name": "甲"}, {"name": "乙", "id_number": "110105194912310000"}]
    response = client.post(reverse("case_new"), intake_data(people))
    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors["id_number"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_blank_petitioner_rows_are_ignored(client, clerk_li):
    client.force_login(clerk_li)
    people = [{"name": "刘群众", "id_number": IDS[0]}, {}, {}]
    assert client.post(reverse("case_new"), intake_data(people)).status_code == 302
    assert Case.objects.get().parties.count() == 1


def test_attachments_are_stored_with_the_case(client, clerk_li, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk_li)
    data = intake_data()
    data["attachments"] = [
        SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n fake", content_type="image/png"),
    ]
    assert client.post(reverse("case_new"), data).status_code == 302
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["photo.png", "scan.pdf"]
    attachment = case.attachments.get(original_name="scan.pdf")
    download = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_the_add_row_button_without_javascript_adds_a_row_and_keeps_input(client, clerk_li):
    client.force_login(clerk_li)
    data = intake_data(add_row="1", title="保留的标题")
    response = client.post(reverse("case_new"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert "保留的标题" in response.content.decode()
    assert Case.objects.count() == 0


def test_lookup_shows_the_petitioner_and_earlier_cases_and_is_audited(client, clerk_li, register_case):
    earlier = register_case()
    client.force_login(clerk_li)
    response = client.get(reverse("petitioner_lookup"), {"lookup": "13800001234"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "刘群众" in html and earlier.code in html
    assert AuditEntry.objects.filter(kind="identity_search", actor=clerk_li, detail__by="phone").exists()


def test_lookup_with_no_match_says_so(client, clerk_li):
    client.force_login(clerk_li)
    response = client.get(reverse("petitioner_lookup"), {"lookup": "13999999999"})
    assert "没有找到" in response.content.decode()


def test_lookup_is_refused_to_a_handler(client, handler_wang_unit_a):
    client.force_login(handler_wang_unit_a)
    assert client.get(reverse("petitioner_lookup"), {"lookup": "13800001234"}).status_code == 403
