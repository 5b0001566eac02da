"""Every refusal, whatever raised it, as (HTTP status, rule, message): pages and the API agree.

A RuleViolation names its rule; the engine's errors carry a stable code; a state machine that
refuses a transition, or a process script that fails, is mapped here so that no caller ever
shows a traceback for something a person did.
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from SpiffWorkflow.exceptions import WorkflowException

from bpmn.errors import (
    ActorNotAllowed,
    EngineError,
    TaskClaimed,
    TaskNotClaimed,
    TaskNotClaimedByOther,
    TaskNotFound,
    TaskNotReady,
)
from workflows.errors import RuleViolation

ENGINE_STATUS = {ActorNotAllowed: 403, TaskNotFound: 404, TaskNotReady: 409, TaskClaimed: 409, TaskNotClaimed: 409,
                 TaskNotClaimedByOther: 409}


@dataclass(frozen=True)
class Refusal:
    status: int
    rule: str
    message: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "params": self.params}


REFUSED = (RuleViolation, EngineError, TransitionNotAllowed, WorkflowException)


def refusal_of(error: Exception) -> Refusal:
    """Return the refusal to show for one of the REFUSED errors."""
    if isinstance(error, RuleViolation):
        return Refusal(error.status, error.rule, error.message, error.shown_params())
    if isinstance(error, EngineError):
        return Refusal(ENGINE_STATUS.get(type(error), 400), error.code, error.message, error.shown_params())
    if isinstance(error, TransitionNotAllowed):
        return _refusal(409, "transition_not_allowed",
                        _("This step is not allowed in the current state: %(detail)s"), detail=str(error))
    return _refusal(400, "process_step_failed", _("A process step failed: %(detail)s"), detail=str(error))


def _refusal(status: int, rule: str, template, **params) -> Refusal:
    return Refusal(status, rule, str(template) % params, params)
