"""The shape of a registration and the checks that need no clock: the input (CaseIn, PetitionerIn),
its cleaning against the rule profile, petitioner matching, ID numbers, and verifying a new contact.

Registration itself — the record, its clocks and its receipt event — is `huiyin.intake.services.case_register`,
one layer above the workflow clocks it starts (issue 10, ADR 0008)."""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
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
)
from huiyin.cases.models import (
    HEADCOUNT_MAX,
    Case,
    CasePetitioner,
    Category,
    Petitioner,
)
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org import roles
from huiyin.org.choices import RuleKey
from huiyin.org.models import Territory, Unit, User
from huiyin.org.selectors import Rule, profile_for, rules_for_profile, territory_by_pk

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
    # JU-3 (条例 §20¶1, ¶4): a visit above the competent level, and the guidance given toward it
    skipped_levels: bool = False
    competent_unit_id: int | None = None
    level_guidance: str = ""
    # CF-3 (条例 §18¶4): the case whose petitioner reports retaliation (this case is the accusation)
    retaliation_of_id: int | None = None


# Receipt codes are what a citizen quotes to see their case: cryptographically random on purpose.
_code_random: random.Random = secrets.SystemRandom()


def new_case_code(at: datetime) -> str:
    return f"HY{timezone.localtime(at):%y%m%d}" + "".join(
        _code_random.choice(_CODE_ALPHABET) for _ in range(6)
    )


def new_case_codes(moments: list[datetime]) -> list[str]:
    """`new_case_code` for many registrations at once (the bulk import): one read of the system's
    random source for all of them. The alphabet has 32 letters, so a random byte's low five bits pick
    one uniformly."""
    if not isinstance(_code_random, secrets.SystemRandom):  # the demo's seeded codes, one by one
        return [new_case_code(m) for m in moments]
    assert len(_CODE_ALPHABET) == 32
    noise = os.urandom(6 * len(moments))
    zone = timezone.get_current_timezone()  # timezone.localtime, with the zone looked up once
    return [
        f"HY{m.astimezone(zone):%y%m%d}" + "".join(_CODE_ALPHABET[b & 31] for b in noise[6 * i : 6 * i + 6])
        for i, m in enumerate(moments)
    ]


@contextmanager
def seeded_case_codes(seed: int) -> Iterator[None]:
    """Reproducible receipt codes while the demo is built (`demo_data --seed`), whichever module's demo
    registers the case; never used outside the demo builder."""
    global _code_random
    saved = _code_random
    _code_random = random.Random(seed)
    try:
        yield
    finally:
        _code_random = saved


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
        territory = territory_by_pk(data.territory_id)
        if territory is None:
            errors["territory"] = "区域不存在"
    if data.accused_unit_id is not None:
        accused_unit = Unit.objects.filter(pk=data.accused_unit_id).first()
        if accused_unit is None:
            errors["accused_unit"] = "单位不存在"
    if data.petition_type == PetitionType.ACCUSATION and not (data.accused_person.strip() or accused_unit):
        errors["accused_person"] = "检举控告须写明被反映人或被反映单位"
    level_fields = _clean_levels(data, office, errors)
    retaliation_of = _clean_retaliation(data, errors)

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
        **level_fields,
        "retaliation_of": retaliation_of,
    }
    return fields, people


MSG_LEVELS_VISIT = "越级走访只适用于来访登记（《信访工作条例》第二十条第一款）"


MSG_LEVELS_GUIDANCE = (
    "越级走访须记录引导信访人向有权处理的本级或上一级机关反映的说明（《信访工作条例》第二十条第四款）"
)


MSG_RETALIATION_TYPE = "反映遭受打击报复按检举控告登记（《信访工作条例》第十八条第四款）"


def _territory_depth(territory: Territory) -> int:
    return len([c for c in territory.path.strip("/").split("/") if c])


def _clean_levels(data: CaseIn, office: Unit, errors: dict[str, str]) -> dict[str, Any]:
    """JU-3 (条例 §20¶1, ¶4): a visit is made to the competent organ at its own level or one above. When
    the competent unit named at the window sits more than one level below the receiving office, the
    visit skipped levels: it is registered all the same (never refused; the national texts have no
    "越级即不予受理", JU-4) and the guidance given toward the competent level is recorded."""
    competent = None
    if data.competent_unit_id is not None:
        competent = Unit.objects.select_related("territory").filter(pk=data.competent_unit_id).first()
        if competent is None:
            errors["competent_unit"] = "单位不存在"
    gap = (_territory_depth(competent.territory) - _territory_depth(office.territory)) if competent else 0
    skipped = bool(data.skipped_levels) or gap > 1
    guidance = data.level_guidance.strip()
    if (skipped or guidance) and data.channel != Channel.VISIT:
        errors["skipped_levels"] = MSG_LEVELS_VISIT
    elif skipped and not guidance:
        errors["level_guidance"] = MSG_LEVELS_GUIDANCE
    return {"skipped_levels": skipped, "competent_unit": competent, "level_guidance": guidance}


def _clean_retaliation(data: CaseIn, errors: dict[str, str]) -> Case | None:
    if data.retaliation_of_id is None:
        return None
    original = Case.objects.filter(pk=data.retaliation_of_id).first()
    if original is None:
        errors["retaliation_of"] = "所涉事项不存在"
    elif data.petition_type != PetitionType.ACCUSATION:
        errors["petition_type"] = MSG_RETALIATION_TYPE
    return original


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


MSG_NO_OFFICE_ABOVE = (
    "登记单位属被反映单位一方，且本系统没有可受理本件的上级信访部门，请告知信访人向上级信访部门提出"
    "（《信访工作条例》第三十条第三款）"
)


MSG_OFFICE = (
    "登记单位须为信访部门，或登记人所在的、直接收到该信访事项的单位（《信访工作条例》第二十三条第一款）"
)


MSG_RETALIATION_CONTENT = "请写明遭受打击报复的经过"
