from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huiyin.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from huiyin.core import registry, signals  # noqa: F401

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="core",
                navigation=(N("admin", "管理", "admin:index", "bi-gear", 90, staff_flag=True),),
            )
        )
        from huiyin.core.seeds import restore_reference_data

        # after every `migrate` and every `flush` (transactional tests): reference data back in place
        post_migrate.connect(restore_reference_data, sender=self, dispatch_uid="huiyin-reference-data")
