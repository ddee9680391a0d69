from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "huiyin.mediation"
    label = "mediation"
    verbose_name = "矛盾纠纷排查调处"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.mediation import events, exports, metrics, selectors, services
        from huiyin.mediation.transitions import FOLLOW_UP
        from huiyin.org import roles

        N = registry.NavEntry
        registry.declare(
            registry.Module(
                name="mediation",
                demo=(20, "huiyin.mediation.demo.build_mediation"),
                # the month's screening rounds, from its first working day (idempotent every tick)
                periodic_tasks=((60, "huiyin.mediation.tasks.open_monthly_rounds"),),
                events=events.EVENTS,
                capabilities={"mediate": FOLLOW_UP},
                metrics=metrics.METRICS,
                exports=exports.EXPORTS,
                # outreach's 民情日记 problem goes to the ledger (outreach.services.MEDIATION_SCREENING)
                # and the workflow's 调解和解 starts a linked mediation (workflow.services.MEDIATION_FROM_CASE)
                aids={
                    "screening_item_create": services.screening_item_create,
                    "mediation_from_case": services.mediation_from_case,
                },
                case_links=selectors.case_links,
                supervision_candidates=selectors.supervision_candidates,
                navigation=(
                    N("mediation_bench", "调解台", "mediation_bench", "bi-people", 45, roles=FOLLOW_UP),
                    N(
                        "ledger",
                        "排查台账",
                        "mediation_ledger",
                        "bi-journal-check",
                        46,
                        roles=roles.HANDLE | roles.OVERSEE | roles.ROUTE | FOLLOW_UP,
                    ),
                ),
            )
        )
