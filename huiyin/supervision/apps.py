from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huiyin.supervision"
    verbose_name = "督办与领导包案"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.org.choices import Role
        from huiyin.supervision import events, exports, selectors

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="supervision",
                events=events.EVENTS,
                visibility=selectors.visibility,
                exports=exports.EXPORTS,
                queues=(registry.WorkQueue("supervised", "督办", 60, selectors.queue_supervised),),
                periodic_tasks=((20, "huiyin.supervision.tasks.sweep_supervision_task"),),  # after the clocks
                navigation=(
                    N(
                        "leader",
                        "领导信箱",
                        "leader_inbox",
                        "bi-person-badge",
                        50,
                        roles=frozenset({Role.LEADER}),
                    ),
                    N(
                        "supervision",
                        "督办",
                        "supervision",
                        "bi-flag",
                        60,
                        roles=frozenset({Role.SUPERVISOR}),
                    ),
                ),
            )
        )
        from huiyin.supervision import receivers  # noqa: F401  (connects the signal receivers)
