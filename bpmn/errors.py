"""Engine errors. Each carries one message in Chinese and English that names the rule."""


class EngineError(Exception):
    """Base of every refusal the engine makes; `code` is stable for the API."""

    code = "engine_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


class UnboundTask(EngineError):
    code = "task_unbound"


class MessageNotExpected(EngineError):
    code = "message_not_expected"
