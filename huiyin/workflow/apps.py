from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "huiyin.workflow"
    label = "workflow"
    verbose_name = "流程与时限"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.workflow import aftercare, events, selectors
        from huiyin.workflow.conflicts import conflict_bar

        Q = registry.WorkQueue
        registry.declare(
            registry.Module(
                name="workflow",
                events=(*events.EVENTS, *aftercare.EVENTS),  # aftercare: HD-10/RP-2 (条例 §37)
                visibility=selectors.visibility,
                # a declared conflict of interest, or a namesake of the accused not yet cleared (§30¶3)
                identity_bar=lambda case, user: conflict_bar(case, user) is not None,
                queues=(
                    Q("due_soon", "临期（黄灯）", 30, selectors.queue_due_soon),
                    Q("overdue", "超期（红灯）", 40, selectors.queue_overdue),
                    Q("co_handling", "协办", 50, selectors.queue_co_handling),
                    # 条例 §23¶3 and §34 (issue 10 items 1 and 5)
                    Q("to_accept", "待受理告知", 70, selectors.queue_to_accept),
                    Q("extension_requests", "待审批延期", 80, selectors.queue_extension_requests),
                ),
                periodic_tasks=(
                    (10, "huiyin.workflow.tasks.sweep_clocks_task"),
                ),  # clock colours (SPEC §3.3)
            )
        )
