from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "huiyin.imports"
    verbose_name = "历史数据导入"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.imports import events, exports
        from huiyin.imports.selectors import IMPORT

        registry.declare(
            registry.Module(
                name="imports",
                events=events.EVENTS,
                capabilities={"import_cases": IMPORT},
                navigation=(
                    registry.NavEntry(
                        "imports",
                        "历史数据导入",
                        "imports_home",
                        "bi-file-earmark-arrow-up",
                        85,
                        roles=IMPORT,
                    ),
                ),
                exports=exports.EXPORTS,
                demo=(90, "huiyin.imports.demo.build"),
            )
        )
