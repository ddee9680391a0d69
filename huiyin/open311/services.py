"""POST requests: turn an Open311 service request into a registered case (channel "api")."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from huiyin.cases.choices import IDENTITY_REQUIRED, Channel, PetitionType
from huiyin.cases.models import Category
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.core.parsing import parse_id
from huiyin.intake.services import case_register
from huiyin.notify.choices import Medium
from huiyin.notify.models import CaseContact
from huiyin.open311.models import ServiceRequest
from huiyin.org.models import Territory, User
from huiyin.portal.selectors import office_for

_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


@dataclass
class RequestIn:
    """The fields of GeoReport v2 POST requests, as sent (form-encoded)."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_query(cls, data: Any) -> RequestIn:
        known = {k: str(data.get(k, "")).strip() for k in cls.__dataclass_fields__ if k != "attributes"}
        attributes: dict[str, Any] = {}
        for key in data:
            match = _ATTRIBUTE.match(key)
            if match:
                attributes[match.group(1)] = (
                    data.getlist(key) if match.group(2) else str(data.get(key, "")).strip()
                )
        return cls(**known, attributes=attributes)


def _fail(field_name: str, message: str) -> None:
    raise ValidationFailed(message, extra={"fields": {field_name: message}})


def _coordinate(value: str, name: str, bound: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not -bound <= number <= bound:
        _fail(name, f"{name} 须为 -{bound:g} 至 {bound:g} 之间的数")
    return number


def request_submit(*, data: RequestIn, user: User, idempotency_key: str = "") -> tuple[ServiceRequest, bool]:
    """Register the request as a case at the office of its place; return (request, created)."""
    code = parse_id(data.service_code)
    category = Category.objects.filter(pk=code, level=3).first() if code is not None else None
    if category is None:
        _fail("service_code", "service_code 无效，请先查询 services")
    lat = _coordinate(data.lat, "lat", 90)
    long = _coordinate(data.long, "long", 180)
    if (lat is None or long is None) and not data.address_string and not data.address_id:
        _fail("address_string", "须提供位置：lat 和 long，或 address_string，或 address_id")
    description = data.description.strip()
    if not description:
        _fail("description", "请填写 description（事实和理由）")
    if len(description) > 4000:
        _fail("description", "description 不得超过4000字")
    attrs = data.attributes
    if attrs.get("truthful") != "yes":
        _fail(
            "attribute[truthful]",
            "须承诺所反映的情况客观真实（attribute[truthful]=yes，《信访工作条例》第十九条第二款）",
        )
    petition_type = attrs.get("petition_type") or PetitionType.COMPLAINT
    if petition_type not in PetitionType.values:
        _fail("attribute[petition_type]", "attribute[petition_type] 无效")
    name = f"{data.last_name}{data.first_name}".strip()
    if petition_type in IDENTITY_REQUIRED and not (name and (data.phone or data.email)):
        _fail("first_name", "申诉求决和检举控告须提供姓名（first_name/last_name）和电话或邮箱")
    territory = None
    if attrs.get("territory"):
        territory = Territory.objects.filter(code=attrs["territory"]).first()
        if territory is None:
            _fail("attribute[territory]", "attribute[territory] 不是已知的行政区划代码")
    office = office_for(territory)
    if office is None:
        _fail("service_code", "尚未设置受理的信访部门")
    location = data.address_string or (
        f"经纬度 {lat},{long}" if lat is not None else f"地址编号 {data.address_id}"
    )
    title = (attrs.get("title") or description.splitlines()[0])[:100]
    people = [PetitionerIn(name=name[:100], phone=data.phone[:20])] if name else []
    case_in = CaseIn(
        channel=Channel.API,
        petition_type=petition_type,
        title=title,
        content=description,
        request=str(attrs.get("request", ""))[:1000],
        category_id=category.pk,  # type: ignore[union-attr]
        territory_id=territory.pk if territory else None,
        address=location[:200],
        accused_person=str(attrs.get("accused", ""))[:100]
        if petition_type == PetitionType.ACCUSATION
        else "",
        identity_unclear=not people,
        contact_email=data.email if "@" in (data.email or "") else "",
        petitioners=people,
    )
    key = f"open311:{user.pk}:{idempotency_key}"[:80] if idempotency_key else None
    with transaction.atomic():
        case, created = case_register(data=case_in, office=office, actor=user, idempotency_key=key)  # type: ignore[arg-type]
        if not created:
            return ServiceRequest.objects.get(case=case), False
        if data.email and "@" in data.email:
            CaseContact.objects.create(case=case, medium=Medium.EMAIL, address=data.email.lower()[:254])
        request = ServiceRequest.objects.create(
            case=case,
            token=secrets.token_hex(16),
            submitted_by=user,
            lat=lat,
            long=long,
            address_id=data.address_id[:100],
            device_id=data.device_id[:100],
            account_id=data.account_id[:100],
            media_url=data.media_url[:500] if data.media_url.startswith(("http://", "https://")) else "",
            created_at=timeutil.now(),
        )
    return request, True
