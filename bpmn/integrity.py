"""The stored row is the whole truth: restore an instance from it and compare with its projections.

Used after every step by the tests and by `manage.py check_instances` after a deploy or an
upgrade. A running instance must wait on something (an open task, a timer or a message); what
the restored workflow has ready or waiting must be exactly what the indexed tables say; and the
domain's own checks (registered in `HOOKS.checks`) must find its business objects in step.
"""
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskFilter

from bpmn import engine, projections
from bpmn.hooks import HOOKS
from bpmn.models import MessageSubscription, OpenTask, ProcessInstance, Timer


def problems(instance: ProcessInstance) -> list[str]:
    """Return what is wrong with one instance, restored from its row; empty when all holds."""
    workflow = engine.workflow_of(instance)
    found = _status_problems(instance, workflow)
    if instance.status == ProcessInstance.Status.RUNNING:
        found += _projection_problems(instance, workflow) + _progress_problems(instance, workflow)
    for check in HOOKS.checks:
        found += check(instance)
    return found


def running_instances():
    return ProcessInstance.objects.filter(status=ProcessInstance.Status.RUNNING).select_related("definition")


def _status_problems(instance, workflow) -> list[str]:
    running = instance.status == ProcessInstance.Status.RUNNING
    if running and workflow.completed:
        return ["状态为运行中，但流程已结束 / stored as running, but the workflow has completed"]
    if not running and not workflow.completed:
        return [f"状态为 {instance.status}，但流程未结束 / stored as {instance.status}, "
                "but the workflow has not completed"]
    return []


def _projection_problems(instance, workflow) -> list[str]:
    ready = {str(t.id) for t in projections.ready_user_tasks(workflow)}
    waited_timers, waited_messages = projections.waited_for(workflow)
    timers = {k: due for k, (_task, due) in waited_timers.items()}
    subscriptions = {k: (name, key) for k, (_task, name, key) in waited_messages.items()}
    stored_tasks = {str(t) for t in OpenTask.objects.filter(instance=instance).values_list("task_id", flat=True)}
    stored_timers = {str(t): due for t, due in Timer.objects.filter(instance=instance).values_list("task_id", "due_at")}
    stored_subscriptions = {
        str(t): (name, key)
        for t, name, key in MessageSubscription.objects.filter(instance=instance).values_list(
            "task_id", "message_name", "correlation_key"
        )
    }
    return (
        _differences("open tasks / 待办任务", ready, stored_tasks)
        + _differences("timers / 定时器", timers, stored_timers)
        + _differences("message subscriptions / 消息订阅", subscriptions, stored_subscriptions)
    )


def _differences(what: str, restored, stored) -> list[str]:
    if restored == stored:
        return []
    if isinstance(restored, set):
        restored, stored = dict.fromkeys(restored), dict.fromkeys(stored)
    missing = sorted(k for k in restored if k not in stored)
    extra = sorted(k for k in stored if k not in restored)
    changed = sorted(k for k in restored if k in stored and restored[k] != stored[k])
    return [f"{what}: missing {missing}, not in the workflow {extra}, different {changed}"]


def _progress_problems(instance, workflow) -> list[str]:
    found = []
    if not (instance.open_tasks.exists() or instance.timers.exists() or instance.subscriptions.exists()):
        found.append("运行中却无待办、定时器或消息订阅 / running, yet waiting on no task, timer or message")
    automatic = workflow.get_tasks(task_filter=TaskFilter(state=TaskState.READY, manual=False))
    if automatic:
        names = sorted(t.task_spec.bpmn_id or t.task_spec.name for t in automatic)
        found.append(f"自动步骤未执行 / automatic steps left ready: {names}")
    for task in workflow.get_tasks(state=TaskState.STARTED):
        if isinstance(task.task_spec, LoopTask) and _children_all_finished(task):
            found.append(
                f"循环或多实例不再推进 / loop or multi-instance stalled: {task.task_spec.bpmn_id} "
                "STARTED with every child finished"
            )
    return found


def _children_all_finished(task) -> bool:
    children = [c for c in task.children if c.task_spec.name == task.task_spec.task_spec]
    return bool(children) and all(c.has_state(TaskState.FINISHED_MASK) for c in children)
