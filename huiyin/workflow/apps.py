from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "huiyin.workflow"
    label = "workflow"
    verbose_name = "流程与时限"
