from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "huiyin.workflow"
    label = "workflow"
    verbose_name = "流程与时限"

    def ready(self) -> None:
        from huiyin.core import registry
        from huiyin.workflow import events

        registry.declare(
            registry.Module(
                name="workflow",
                events=events.EVENTS,
                periodic_tasks=(
                    (10, "huiyin.workflow.tasks.sweep_clocks_task"),
                ),  # clock colours (SPEC §3.3)
            )
        )
