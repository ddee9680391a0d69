"""公示、征求意见、听证: a draft is published with a comment period; verified people comment (named only
if they chose to be); the office publishes how each was handled, with reasons; a hearing is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.outreach import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org, head_sun_unit_a, clock):
    clock.set(date(2025, 3, 3))
    return services.consultation_publish(
        title="柳林村集中安置区选址方案",
        draft="拟在村东荒地建设集中安置区……",
        territory=org.township,
        opens_on=date(2025, 3, 3),
        closes_on=date(2025, 3, 31),
        actor=head_sun_unit_a,
    )


def test_comments_only_within_the_period_and_responses_with_reasons(draft, head_sun_unit_a, clock, client):
    # 2025-03-31 is the last day of the period: still accepted; 04-01 is not
    clock.set(date(2025, 3, 31))
    named = services.consultation_comment(
        consultation=draft, contact="13800000001", text="建议增设停车位", public_name="李建国"
    )
    anonymous = services.consultation_comment(consultation=draft, contact="13800000002", text="担心离河太近")
    clock.set(date(2025, 4, 1))
    with pytest.raises(ValidationFailed, match="不在征求意见期内"):
        services.consultation_comment(consultation=draft, contact="13800000003", text="晚了")
    services.comment_respond(
        comment=named, response="adopted", reason="已在方案中增设停车位40个", actor=head_sun_unit_a
    )
    services.comment_respond(
        comment=anonymous, response="not_adopted", reason="选址高于百年一遇洪水位", actor=head_sun_unit_a
    )
    with pytest.raises(ValidationFailed):
        services.comment_respond(comment=anonymous, response="partly", reason=" ", actor=head_sun_unit_a)
    services.hearing_record(
        consultation=draft,
        held_on=date(2025, 4, 8),
        place="镇政府会议室",
        participants="村民代表9人、人大代表2人",
        minutes="听证会对选址方案进行了讨论……",
        actor=head_sun_unit_a,
    )
    page = client.get(f"/public/consultations/{draft.pk}/").content.decode()
    assert "李建国" in page and "采纳</strong>：已在方案中增设停车位40个" in page
    assert "未采纳</strong>：选址高于百年一遇洪水位" in page and "匿名" in page
    assert "13800000002" not in page and "村民代表9人" in page


def test_only_the_publishing_units_head_responds(draft, handler_wang_unit_a, head_sun_unit_a, clock):
    comment = services.consultation_comment(consultation=draft, contact="13800000001", text="意见")
    with pytest.raises(PermissionDenied):
        services.comment_respond(comment=comment, response="adopted", reason="r", actor=handler_wang_unit_a)


def test_commenting_on_the_portal_needs_the_phone_sign_in(client, draft):
    url = f"/public/consultations/{draft.pk}/"
    assert client.post(url, {"text": "意见"})["Location"] == "/public/account/"
    session = client.session
    session["portal_contact"] = "13800001234"
    session.save()
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "建议听取下游村民意见"}).status_code == 302
    assert draft.comments.get().public_name == ""


def test_the_adoption_rate_counts_answered_comments_of_periods_closed_in_the_window(draft, head_sun_unit_a):
    """Three comments on a consultation closing 2025-03-31: adopted, not adopted, unanswered → 1 of 2.
    A window ending 2025-03-30 does not contain the close: 0 of 0."""
    from huiyin.outreach import metrics

    a, b, _ = (
        services.consultation_comment(consultation=draft, contact=f"1380000000{n}", text="意见")
        for n in range(3)
    )
    services.comment_respond(comment=a, response="adopted", reason="r", actor=head_sun_unit_a)
    services.comment_respond(comment=b, response="not_adopted", reason="r", actor=head_sun_unit_a)
    assert metrics.consultation_adopted(date(2025, 3, 1), date(2025, 3, 31)) == (1, 2)
    assert metrics.consultation_adopted(date(2025, 3, 1), date(2025, 3, 30)) == (0, 0)
