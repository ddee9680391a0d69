from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "huiyin.analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from huiyin.analytics import metrics  # noqa: F401  (registers the built-in metrics)
        from huiyin.core import registry

        registry.declare(
            registry.Module(
                name="analytics",
                # after the clocks, 督办, retries and the outbox: the roll-ups count what they wrote
                periodic_tasks=(
                    (90, "huiyin.analytics.tasks.refresh_rollups"),
                    # the 通报 of the month just ended, the §41 report of the year just ended (stored once)
                    (95, "huiyin.analytics.tasks.generate_documents"),
                ),
                # every staff member: a leader sees the territory, anyone else their own unit's figures
                navigation=(
                    registry.NavEntry("analytics", "统计", "analytics_dashboard", "bi-bar-chart", 75),
                ),
            )
        )
