from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "huiyin.analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from huiyin.analytics import metrics  # noqa: F401  (registers the built-in metrics)
