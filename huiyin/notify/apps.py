from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huiyin.notify"
    label = "notify"
    verbose_name = "通知"
    # No signal receiver: the services that write case events write an outbox row in the same
    # transaction (huiyin.notify.outbox), and its delivery makes the notices.

    def ready(self) -> None:
        from huiyin.core import registry

        nav = registry.NavEntry("notices", "通知", "notices", "bi-bell", 40)
        registry.declare(registry.Module(name="notify", navigation=(nav,)))
