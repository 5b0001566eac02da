"""Engine errors. Each names its rule by a stable code and says why in the reader's language.

The message is an English `gettext_lazy` text with `%(name)s` placeholders (its Chinese in the
catalogue), the values travel as `params`; it is rendered in the language active where shown.
"""
from decimal import Decimal

from django.utils.functional import Promise


def display(value) -> str:
    """A parameter as a person reads it: amounts with two decimals, lazy labels translated."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


class TranslatedMessage:
    """A message template (English, gettext_lazy, `%(name)s` placeholders) and its params."""

    template: str | Promise
    params: dict

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The message in the active language, with its values."""
        text = str(self.template)
        return text % self.shown_params() if self.params else text

    def shown_params(self) -> dict:
        return {name: display(value) for name, value in self.params.items()}


class EngineError(TranslatedMessage, Exception):
    """Base of every refusal the engine makes; `code` is stable for the API."""

    code = "engine_error"

    def __init__(self, message: str | Promise, **params):
        super().__init__(message)
        self.template = message
        self.params = params


class ModelValidationError(EngineError):
    """A process or decision file is not a valid, safe model."""

    code = "model_invalid"


class TaskNotFound(EngineError):
    code = "task_not_found"


class TaskNotReady(EngineError):
    """The task was completed by someone else, or is not open any more."""

    code = "task_not_ready"


class ActorNotAllowed(EngineError):
    code = "actor_not_allowed"


class TaskClaimed(EngineError):
    """A colleague holds the task: only they complete or release it, until they give it back."""

    code = "task_claimed_by_other"


class TaskNotClaimed(EngineError):
    code = "task_not_claimed"


class TaskNotClaimedByOther(EngineError):
    """Taking over is for a task a colleague holds; a free task is claimed, one's own is kept."""

    code = "task_not_claimed_by_other"


class StateTooLarge(EngineError):
    """A step would store more workflow data than one instance may hold (serializer.MAX_STATE_CHARS)."""

    code = "state_too_large"


class UnboundTask(EngineError):
    code = "task_unbound"


class TaskInputUnchecked(EngineError):
    """Input submitted while no contract is installed to check it."""

    code = "task_input_unchecked"


class MessageNotExpected(EngineError):
    code = "message_not_expected"
