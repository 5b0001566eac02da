"""The lifecycle's business objects agree with its process instances: nothing is stuck behind a state.

Registered in the engine's `HOOKS.checks`, so `bpmn.integrity.problems` (the tests after every
step, `manage.py check_instances`) finds a negotiation that is agreed with nothing to verify it, a
pending baseline a division has no task open for (会签),
an alliance registered whose negotiation never moved on, or an agreement re-opened by a
superseded baseline with no renewal waiting for the new one.
"""
from bpmn import engine
from bpmn.hooks import HOOKS
from bpmn.models import MessageSubscription, OpenTask, ProcessInstance
from workflows.joint_review import DIVISION_NAMES, OPINION_TASKS, REVIEW_TASKS
from workflows.models import Agreement, Alliance, Baseline, Negotiation, Payment
from workflows.services import LIFECYCLE, RENEWAL, agreement_id_of_key, negotiation_id_of_key, renewal_key

BASELINE_VERIFIED = "baseline_verified"
# Active and not yet agreed: an ended lifecycle leaves none of these (an agreed one stands, verified).
IN_PROGRESS = [state for state in Negotiation.ACTIVE if state != Negotiation.State.AGREED]
STANDING = [Baseline.State.VERIFIED, Baseline.State.ADOPTED, Baseline.State.SUPERSEDED]


def lifecycle_problems(instance: ProcessInstance) -> list[str]:
    """Return what disagrees between a lifecycle instance and its negotiation's objects."""
    if instance.definition.process_id != LIFECYCLE:
        return []
    negotiation_id = negotiation_id_of_key(instance.business_key)
    negotiation = Negotiation.objects.select_related("alliance").filter(pk=negotiation_id).first()
    if negotiation is None:
        return []
    open_names = list(OpenTask.objects.filter(instance=instance).values_list("task_name", flat=True))
    running = instance.status == ProcessInstance.Status.RUNNING
    drawn = _drawn_review_tasks(instance) if running else set()
    return [message for holds, message in _rules(negotiation, open_names, running, drawn) if not holds]


def _drawn_review_tasks(instance: ProcessInstance) -> set[str]:
    """The divisions' tasks the instance's version of fee_verification draws (a version before joint
    verification has the reviewer's alone)."""
    _spec, subprocess_specs = engine.specs_of(instance.definition)
    verification = subprocess_specs.get("fee_verification")
    return set(REVIEW_TASKS) & set(verification.task_specs) if verification else set()


def _joint_review_rules(negotiation: Negotiation, open_names: list[str], running: bool, drawn: set[str]):
    """会签: while a baseline is pending, each division that has not decided has its task open (its own,
    or the expert's it waits for), and one that decided has none."""
    pending = negotiation.baselines.filter(state=Baseline.State.PENDING).first() if running else None
    if pending is None:
        return
    decided = set(pending.reviews.values_list("division", flat=True))
    awaited = set(pending.expert_opinions.filter(given_at=None).values_list("division", flat=True))
    for (review, division), opinion in zip(REVIEW_TASKS.items(), OPINION_TASKS, strict=True):
        if review not in drawn:
            continue
        expected = set() if division in decided else {opinion if division in awaited else review}
        yield (
            {review, opinion} & set(open_names) == expected,
            f"基线待会签，{DIVISION_NAMES[division]}的待办应为 {sorted(expected)} / the baseline awaits joint "
            f"verification, yet the {division} division's open tasks are not {sorted(expected)}",
        )


def _rules(negotiation: Negotiation, open_names: list[str], running: bool, drawn: set[str]):
    agreed = negotiation.state == Negotiation.State.AGREED
    yield (
        not (running and agreed) or set(REVIEW_TASKS) & set(open_names) or negotiation.baselines.exists(),
        "协商已达成，却既无核定任务也无基线 / the negotiation is agreed, yet has no verification task and no baseline",
    )
    yield (
        not (negotiation.alliance.state == Alliance.State.FORMED
             and negotiation.state == Negotiation.State.AWAITING_ALLIANCE),
        "联盟已备案，协商却未进入筛选 / the alliance is registered, yet the negotiation has not moved on to screening",
    )
    yield (
        running or negotiation.state not in IN_PROGRESS,
        f"流程已结束，协商却仍为进行中（{negotiation.state}） / the lifecycle has ended, yet the negotiation is "
        f"still in progress ({negotiation.state})",
    )
    yield (
        running or not agreed or negotiation.baselines.filter(state__in=STANDING).exists(),
        "流程已结束，协商仍为已达成，却无核定的基线 / the lifecycle has ended with the negotiation agreed, "
        "yet no baseline was verified",
    )
    yield from _joint_review_rules(negotiation, open_names, running, drawn)
    due = Payment.objects.filter(agreement__negotiation=negotiation, state=Payment.State.DUE).count()
    releases = open_names.count("release_payment")
    yield (
        not running or due <= releases,
        f"{due} 笔拨付待办理，拨付任务只有 {releases} 个 / "
        f"{due} payments are due, yet {releases} release tasks are open",
    )
    stranded = _reopened_without_renewal(negotiation)
    yield (
        not stranded,
        f"协议 {stranded} 已重新开启，却无等待新基线的重新签署 / agreement(s) {stranded} are re-opened, "
        "yet no renewal waits for the new baseline",
    )


def _reopened_without_renewal(negotiation: Negotiation) -> list[int]:
    # Whether the lifecycle still runs or not: a re-opened agreement waits in its own renewal.
    reopened = list(negotiation.agreements.filter(state=Agreement.State.REOPENED))
    waiting = set(MessageSubscription.objects.filter(
        message_name=BASELINE_VERIFIED, instance__status=ProcessInstance.Status.RUNNING,
        instance__business_key__in=[renewal_key(a) for a in reopened],
    ).values_list("instance__business_key", flat=True))
    return [a.pk for a in reopened if renewal_key(a) not in waiting]


def renewal_problems(instance: ProcessInstance) -> list[str]:
    """Return what disagrees between a running renewal and its agreement."""
    if instance.definition.process_id != RENEWAL or instance.status != ProcessInstance.Status.RUNNING:
        return []
    agreement = Agreement.objects.select_related("baseline").filter(
        pk=agreement_id_of_key(instance.business_key)).first()
    if agreement is None:
        return []
    waiting = instance.subscriptions.filter(message_name=BASELINE_VERIFIED).exists()
    return [message for holds, message in _renewal_rules(agreement, waiting) if not holds]


def _renewal_rules(agreement: Agreement, waiting: bool):
    reopened = agreement.state == Agreement.State.REOPENED
    yield (
        waiting == reopened,
        f"重新签署{'仍在等待新基线' if waiting else '已开始'}，协议却为 {agreement.get_state_display()} / the "
        f"renewal {'still waits for the new baseline' if waiting else 'has moved on'}, yet the agreement is "
        f"{agreement.state}",
    )
    verified = Baseline.objects.filter(province_id=agreement.baseline.province_id,
                                       certificate_id=agreement.baseline.certificate_id,
                                       state=Baseline.State.VERIFIED).first()
    yield (
        not (waiting and verified),
        f"本省已核定新基线 #{verified and verified.pk}，重新签署却仍在等待 / the province verified baseline "
        f"#{verified and verified.pk}, yet the renewal still waits for it",
    )


def install() -> None:
    for check in (lifecycle_problems, renewal_problems):
        if check not in HOOKS.checks:
            HOOKS.checks.append(check)
