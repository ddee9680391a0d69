"""Demo data for RG-3, JU-3, CF-3, HD-10/RP-2 and SV-3 (t10-rules): something real on each new screen.

Runs after the case builder, as of today, through the real services.
"""

from __future__ import annotations

import random
from datetime import timedelta

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import timeutil
from huiyin.demo.org import DemoOrg
from huiyin.demo.people import citizen_number, mobile, person_name
from huiyin.intake.services import case_register, retaliation_report
from huiyin.org.models import Unit, User
from huiyin.supervision import suggestions
from huiyin.supervision.models import Suggestion
from huiyin.workflow import aftercare
from huiyin.workflow import services as wf

# The cases this adds to the builder's: four received directly, one visit that skipped levels, one
# report of retaliation.
EXTRA_CASES = 6


def _person(rng: random.Random) -> list[PetitionerIn]:
    return [
        PetitionerIn(
            name=person_name(rng), id_number=citizen_number(rng), phone=mobile(rng), address="示范县城关镇"
        )
    ]


def build_rules_demo(org: DemoOrg, rng: random.Random) -> dict[str, int]:
    """The rule cases (receipt codes are seeded by the builder, huiyin/demo/builder.py)."""
    counts = {
        "direct": 0,
        "skipped_levels": 0,
        "retaliation": 0,
        "referrals": 0,
        "follow_ups": 0,
        "suggestions": 0,
    }
    u = org.users
    housing, civil = org.departments["zj"], org.departments["mz"]

    # RG-3 (条例 §23¶1): petitions handed in at 住建局 and at the county government
    def direct(unit: Unit, actor: User, title: str, content: str) -> Case:
        data = CaseIn(
            channel="visit", petition_type="complaint", title=title, content=content, petitioners=_person(rng)
        )
        return case_register(data=data, office=unit, actor=actor)[0]

    own = direct(
        housing, u["handler_zj"], "小区加装电梯审批进度", "到住建局窗口反映：小区加装电梯申请三个月无答复。"
    )
    wf.case_direct_handle(
        case=own, actor=u["handler_zj"], guidance="由本局城建科办理，60日内书面答复（演示）"
    )
    township = org.townships[0].government
    sent = direct(
        org.county_gov, u["reviewer"], "村道损毁影响出行", f"到县政府反映{township.name}辖区村道损毁。"
    )
    wf.case_direct_route(
        case=sent, actor=u["reviewer"], unit=township, instructions="请镇政府核实处理（演示）"
    )
    wrong = direct(housing, u["handler_zj"], "不服民事判决", "到住建局反映对房屋买卖合同纠纷判决不服。")
    wf.case_direct_redirect(
        case=wrong, actor=u["handler_zj"], organ="示范县人民法院", guidance="请依法向人民法院申请再审（演示）"
    )
    direct(housing, u["head_zj"], "物业费收费标准", "到住建局反映物业费上涨未公示（待本局确定去向）。")
    counts["direct"] = 4

    # JU-3 (条例 §20¶1, ¶4): a visit to the city office about a township matter, registered with guidance
    case_register(
        data=CaseIn(
            channel="visit",
            petition_type="complaint",
            title="宅基地纠纷（越级走访）",
            content=f"到市信访局反映{township.name}宅基地纠纷。",
            competent_unit_id=township.pk,
            level_guidance=f"已告知本事项由{township.name}负责，引导其就地反映；已登记并转交办理（演示）。",
            petitioners=_person(rng),
        ),
        office=org.city_office,
        actor=u["city_dispatcher"],
    )
    counts["skipped_levels"] = 1

    # CF-3 (条例 §18¶4): a petitioner reports retaliation by the unit handling the case
    handled = (
        Case.objects.filter(status=Status.IN_HANDLING, petition_type="complaint", handling_unit__isnull=False)
        .exclude(parties__isnull=True)
        .order_by("pk")
        .first()
    )
    if handled is not None:
        retaliation_report(
            original=handled,
            channel="online",
            content="反映问题后，承办单位工作人员多次打电话要求撤回信访，否则不予办理低保（演示）。",
            accused_unit=handled.handling_unit,
        )
        counts["retaliation"] = 1

    # HD-10 (§37¶2): a referral to social assistance; RP-2 (§37¶3): follow-ups after finality
    in_hand = Case.objects.filter(status=Status.IN_HANDLING, handling_unit=housing).order_by("pk").first()
    if in_hand is not None:
        referral = aftercare.referral_create(
            case=in_hand,
            actor=u["handler_zj"],
            kind="social",
            organ=civil,
            reason="独居老人，房屋漏水无力维修（演示）",
        )
        aftercare.referral_outcome(
            referral=referral, actor=u["handler_zj"], outcome="granted", note="民政局已批准临时救助"
        )
        counts["referrals"] = 1
    today = timeutil.today()
    for final in Case.objects.filter(status=Status.FINAL).order_by("pk")[:2]:
        aftercare.followup_plan(
            case=final,
            actor=u["clerk"],
            plan="上门回访，了解生活情况，协助申请救助（演示）",
            due_on=today + timedelta(days=7),
        )
        counts["follow_ups"] += 1

    # SV-3 (条例 §40): suggestions to organs — one answered, one open, one past its feedback date
    made = [
        suggestions.suggestion_issue(
            actor=u["dispatcher"],
            to_unit=housing,
            kind="improve_work",
            content="楼道漏水类信访多次转办未落实，建议建立物业维修督促机制（演示）。",
        ),
        suggestions.suggestion_issue(
            actor=u["dispatcher"],
            to_unit=org.departments["rs"],
            kind="improve_policy",
            content="农民工欠薪信访集中，建议完善工资保证金政策（演示）。",
        ),
        suggestions.suggestion_issue(
            actor=u["dispatcher"],
            to_unit=civil,
            kind="improve_work",
            content="低保复核告知不清，建议统一书面告知格式（演示）。",
        ),
    ]
    suggestions.suggestion_feedback(
        suggestion=made[0],
        actor=u["head_zj"],
        adoption="partly",
        feedback="已建立月度督促机制，物业考核纳入年度评价。",
    )
    # the third one was made 40 days ago (demo only: shown as past its 30-day feedback date)
    Suggestion.objects.filter(pk=made[2].pk).update(
        issued_on=today - timedelta(days=40), due_on=today - timedelta(days=10)
    )
    counts["suggestions"] = len(made)
    return counts
