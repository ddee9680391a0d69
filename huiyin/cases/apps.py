from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huiyin.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from huiyin.cases import aftercare, events
        from huiyin.core import registry
        from huiyin.org import roles

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="cases",
                events=(*events.EVENTS, *aftercare.EVENTS),  # t10-rules: HD-10/RP-2 (条例 §37)
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
