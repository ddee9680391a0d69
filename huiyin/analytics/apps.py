from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "huiyin.analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from huiyin.analytics import exports, metrics, survey  # noqa: F401  (register the built-in metrics, 民主评议)
        from huiyin.core import registry
        from huiyin.org.roles import OVERSEE

        registry.declare(
            registry.Module(
                name="analytics",
                # after the clocks, 督办, retries and the outbox: the roll-ups count what they wrote
                periodic_tasks=(
                    (90, "huiyin.analytics.tasks.refresh_rollups"),
                    # the 通报 of the month just ended, the §41 report of the year just ended (stored once)
                    (95, "huiyin.analytics.tasks.generate_documents"),
                ),
                # last of the modules' seasons: the 通报 counts what they wrote; a closed 民主评议 round
                exports=exports.EXPORTS,
                demo=(100, "huiyin.analytics.demo.build_analytics"),
                # every staff member: a leader sees the territory, anyone else their own unit's figures
                navigation=(
                    registry.NavEntry("analytics", "统计", "analytics_dashboard", "bi-bar-chart", 75),
                    registry.NavEntry(
                        "analytics_docs",
                        "通报报告",
                        "analytics_documents",
                        "bi-file-earmark-text",
                        76,
                        roles=OVERSEE,
                    ),
                    registry.NavEntry(
                        "analytics_scorecard", "考核", "analytics_scorecard", "bi-clipboard-check", 77
                    ),
                    registry.NavEntry("analytics_surveys", "民主评议", "analytics_surveys", "bi-people", 78),
                ),
            )
        )
