"""What the domain plugs into the generic engine: actions, assignment, authorization.

The engine knows nothing of fees or colleges. The domain registers, for each user task
(process id, task id), the action that performs the business change, and one function each
to decide which organization holds a task's lane and whether a user may act on a task.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class TaskContext:
    """Everything an action needs about the completion under way."""

    instance: Any
    open_task: Any
    task: Any
    actor: Any
    data: dict


@dataclass
class Assignment:
    """Who holds an open task and what it shows them."""

    organization_id: int | None
    due_at: datetime | None = None
    data: dict = field(default_factory=dict)
    # The one user a task is asked of (a named expert), or None for a group task: it opens claimed by them.
    person_id: int | None = None


Action = Callable[[TaskContext], dict | None]
Assigner = Callable[[Any, Any], Assignment]
Authorizer = Callable[[Any, Any], bool]
Holder = Callable[[Any], Any]
Check = Callable[[Any], list[str]]
TaskInput = Callable[[Any, dict, dict], dict]


@dataclass
class Hooks:
    actions: dict[tuple[str, str], Action] = field(default_factory=dict)
    assign: Assigner | None = None
    authorize: Authorizer | None = None
    # Who holds an open task, in words for a refusal ("College finance of 武汉职业技术学院"); lazy text.
    holder: Holder | None = None
    # Invariants of the business objects behind an instance: each returns what it finds wrong.
    checks: list[Check] = field(default_factory=list)
    # What a completion may set: (open task, the live task data, the submitted data) -> the part that
    # reaches the task data; refuses the rest. Without one the submitted data is taken as it is.
    task_input: TaskInput | None = None


HOOKS = Hooks()


def bind(process_id: str, task_name: str) -> Callable[[Action], Action]:
    """Register the decorated function as the action of one user task."""

    def decorator(action: Action) -> Action:
        HOOKS.actions[(process_id, task_name)] = action
        return action

    return decorator


def action_for(process_id: str, task_name: str) -> Action | None:
    return HOOKS.actions.get((process_id, task_name))
