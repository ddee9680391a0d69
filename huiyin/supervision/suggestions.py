"""Suggestions of the petition office to organs and their written feedback (条例 §40¶2–4; SV-3, t10-rules).

The 信访部门 proposes 改进工作 (¶1), 完善政策 (¶2) or 追究责任 (¶3) to an organ; the organ gives written
feedback on whether it adopted it (¶4). 2022 sets no time limit for the feedback; the profile's
`suggestion_feedback_days` (default 30 calendar days, from 2005 §36¶2) sets `due_on`. An unanswered
suggestion past its date is overdue and listed as such for the office and the organ; the counts by
adoption feed the annual report (§41(三)).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.calendar import current_calendar
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.core.workdays import DayUnit, add_days
from huiyin.org import roles
from huiyin.org.choices import Role, RuleKey, UnitKind, ValueUnit
from huiyin.org.models import Unit, User
from huiyin.org.selectors import profile_for, rules_for_profile
from huiyin.supervision.choices import EVENT_SUGGESTION, EVENT_SUGGESTION_FEEDBACK, Adoption, SuggestionKind
from huiyin.supervision.models import Suggestion

ISSUE_ROLES = roles.SUGGEST
FEEDBACK_ROLES = roles.ANSWER_SUGGESTION
MSG_NOT_OFFICE = "只有信访部门可以向有关机关提出建议（《信访工作条例》第四十条）"
MSG_NOT_RECIPIENT = "只有收到建议的机关的工作人员可以书面反馈采纳情况"
MSG_ANSWERED = "该建议已书面反馈"
MSG_OUTSIDE = "只能向本辖区的机关提出建议"
MSG_ACCUSED = "不得就检举控告事项向被反映单位一方提出建议（《信访工作条例》第三十条第三款）"


def may_issue(user: User) -> bool:
    unit = getattr(user, "unit", None)
    return bool(unit is not None and unit.kind == UnitKind.PETITION_OFFICE and user.role in ISSUE_ROLES)


def may_answer(user: User, suggestion: Suggestion) -> bool:
    return bool(user.unit_id and user.unit_id == suggestion.to_unit_id and user.role in FEEDBACK_ROLES)


def feedback_due(from_unit: Unit, on: date) -> tuple[date, str]:
    """The written-feedback date of a suggestion made on `on`, from the office's rule profile."""
    rule = rules_for_profile(profile_for(from_unit.territory))[RuleKey.SUGGESTION_FEEDBACK_DAYS]
    unit = DayUnit.WORKING if rule.unit == ValueUnit.WORKING_DAY else DayUnit.CALENDAR
    return add_days(on, rule.value, unit, current_calendar()).due, rule.article


def target_units(user: User) -> QuerySet[Unit]:
    """The organs of the office's jurisdiction (its territory and below), other than itself."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(is_active=True, territory__path__startswith=unit.territory.path)
        .exclude(pk=unit.pk)
        .select_related("territory")
        .order_by("territory__path", "name")
    )


@transaction.atomic
def suggestion_issue(
    *, actor: User, to_unit: Unit, kind: SuggestionKind | str, content: str, case: Case | None = None
) -> Suggestion:
    """条例 §40: the petition office proposes to an organ; the feedback date starts today."""
    if not may_issue(actor):
        raise PermissionDenied(MSG_NOT_OFFICE)
    if kind not in SuggestionKind.values:
        raise ValidationFailed("请选择建议类别", extra={"fields": {"kind": "请选择建议类别"}})
    content = (content or "").strip()
    if not content:
        raise ValidationFailed("请填写建议内容", extra={"fields": {"content": "请填写建议内容"}})
    if not target_units(actor).filter(pk=to_unit.pk).exists():
        raise ValidationFailed(MSG_OUTSIDE, extra={"fields": {"to_unit": MSG_OUTSIDE}})
    if case is not None and on_accused_side(to_unit.pk, case.accused_unit_id):
        # 条例 §30¶3: a suggestion about an accusation never goes to (or tells) the accused side
        raise ValidationFailed(MSG_ACCUSED, extra={"fields": {"to_unit": MSG_ACCUSED}})
    assert actor.unit is not None
    today = timeutil.today()
    due, article = feedback_due(actor.unit, today)
    suggestion = Suggestion.objects.create(
        kind=kind,
        from_unit=actor.unit,
        to_unit=to_unit,
        case=case,
        content=content,
        issued_by=actor,
        issued_at=timeutil.now(),
        issued_on=today,
        due_on=due,
        article=article,
    )
    if case is not None:
        event_record(
            case=case,
            event_type=EVENT_SUGGESTION,
            actor=actor,
            data={
                "suggestion": suggestion.pk,
                "to_unit": to_unit.pk,
                "kind_label": SuggestionKind(kind).label,
                "to_unit_name": to_unit.name,
                "due_on": due.isoformat(),
            },
        )
    return suggestion


@transaction.atomic
def suggestion_feedback(
    *, suggestion: Suggestion, actor: User, adoption: Adoption | str, feedback: str
) -> Suggestion:
    """条例 §40¶4: the organ's written feedback on adoption; a refusal states its reasons."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not may_answer(actor, suggestion):
        raise PermissionDenied(MSG_NOT_RECIPIENT)
    if suggestion.feedback_on is not None:
        raise ValidationFailed(MSG_ANSWERED)
    if adoption not in Adoption.values:
        raise ValidationFailed("请选择采纳情况", extra={"fields": {"adoption": "请选择采纳情况"}})
    feedback = (feedback or "").strip()
    if not feedback:
        message = "不予采纳的须说明理由" if adoption == Adoption.NOT_ADOPTED else "请填写书面反馈"
        raise ValidationFailed(message, extra={"fields": {"feedback": message}})
    suggestion.adoption, suggestion.feedback = adoption, feedback
    suggestion.feedback_by, suggestion.feedback_on = actor, timeutil.today()
    suggestion.save(update_fields=["adoption", "feedback", "feedback_by", "feedback_on"])
    if suggestion.case_id:
        event_record(
            case=suggestion.case,  # type: ignore[arg-type]
            event_type=EVENT_SUGGESTION_FEEDBACK,
            actor=actor,
            data={
                "suggestion": suggestion.pk,
                "adoption": str(adoption),
                "adoption_label": Adoption(adoption).label,
                "feedback_on": suggestion.feedback_on.isoformat(),
            },
            reason=feedback,
        )
    return suggestion


# --- reads ------------------------------------------------------------------------------------------


def suggestions_for(user: User) -> QuerySet[Suggestion]:
    """What the user's unit proposed and what it received; supervisors and leaders also see those of
    the offices of their territory."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return Suggestion.objects.none()
    scope = Q(from_unit_id=unit.pk) | Q(to_unit_id=unit.pk)
    if user.role in (Role.SUPERVISOR, Role.LEADER):
        scope |= Q(from_unit__territory__path__startswith=unit.territory.path)
    return Suggestion.objects.filter(scope).select_related("from_unit", "to_unit", "case")


def overdue(qs: QuerySet[Suggestion], today: date | None = None) -> QuerySet[Suggestion]:
    return qs.filter(feedback_on__isnull=True, due_on__lt=today or timeutil.today())


def adoption_counts(qs: QuerySet[Suggestion]) -> dict[str, int]:
    """For the annual report (条例 §41(三)): answered suggestions by adoption, and the unanswered."""
    counts = {row["adoption"]: row["n"] for row in qs.values("adoption").annotate(n=Count("id"))}
    return {**{a.value: counts.get(a.value, 0) for a in Adoption}, "unanswered": counts.get("", 0)}
