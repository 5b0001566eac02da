"""The lifecycle's business objects agree with its process instance: nothing is stuck behind a state.

Registered in the engine's `HOOKS.checks`, so `bpmn.integrity.problems` (the tests after every
step, `manage.py check_instances`) finds a negotiation that is agreed with nothing to verify it,
or an alliance registered whose negotiation never moved on.
"""
from bpmn.hooks import HOOKS
from bpmn.models import OpenTask, ProcessInstance
from workflows.models import Alliance, Negotiation, Payment
from workflows.services import negotiation_id_of_key


def lifecycle_problems(instance: ProcessInstance) -> list[str]:
    """Return what disagrees between a lifecycle instance and its negotiation's objects."""
    negotiation_id = negotiation_id_of_key(instance.business_key)
    negotiation = Negotiation.objects.select_related("alliance").filter(pk=negotiation_id).first()
    if negotiation is None:
        return []
    open_names = list(OpenTask.objects.filter(instance=instance).values_list("task_name", flat=True))
    running = instance.status == ProcessInstance.Status.RUNNING
    return [message for holds, message in _rules(negotiation, open_names, running) if not holds]


def _rules(negotiation: Negotiation, open_names: list[str], running: bool):
    agreed = negotiation.state == Negotiation.State.AGREED
    yield (
        not (running and agreed) or "verify_baseline" in open_names or negotiation.baselines.exists(),
        "协商已达成，却既无核定任务也无基线 / the negotiation is agreed, yet has no verification task and no baseline",
    )
    yield (
        not (negotiation.alliance.state == Alliance.State.FORMED
             and negotiation.state == Negotiation.State.AWAITING_ALLIANCE),
        "联盟已备案，协商却未进入筛选 / the alliance is registered, yet the negotiation has not moved on to screening",
    )
    due = Payment.objects.filter(agreement__negotiation=negotiation, state=Payment.State.DUE).count()
    releases = open_names.count("release_payment")
    yield (
        not running or due <= releases,
        f"{due} 笔拨付待办理，拨付任务只有 {releases} 个 / "
        f"{due} payments are due, yet {releases} release tasks are open",
    )


def install() -> None:
    if lifecycle_problems not in HOOKS.checks:
        HOOKS.checks.append(lifecycle_problems)
