"""Registration (登记): every channel creates the same record, durably, exactly once per idempotency key."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from huiyin.cases.choices import (
    IDENTITY_REQUIRED,
    MSG_IDENTITY_REQUIRED,
    SELF_SERVICE_CHANNELS,
    Channel,
    ContactState,
    PetitionerKind,
    PetitionType,
    Status,
)
from huiyin.cases.confidentiality import office_above
from huiyin.cases.events import event_record
from huiyin.cases.models import (
    HEADCOUNT_MAX,
    Attachment,
    Case,
    CasePetitioner,
    Category,
    Petitioner,
    Submission,
)
from huiyin.core import filetypes, timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org import roles
from huiyin.org.choices import RuleKey, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.org.selectors import Rule, profile_for, rules_for_profile
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind

# Crockford base32 without I, L, O, U: readable over the phone, not guessable in sequence.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class PetitionerIn:
    name: str
    kind: str = PetitionerKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


@dataclass
class CaseIn:
    """What any channel supplies at registration (条例 §19¶1: name, address, request, facts, reasons)."""

    channel: str
    petition_type: str
    title: str
    content: str
    request: str = ""
    category_id: int | None = None
    territory_id: int | None = None
    address: str = ""
    accused_person: str = ""
    accused_unit_id: int | None = None
    is_collective: bool = False
    headcount: int = 1
    identity_unclear: bool = False
    major_urgent: bool = False
    contact_email: str = ""  # an address for notices given instead of a phone (Open311)
    petitioners: list[PetitionerIn] = field(default_factory=list)


def new_case_code(at: datetime) -> str:
    return f"HY{timezone.localtime(at):%y%m%d}" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def validate_id_number(kind: str, id_number: str) -> str:
    """GB 11643 citizen numbers (checksum and birth date) or GB 32100 unified social credit codes."""
    id_number = id_number.strip().upper()
    if not id_number:
        return ""
    try:
        if kind == PetitionerKind.ORGANISATION:
            return uscc.validate(id_number)
        return ric.validate(id_number)
    except StdnumError:
        label = "统一社会信用代码" if kind == PetitionerKind.ORGANISATION else "居民身份证号码"
        raise ValidationFailed(
            f"{label}“{id_number}”校验不通过", extra={"fields": {"id_number": f"{label}无效"}}
        ) from None


def _clean(data: CaseIn, office: Unit) -> tuple[dict[str, Any], list[PetitionerIn]]:
    errors: dict[str, str] = {}
    for name, enum in (("channel", Channel), ("petition_type", PetitionType)):
        if getattr(data, name) not in enum.values:
            errors[name] = "请选择有效的选项"
    if not data.title.strip():
        errors["title"] = "请填写标题"
    if not data.content.strip():
        errors["content"] = "请填写事实和理由"
    category = territory = accused_unit = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id).first()
        if category is None:
            errors["category"] = "分类不存在"
    if data.territory_id is not None:
        territory = Territory.objects.filter(pk=data.territory_id).first()
        if territory is None:
            errors["territory"] = "区域不存在"
    if data.accused_unit_id is not None:
        accused_unit = Unit.objects.filter(pk=data.accused_unit_id).first()
        if accused_unit is None:
            errors["accused_unit"] = "单位不存在"
    if data.petition_type == PetitionType.ACCUSATION and not (data.accused_person.strip() or accused_unit):
        errors["accused_person"] = "检举控告须写明被反映人或被反映单位"

    people: list[PetitionerIn] = []
    for i, p in enumerate(data.petitioners):
        if not p.name.strip():
            errors[f"petitioners.{i}.name"] = "请填写姓名或名称"
            continue
        if p.kind not in PetitionerKind.values:
            errors[f"petitioners.{i}.kind"] = "请选择个人或组织"
            continue
        try:
            id_number = validate_id_number(p.kind, p.id_number)
        except ValidationFailed as exc:
            errors[f"petitioners.{i}.id_number"] = exc.message
            continue
        people.append(
            PetitionerIn(
                p.name.strip(),
                p.kind,
                id_number,
                p.phone.strip(),
                p.address.strip(),
                bool(p.is_representative),
            )
        )
    if not people and not data.identity_unclear and not errors:
        errors["petitioners"] = "请登记至少一名信访人，或勾选“姓名或住址不清”"
    reachable = any(p.name and (p.phone or data.contact_email.strip()) for p in people)
    if data.channel in SELF_SERVICE_CHANNELS and data.petition_type in IDENTITY_REQUIRED and not reachable:
        errors.setdefault("petitioners", MSG_IDENTITY_REQUIRED)

    profile = profile_for(territory or office.territory)
    rules = rules_for_profile(profile)
    if data.is_collective:
        limit = representative_limit(rules, data.headcount)
        reps = [p for p in people if p.is_representative]
        if len(reps) > limit.value:
            # 条例 §20¶3: a collective visit chooses no more than 5 representatives (province rules may differ).
            errors["representatives"] = (
                f"多人走访推选的代表不得超过{limit.value}人（{limit.article}），现为{len(reps)}人"
            )
        elif not reps:
            errors["representatives"] = "集体访须推选代表"
        if data.headcount < max(len(people), 2):
            errors["headcount"] = "集体访人数须不少于登记的信访人人数且至少2人"
    elif data.headcount < 1:
        errors["headcount"] = "人数至少为1"
    if data.headcount > HEADCOUNT_MAX:  # every channel, whatever its form checked (issue 9)
        errors["headcount"] = f"人数不得超过{HEADCOUNT_MAX}"
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(first, extra={"fields": errors})
    fields = {
        "channel": data.channel,
        "petition_type": data.petition_type,
        "title": data.title.strip()[:200],
        "content": data.content.strip(),
        "request": data.request.strip(),
        "category": category,
        "territory": territory,
        "address": data.address.strip(),
        "accused_person": data.accused_person.strip(),
        "accused_unit": accused_unit,
        "is_collective": data.is_collective,
        "headcount": data.headcount if data.is_collective else max(1, data.headcount),
        "identity_unclear": data.identity_unclear,
        "major_urgent": data.major_urgent,
        "rule_profile": profile,
    }
    return fields, people


def representative_limit(rules: dict[RuleKey, Rule], headcount: int) -> Rule:
    """条例 §20¶3 caps representatives at 5; a province may set a lower cap for small groups
    (浙江 §15: ≤3 representatives when the group is ≤10 people)."""
    small = rules[RuleKey.SMALL_GROUP_SIZE].value
    if small and headcount <= small:
        return rules[RuleKey.SMALL_GROUP_MAX_REPRESENTATIVES]
    return rules[RuleKey.MAX_REPRESENTATIVES]


@dataclass(frozen=True)
class PartyContact:
    """Who a party row links to and the contact this case's submission carried for them."""

    petitioner: Petitioner
    phone: str
    address: str
    state: str


def _find_or_create_petitioner(p: PetitionerIn) -> PartyContact:
    """Link a known ID number to its petitioner without touching their stored contact.

    Anyone may type anyone's ID number: a phone or address that differs from the one on record is
    this case's contact only (issue 9, hole 1). It becomes the person's contact through
    `party_contact_verify` (staff) or the portal's proof of the phone on record, never by submitting.
    """
    if p.id_number:
        existing = Petitioner.objects.filter(id_number=p.id_number).first()
        if existing is not None:
            phone = p.phone or existing.phone  # a submission without a contact uses the one on record
            address = p.address or existing.address
            new = (phone != existing.phone) or (address != existing.address)
            state = ContactState.UNVERIFIED if new else ContactState.ON_RECORD
            return PartyContact(existing, phone, address, state)
    person = Petitioner.objects.create(
        kind=p.kind, name=p.name, id_number=p.id_number, phone=p.phone, address=p.address
    )
    return PartyContact(person, p.phone, p.address, ContactState.ON_RECORD)


def may_verify_contact(user: User, case: Case) -> bool:
    """The window and dispatch desks of the office that registered the case check a new contact."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in roles.VERIFY_CONTACT
        and user.unit_id == case.office_id
    )


@transaction.atomic
def party_contact_verify(
    *, party: CasePetitioner, actor: User | None, via: str, ip: str | None = None
) -> CasePetitioner:
    """Make the contact a case's submission carried the person's contact on record, and audit it.

    `via` is "staff" (a clerk or dispatcher of the registering office checked the person, e.g. the ID
    card at the window; `actor` is that staff member) or "otp" (the person entered a code sent to the
    phone on record; no staff actor). The person's other cases that used the old contact follow it.
    """
    party = CasePetitioner.objects.select_for_update().select_related("case", "petitioner").get(pk=party.pk)
    if via == "staff":
        if actor is None or not may_verify_contact(actor, party.case):
            raise PermissionDenied("只有登记该事项的信访部门的接待或分办人员可以核实联系方式")
    elif via != "otp":
        raise ValueError(f"unknown verification route {via!r}")
    if party.contact_state != ContactState.UNVERIFIED:
        raise ValidationFailed("该联系方式无需核实")
    person = Petitioner.objects.select_for_update().get(pk=party.petitioner_id)
    old_phone, old_address = person.phone, person.address
    followed = list(
        CasePetitioner.objects.filter(petitioner=person)
        .exclude(pk=party.pk)
        .exclude(contact_state=ContactState.UNVERIFIED)
        .values_list("pk", flat=True)
    )
    updates: dict[str, str] = {}
    if party.phone and party.phone != old_phone:
        updates["phone"] = party.phone
        CasePetitioner.objects.filter(pk__in=followed, phone=old_phone).update(phone=party.phone)
    if party.address and party.address != old_address:
        updates["address"] = party.address
        CasePetitioner.objects.filter(pk__in=followed, address=old_address).update(address=party.address)
    for name, value in updates.items():
        setattr(person, name, value)
    if updates:
        person.save(update_fields=list(updates))
    party.contact_state = ContactState.VERIFIED
    party.save(update_fields=["contact_state"])
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.CONTACT_VERIFY,
        actor=actor,
        case=party.case,
        ip_address=ip,
        detail={
            "petitioner": person.pk,
            "party": party.pk,
            "via": via,
            "changed": sorted(updates),
            "cases_following": sorted(
                CasePetitioner.objects.filter(pk__in=followed).values_list("case_id", flat=True)
            ),
        },
    )
    return party


def _check_attachment(f: UploadedFile[bytes], max_bytes: int) -> None:
    if f.size is not None and f.size > max_bytes:
        raise ValidationFailed(
            f"附件“{f.name}”超过{max_bytes // (1024 * 1024)}MB", extra={"fields": {"attachments": "附件过大"}}
        )
    # The bytes decide, not the browser's Content-Type or the name (issue 9, hole 10): HTML named
    # .jpg, SVG with onload, an .exe sent as application/pdf are refused before anything is stored.
    detected = filetypes.detect(f, f.name or "file")
    if isinstance(detected, filetypes.Refusal):
        raise ValidationFailed(detected.message, extra={"fields": {"attachments": detected.message}})
    f.content_type = detected  # what is stored and served


def case_register(
    *,
    data: CaseIn,
    office: Unit,
    actor: User | None,
    idempotency_key: str | None = None,
    attachments: list[UploadedFile[bytes]] | None = None,
) -> tuple[Case, bool]:
    """Register a petition from any channel and start its clocks. Return (case, created).

    A retried submission with the same idempotency key returns the first case and creates nothing.
    """
    from django.conf import settings

    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if actor is not None and actor.role not in roles.REGISTER:
        raise PermissionDenied("您的岗位不能登记信访事项")
    if office.kind != UnitKind.PETITION_OFFICE:
        raise ValidationFailed("登记单位须为信访部门", extra={"fields": {"office": "请选择信访部门"}})
    fields, people = _clean(data, office)
    received_at = office
    office = _holding_office(office, fields["accused_unit"])
    for f in attachments or []:
        _check_attachment(f, settings.HUIYIN_ATTACHMENT_MAX_BYTES)

    now = timeutil.now()
    today = timeutil.today()
    try:
        with transaction.atomic():
            case = _create_case(fields, office, actor, idempotency_key, now)
            for p in people:
                found = _find_or_create_petitioner(p)
                CasePetitioner.objects.create(
                    case=case,
                    petitioner=found.petitioner,
                    is_representative=p.is_representative,
                    phone=found.phone,
                    address=found.address,
                    contact_state=found.state,
                )
            payload = {
                "data": asdict(data),
                "office": received_at.pk,
                "actor": actor.pk if actor else None,
                "attachments": [f.name for f in attachments or []],
            }
            blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
            Submission.objects.create(
                case=case,
                channel=case.channel,
                payload=payload,
                received_at=now,
                sha256=hashlib.sha256(blob.encode()).hexdigest(),
            )
            for f in attachments or []:
                _store_attachment(case, f, actor)
            rules = rules_for_profile(case.rule_profile)
            # 条例 §22¶1: route within 15 days; §23¶2: written notice within 15 days unless identity unclear.
            clocks.start_clock(
                case=case, kind=ClockKind.ROUTING, unit=office, rules=rules, trigger="register", on=today
            )
            if not case.identity_unclear:
                clocks.start_clock(
                    case=case, kind=ClockKind.NOTICE, unit=office, rules=rules, trigger="register", on=today
                )
            # its receipt commits with it (ADR 0006, 0007)
            event_record(
                case=case,
                event_type="register",
                from_status="",
                to_status=Status.REGISTERED,
                actor=actor,
                actor_unit=received_at,
                data={"channel": case.channel, "headcount": case.headcount}
                | ({"received_at_office": received_at.pk} if received_at.pk != office.pk else {}),
                created_at=now,
            )
    except IntegrityError:
        if idempotency_key:  # a concurrent retry won the race: answer with its case
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


MSG_NO_OFFICE_ABOVE = (
    "登记单位属被反映单位一方，且本系统没有可受理本件的上级信访部门，请告知信访人向上级信访部门提出"
    "（《信访工作条例》第三十条第三款）"
)


def _holding_office(office: Unit, accused_unit: Unit | None) -> Unit:
    """The office that holds the case: the registering office, or — when the accusation is against
    it, a unit above it or the government it is the desk of — the nearest petition office above that
    is not on the accused side (条例 §30¶3; ADR 0005). The accused office never holds it."""
    if accused_unit is None:
        return office
    holder = office_above(office, accused_unit.pk)
    if holder is None:
        raise ValidationFailed(MSG_NO_OFFICE_ABOVE, extra={"fields": {"accused_unit": MSG_NO_OFFICE_ABOVE}})
    return holder


def _create_case(
    fields: dict[str, Any], office: Unit, actor: User | None, key: str | None, now: datetime
) -> Case:
    for _ in range(5):
        code = new_case_code(now)
        if not Case.objects.filter(code=code).exists():
            return Case.objects.create(
                code=code,
                office=office,
                registered_by=actor,
                registered_at=now,
                idempotency_key=key or None,
                **fields,
            )
    raise RuntimeError("could not allocate a case code")  # 32^6 codes a day: practically unreachable


def _store_attachment(case: Case, f: UploadedFile[bytes], actor: User | None) -> Attachment:
    digest = hashlib.sha256()
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    attachment = Attachment(
        case=case,
        original_name=(f.name or "file")[:200],
        content_type=f.content_type or "application/octet-stream",  # detected by _check_attachment
        size=f.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f.name or "file", f, save=False)
    attachment.save()
    return attachment
