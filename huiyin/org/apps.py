from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "huiyin.org"
    label = "org"
    verbose_name = "组织与配置"

    def ready(self) -> None:
        from django.db.models import Exists

        from huiyin.core import registry
        from huiyin.core.seeds import migration_seed
        from huiyin.org import roles
        from huiyin.org.models import ResponsibilityRule, RuleProfile

        m = "huiyin.org.migrations."
        registry.declare(
            registry.Module(
                name="org",
                capabilities=roles.CAPABILITIES,
                # the national profile and the responsibility matrix, in one look: a demo reset's
                # cascade through territories takes the matrix and leaves the profiles
                reference_data_present=lambda: RuleProfile.objects.filter(
                    Exists(ResponsibilityRule.objects.filter(territory__isnull=True)),
                    code=RuleProfile.NATIONAL_CODE,
                ).exists(),
                reference_data=(
                    (10, migration_seed(m + "0002_national_rule_profile")),
                    (11, migration_seed(m + "0005_province_profiles")),
                    (12, migration_seed(m + "0009_shandong_profile")),
                    (40, migration_seed(m + "0007_default_responsibility_rules")),  # after the taxonomy
                ),
            )
        )
        from huiyin.org import signals  # noqa: F401
