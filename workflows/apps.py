from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "1+X 费用协商 Negotiation"

    def ready(self) -> None:
        # actions and scripts bind the user tasks and the script functions as they are imported; checks
        # registers the checks of the models against the domain
        from workflows import (  # noqa: F401
            actions,
            assignment,
            attachments,
            checks,
            complaint_actions,
            contracts,
            events,
            integrity,
            scripts,
            supervision_actions,
            teo_records,
        )

        assignment.install()
        contracts.install()
        integrity.install()
        events.install()
