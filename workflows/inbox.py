"""A person's task inbox: what is theirs, what their group may claim, what waits on others.

Built on the engine's OpenTask projection (lane = role, organization that holds it, claimant,
due date); the same lane → role table that authorizes completion decides what is listed.
"""
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from bpmn.models import AuditEntry, OpenTask
from workflows.models import Negotiation, Organization, Role
from workflows.permissions import person_of, without_other_colleges_tasks
from workflows.roles import LANE_ROLES, PERSONAL_LANES
from workflows.services import negotiation_id_of_key

COMPLAINT_TASK_ROLES = (Role.MINISTRY, Role.TEO)  # the lanes of a complaint (complaint.bpmn)
STATUSES = ("mine", "claimable", "claimed_by_others", "overdue")
# Due first, then oldest; the id breaks ties, so pages of one list never overlap or skip a task
# (PostgreSQL and SQLite also disagree on where a missing due date sorts unless told).
ORDER = (F("due_at").asc(nulls_last=True), "created_at", "pk")


def lanes_for(role: str) -> list[str]:
    return sorted(lane for lane, roles in LANE_ROLES.items() if role in roles)


def actionable(user) -> QuerySet[OpenTask]:
    """Open tasks in a lane of the user's role, held by the user's organization."""
    person = person_of(user)
    qs = OpenTask.objects.select_related("instance", "claimed_by__person").order_by(*ORDER)
    if person is None:
        return qs.none()
    qs = qs.filter(organization_id=person.organization_id, role__in=lanes_for(person.role))
    # A task asked of one named person (an expert's, 加签) is in their inbox only.
    return qs.filter(~Q(role__in=PERSONAL_LANES) | Q(claimed_by=user))


def inbox(user, process: str = "", status: str = "") -> QuerySet[OpenTask]:
    """The user's tasks and the group's unclaimed ones, filtered by process and status."""
    qs = actionable(user)
    if process:
        qs = qs.filter(process_id=process)
    if status == "mine":
        return qs.filter(claimed_by=user)
    if status == "claimable":
        return qs.filter(claimed_by__isnull=True)
    if status == "claimed_by_others":
        return qs.exclude(claimed_by__isnull=True).exclude(claimed_by=user)
    if status == "overdue":
        return qs.filter(due_at__lt=timezone.now())
    return qs.filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))


def waiting_on_others(user) -> QuerySet[OpenTask]:
    """Open tasks, held by someone else, in the lifecycles the user started or acted in."""
    if not getattr(user, "is_authenticated", False):
        return OpenTask.objects.none()
    touched = AuditEntry.objects.filter(actor=user).values("instance_id")
    mine = actionable(user).values("pk")
    held = (
        OpenTask.objects.select_related("instance", "claimed_by__person")
        .filter(Q(instance__in=touched) | Q(instance__started_by=user))
        .exclude(pk__in=mine)
        .order_by(*ORDER)
    )
    person = person_of(user)
    if person is None or person.role not in COMPLAINT_TASK_ROLES:
        # A complainant follows their complaint on its own page: its tasks are the ministry's and the TEO's.
        held = held.exclude(instance__business_key__startswith="complaint:")
    return without_other_colleges_tasks(user, held)  # another member's release is its own business


def negotiation_id_of(open_task: OpenTask) -> int | None:
    """The lifecycle a task belongs to, from its instance's business key."""
    return negotiation_id_of_key(open_task.instance.business_key)


def negotiation_of_task(open_task: OpenTask) -> Negotiation | None:
    pk = negotiation_id_of(open_task)
    return Negotiation.objects.select_related("alliance", "certificate__teo").filter(pk=pk).first()


def lifecycle_titles(tasks) -> dict[int, str]:
    """Instance id -> 'alliance × certificate' for a page of tasks, in one query."""
    by_negotiation = {negotiation_id_of(task): task.instance_id for task in tasks}
    negotiations = Negotiation.objects.filter(pk__in=[pk for pk in by_negotiation if pk]).select_related(
        "alliance", "certificate")
    titles = {by_negotiation[n.pk]: f"{n.alliance.name} × {n.certificate.code}" for n in negotiations}
    return {**titles, **_supervision_titles(tasks), **_complaint_titles(tasks)}


def _supervision_titles(tasks) -> dict[int, str]:
    """Instance id -> 'TEO · year' for the tasks of a TEO's supervision ('supervision:<teo id>:<year>')."""
    keys = {task.instance_id: task.instance.business_key.split(":") for task in tasks
            if (task.instance.business_key or "").startswith("supervision:")}
    names = dict(Organization.objects.filter(pk__in=[int(key[1]) for key in keys.values()]).values_list("pk", "name"))
    return {pk: f"{names.get(int(key[1]), '')} · {key[2]}" for pk, key in keys.items()}


def _complaint_titles(tasks) -> dict[int, str]:
    """Instance id -> 'TEO · ground' for the tasks of complaints (投诉), which have no negotiation."""
    from workflows.complaints import complaint_id_of_key
    from workflows.models import Complaint, Ground

    by_complaint = {complaint_id_of_key(task.instance.business_key): task.instance_id for task in tasks}
    found = Complaint.objects.filter(pk__in=[pk for pk in by_complaint if pk]).select_related("teo")
    return {by_complaint[c.pk]: f"{c.teo.name} · {Ground(c.ground).label}" for c in found}
