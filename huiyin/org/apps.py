from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "huiyin.org"
    label = "org"
    verbose_name = "组织与配置"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.org import roles

        registry.declare(registry.Module(name="org", capabilities=roles.CAPABILITIES))
        from huiyin.org import signals  # noqa: F401
