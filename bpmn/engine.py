"""The one door into the engine: deploy, start, complete, claim, fire timers, deliver messages, decide.

Every mutation runs in one transaction that locks the instance row, advances the workflow,
saves its state and keeps the projections (`bpmn.projections`: open tasks, timers,
subscriptions) and the audit in step.
"""
import json
from datetime import datetime
from pathlib import Path
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow

from bpmn import caches, evaluator, model_checks, names, parser, projections, serializer, signals, spiff
from bpmn.errors import (
    ActorNotAllowed,
    EngineError,
    MessageNotExpected,
    StateTooLarge,
    TaskClaimed,
    TaskInputUnchecked,
    TaskNotClaimed,
    TaskNotClaimedByOther,
    TaskNotFound,
    TaskNotReady,
    UnboundTask,
)
from bpmn.hooks import HOOKS, TaskContext, action_for
from bpmn.live import live_workflows
from bpmn.models import (
    AuditEntry,
    MessageSubscription,
    OpenTask,
    PendingMessage,
    ProcessDefinition,
    ProcessInstance,
    Timer,
)
from bpmn.scripting import make_script_engine

_SCRIPT_ENGINE = None


def script_engine():
    """Return the process-wide safe script engine (it keeps no per-workflow state)."""
    global _SCRIPT_ENGINE
    if _SCRIPT_ENGINE is None:
        _SCRIPT_ENGINE = make_script_engine()
    return _SCRIPT_ENGINE


@caches.register
def _drop_script_engine() -> None:
    global _SCRIPT_ENGINE
    _SCRIPT_ENGINE = None


# --- definitions -------------------------------------------------------------------------


@transaction.atomic
def deploy(directory: Path = parser.PROCESS_DIR) -> list[ProcessDefinition]:
    """Deploy every process in the directory and make this file set the latest.

    A new file set adds a version; a set deployed before becomes the latest again (a rollback is
    restoring the files). Every expression is checked first: one refusal stores nothing.
    """
    sources = parser.read_model_files(directory)
    hash_ = parser.content_hash(sources)
    model_checks.check_models(sources, hash_)  # parses every spec; raises before any row
    now = timezone.now()
    return [_deploy_one(pid, sources, hash_, now) for pid in parser.process_ids(sources)]


def _deploy_one(process_id: str, sources: dict, hash_: str, now: datetime) -> ProcessDefinition:
    existing = ProcessDefinition.objects.filter(process_id=process_id, content_hash=hash_).first()
    if existing:
        existing.deployed_at = now
        existing.save(update_fields=["deployed_at"])
        return existing
    versions = ProcessDefinition.objects.filter(process_id=process_id).aggregate(Max("version"))
    return ProcessDefinition.objects.create(
        process_id=process_id,
        version=(versions["version__max"] or 0) + 1,
        content_hash=hash_,
        sources=sources,
        deployed_at=now,
    )


def latest_definition(process_id: str) -> ProcessDefinition:
    """Return the most recently deployed definition of a process (Meta.get_latest_by)."""
    try:
        return ProcessDefinition.objects.filter(process_id=process_id).latest()
    except ProcessDefinition.DoesNotExist:
        raise EngineError(_("The process is not deployed: %(process)s"), process=process_id) from None


def specs_of(definition: ProcessDefinition) -> tuple:
    return parser.load_specs(definition.process_id, definition.sources, definition.content_hash)


# --- decisions ---------------------------------------------------------------------------

_DECISION_TABLES: dict[tuple[str | None, str], object] = {}
caches.register(_DECISION_TABLES.clear)


def decide(decision_id: str, data: dict) -> dict:
    """Evaluate a decision table of the latest deployed model files against `data`; return its outputs.

    Before any deploy the files on disk answer. {} when no rule matches.
    """
    return spiff.decide(_decision_table(decision_id), data, script_engine())


def _decision_table(decision_id: str):
    # Every deploy stores the whole file set with each process, so the latest row of any holds the tables.
    latest = ProcessDefinition.objects.only("content_hash").order_by("-deployed_at", "-version").first()
    key = (latest.content_hash if latest else None, decision_id)
    if key not in _DECISION_TABLES:
        sources = latest.sources if latest else parser.read_model_files()
        _DECISION_TABLES[key] = parser.decision_table(sources, decision_id)
    return _DECISION_TABLES[key]


# --- reading state -----------------------------------------------------------------------


def workflow_of(instance: ProcessInstance) -> BpmnWorkflow:
    """Restore an instance's workflow with the safe script engine attached (a fresh copy)."""
    spec, subprocess_specs = specs_of(instance.definition)
    workflow = serializer.load_state(instance.state, instance.state_format, spec, subprocess_specs)
    workflow.script_engine = script_engine()
    return workflow


def _workflow_for_update(instance: ProcessInstance) -> BpmnWorkflow:
    """Return the locked instance's workflow, reusing the one this process last committed."""
    return live_workflows.take(instance.uid, instance.revision) or workflow_of(instance)


def _lock(instance_id: int) -> ProcessInstance:
    return ProcessInstance.objects.select_for_update(of=("self",)).select_related("definition").get(
        pk=instance_id
    )


# --- starting ----------------------------------------------------------------------------


@transaction.atomic
@evaluator.budget()
def start(process_id: str, *, business_key: str, data: dict, actor=None) -> ProcessInstance:
    """Start the latest deployed version of a process with the given data and run it to its first wait."""
    definition = latest_definition(process_id)
    spec, subprocess_specs = specs_of(definition)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())
    workflow.data.update(data)
    start_task = workflow.get_next_task(state=TaskState.READY, manual=False)
    if start_task is not None:
        start_task.data.update(data)
    instance = ProcessInstance(
        definition=definition, business_key=business_key, state="{}", started_by=actor
    )
    instance.save()
    _audit(instance, actor, "started", data=data)
    workflow.do_engine_steps()
    _save(instance, workflow)
    return instance


# --- completing user tasks ---------------------------------------------------------------


@evaluator.budget()
def complete_task(task_id: UUID | str, *, actor, data: dict | None = None) -> ProcessInstance:
    """Complete a ready user task as `actor`: one action, one transaction.

    The instance returned carries `outcome`, the task data its action returned (not saved apart:
    the same data is in the workflow's task).
    """
    with transaction.atomic():
        open_task = _open_task(task_id)
        instance = _lock(open_task.instance_id)
        open_task = _open_task(task_id)  # re-read under the lock: someone may have finished it
        _authorize(actor, open_task)
        _refuse_claimed_by_other(actor, open_task)
        workflow = _workflow_for_update(instance)
        task = _ready_task(workflow, open_task)
        submitted = _accepted_input(open_task, task, data or {})
        result = _run_action(TaskContext(instance, open_task, task, actor, submitted))
        task.data.update(submitted)
        task.data.update(result or {})
        task.run()
        _audit(instance, actor, "completed", task=task, data=submitted)
        workflow.do_engine_steps()
        _save(instance, workflow)
        instance.outcome = dict(result or {})
        return instance


def _open_task(task_id) -> OpenTask:
    try:
        return OpenTask.objects.get(task_id=task_id)
    except (OpenTask.DoesNotExist, ValueError, TypeError):
        raise TaskNotReady(
            _("The task is not open (already completed or unknown): %(task)s"), task=task_id
        ) from None


def _authorize(actor, open_task: OpenTask) -> None:
    allowed = HOOKS.authorize(actor, open_task) if HOOKS.authorize else False
    if not allowed:
        holder = HOOKS.holder(open_task) if HOOKS.holder else f"{open_task.role} #{open_task.organization_id}"
        raise ActorNotAllowed(_("Not allowed: the task “%(task)s” is handled by %(holder)s."),
                              task=names.shown_lazy(open_task.label), holder=holder)


def _refuse_claimed_by_other(actor, open_task: OpenTask) -> None:
    if open_task.claimed_by_id not in (None, getattr(actor, "pk", None)):
        raise TaskClaimed(_("The task is already claimed by %(claimant)s."), claimant=open_task.claimed_by)


def _ready_task(workflow: BpmnWorkflow, open_task: OpenTask):
    task = workflow.get_task_from_id(UUID(str(open_task.task_id)))
    if task is None:
        raise TaskNotFound(_("Task not found in the workflow: %(task)s"), task=open_task.task_id)
    if task.state != TaskState.READY:
        raise TaskNotReady(_("The task is not ready: %(task)s"), task=open_task.label)
    return task


def _accepted_input(open_task: OpenTask, task, data) -> dict:
    """The submitted data the task takes, held against the data already in its workflow; the rest is refused."""
    if HOOKS.task_input is None:
        # No contract installed (a script, an app config that skipped it): nothing typed is taken unchecked.
        if data:
            raise TaskInputUnchecked(_("The task “%(task)s” takes no input: no input contract is installed."),
                                     task=names.shown_lazy(open_task.label))
        return {}
    return dict(HOOKS.task_input(open_task, task.data, data))


def _run_action(ctx: TaskContext) -> dict | None:
    action = action_for(ctx.open_task.process_id, ctx.open_task.task_name)
    if action is None:
        raise UnboundTask(
            _("The task has no bound action: %(task)s"), task=f"{ctx.open_task.process_id}.{ctx.open_task.task_name}"
        )
    return action(ctx)


def _open_task_under_lock(task_id) -> OpenTask:
    """The open task, read again once its instance is locked: a claim, a release or a take-over takes
    the same lock as a completion, first, so the two never wait on each other's rows."""
    found = OpenTask.objects.filter(task_id=task_id).values_list("instance_id", flat=True).first() if _is_uuid(
        task_id) else None
    if found is None:
        raise TaskNotReady(_("The task is not open: %(task)s"), task=task_id)
    _lock(found)
    open_task = OpenTask.objects.select_related("instance", "claimed_by").filter(task_id=task_id).first()
    if open_task is None:
        raise TaskNotReady(_("The task is not open: %(task)s"), task=task_id)
    return open_task


def _is_uuid(value) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


@transaction.atomic
def claim(task_id, actor) -> OpenTask:
    """Take a group task for oneself; refused when someone else holds it."""
    open_task = _task_not_held_by_another(task_id, actor)
    return _hand_to(open_task, actor, actor, "claimed")


@transaction.atomic
def unclaim(task_id, actor) -> OpenTask:
    """Give a claimed task back to its group; only the claimant may."""
    open_task = _task_not_held_by_another(task_id, actor)
    if open_task.claimed_by_id is None:
        raise TaskNotClaimed(_("Only the claimant can release a task; nobody has claimed it."))
    return _hand_to(open_task, None, actor, "unclaimed")


def _task_not_held_by_another(task_id, actor) -> OpenTask:
    open_task = _open_task_under_lock(task_id)
    _authorize(actor, open_task)
    _refuse_claimed_by_other(actor, open_task)
    return open_task


def _hand_to(open_task: OpenTask, holder, actor, action: str, data=None) -> OpenTask:
    """Give the task to `holder` (None: back to its group) and audit the change as `actor`'s."""
    open_task.claimed_by = holder
    open_task.save(update_fields=["claimed_by"])
    _audit(open_task.instance, actor, action, task_name=open_task.task_name, data=data)
    return open_task


def authorize(actor, open_task: OpenTask) -> None:
    """Refuse an actor whom the task's lane and organization do not allow."""
    _authorize(actor, open_task)


@transaction.atomic
def take_over(task_id, actor, reason: str) -> tuple[OpenTask, object]:
    """Take a task a colleague claimed, explicitly: audited with both holders and the reason.

    Only someone the lane allows may; the task must be claimed by someone else. Return the task
    and its previous holder.
    """
    open_task = _open_task_under_lock(task_id)
    _authorize(actor, open_task)
    previous = open_task.claimed_by
    if previous is None or previous.pk == actor.pk:
        raise TaskNotClaimedByOther(_("Only a task claimed by someone else can be taken over; claim it instead."))
    data = {"task_id": str(open_task.task_id), "previous_holder": previous.pk, "previous_holder_name": str(previous),
            "new_holder": actor.pk, "new_holder_name": str(actor), "reason": reason}
    return _hand_to(open_task, actor, actor, "taken_over", data), previous


# --- timers ------------------------------------------------------------------------------


def fire_due_timers(now: datetime | None = None, limit: int = 100) -> int:
    """Advance every instance with a timer due by `now`; return how many instances moved."""
    now = now or timezone.now()
    moved = 0
    for instance_id in _due_instance_ids(now, limit):
        with transaction.atomic(), evaluator.budget():
            instance = _claim_due(instance_id)
            if instance is None:
                continue
            workflow = _workflow_for_update(instance)
            workflow.refresh_timers()
            workflow.do_engine_steps()
            _audit(instance, None, "timer_fired", data={"at": now.isoformat()})
            signals.timer_fired.send(sender=ProcessInstance, instance=instance, now=now)
            _save(instance, workflow)
            moved += 1
    return moved


def _due_instance_ids(now: datetime, limit: int) -> list[int]:
    ids = Timer.objects.filter(due_at__lte=now).values_list("instance_id", flat=True)
    return list(dict.fromkeys(ids))[:limit]


def _claim_due(instance_id: int) -> ProcessInstance | None:
    # SKIP LOCKED lets several schedulers run side by side on PostgreSQL: each instance
    # is advanced by whichever claims it first, the others pass over it.
    qs = ProcessInstance.objects.select_related("definition").filter(pk=instance_id)
    from django.db import connection

    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return qs.first()


# --- messages ----------------------------------------------------------------------------


@transaction.atomic
@evaluator.budget()
def correlate_message(name: str, payload: dict, correlation: dict, actor=None):
    """Deliver a message to the task waiting for it, or keep it until one waits.

    Return the instance that received it, or None when it was kept for later.
    """
    key = projections.correlation_key(correlation)
    subscription = (
        MessageSubscription.objects.filter(message_name=name, correlation_key=key)
        .order_by("pk")
        .first()
    )
    if subscription is None:
        _refuse_duplicate_pending(name, key)
        PendingMessage.objects.create(message_name=name, correlation_key=key, payload=payload)
        return None
    instance = _lock(subscription.instance_id)
    _deliver(instance, subscription.task_id, name, payload, actor)
    return instance


@transaction.atomic
@evaluator.budget()
def broadcast_message(name: str, payload: dict, correlation: dict, actor=None,
                      sender_id: int | None = None) -> list[ProcessInstance]:
    """Deliver a message to every task waiting for it now with that correlation; keep nothing.

    For an announcement that concerns whoever waits at that moment (a province's new baseline):
    an instance that starts waiting later is not handed an old announcement. Return the
    instances that received it. The instance `sender_id`, whose task is completing as it sends,
    is not handed its own message: its model goes on by its own flows.
    """
    key = projections.correlation_key(correlation)
    waiting = list(
        MessageSubscription.objects.filter(message_name=name, correlation_key=key)
        .exclude(instance_id=sender_id)
        .order_by("pk")
        .values_list("instance_id", "task_id")
    )
    delivered = []
    for instance_id, task_id in waiting:
        instance = _lock(instance_id)
        if MessageSubscription.objects.filter(task_id=task_id).exists():  # not moved on meanwhile
            _deliver(instance, task_id, name, payload, actor)
            delivered.append(instance)
    return delivered


def _refuse_duplicate_pending(name: str, key: str) -> None:
    if PendingMessage.objects.filter(
        message_name=name, correlation_key=key, delivered_at__isnull=True
    ).exists():
        raise MessageNotExpected(
            _("The same message is already waiting for delivery: %(message)s %(key)s"), message=name, key=key
        )


def _deliver(instance: ProcessInstance, task_id, name: str, payload: dict, actor) -> None:
    workflow = _workflow_for_update(instance)
    task = workflow.get_task_from_id(UUID(str(task_id)))
    if task is None or task.state != TaskState.WAITING:
        raise MessageNotExpected(_("The process is not waiting for %(message)s."), message=name)
    spiff.catch_at(task, payload)
    _audit(instance, actor, "message", task=task, data={"message": name, "payload": payload})
    workflow.do_engine_steps()
    _save(instance, workflow)


# --- saving and projections --------------------------------------------------------------


def _save(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    instance.state = serializer.dump_state(workflow)
    _refuse_oversized_state(instance.state)
    instance.state_format = serializer.STATE_FORMAT
    if workflow.completed and instance.status != ProcessInstance.Status.COMPLETED:
        instance.status = ProcessInstance.Status.COMPLETED
        instance.completed_at = timezone.now()
        instance.end_event = spiff.end_event_id(workflow)
        _audit(instance, None, "completed_process", data={"end_event": instance.end_event})
    new_subscriptions = projections.sync_events(instance, workflow)
    opened, closed = projections.sync_open_tasks(instance, workflow)
    instance.revision += 1
    instance.save()
    revision, uid = instance.revision, instance.uid
    transaction.on_commit(lambda: live_workflows.keep(uid, revision, workflow))
    signals.instance_advanced.send(
        sender=ProcessInstance,
        instance=instance,
        opened=opened,
        closed=closed,
        completed=workflow.completed,
    )
    if new_subscriptions:
        _deliver_pending(instance, new_subscriptions)


def _refuse_oversized_state(state: str) -> None:
    # A script may keep adding to the workflow data step after step; what one row holds is bounded
    # so that no start or completion writes (or later has to read back) a state of unbounded size.
    if len(state) > serializer.MAX_STATE_CHARS:
        raise StateTooLarge(
            _("The process data would grow to %(size)s characters; one process keeps at most %(limit)s."),
            size=f"{len(state):,}",
            limit=f"{serializer.MAX_STATE_CHARS:,}",
        )


def _deliver_pending(instance: ProcessInstance, subscriptions: list[MessageSubscription]) -> None:
    """Deliver every kept message that one of the new subscriptions waits for."""
    for subscription in subscriptions:
        pending = (
            PendingMessage.objects.filter(
                message_name=subscription.message_name,
                correlation_key=subscription.correlation_key,
                delivered_at__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        # An earlier delivery in this loop may have moved the workflow past this subscription.
        if pending is None or not MessageSubscription.objects.filter(task_id=subscription.task_id).exists():
            continue
        pending.delivered_at = timezone.now()
        pending.delivered_to = instance
        pending.save(update_fields=["delivered_at", "delivered_to"])
        _deliver(instance, subscription.task_id, pending.message_name, pending.payload, None)


def _audit(instance, actor, action: str, task=None, task_name: str = "", data=None) -> None:
    AuditEntry.objects.create(
        instance=instance,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        task_name=(task.task_spec.bpmn_id or task.task_spec.name) if task is not None else task_name,
        task_id=task.id if task is not None else None,
        data=json.loads(json.dumps(data or {}, default=str)),
        at=timezone.now(),
    )
