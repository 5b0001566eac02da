"""The task page: one URL per open task, a form per task in the process contract.

GET shows what the task needs (with the lifecycle it belongs to one click away); POST turns
the form into the task data of docs/processes.md and completes it through the services. The
form's fields are the task's input contract (`workflows.contracts`): a key's own name, or its
parts (`line_<code>` for cost lines, `amount_<source>` and `purpose_<source>` for funding); any
other field posted (a hidden input someone added) is handed on under its own name, so the
contract refuses it with the rule the API gives for the same key. Who
may see the page, and who may act on it, is the service's to say, as for the API's task: a task
of a lifecycle the user sees is shown, with its form disabled unless its lane is theirs. A
refusal re-renders the same form with what was typed and the rule that refused it.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bpmn import names
from bpmn.models import OpenTask
from portal import drafts
from portal.access import role_required
from portal.errors import again, refused
from portal.views import negotiation_context, offer_from, review_context
from workflows import contracts, joint_review, rules, services
from workflows import inbox as inbox_queries
from workflows.contracts import Kind
from workflows.errors import RuleViolation
from workflows.formation import invitations_needed, lead_is_member, minimum_for_instance
from workflows.funding import FundingPurpose, FundingSource
from workflows.models import Agreement, Alliance, CostItem, Division, ExpertOpinion, Filing, Organization, Payment
from workflows.money import parse_amount
from workflows.refusals import REFUSED


@dataclass(frozen=True)
class TaskForm:
    template: str
    context: Callable[[OpenTask, dict], dict]
    data: Callable[[dict], dict]


def _base_context_only(task, base) -> dict:
    """The page shows what every task page shows (the negotiation room): nothing of its own."""
    return {}


def _no_input(post) -> dict:
    return {}


def _decision_only(post) -> dict:
    return {"decision": post.get("decision", "")}


# --- per task: what the page shows and how the form becomes task data ---------------------


def _invite_context(task, base) -> dict:
    alliance = Alliance.objects.get(pk=task.data["alliance_id"])
    colleges = Organization.objects.filter(kind=Organization.Kind.COLLEGE, province=alliance.province).exclude(
        pk=alliance.lead_id).order_by("name")
    default = timezone.localtime(timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    ticked = base["posted"].getlist("college_ids") if base["posted"] else []
    minimum = minimum_for_instance(task.instance)  # the model's gateway; a lead college counts toward it
    return {"alliance": alliance, "colleges": colleges, "default_deadline": default, "ticked": ticked,
            "minimum": minimum, "needed": invitations_needed(alliance, minimum),
            "lead_is_member": lead_is_member(alliance)}


def _invite_data(post) -> dict:
    return {"college_ids": post.getlist("college_ids"), "response_deadline": post.get("response_deadline", "")}


def _respond_context(task, base) -> dict:
    alliance = Alliance.objects.get(pk=task.data["alliance_id"])
    return {"alliance": alliance,
            "memberships": alliance.memberships.select_related("college").order_by("-is_lead", "college__name")}


def _screen_data(post) -> dict:
    return {"training_content": post.get("training_content", ""), "services": post.getlist("services")}


def _screen_context(task, base) -> dict:
    posted = base["posted"]
    offered = base["negotiation"].schedule.services
    return {"ticked": posted.getlist("services") if posted else list(offered)}


def _offer_data(post) -> dict:
    return {**_mediate_data(post), "comment": post.get("comment", "")}


def _mediate_data(post) -> dict:
    fee, lines = offer_from(post)
    return {"decision": post.get("decision", ""), "fee": fee, "lines": lines}


def _verify_data(post) -> dict:
    data = {"decision": post.get("decision", ""), "reasons": post.get("reasons", "")}
    if data["decision"] == "consult":  # the expert and the question go only with a request for an opinion
        data |= {"expert": post.get("expert", ""), "question": post.get("question", "")}
    return data


def _verify_context(task, base) -> dict:
    """One division's view (会签): the baseline, the other division's decision, the opinions asked so far."""
    context = review_context(base["negotiation"])
    division = joint_review.REVIEW_TASKS[task.task_name]
    baseline = context["baseline"]
    asked = baseline.expert_opinions.filter(division=division).count() if baseline else 0
    return {**context, "division": division, "division_label": Division(division).label,
            "other_review": joint_review.reviews_of(baseline).get(joint_review.other(division)) if baseline else None,
            "experts": joint_review.province_experts(base["negotiation"].alliance.province_id),
            "opinions_asked": asked, "opinions_max": rules.EXPERT_OPINIONS_MAX,
            "may_consult": asked < rules.EXPERT_OPINIONS_MAX}


def _opinion_context(task, base) -> dict:
    opinion = ExpertOpinion.objects.select_related("asked_by__person", "baseline").get(
        pk=task.data["expert_opinion_id"])
    return {**review_context(base["negotiation"]), "opinion": opinion,
            "division_label": Division(opinion.division).label}


def _filing_context(task, base) -> dict:
    agreement = Agreement.objects.get(pk=task.data["agreement_id"])
    return {"agreement": agreement, "filing": Filing.objects.filter(agreement=agreement).first()}


def _filing_data(post) -> dict:
    return {"flagged": post.get("flagged") == "on", "note": post.get("note", "")}


def _agreement_context(task, base) -> dict:
    return {"agreement": Agreement.objects.get(pk=task.data["agreement_id"])}


def _payment_context(task, base) -> dict:
    payment = Payment.objects.select_related("sitting", "college", "agreement").get(pk=task.data["payment_id"])
    posted = base["posted"]
    rows = [_funding_row(source, posted) for source in FundingSource]
    return {"payment": payment, "funding_rows": rows, **_funding_balance(payment.amount, [r["amount"] for r in rows])}


def _funding_row(source: FundingSource, posted) -> dict:
    """One source's line of the release form, offering only the purposes that source may pay."""
    return {"source": source, "amount": posted.get(f"amount_{source}", "") if posted else "",
            "purpose": posted.get(f"purpose_{source}", "") if posted else "",
            "purposes": [p for p in FundingPurpose if rules.may_pay(source, p)]}


def _funding_balance(due: Decimal, typed: list[str]) -> dict:
    """The running total of the typed shares against the amount due, as funding.js shows it live."""
    try:
        total = sum((parse_amount(raw) for raw in typed if raw.strip()), Decimal("0.00"))
    except RuleViolation:  # not an amount: the form says so, and the release refuses it with the rule
        return {"funding_total": None, "funding_remainder": None, "funding_state": "invalid"}
    remainder = due - total
    state = "exact" if remainder == 0 else ("short" if remainder > 0 else "over")
    return {"funding_total": total, "funding_remainder": abs(remainder), "funding_state": state}


def _payment_data(post) -> dict:
    funding = [
        {"source": source, "amount": post.get(f"amount_{source}", "").strip(),
         "purpose": post.get(f"purpose_{source}", FundingPurpose.ASSESSMENT_FEE)}
        for source in FundingSource.values if post.get(f"amount_{source}", "").strip()
    ]
    return {"funding": funding}


# --- a TEO's supervision (动态调整): no negotiation room, the TEO's standing and the proposal's facts ----


def _room_outside(open_task: OpenTask) -> tuple[dict, str]:
    """The room of a task of no negotiation, and the page after it: a complaint's task shows the complaint
    (portal.complaints) and returns to the complaints; a TEO's supervision is shown in its TEO's room."""
    from workflows.complaints import complaint_id_of_key

    if complaint_id_of_key(open_task.instance.business_key) is not None:
        return {"nav": "complaints"}, "complaints"
    return _supervision_room(open_task), "inbox"


def _supervision_room(open_task: OpenTask) -> dict:
    from workflows import supervision

    teo = Organization.objects.get(pk=open_task.data["teo_id"])
    return {"nav": "inbox", "teo": teo, "year": open_task.data.get("year"), "standing": supervision.standing_of(teo)}


def _report_context(task, base) -> dict:
    from workflows import supervision

    month = task.data.get("report_month")
    return {"plan": supervision.plan_totals(task.data["teo_id"], task.data["year"])["months"].get(month, {})}


def _report_data(post) -> dict:
    return {key: post.get(key, "") for key in ("training_sessions", "sittings", "assessed", "certified", "note")}


def _missing(facts: dict) -> str:
    from workflows.supervision import TrainingStart

    start = TrainingStart(facts.get("national", False), facts.get("focus", False), facts.get("province", ""))
    return str(start.missing())


def _card_context(task, base) -> dict:
    return {"decide": "show", "decide_label": _("Show the yellow card"), "missing": _missing(task.data["training"])}


def _delisting_context(task, base) -> dict:
    return {"decide": "delist", "decide_label": _("Delist"), "missing": _missing(task.data["training"])}


def _measure_data(post) -> dict:
    return {"decision": post.get("decision", ""), "reasons": post.get("reasons", "")}


def _complaint_context(task, base) -> dict:
    """The complaint a task is about: its ground, account and evidence, and the TEO's statement once given."""
    from portal.complaints import complaint_shown

    return complaint_shown(base["request"], task.data["complaint_id"])


def _complaint_data(*names: str):
    return lambda post: {name: post.get(name, "") for name in names}


FORMS = {
    "invite_members": TaskForm("portal/tasks/invite_members.html", _invite_context, _invite_data),
    "respond_invitation": TaskForm("portal/tasks/respond_invitation.html", _respond_context, _decision_only),
    "screen_services": TaskForm("portal/tasks/screen_services.html", _screen_context, _screen_data),
    "alliance_responds": TaskForm("portal/tasks/respond_offer.html", _base_context_only, _offer_data),
    "teo_responds": TaskForm("portal/tasks/respond_offer.html", _base_context_only, _offer_data),
    "mediate": TaskForm("portal/tasks/mediate.html", _base_context_only, _mediate_data),
    "verify_baseline": TaskForm("portal/tasks/verify_baseline.html", _verify_context, _verify_data),
    "verify_baseline_finance": TaskForm("portal/tasks/verify_baseline.html", _verify_context, _verify_data),
    "expert_opinion": TaskForm("portal/tasks/expert_opinion.html", _opinion_context,
                               lambda post: {"opinion": post.get("opinion", "")}),
    "expert_opinion_finance": TaskForm("portal/tasks/expert_opinion.html", _opinion_context,
                                       lambda post: {"opinion": post.get("opinion", "")}),
    "sign_alliance": TaskForm("portal/tasks/sign.html", _agreement_context, _no_input),
    "sign_teo": TaskForm("portal/tasks/sign.html", _agreement_context, _no_input),
    "acknowledge_filing": TaskForm("portal/tasks/acknowledge_filing.html", _filing_context, _filing_data),
    "record_supervision": TaskForm("portal/tasks/record_supervision.html", _filing_context,
                                   lambda post: {"supervision_note": post.get("supervision_note", "")}),
    "release_payment": TaskForm("portal/tasks/release_payment.html", _payment_context, _payment_data),
    "report_progress": TaskForm("portal/tasks/report_progress.html", _report_context, _report_data),
    "decide_yellow_card": TaskForm("portal/tasks/decide_measure.html", _card_context, _measure_data),
    "decide_delisting": TaskForm("portal/tasks/decide_measure.html", _delisting_context, _measure_data),
    "investigate_complaint": TaskForm("portal/tasks/investigate_complaint.html", _complaint_context,
                                      _complaint_data("decision", "findings")),
    "answer_complaint": TaskForm("portal/tasks/answer_complaint.html", _complaint_context,
                                 _complaint_data("statement")),
    "decide_complaint": TaskForm("portal/tasks/decide_complaint.html", _complaint_context,
                                 _complaint_data("decision", "findings", "measure", "reasons")),
}


def _parts(key) -> list[str]:
    """The form fields that give one key of a task's contract."""
    if key.kind == Kind.COST_LINES:
        return [f"line_{code}" for code in CostItem.objects.filter(active=True).values_list("code", flat=True)]
    if key.kind == Kind.FUNDING:
        return [f"{part}_{source}" for source in FundingSource.values for part in ("amount", "purpose")]
    return [key.name]


def form_fields(open_task: OpenTask) -> set[str]:
    """The names a task's form posts, from its contract (the CSRF token aside)."""
    return {name for key in contracts.for_task(open_task).keys for name in _parts(key)}


def _posted(open_task: OpenTask, form: TaskForm, post) -> dict:
    """The task data of a form post: the form's fields read into the contract's keys, any other field as posted."""
    fields = form_fields(open_task)
    extra = {name: post.get(name) for name in post if name not in fields and name != "csrfmiddlewaretoken"}
    data = form.data(post)
    # A field named like a key the form gives in parts (`lines` beside line_*) is not the form's either.
    contracts.refuse_unknown(set(extra) & set(data), tuple(sorted(fields)), open_task.label)
    return {**data, **extra}


@role_required()
def task(request, task_id):
    try:
        open_task = services.task_for(request.user, task_id)
    except RuleViolation as error:
        return refused(request, error)
    return _task(request, open_task)


def _task(request, open_task: OpenTask):
    form = FORMS.get(open_task.task_name)
    if form is None:
        raise Http404
    negotiation = inbox_queries.negotiation_of_task(open_task)
    room, done = (negotiation_context(request, negotiation), None) if negotiation else _room_outside(open_task)
    posted = request.POST if request.method == "POST" else drafts.take(request)
    if posted is not None and request.method != "POST":
        messages.info(request, _("Your session had expired. What you typed is kept below: check it and submit again."))
    base = {**room, "request": request, "task": open_task, "mine": services.can_act(request.user, open_task),
            "overdue": open_task.overdue, "posted": posted or request.POST}
    context = {**base, **form.context(open_task, base)}
    if request.method == "POST":
        try:
            services.complete(open_task.task_id, request.user, _posted(open_task, form, request.POST))
        except REFUSED as error:
            return refused(request, error, again(request, form.template, context))
        messages.success(request, _("Done: %(task)s.") % {"task": names.shown(open_task.label)})
        return redirect("negotiation", pk=negotiation.pk) if negotiation else redirect(done)
    return render(request, form.template, context)
