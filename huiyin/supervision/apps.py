from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huiyin.supervision"
    verbose_name = "督办与领导包案"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.supervision import events

        registry.declare(registry.Module(name="supervision", events=events.EVENTS))
        from huiyin.supervision import receivers  # noqa: F401  (connects the signal receivers)
