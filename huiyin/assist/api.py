"""JSON API of the smart assist (SPEC §3.10): category/unit/territory suggestions and duplicate candidates.

Suggestions only: nothing here changes a case. Candidates are scoped to what the caller may see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huiyin.assist import selectors
from huiyin.cases.schemas import ERRORS
from huiyin.cases.selectors import access_case
from huiyin.core import access
from huiyin.core.access import CASE, STAFF
from huiyin.core.errors import PermissionDenied
from huiyin.org.api import api_user
from huiyin.org.models import Territory, User

router = Router(tags=["assist"])
MSG_NO_UNIT = "您的账号没有所属单位，无法推算承办单位"


class DraftIn(Schema):
    title: str = Field("", max_length=200)
    content: str = Field("", max_length=20000)
    address: str = Field("", max_length=200)
    territory_id: int | None = Field(None, ge=1, le=2**63 - 1)
    accused_unit_id: int | None = Field(None, ge=1, le=2**63 - 1)


class DuplicatesIn(Schema):
    title: str = Field("", max_length=200)
    content: str = Field("", max_length=20000)
    id_numbers: list[str] = Field(default_factory=list, max_length=200)
    phones: list[str] = Field(default_factory=list, max_length=200)


class CategoryRef(Schema):
    id: int
    full_name: str


class UnitHint(Schema):
    id: int
    name: str
    reasons: list[str]


class CategoryHintOut(Schema):
    label: str
    probability: float
    category: CategoryRef | None
    leaf: CategoryRef | None
    unit: UnitHint | None


class TerritoryHintOut(Schema):
    id: int
    name: str
    chain: list[str]
    source: str
    alias: str


class SuggestionsOut(Schema):
    categories: list[CategoryHintOut]
    territory: TerritoryHintOut | None


class CandidateOut(Schema):
    code: str
    title: str
    status: str
    is_final: bool
    score: float
    reason: str
    reason_label: str
    merge_into: str | None
    final_case: str | None
    suggest_not_accept_reason: str | None
    advice: list[str]


class DuplicatesOut(Schema):
    collective: bool
    candidates: list[CandidateOut]


def _hints(hints: list[selectors.CategoryHint]) -> list[dict[str, Any]]:
    def ref(c: Any) -> dict[str, Any] | None:
        return {"id": c.pk, "full_name": c.full_name} if c is not None else None

    return [
        {
            "label": h.label,
            "probability": round(h.probability, 4),
            "category": ref(h.category),
            "leaf": ref(h.leaf),
            "unit": {"id": h.unit.unit.pk, "name": h.unit.unit.name, "reasons": h.unit.reasons}
            if h.unit
            else None,
        }
        for h in hints
    ]


def _duplicates(report: selectors.DuplicateReport) -> dict[str, Any]:
    return {
        "collective": report.collective,
        "candidates": [
            {
                "code": h.case.code,
                "title": h.case.title,
                "status": h.case.status,
                "is_final": h.case.is_final,
                "score": h.score,
                "reason": h.reason,
                "reason_label": h.reason_label,
                "merge_into": h.merge_into.code if h.merge_into else None,
                "final_case": h.final_case.code if h.final_case else None,
                "suggest_not_accept_reason": "final_after_rereview" if h.suggests_not_accept else None,
                "advice": h.advice,
            }
            for h in report.hits
        ],
    }


def _office(user: User) -> Any:
    if user.unit is None:
        raise PermissionDenied(MSG_NO_UNIT)
    return user.unit


@router.post(
    "/assist/suggestions",
    response={200: SuggestionsOut, **ERRORS},
    summary="分类、承办单位和问题属地建议（仅供参考）",
    url_name="assist_suggestions",
)
def suggestions(request: HttpRequest, payload: DraftIn) -> dict[str, Any]:
    user = api_user(request)
    office = _office(user)
    territory = Territory.objects.filter(pk=payload.territory_id).first() if payload.territory_id else None
    place = selectors.territory_hint(user, address=payload.address, text=f"{payload.title} {payload.content}")
    hints = selectors.category_hints(
        title=payload.title,
        content=payload.content,
        office=office,
        territory=(place.territory if place else None) or territory,
        accused_unit_id=payload.accused_unit_id,
    )
    return {
        "categories": _hints(hints),
        "territory": {
            "id": place.territory.pk,
            "name": place.territory.name,
            "chain": place.chain,
            "source": place.source,
            "alias": place.alias,
        }
        if place
        else None,
    }


@router.post(
    "/assist/duplicates",
    response={200: DuplicatesOut, **ERRORS},
    summary="可能重复或相关的事项（按权限范围）",
    url_name="assist_duplicates",
)
def duplicates(request: HttpRequest, payload: DuplicatesIn) -> dict[str, Any]:
    user = api_user(request)
    rows = [{"id_number": i} for i in payload.id_numbers] + [{"phone": p} for p in payload.phones]
    report = selectors.duplicate_report(
        user,
        title=payload.title,
        content=payload.content,
        petitioner_ids=selectors.petitioner_ids_for(rows),
        identity_given=any(v.strip() for v in [*payload.id_numbers, *payload.phones]),
    )
    return _duplicates(report)


@router.get(
    "/assist/cases/{ref}/suggestions",
    response={200: SuggestionsOut, **ERRORS},
    summary="事项的分类和承办单位建议",
    url_name="assist_case_suggestions",
)
def case_suggestions(request: HttpRequest, ref: str) -> dict[str, Any]:
    user = api_user(request)
    case = access_case(user, ref)
    hints = selectors.category_hints(
        title=case.title,
        content=case.content,
        office=case.office,
        territory=case.territory,
        accused_unit_id=case.accused_unit_id,
    )
    return {"categories": _hints(hints), "territory": None}


@router.get(
    "/assist/cases/{ref}/duplicates",
    response={200: DuplicatesOut, **ERRORS},
    summary="与该事项相近的事项（重复信访、多人反映、复核终结）",
    url_name="assist_case_duplicates",
)
def case_duplicates(request: HttpRequest, ref: str) -> dict[str, Any]:
    user = api_user(request)
    case = access_case(user, ref)
    report = selectors.duplicate_report(
        user,
        title=case.title,
        content=case.content,
        petitioner_ids=set(case.parties.values_list("petitioner_id", flat=True)),
        exclude_case_id=case.pk,
    )
    return _duplicates(report)


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "assist_suggestions": STAFF,
        "assist_duplicates": STAFF,
        "assist_case_suggestions": CASE,
        "assist_case_duplicates": CASE,
    },
)
