from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huiyin.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from huiyin.cases import events
        from huiyin.cases.models import Category
        from huiyin.core import registry
        from huiyin.core.seeds import migration_seed
        from huiyin.org import roles

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="cases",
                events=events.EVENTS,
                reference_data_present=lambda: Category.objects.filter(level=1).exists(),
                reference_data=((30, migration_seed("huiyin.cases.migrations.0003_subject_taxonomy")),),
                navigation=(
                    N("workbench", "工作台", "workbench", "bi-inboxes", 10, accesskey="w"),
                    N(
                        "intake",
                        "登记",
                        "case_new",
                        "bi-pencil-square",
                        20,
                        roles=roles.REGISTER,
                        accesskey="n",
                    ),
                    N("search", "搜索", "search", "bi-search", 30, accesskey="s"),
                ),
            )
        )
