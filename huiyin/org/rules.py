"""The national baseline of rule values, each cited to its article (docs/regulations.md §4)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from huiyin.org.choices import RuleKey, ValueUnit


def days_text(value: int, unit: str) -> str:
    """A rule value as a text says it: "15日", "5个工作日", "5人" (every screen, notice and message
    renders figures through this, from the case's rule profile, never a national figure typed in).
    Always Chinese: staff screens, notices and messages are Chinese whatever the browser asks for."""
    if unit == ValueUnit.WORKING_DAY:
        return f"{value}个工作日"
    if unit == ValueUnit.CALENDAR_DAY:
        return f"{value}日"
    if unit == ValueUnit.COUNT:
        return f"{value}人"
    if unit == ValueUnit.PERCENT:
        return f"{value}%"
    return str(value)


def days_text_translated(value: int, unit: str) -> str:
    """The same in the active language, for the citizen portal (which has an English version)."""
    if unit == ValueUnit.WORKING_DAY:
        return _("%(n)s个工作日") % {"n": value}
    if unit == ValueUnit.CALENDAR_DAY:
        return _("%(n)s日") % {"n": value}
    if unit == ValueUnit.COUNT:
        return _("%(n)s人") % {"n": value}
    return days_text(value, unit)


@dataclass(frozen=True)
class RuleDefault:
    value: int
    unit: ValueUnit
    article: str


NATIONAL_RULES: dict[RuleKey, RuleDefault] = {
    RuleKey.ROUTING_DAYS: RuleDefault(15, ValueUnit.CALENDAR_DAY, "《信访工作条例》第二十二条第一款"),
    RuleKey.NOTICE_DAYS: RuleDefault(15, ValueUnit.CALENDAR_DAY, "《信访工作条例》第二十三条第二款"),
    RuleKey.OBJECTION_DAYS: RuleDefault(5, ValueUnit.WORKING_DAY, "《信访工作条例》第二十三条第三款"),
    RuleKey.HANDLING_DAYS: RuleDefault(60, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十四条"),
    RuleKey.EXTENSION_MAX_DAYS: RuleDefault(30, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十四条"),
    RuleKey.REVIEW_REQUEST_DAYS: RuleDefault(30, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十五条"),
    RuleKey.REVIEW_DAYS: RuleDefault(30, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十五条"),
    RuleKey.REREVIEW_REQUEST_DAYS: RuleDefault(
        30, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十六条第一款"
    ),
    RuleKey.REREVIEW_DAYS: RuleDefault(
        30, ValueUnit.CALENDAR_DAY, "《信访工作条例》第三十六条第一款、第二款"
    ),
    RuleKey.MAX_REPRESENTATIVES: RuleDefault(5, ValueUnit.COUNT, "《信访工作条例》第二十条第三款"),
    RuleKey.SMALL_GROUP_SIZE: RuleDefault(0, ValueUnit.COUNT, "国家条例不区分集体访规模"),
    RuleKey.SMALL_GROUP_MAX_REPRESENTATIVES: RuleDefault(
        5, ValueUnit.COUNT, "《信访工作条例》第二十条第三款"
    ),
    RuleKey.WARNING_PERCENT: RuleDefault(67, ValueUnit.PERCENT, "本系统默认：时限用去三分之二时黄灯预警"),
    RuleKey.ROLL_OVER_HOLIDAY: RuleDefault(
        0, ValueUnit.FLAG, "参照《民法典》第二百零三条（需法律确认；国家条例未规定）"
    ),
    # 条例 §24 names who decides a competence dispute but sets no time limit: configurable.
    RuleKey.DISPUTE_DAYS: RuleDefault(
        10, ValueUnit.WORKING_DAY, "《信访工作条例》第二十四条（未规定时限，本系统默认10个工作日）"
    ),
    # 条例 §40¶1: stalling (拖延) is a ground for 督办; how long counts as stalled is local policy.
    # The national texts run the 复查/复核 30 days from the request (§35, §36¶1) with no separate decision
    # to accept; provinces may add one (山东: 3 working days). 0 = no such step.
    RuleKey.REVIEW_ACCEPT_DAYS: RuleDefault(
        0, ValueUnit.WORKING_DAY, "《信访工作条例》第三十五条、第三十六条（未设受理决定环节）"
    ),
    RuleKey.STALLED_DAYS: RuleDefault(
        15, ValueUnit.CALENDAR_DAY, "《信访工作条例》第四十条第一款（无进展天数为本系统默认值）"
    ),
    # 条例 §23¶3: the organ a matter is forwarded (转送) or assigned (交办) to tells the petitioner within
    # 15 days of receipt that it received it and how it will be handled; its acceptance starts the 60
    # days of §34 ("自受理之日起"). (2005 §21¶2: "15日内决定是否受理".)
    RuleKey.UNIT_ACCEPT_DAYS: RuleDefault(
        15, ValueUnit.CALENDAR_DAY, "《信访工作条例》第二十三条第三款（收到之日起15日内书面告知）"
    ),
    # The national texts let the organ issue the 信访处理意见书 (§31(六), §32) and ask the head's
    # approval only for an extension (§34): no sign-off step nationally; a province may add one.
    RuleKey.OPINION_SIGNOFF: RuleDefault(
        0, ValueUnit.FLAG, "《信访工作条例》第三十二条、第三十四条（国家条例未设负责人签发环节）"
    ),
    # issue 10 (t10-types) — the 60(+30) days of §34 bind only §31(六) 申诉求决 matters. A suggestion is
    # studied and answered (§29) and an accusation received, handled and answered under the competent
    # organ's rules (§30¶1); the 2022 text sets neither a limit, so each is a rule value of its own. The
    # defaults keep the 60 days the 2005 《信访条例》§33 applied to every item, flagged for legal
    # confirmation; a province sets its own.
    RuleKey.SUGGESTION_DAYS: RuleDefault(
        60,
        ValueUnit.CALENDAR_DAY,
        "《信访工作条例》第二十九条：研究论证并回复（未规定时限；本系统默认60日，沿用《信访条例》(2005)第三十三条，需法律确认）",
    ),
    RuleKey.ACCUSATION_DAYS: RuleDefault(
        60,
        ValueUnit.CALENDAR_DAY,
        "《信访工作条例》第三十条第一款：依规依纪依法办理和反馈（未规定时限；本系统默认60日，沿用《信访条例》(2005)第三十三条，需法律确认）",
    ),
    # SV-3: 条例 §40¶4 asks for written feedback on a suggestion's adoption but sets no limit; the 2005
    # 《信访条例》§36¶2 said 30 days, kept as the configurable default.
    RuleKey.SUGGESTION_FEEDBACK_DAYS: RuleDefault(
        30,
        ValueUnit.CALENDAR_DAY,
        "《信访工作条例》第四十条第四款（未规定时限，沿用2005年《信访条例》第三十六条第二款30日）",
    ),
    # t10-law — the extension ceiling of each type. §34's "延长不得超过30日" binds §31(六) 申诉求决 matters
    # (EXTENSION_MAX_DAYS); the 2022 text sets no extension for a suggestion (§29) or an accusation (§30¶1),
    # so each is a rule value of its own, defaulting to the 30 days the 2005 《信访条例》§33 applied to every
    # item (flagged for legal confirmation), like SUGGESTION_DAYS and ACCUSATION_DAYS above.
    RuleKey.SUGGESTION_EXTENSION_DAYS: RuleDefault(
        30,
        ValueUnit.CALENDAR_DAY,
        "《信访工作条例》第二十九条（未规定延期；本系统默认延长不超过30日，沿用《信访条例》(2005)第三十三条，需法律确认）",
    ),
    RuleKey.ACCUSATION_EXTENSION_DAYS: RuleDefault(
        30,
        ValueUnit.CALENDAR_DAY,
        "《信访工作条例》第三十条第一款（未规定延期；本系统默认延长不超过30日，沿用《信访条例》(2005)第三十三条，需法律确认）",
    ),
}
