from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huiyin.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from huiyin.cases import aftercare, events, selectors
        from huiyin.cases.models import Category
        from huiyin.core import registry
        from huiyin.core.seeds import migration_seed
        from huiyin.org import roles

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="cases",
                events=(*events.EVENTS, *aftercare.EVENTS),  # aftercare: HD-10/RP-2 (条例 §37)
                queues=(
                    registry.WorkQueue("to_route", "待分办", 10, selectors.queue_to_route),
                    registry.WorkQueue("my_unit", "本单位在办", 20, selectors.queue_my_unit),
                ),
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
                    # issue 10 (t10-types), HD-2: 人民建议征集 (条例 §29)
                    N("suggestions", "建议征集", "suggestion_list", "bi-lightbulb", 42),
                ),
            )
        )
