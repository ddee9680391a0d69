from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The staff desk: the workbench, intake at the window, the case page, receipts, search and the
    cases' JSON API — the top of the staff side (issue 10, ADR 0008). No models of its own."""

    name = "huiyin.desk"
    label = "desk"
    verbose_name = "工作台"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.org import roles

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="desk",
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
