from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Registration from every channel (登记): one layer above the workflow clocks it starts, below the
    channels that call it (the staff desk, the portal, Open311, the modules). No models of its own: it
    writes the case record of `huiyin.cases` (issue 10, ADR 0008)."""

    name = "huiyin.intake"
    label = "intake"
    verbose_name = "登记"
