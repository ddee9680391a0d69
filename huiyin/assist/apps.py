from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "huiyin.assist"
    label = "assist"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        from huiyin.assist import receivers  # noqa: F401  (stores each registered case's signature)
