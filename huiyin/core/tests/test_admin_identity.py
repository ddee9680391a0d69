"""The Django admin never shows a petitioner's identity or a login code, and every look is audited.

The admin bypasses the staff app's scope (a superuser sees every accusation), so identity is masked
there always — unmasking is only the staff app's audited "show full identity" (SPEC §1.3, 条例 §30¶3).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from huiyin.core.models import AuditEntry
from huiyin.notify.models import Notification
from huiyin.org.models import User
from huiyin.portal import services as portal
from huiyin.portal.models import LoginCode

pytestmark = pytest.mark.django_db

ID_NUMBER, PHONE, ADDRESS, NAME = "11010519491231002X", "13800001234", "东城镇柳林村", "刘群众"
LOGIN_CODE = "424242"


@pytest.fixture
def root(db):
    return User.objects.create_superuser(username="root", password="pw-root-long-enough", email="")


@pytest.fixture
def identity_everywhere(register_case, org, monkeypatch, settings):
    """An accusation naming its petitioner everywhere the admin could show it, and a login code sent."""
    settings.HUIYIN_NOTIFY_SMS_BACKEND = "huiyin.notify.backends.ConsoleBackend"
    case = register_case(
        petition_type="accusation",
        accused_unit_id=org.unit_a.pk,
        accused_person="张某某",
        title=f"举报张某某 联系{PHONE}",
        content=f"我是{NAME}，身份证{ID_NUMBER}，住{ADDRESS}，电话{PHONE}。",
    )
    monkeypatch.setattr(portal.secrets, "randbelow", lambda n: int(LOGIN_CODE))
    portal.login_code_send(medium="sms", address=PHONE)
    return case


def every_admin_page(client) -> dict[str, bytes]:
    """The changelist and every object's change and history page of every registered model."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        pages[url] = client.get(url).content
        for pk in model_admin.get_queryset(None).values_list("pk", flat=True)[:5]:  # type: ignore[arg-type]
            for view in ("change", "history"):
                url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk])
                response = client.get(url)
                assert response.status_code in (200, 302), (url, response.status_code)
                pages[url] = response.content
    return pages


def test_no_admin_page_shows_an_id_number_phone_address_name_or_login_code(client, root, identity_everywhere):
    # given an accusation whose petitioner's identity is in the parties, the submission, the
    # notifications and the free text, and a login code just sent by SMS
    code_hash = LoginCode.objects.get().code_hash
    assert Notification.objects.filter(body__contains=LOGIN_CODE).exists()
    client.force_login(root)
    # when the superuser opens every admin page
    pages = every_admin_page(client)
    # then none of them carries the identity or the login code (or its hash)
    assert len(pages) > 20
    for url, html in pages.items():
        text = html.decode()
        for secret in (ID_NUMBER, PHONE, ADDRESS, NAME, LOGIN_CODE, code_hash):
            assert secret not in text, (url, secret)


def test_login_codes_have_no_admin_page(client, root):
    assert LoginCode not in admin.site._registry
    from huiyin.cases.models import Attachment, CasePetitioner, Petitioner

    for model in (Petitioner, CasePetitioner, Attachment):
        assert model not in admin.site._registry  # identity only through the staff app's audited reveal


def test_identity_bearing_admin_models_are_read_only(root, identity_everywhere):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = root
    for label in (
        "cases.Case",
        "cases.Submission",
        "cases.CaseEvent",
        "cases.Opinion",
        "notify.Notification",
        "notify.CaseContact",
        "open311.ServiceRequest",
    ):
        model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


def test_every_admin_look_at_an_identity_bearing_model_is_audited(client, root, identity_everywhere):
    case = identity_everywhere
    client.force_login(root)
    client.get(reverse("admin:cases_case_changelist"), {"status": "registered"})
    client.get(reverse("admin:cases_submission_change", args=[case.submission.pk]))
    client.get(reverse("admin:notify_notification_changelist"))
    rows = list(AuditEntry.objects.filter(kind=AuditEntry.Kind.ADMIN_VIEW).order_by("pk"))
    assert [(r.actor, r.detail["model"], r.detail["view"]) for r in rows] == [
        (root, "cases.Case", "list"),
        (root, "cases.Submission", "change"),
        (root, "notify.Notification", "list"),
    ]
    assert rows[0].detail["query"] == {"status": "registered"}
    assert rows[1].case == case and rows[1].detail["object"] == str(case.submission.pk)


def test_the_submission_shows_its_payload_masked(client, root, identity_everywhere):
    case = identity_everywhere
    client.force_login(root)
    html = client.get(reverse("admin:cases_submission_change", args=[case.submission.pk])).content.decode()
    assert "刘**" in html and "110***********002X" in html and "138****1234" in html
    assert "后台不显示" in html and "我是" not in html  # the free text is withheld, only its length shown
