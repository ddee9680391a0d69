from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huiyin.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from huiyin.cases import events, exports, selectors, textsearch
        from huiyin.cases.models import Category
        from huiyin.core import registry
        from huiyin.core.seeds import migration_seed

        connection_created.connect(textsearch.register_sqlite_function, dispatch_uid="huiyin_pairs")
        post_migrate.connect(textsearch.repair_after_migrate, sender=self, dispatch_uid="huiyin_text_index")
        registry.declare(
            registry.Module(
                name="cases",
                events=events.EVENTS,
                queues=(
                    registry.WorkQueue("to_route", "待分办", 10, selectors.queue_to_route),
                    registry.WorkQueue("my_unit", "本单位在办", 20, selectors.queue_my_unit),
                ),
                exports=(
                    exports.CASES,
                    exports.FOLLOWUPS,
                ),  # the case lists: queues, search results (case_list_export)
                reference_data_present=lambda: Category.objects.filter(level=1).exists(),
                reference_data=((30, migration_seed("huiyin.cases.migrations.0003_subject_taxonomy")),),
            )
        )
