from django.apps import AppConfig


class BpmnConfig(AppConfig):
    name = "bpmn"
    verbose_name = "BPMN 流程引擎 Process engine"

    def ready(self) -> None:
        from bpmn import checks  # noqa: F401  registers the system checks
