"""Messages to petitioners (SMS and e-mail), the templates administrators edit (SPEC §3.10), the
work notices staff find in their 通知 inbox (督办, 交办, 异议, 管辖争议, 包案…), and the outbox that
carries every committed case event to them (docs/adr/0006-transactional-outbox.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huiyin.notify.choices import DeliveryState, Medium, MessageKind, OutboxState


class MessageTemplate(models.Model):
    """The wording of one kind of message to petitioners, editable by administrators.

    Written in Django template syntax with the variables listed in docs/notifications.md.
    """

    kind = models.CharField(max_length=30, choices=MessageKind.choices, unique=True)
    subject = models.CharField("邮件标题", max_length=120)
    body = models.TextField("正文")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseContact(models.Model):
    """An extra address a petitioner gave for notices about a case (e.g. an e-mail on the portal).

    Phone numbers of the case's petitioners are used as they are; this holds what the case record
    has no field for.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    medium = models.CharField(max_length=10, choices=Medium.choices)
    address = models.CharField(max_length=254, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "medium", "address"], name="one_contact_per_address")
        ]
        verbose_name = "通知地址"
        verbose_name_plural = "通知地址"

    def __str__(self) -> str:
        from huiyin.core.audit import mask  # a citizen's phone or e-mail (shown in the admin)

        return f"{self.get_medium_display()} {mask(self.address)}"


class Notification(models.Model):
    """One message to one address, with its delivery record: sent, or failed and retried (never lost)."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Makes creation idempotent: one message per (event or clock, kind, address).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    backend = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_retry")]
        verbose_name = "通知"
        verbose_name_plural = "通知"

    def __str__(self) -> str:
        from huiyin.core.audit import mask  # a citizen's phone or e-mail (shown in the admin)

        return f"{self.get_kind_display()} → {mask(self.recipient)}"


class StaffNotice(models.Model):
    """A work notice to one staff member about one case event, shown in their 通知 inbox until read.

    Made only for people who may see the case (never the accused unit or its direct superior,
    条例 §30¶3); the text names the case, the step and its deadline, never the petitioner.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    # a notice about something that is not (yet) a case — a module's own record, e.g. a department head
    # invited to a reception session (staff.notice_direct) — has neither, and opens `link` instead
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=40)  # the event type (or the module's notice kind)
    title = models.CharField(max_length=120)
    text = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_notice_per_user_event")]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_inbox")]
        verbose_name = "工作通知"
        verbose_name_plural = "工作通知"

    def __str__(self) -> str:
        return f"{self.title} → {self.user}"


class OutboxMessage(models.Model):
    """A case event that still owes its notices: written in the transaction that writes the event, so
    a committed event always has one, and delivered (expanded into Notification and StaffNotice rows)
    by the worker's drain or, sooner, right after the commit (docs/adr/0006-transactional-outbox.md).

    One row per event (the unique event column): a second write of the same event is refused, and
    the expansion commits together with `state=done`, so a crash mid-expansion leaves the row pending
    with nothing made, and the redelivery makes everything once.
    """

    event = models.OneToOneField("cases.CaseEvent", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)  # the event type, for the admin's filter
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)  # failed deliveries so far
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    made = models.JSONField(default=dict, blank=True)  # what the delivery made: counts by kind of row

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        verbose_name = "待分发事件"
        verbose_name_plural = "待分发事件"

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id} ({self.get_state_display()})"
