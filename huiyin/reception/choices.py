"""Vocabularies of leader reception (领导接待日, seeds/002 党政领导信访接待日制度; 条例 §18¶2)."""

from django.db import models


class Level(models.TextChoices):
    """Whose reception it is: the rank decides where a matter goes first (分级负责、属地管理)."""

    CITY = "city", "市级领导"
    COUNTY = "county", "县级领导"
    TOWNSHIP = "township", "乡镇（街道）领导"
    DEPARTMENT = "department", "部门领导"
    HALL = "hall", "信访大厅值班领导"


# seeds/002 rule 2: no higher leader before the base level has answered or received the matter.
# Base level (乡镇街道、有关部门) is rank 1; the hall's daily leader on duty receives anyone (rank 0).
RANK: dict[str, int] = {
    Level.HALL: 0,
    Level.TOWNSHIP: 1,
    Level.DEPARTMENT: 1,
    Level.COUNTY: 2,
    Level.CITY: 3,
}


class Frequency(models.TextChoices):
    DAILY = "daily", "每个工作日"
    WEEKLY = "weekly", "每周一次"
    TWICE_MONTHLY = "twice_monthly", "每月两次"
    MONTHLY = "monthly", "每月一次"
    QUARTERLY = "quarterly", "每季度一次"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "星期一"
    TUESDAY = 1, "星期二"
    WEDNESDAY = 2, "星期三"
    THURSDAY = 3, "星期四"
    FRIDAY = 4, "星期五"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已排定"
    HELD = "held", "已接待"
    CANCELLED = "cancelled", "已取消"


class SessionKind(models.TextChoices):
    """A reception day by rule, or a visit the leader makes down to a township or village (条例 §18¶2
    定期下访; seeds/000 大下访) or an appointment the leader makes with named petitioners (约访, seeds/004)."""

    DAY = "day", "领导接待日"
    DOWN = "down", "领导下访"
    APPOINTMENT = "appointment", "领导约访"


class BookingChannel(models.TextChoices):
    PORTAL = "portal", "网上预约"
    OFFICE = "office", "信访部门代约（来访）"
    INVITED = "invited", "领导约见（约访、下访）"


class ReferralStatus(models.TextChoices):
    """A walk-in the hall's clerk sends to a department's window (一站式接待, seeds/003 §二(一))."""

    WAITING = "waiting", "待窗口接待"
    TAKEN = "taken", "窗口已登记办理"
    RETURNED = "returned", "退回分流"


class ReferralAction(models.TextChoices):
    TAKE = "take", "登记办理"
    RETURN = "return", "退回分流"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    RECEIVED = "received", "已接待"
    CANCELLED = "cancelled", "已取消"


class Outcome(models.TextChoices):
    """What came of one visit (seeds/002 rule 5: 一次办结率、化解率)."""

    RESOLVED = "resolved", "当场解决"
    ASSIGNED = "assigned", "交办限期办理"
    LEADER_CASE = "leader_case", "领导包案"
    EXPLAINED = "explained", "解释说明、依法终结接谈"


EVENT_VISIT = "reception_visit"
EVENT_INVITE = "reception_invite"
