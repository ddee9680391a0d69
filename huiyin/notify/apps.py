from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huiyin.notify"
    label = "notify"
    verbose_name = "通知"
    # The one event writer (huiyin.cases.events.event_record) sends `event_written` inside its
    # transaction; the outbox row is written there by the receiver connected below (ADR 0006), and its
    # delivery makes the notices.

    def ready(self) -> None:
        from huiyin.cases.events import event_written
        from huiyin.core import registry
        from huiyin.notify.outbox import outbox_on_event

        event_written.connect(outbox_on_event, dispatch_uid="notify.outbox")
        from huiyin.core.seeds import migration_seed
        from huiyin.notify.models import MessageTemplate

        registry.declare(
            registry.Module(
                name="notify",
                navigation=(registry.NavEntry("notices", "通知", "notices", "bi-bell", 40),),
                periodic_tasks=(
                    (30, "huiyin.notify.tasks.retry_notifications"),  # failed messages, window reminders
                    (40, "huiyin.notify.tasks.drain_outbox"),  # events whose delivery died (ADR 0006)
                ),
                reference_data_present=lambda: MessageTemplate.objects.exists(),
                reference_data=(
                    (60, migration_seed("huiyin.notify.migrations.0002_default_templates", "seed")),
                ),
            )
        )
