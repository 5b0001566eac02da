from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "1+X 费用协商 Negotiation"

    def ready(self) -> None:
        from workflows import actions, scripts  # noqa: F401  binds tasks and script functions
        from workflows.assignment import install

        install()
