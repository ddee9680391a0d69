"""What the outreach writes share: the field error, the registration of what a cadre found as a case
(a visit's problem, a meeting's issue), and the keyed hash that stands for a verified person."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.org import roles
from huiyin.org.choices import UnitKind
from huiyin.org.models import Territory, Unit, User

MSG_NO_CONSENT = "须经本人同意后才能登记为信访事项，请记录其同意"
MSG_NOT_OPEN = "该问题已处理，不能重复转办"


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"fields": {field: message}})


def office_for(territory: Territory) -> Unit | None:
    """The petition office nearest the point: its township's office, else the one above."""
    for node in reversed(territory.ancestors()):
        office = (
            Unit.objects.filter(territory=node, kind=UnitKind.PETITION_OFFICE, is_active=True)
            .order_by("code")
            .first()
        )
        if office is not None:
            return office
    return None


def _register_found(
    *, text: str, territory: Territory, place: str, data: CaseFromProblemIn, actor: User, key: str
) -> Case:
    """Register what a cadre found (a visit, a meeting) as a case of channel 排查走访发现 at the petition
    office nearest the place, through case_register (its own checks: role, fields, 条例 §30¶3)."""
    if actor.role not in roles.REGISTER:
        raise PermissionDenied("您的岗位不能登记信访事项，请交乡镇信访办登记")
    office = office_for(territory)
    if office is None:
        raise ValidationFailed("该地没有可登记的信访部门")
    case, _created = case_register(
        data=CaseIn(
            channel=Channel.FOUND,
            petition_type=data.petition_type,
            title=data.title.strip() or text[:60],
            content=text,
            request=data.request.strip(),
            territory_id=territory.pk,
            address=place,
            accused_person=data.accused_person,
            accused_unit_id=data.accused_unit_id,
            petitioners=[PetitionerIn(name=data.person_name, phone=data.phone, id_number=data.id_number)],
        ),
        office=office,
        actor=actor,
        idempotency_key=key,
    )
    return case


@dataclass
class CaseFromProblemIn:
    title: str
    request: str
    person_name: str
    consent_note: str
    phone: str = ""
    id_number: str = ""
    petition_type: str = PetitionType.COMPLAINT
    accused_person: str = ""
    accused_unit_id: int | None = None
    consent_given: bool = False


def voter_hash(contact: str) -> str:
    """A keyed hash of the verified phone or e-mail: one rating per person, no number stored."""
    return salted_hmac("huiyin.outreach.rating", contact.strip().lower(), algorithm="sha256").hexdigest()
