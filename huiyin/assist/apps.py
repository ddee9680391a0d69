from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "huiyin.assist"
    label = "assist"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        from huiyin.assist import receivers  # noqa: F401  (stores each registered case's signature)
        from huiyin.core import registry
        from huiyin.org import roles

        nav = registry.NavEntry(
            "hotspots", "热点", "assist_hotspots", "bi-fire", 80, roles=roles.SEE_HOT_ISSUES
        )
        from huiyin.assist import exports
        from huiyin.assist.selectors import accused_unit_hints, guess_category

        registry.declare(
            registry.Module(
                name="assist",
                navigation=(nav,),
                # the routing suggestion of a case registered without a subject (issue 10 item 11)
                aids={"accused_unit_hints": accused_unit_hints, "category_guess": guess_category},
                exports=exports.EXPORTS,
            )
        )
