"""Registration (登记), the intake layer above the clocks (issue 10, ADR 0008): every channel creates the same record, durably, exactly once per idempotency key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from huiyin.cases import services as case_input
from huiyin.cases.choices import (
    PetitionType,
    Status,
)
from huiyin.cases.confidentiality import office_above, on_accused_side
from huiyin.cases.events import event_record
from huiyin.cases.models import (
    Attachment,
    Case,
    CasePetitioner,
    Submission,
)
from huiyin.cases.services import (
    MSG_NO_OFFICE_ABOVE,
    MSG_OFFICE,
    MSG_RETALIATION_CONTENT,
    CaseIn,
    PetitionerIn,
    _clean,
    _find_or_create_petitioner,
)
from huiyin.core import filetypes, timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org import roles
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.org.selectors import rules_for_profile
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.models import Clock


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
    within: Callable[[Case], Any] | None = None,
    deliver_later: bool = False,
) -> tuple[Case, bool]:
    """Register a petition from any channel and start its clocks. Return (case, created).

    A retried submission with the same idempotency key returns the first case and creates nothing.
    `within(case)` runs inside the registration's transaction (the receipt's 查询码: one transaction
    per intake). `deliver_later`: the receipt SMS, staff notices and the duplicate signature are made
    by the worker from the outbox row, not in this request (ADR 0006; issue 15).

    A new case comes back with what the response needs already loaded (its parties with their
    petitioners, its clocks, its one event, no opinion), so the API builds its 201 from memory.
    """
    from django.conf import settings

    # A retry's key is found by the unique index when the case row goes in (the IntegrityError below),
    # not looked up before every intake (issue 15); a retry is checked and validated like the first.
    direct = office.kind != UnitKind.PETITION_OFFICE
    if direct:
        # 条例 §23¶1 (RG-3): another unit registers a petition it received directly, by its own staff.
        if actor is None or actor.unit_id != office.pk:
            raise ValidationFailed(MSG_OFFICE, extra={"fields": {"office": "请选择信访部门"}})
        if actor.role not in roles.REGISTER_DIRECT:
            raise PermissionDenied("您的岗位不能登记信访事项")
    elif actor is not None and actor.role not in roles.REGISTER:
        raise PermissionDenied("您的岗位不能登记信访事项")
    fields, people = _clean(data, office)
    received_at = office
    office = (
        _direct_holder(office, fields["accused_unit"])
        if direct
        else _holding_office(office, fields["accused_unit"])
    )
    for f in attachments or []:
        _check_attachment(f, settings.HUIYIN_ATTACHMENT_MAX_BYTES)

    now = timeutil.now()
    today = timeutil.today()
    codes_tried = 0
    while True:
        code = case_input.new_case_code(now)  # by module: the demo seeds it (huiyin/demo)
        try:
            with transaction.atomic():
                case = _create_case(code, fields, office, actor, idempotency_key, now)
                parties = []
                for p in people:
                    found = _find_or_create_petitioner(p)
                    parties.append(
                        CasePetitioner(
                            case=case,
                            petitioner=found.petitioner,
                            is_representative=p.is_representative,
                            phone=found.phone,
                            address=found.address,
                            contact_state=found.state,
                        )
                    )
                CasePetitioner.objects.bulk_create(parties)
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
                kinds = (
                    [ClockKind.ROUTING] if case.identity_unclear else [ClockKind.ROUTING, ClockKind.NOTICE]
                )
                started = Clock.objects.bulk_create(
                    [
                        clocks.new_clock(
                            case=case, kind=k, unit=office, rules=rules, trigger="register", on=today
                        )
                        for k in kinds
                    ]
                )
                # its receipt commits with it (ADR 0006, 0007)
                event = event_record(
                    case=case,
                    event_type="register",
                    from_status="",
                    to_status=Status.REGISTERED,
                    actor=actor,
                    actor_unit=received_at,
                    data={"channel": case.channel, "headcount": case.headcount}
                    | ({"received_at_office": received_at.pk} if received_at.pk != office.pk else {})
                    | ({"direct": True} if direct else {})
                    | (
                        {
                            "skipped_levels": True,
                            "competent_unit_name": case.competent_unit.name if case.competent_unit else "",
                        }
                        if case.skipped_levels
                        else {}
                    ),
                    created_at=now,
                    deliver_later=deliver_later,
                )
                event.actor_unit = received_at
                if within is not None:
                    within(case)
                # what the 201 shows, as written (no second read; Django's prefetch cache)
                case._prefetched_objects_cache = {  # type: ignore[attr-defined]
                    "parties": _as_loaded(case.parties.all(), parties),
                    "events": _as_loaded(case.events.all(), [event]),
                    "clocks": _as_loaded(case.clocks.all(), started),
                    "opinions": _as_loaded(case.opinions.all(), []),
                }
        except IntegrityError:
            if idempotency_key:  # a concurrent retry won the race: answer with its case
                existing = Case.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing, False
            # 32^6 codes a day: a taken code is rare, so it is found by the unique index (and the
            # whole registration redone with a new one) rather than looked up before every insert
            codes_tried += 1
            if codes_tried < 5 and Case.objects.filter(code=code).exists():
                continue
            raise
        return case, True


def _as_loaded(qs: Any, rows: list[Any]) -> Any:
    """`qs` holding `rows` as if prefetched: `case.parties.all()` reads no row again, while
    `case.parties.filter(…)` still queries the database as usual."""
    qs._result_cache = list(rows)
    qs._prefetch_done = True
    return qs


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


def _direct_holder(unit: Unit, accused_unit: Unit | None) -> Unit:
    """The unit that holds a petition it received directly (条例 §23¶1) — unless it is an accusation
    against that unit's side: then the petition office of its territory, or the nearest one above, that
    is not on the accused side holds it (条例 §30¶3; ADR 0005)."""
    if accused_unit is None or not on_accused_side(unit.pk, accused_unit.pk):
        return unit
    desk = (
        Unit.objects.filter(territory_id=unit.territory_id, kind=UnitKind.PETITION_OFFICE, is_active=True)
        .order_by("code")
        .first()
    )
    holder = office_above(desk, accused_unit.pk) if desk is not None else None
    if holder is None:
        raise ValidationFailed(MSG_NO_OFFICE_ABOVE, extra={"fields": {"accused_unit": MSG_NO_OFFICE_ABOVE}})
    return holder


def _create_case(
    code: str, fields: dict[str, Any], office: Unit, actor: User | None, key: str | None, now: datetime
) -> Case:
    return Case.objects.create(
        code=code,
        office=office,
        registered_by=actor,
        registered_at=now,
        idempotency_key=key or None,
        **fields,
    )


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


def retaliation_report(
    *,
    original: Case,
    channel: str,
    content: str,
    accused_unit: Unit | None = None,
    accused_person: str = "",
    actor: User | None = None,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """条例 §18¶4: nobody may retaliate against a petitioner. The petitioner of `original` reports it
    (the portal, `actor` None, or the window): a new accusation (检举控告, §30) by the same petitioners,
    linked to the original, registered at the petition office that holds the original (or the one of
    its territory, for a case a department registered directly). Like every accusation it is held
    outside the accused's chain (`_holding_office`; ADR 0005): the accused side never sees it, and
    nothing is written on the original case, whose handling unit may be the one accused."""
    content = content.strip()
    if not content:
        raise ValidationFailed(
            MSG_RETALIATION_CONTENT, extra={"fields": {"content": MSG_RETALIATION_CONTENT}}
        )
    office = original.office
    if office.kind != UnitKind.PETITION_OFFICE:
        office = (
            Unit.objects.filter(
                territory_id=office.territory_id, kind=UnitKind.PETITION_OFFICE, is_active=True
            )
            .order_by("code")
            .first()
            or office
        )
    people = [
        PetitionerIn(
            name=party.petitioner.name,
            kind=party.petitioner.kind,
            id_number=party.petitioner.id_number,
            phone=party.phone,
            address=party.address,
            is_representative=party.is_representative,
        )
        for party in original.parties.select_related("petitioner").order_by("pk")
    ]
    data = CaseIn(
        channel=channel,
        petition_type=PetitionType.ACCUSATION,
        title=f"反映因信访事项{original.code}遭受打击报复"[:200],
        content=content,
        request="请依法查处打击报复行为",
        territory_id=original.territory_id,
        accused_person=accused_person.strip()[:100],
        accused_unit_id=accused_unit.pk if accused_unit is not None else None,
        identity_unclear=not people,
        petitioners=people,
        retaliation_of_id=original.pk,
    )
    return case_register(data=data, office=office, actor=actor, idempotency_key=idempotency_key)
