"""How Huiyin's records map onto Open311 GeoReport v2 (docs/open311.md), in JSON and XML.

service  = a third-level subject category (service_code = its id, group = its first level)
request  = a case that arrived through Open311 (channel "api"); service_request_id = the case code
status   = "open" while registered / accepted / in handling / under review, otherwise "closed"
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import timezone

from huiyin.cases.choices import OPEN_STATUSES, DivertTarget, NotAcceptedReason, PetitionType, Status
from huiyin.cases.models import Case, CaseEvent, Category
from huiyin.org.choices import RuleKey
from huiyin.org.selectors import Rule

# The events that close a case without an answer on its merits: their reason is the status note.
CLOSING_EVENTS = ("not_accept", "divert", "merge")

PETITION_TYPES = [
    (PetitionType.COMPLAINT, "申诉求决（请求解决问题）"),
    (PetitionType.SUGGESTION, "建议意见"),
    (PetitionType.ACCUSATION, "检举控告"),
]

# The registered note carries the notice figure of the case's own rule profile (issue 10 item 8).
STATUS_NOTES = {
    Status.REGISTERED: "已登记，信访部门将在{notice}内告知是否受理",
    Status.ACCEPTED: "已受理",
    Status.IN_HANDLING: "办理中",
    Status.REPLIED: "已出具处理意见",
    Status.CLOSED: "已办结",
    Status.UNDER_REVIEW: "复查中",
    Status.REVIEW_REPLIED: "已出具复查意见",
    Status.UNDER_REREVIEW: "复核中",
    Status.FINAL: "复核终结",
}


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def service_name(category: Category) -> str:
    """The one name of a service, the same in `services` and `requests`, and unique: the category's
    whole path ("城乡建设 / 住房保障 / 其他"; the last level alone repeats, e.g. "其他" 17 times)."""
    return category.full_name


def service_json(category: Category) -> dict[str, Any]:
    top = category.full_name.partition(" / ")[0]
    return {
        "service_code": str(category.pk),
        "service_name": service_name(category),
        "description": category.full_name,
        "metadata": True,
        "type": "batch",  # a person reads and routes every case (条例 §22)
        "keywords": ",".join(category.full_name.split(" / ")),
        "group": top,
    }


def service_definition_json(category: Category, territories: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": "petition_type",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "默认为申诉求决；申诉求决和检举控告须提供姓名和电话",
                "order": 1,
                "description": "反映类型（《信访工作条例》第二十九条至第三十一条）",
                "values": [{"key": str(k), "name": n} for k, n in PETITION_TYPES],
            },
            {
                "variable": True,
                "code": "title",
                "datatype": "string",
                "required": False,
                "datatype_description": "不超过100字；不填则取描述开头",
                "order": 2,
                "description": "标题",
            },
            {
                "variable": True,
                "code": "request",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "信访请求（希望如何解决）",
            },
            {
                "variable": True,
                "code": "territory",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "问题发生地，决定受理的信访部门（属地管理）",
                "order": 4,
                "description": "问题发生地（行政区划）",
                "values": [{"key": k, "name": n} for k, n in territories],
            },
            {
                "variable": True,
                "code": "accused",
                "datatype": "string",
                "required": False,
                "datatype_description": "检举控告必填",
                "order": 5,
                "description": "被反映人或被反映单位",
            },
            {
                "variable": True,
                "code": "truthful",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "信访人承诺所反映情况客观真实（《信访工作条例》第十九条第二款）",
                "order": 6,
                "description": "真实性承诺",
                "values": [{"key": "yes", "name": "我承诺所反映的情况客观真实"}],
            },
        ],
    }


def agency_responsible(case: Case) -> str:
    unit = case.rereview_unit or case.review_unit or case.handling_unit or case.office
    return unit.name


def closing_note(event: CaseEvent, *, owner: bool) -> str:
    """Why a case closed without an answer on its merits (不予受理, 法定途径, 合并): the reason's label for
    everyone, the officer's words too for the integration that submitted it (they go to the petitioner)."""
    data = event.data or {}
    said = (event.reason or "").strip() if owner else ""
    if event.event_type == "not_accept":
        code = data.get("reason_code")
        label = NotAcceptedReason(code).label if code in NotAcceptedReason.values else ""
        return "不予受理：" + "。".join(p for p in (label, said) if p)
    if event.event_type == "divert":
        target = data.get("target")
        label = data.get("target_label") or (
            DivertTarget(target).label if target in DivertTarget.values else ""
        )
        return "请通过法定途径解决" + (f"（{label}）" if label else "") + (f"：{said}" if said else "")
    return "与同一事项合并办理"


def status_notes(
    case: Case, *, rules: dict[RuleKey, Rule], closed_by: CaseEvent | None = None, owner: bool = False
) -> str:
    if case.status == Status.CLOSED and closed_by is not None:
        return closing_note(closed_by, owner=owner)
    note = STATUS_NOTES.get(Status(case.status), "").format(notice=rules[RuleKey.NOTICE_DAYS].text)
    if case.handling_unit_id and case.status == Status.IN_HANDLING:
        note += f"（{case.handling_unit.name}）"  # type: ignore[union-attr]
    return note


def service_notice(rules: dict[RuleKey, Rule]) -> str:
    """What a petitioner may expect, with the figures of the case's own profile (issue 10 item 8)."""
    return (
        f"信访部门收到后{rules[RuleKey.NOTICE_DAYS].text}内告知是否受理；受理后{rules[RuleKey.HANDLING_DAYS].text}"
        "内办结（《信访工作条例》第二十三条、第三十四条）"
    )


def expected(case: Case, due_on: Any) -> str | None:
    if due_on is None:
        return None
    return w3c(timezone.make_aware(datetime.combine(due_on, time(17, 0))))


def request_json(
    case: Case,
    *,
    rules: dict[RuleKey, Rule],
    due_on: Any = None,
    owner: bool = False,
    closed_by: CaseEvent | None = None,
) -> dict[str, Any]:
    """One request. The free text and address go only to the integration that submitted it."""
    address = case.territory.name if case.territory else None
    closed_at = case.updated_at if case.status not in OPEN_STATUSES else None
    return {
        "service_request_id": case.code,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(case, rules=rules, closed_by=closed_by, owner=owner),
        "service_name": service_name(case.category) if case.category else None,
        "service_code": str(case.category_id or ""),
        "description": case.content[:4000] if owner else None,
        "agency_responsible": agency_responsible(case),
        "service_notice": service_notice(rules),
        "requested_datetime": w3c(case.registered_at),
        "updated_datetime": w3c(closed_at or case.updated_at),
        "expected_datetime": expected(case, due_on),
        "address": (f"{address} {case.address}".strip() if owner else address),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


# --- XML: the same data, element per key -------------------------------------------------------


def _put(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item = "value" if key == "values" else key.rstrip("s")
        for entry in value:
            node = ET.SubElement(child, item)
            if isinstance(entry, dict):
                _fill(node, entry)
            else:
                node.text = str(entry)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _put(element, key, value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """`<root><item>…</item>…</root>` for a list, `<root>…</root>` for one object."""
    top = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(ET.SubElement(top, item or "item"), entry)
    else:
        _fill(top, data)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")).encode()
