from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huiyin.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from huiyin.cases import events
        from huiyin.core import registry

        registry.declare(registry.Module(name="cases", events=events.EVENTS))
