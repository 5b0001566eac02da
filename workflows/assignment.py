"""Which organization holds a task's lane, and whether a user may act on a task.

A lane names a role; the organization comes from the objects named in the task data: the
alliance's lead college, the invited college, the certificate's TEO, the province's education
department, the paying college's finance office.
"""
from datetime import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bpmn.hooks import HOOKS, Assignment
from workflows.models import Alliance, Negotiation, Organization, Person
from workflows.roles import LANE_LABELS, LANE_ROLES, PERSONAL_LANES, Lane

DEADLINE_KEYS = ("round_deadline", "response_deadline", "report_deadline", "answer_deadline")


def _education_dept_of(province_id: int) -> int | None:
    org = Organization.objects.filter(
        kind=Organization.Kind.EDUCATION_DEPT, province_id=province_id
    ).first()
    return org.pk if org else None


def _negotiation(data: dict) -> Negotiation | None:
    if "negotiation_id" not in data:
        return None
    return Negotiation.objects.select_related("certificate", "alliance").get(pk=data["negotiation_id"])


def organization_for(lane: str, data: dict) -> int | None:
    """Return the organization id that holds the lane for a task with this data."""
    if lane == Lane.ALLIANCE_LEAD:
        return Alliance.objects.values_list("lead_id", flat=True).get(pk=data["alliance_id"])
    if lane == Lane.COLLEGE:
        return data.get("invited_college_id")
    if lane == Lane.FINANCE:
        return data.get("college_id")
    if lane == Lane.MINISTRY:
        return Organization.objects.filter(kind=Organization.Kind.MINISTRY).values_list("pk", flat=True).first()
    negotiation = _negotiation(data)
    if lane == Lane.TEO and negotiation:
        return negotiation.certificate.teo_id
    if lane == Lane.TEO:  # a TEO's own supervision: its progress reports
        return data.get("teo_id")
    if lane == Lane.EXPERT:
        expert = Person.objects.filter(user_id=data.get("expert_user_id"))
        return expert.values_list("organization_id", flat=True).first()
    if lane in (Lane.REVIEWER, Lane.PROVINCIAL_FINANCE):  # the department's two divisions (会签)
        province_id = data.get("province_id") or (negotiation and negotiation.alliance.province_id)
        return _education_dept_of(province_id)
    return None


def _due(data: dict, lane: str) -> datetime | None:
    # A responder's due date is the deadline its boundary timer enforces.
    for key in DEADLINE_KEYS:
        if data.get(key) and lane in (Lane.ALLIANCE_LEAD, Lane.TEO, Lane.COLLEGE):
            return datetime.fromisoformat(data[key])
    return None


def assign(instance, task) -> Assignment:
    lane = task.task_spec.lane or ""
    data = task.data
    shown = {k: data[k] for k in ("negotiation_id", "alliance_id", "college_id", "payment_id", "agreement_id",
                                  "certificate_id", "invited_college_id", "teo_id", "complaint_id") if k in data}
    # A TEO's supervision: the month a report is of, its due date, and the facts a proposal is made on.
    shown |= {k: data[k] for k in ("year", "report_month", "report_deadline", "training") if k in data}
    person_id = None
    if lane in PERSONAL_LANES:  # asked of one named person: the expert a division chose (加签)
        person_id = data.get("expert_user_id")
        shown["expert_opinion_id"] = data.get("expert_opinion_id")
    return Assignment(organization_for(lane, data), _due(data, lane), shown, person_id)


def authorize(user, open_task) -> bool:
    """Allow only a person whose role the lane names, in the organization that holds it."""
    person = Person.objects.filter(user_id=getattr(user, "pk", None)).first()
    if person is None or open_task.organization_id is None:
        return False
    if open_task.role in PERSONAL_LANES and open_task.claimed_by_id != person.user_id:
        return False  # another expert of the province was not asked
    return (
        person.role in LANE_ROLES.get(open_task.role, set())
        and person.organization_id == open_task.organization_id
    )


def holder(open_task):
    """Who handles an open task, in the language it is shown in: its lane's label and organization."""
    if open_task.role in PERSONAL_LANES and open_task.claimed_by_id:
        name = Person.objects.filter(user_id=open_task.claimed_by_id).values_list("name", flat=True).first()
        return format_lazy(_("{lane} {person}"), lane=LANE_LABELS[open_task.role], person=name or "")
    organization = Organization.objects.filter(pk=open_task.organization_id).values_list("name", flat=True).first()
    if organization is None:
        return LANE_LABELS.get(open_task.role) or _("Not assigned")
    return format_lazy(_("{lane} of {organization}"), lane=LANE_LABELS.get(open_task.role) or open_task.role,
                       organization=organization)


def install() -> None:
    HOOKS.assign = assign
    HOOKS.authorize = authorize
    HOOKS.holder = holder
