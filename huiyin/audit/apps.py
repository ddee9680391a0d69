from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit screen (审计记录) over the core's append-only AuditEntry rows (no models of its own)."""

    name = "huiyin.audit"
    label = "audit_screen"
    verbose_name = "审计记录"

    def ready(self) -> None:
        from huiyin.audit import exports
        from huiyin.core import registry
        from huiyin.org import roles

        nav = registry.NavEntry(
            "audit", "审计", "audit_log", "bi-journal-check", 70, roles=roles.READ_AUDIT, superuser=True
        )
        registry.declare(registry.Module(name="audit", navigation=(nav,), exports=exports.EXPORTS))
