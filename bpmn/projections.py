"""The projections: indexed rows kept in step with a workflow's state, so that no inbox or scheduler
ever restores a workflow to find work.

Open tasks (who may act on what, by when), timers (what falls due when) and message subscriptions
(who waits for which message, under which correlation). The instance row remembers in
`last_projected` what was projected last, so a step that changes nothing costs no query.
"""
import json
from datetime import datetime

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskFilter

from bpmn import spiff
from bpmn.hooks import HOOKS, Assignment
from bpmn.models import MessageSubscription, OpenTask, ProcessInstance, Timer


def correlation_key(values: dict) -> str:
    """Return the canonical text of a correlation, e.g. {"agreement_id": 3, "college_id": 5}."""
    return json.dumps({k: values[k] for k in sorted(values)}, sort_keys=True, default=str)


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    """Return the user tasks a person may complete now."""
    return workflow.get_tasks(task_filter=TaskFilter(state=TaskState.READY, manual=True))


def timer_due(task) -> datetime | None:
    """Return when a waiting timer falls due; None before it started."""
    value = spiff.timer_value(task)
    if value is None:
        return None
    return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else value


def task_correlation(workflow: BpmnWorkflow, task) -> dict:
    """Evaluate the message's correlation properties against the waiting task's data."""
    values = {}
    for prop in task.task_spec.event_definition.correlation_properties:
        values[prop.name] = workflow.script_engine.evaluate(task, prop.retrieval_expression)
    return values


# --- open tasks --------------------------------------------------------------------------


def sync_open_tasks(instance: ProcessInstance, workflow: BpmnWorkflow) -> tuple[list[OpenTask], list[str]]:
    """Bring the open-task rows in step; return the rows opened and the names of the tasks closed."""
    ready = {str(t.id): t for t in ready_user_tasks(workflow)}
    before = set(instance.last_projected.get("tasks", []))
    closed = [tid for tid in before if tid not in ready]
    closed_names = []
    if closed:
        rows = OpenTask.objects.filter(task_id__in=closed)
        closed_names = list(rows.values_list("task_name", flat=True))
        rows.delete()
    opened = [_open_task_row(instance, t) for tid, t in ready.items() if tid not in before]
    OpenTask.objects.bulk_create(opened)
    instance.last_projected["tasks"] = list(ready)
    return opened, closed_names


def _open_task_row(instance: ProcessInstance, task) -> OpenTask:
    assignment = HOOKS.assign(instance, task) if HOOKS.assign else Assignment(None)
    spec = task.task_spec
    return OpenTask(
        instance=instance,
        task_id=task.id,
        process_id=task.workflow.spec.name,
        task_name=spec.bpmn_id or spec.name,
        label=spec.bpmn_name or spec.bpmn_id or spec.name,
        role=spec.lane or "",
        organization_id=assignment.organization_id,
        claimed_by_id=assignment.person_id,
        due_at=assignment.due_at,
        data=assignment.data,
    )


# --- timers and subscriptions ------------------------------------------------------------


def waited_for(workflow: BpmnWorkflow) -> tuple[dict, dict]:
    """Return what the workflow waits for: {task id: (task, due)} and {task id: (task, message, key)}."""
    timers, messages = {}, {}
    for task in spiff.waiting_catch_tasks(workflow):
        definition = task.task_spec.event_definition
        due = timer_due(task) if isinstance(definition, TimerEventDefinition) else None
        if due is not None:
            timers[str(task.id)] = (task, due)
        elif isinstance(definition, MessageEventDefinition):
            key = correlation_key(task_correlation(workflow, task))
            messages[str(task.id)] = (task, definition.name, key)
    return timers, messages


def sync_events(instance: ProcessInstance, workflow: BpmnWorkflow) -> list[MessageSubscription]:
    """Bring the timer and subscription rows in step; return the subscriptions that are new."""
    waited_timers, waited_messages = waited_for(workflow)
    timers = {k: Timer(instance=instance, task_id=task.id, task_name=task.task_spec.bpmn_id or "", due_at=due)
              for k, (task, due) in waited_timers.items()}
    subscriptions = {k: MessageSubscription(instance=instance, task_id=task.id, message_name=name, correlation_key=key)
                     for k, (task, name, key) in waited_messages.items()}
    before = instance.last_projected or {}
    timer_keys = {k: t.due_at.isoformat() for k, t in timers.items()}
    subscription_keys = {k: s.correlation_key for k, s in subscriptions.items()}
    _replace_changed_rows(Timer, instance, before.get("timers", {}), timer_keys, timers)
    created = _replace_changed_rows(MessageSubscription, instance, before.get("subscriptions", {}),
                                    subscription_keys, subscriptions)
    instance.last_projected = {**before, "timers": timer_keys, "subscriptions": subscription_keys}
    return created


def _replace_changed_rows(model, instance, before: dict, after: dict, rows: dict) -> list:
    # The instance row remembers what it projected last time, so an unchanged step costs no query.
    stale = [k for k in before if after.get(k) != before[k]]
    if stale:
        model.objects.filter(instance=instance, task_id__in=stale).delete()
    fresh = [rows[k] for k in after if before.get(k) != after[k]]
    return model.objects.bulk_create(fresh) if fresh else []
