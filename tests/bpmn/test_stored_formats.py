"""A row written by the previous SpiffWorkflow serializer format is migrated on load and runs on."""
import json

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

from bpmn import caches, engine
from bpmn.models import ProcessInstance
from bpmn.spiff import SPIFF_FORMAT


def _all_tasks(state: dict) -> dict:
    tasks = dict(state["tasks"])
    for sub in state["subprocesses"].values():
        tasks.update(sub["tasks"])
    return tasks


def as_written_in(version: str, instance: ProcessInstance) -> tuple[dict, int]:
    """Return the instance's state in the layout of an earlier SpiffWorkflow format, and how many tasks differ.

    1.4 differs from 1.5 in the specs only (an event-based gateway's children), which rows do not
    hold; 1.3 kept a multi-instance or loop task that was reached WAITING where 1.4 has it STARTED.
    """
    state = json.loads(instance.state)
    assert state["spiff_format"] == SPIFF_FORMAT
    state["spiff_format"] = version
    changed = 0
    if version == "1.3":
        workflow = engine.workflow_of(instance)
        loops = {str(t.id) for t in workflow.get_tasks(state=TaskState.STARTED) if isinstance(t.task_spec, LoopTask)}
        for task_id, task in _all_tasks(state).items():
            if task_id in loops:
                task["state"] = TaskState.WAITING
                changed += 1
    return state, changed


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1.4", "1.3"])
def test_a_row_in_the_previous_spiffworkflow_format_is_migrated_on_load_and_the_lifecycle_runs_on(world, version):
    from tests.workflows.walk import Walk, actor_for, services

    walk = Walk()
    walk.do("invite_members", {"college_ids": [c.pk for c in walk.invitees]})  # a multi-instance now waits
    instance = walk.instance
    state, changed = as_written_in(version, instance)
    assert changed == (1 if version == "1.3" else 0)
    ProcessInstance.objects.filter(pk=instance.pk).update(state=json.dumps(state, ensure_ascii=False))
    caches.drop_all()  # no warm workflow of this process may stand in for the row

    restored = engine.workflow_of(ProcessInstance.objects.get(pk=instance.pk))
    assert not [t for t in restored.get_tasks(state=TaskState.WAITING) if isinstance(t.task_spec, LoopTask)]
    for task in walk.tasks("respond_invitation"):
        caches.drop_all()
        services.complete(task.task_id, actor_for(task), {"decision": "accept"})
    walk.negotiation.refresh_from_db()
    assert walk.tasks("screen_services"), [t.task_name for t in walk.tasks()]
    assert json.loads(walk.instance.state)["spiff_format"] == SPIFF_FORMAT
