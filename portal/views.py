"""Role pages: inbox, public disclosure, alliances, negotiations, review, agreements, filings,
assessments, payments, certificates and the process instance page.

Every act is a thin adapter over its one function in `workflows.services` (ACTS): the view
parses the form and hands over the user and the object's id; the service decides what the user
may see, do and type. Every page's object lookup goes through `workflows.permissions`. A refusal
is answered by `portal.errors.refused`: the form again as typed, with the rule and the status
the API gives for it.
"""
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bpmn import names
from bpmn.diagram import diagrams
from bpmn.models import OpenTask, ProcessInstance
from portal import attachments, columns, exports
from portal.access import posted_pk, role_required, visible_or_404
from portal.errors import again, refused
from webapp.pagination import CommitSafePaginator
from workflows import (
    audit_text,
    dashboards,
    filters,
    participation,
    permissions,
    rounds,
    rules,
    services,
    supervision,
    teo_records,
)
from workflows import inbox as inbox_queries
from workflows import overview as national_overview
from workflows.caps import cap_for, cap_table
from workflows.errors import RuleViolation
from workflows.models import (
    Agreement,
    AssessmentMode,
    AssessmentPlan,
    AssessmentSitting,
    Attachment,
    Baseline,
    Certificate,
    CostItem,
    FeeSchedule,
    IssuedCertificate,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    Person,
    Province,
    Role,
)
from workflows.money import parse_amount
from workflows.payment_totals import alliance_totals
from workflows.proposals import offer_check
from workflows.refusals import REFUSED
from workflows.roles import lane_label


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["show_demo"] = settings.SHOW_DEMO_ACCOUNTS  # a demo installation only; never a real one
        if settings.SHOW_DEMO_ACCOUNTS:
            context["people"] = Person.objects.select_related("user", "organization").order_by(
                "role", "user__username")
        return context


def _refused(request, template: str, context: dict, error: Exception):
    """The form page again with the refusal, through the portal's one handler."""
    return refused(request, error, again(request, template, context))


def _refused_list(request, name: str, filterset_class, visible, context: dict, error: Exception):
    """A list page with a form again with the refusal, through the portal's one handler."""
    return refused(request, error, lambda shown, status: _list_page(
        request, name, filterset_class, visible, {**context, **shown}, status))


LIST_PAGE_SIZE = 50  # as the API's pages


def _list_page(request, name: str, filterset_class, visible, context: dict, status: int = 200, rows=None,
               export: tuple = ()):
    """Render a list page, or only its list when its filter form asks through htmx, or export it.

    The filter narrows the visible queryset; an invalid value (not one of the choices) is a 400
    showing the form's errors and no rows, as the API refuses it. `rows` turns the page's objects
    into what the template shows. `export` is the list's (title, columns): `?export=csv|xlsx` with
    the same filters answers every row of the filtered list as a file (`portal.exports`).
    """
    found = filterset_class(request.GET, queryset=visible, request=request)
    valid = found.is_valid()
    if valid and export and exports.asked(request):
        title, exported = export
        return exports.export_response(request, name, exported, found.qs, title=title)
    page = CommitSafePaginator(found.qs if valid else visible.none(), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**context, "filter": found, "page": page, "list_id": f"{name}-list", "exportable": bool(export),
               "rows": rows(page.object_list) if rows else page.object_list}
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == f"{name}-list"
    template = f"portal/parts/{name}_list.html" if partial else f"portal/{name}.html"
    return render(request, template, context, status=status if valid else 400)


# --- inbox -------------------------------------------------------------------------------


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    person = permissions.person_of(request.user)
    if person is not None and person.role == Role.MINISTRY:
        return overview(request)
    return inbox(request)


@role_required(Role.MINISTRY)
def overview(request):
    """The ministry's home: each province's figures, each linking to the list it counts."""
    rows, totals = national_overview.by_province()
    if exports.asked(request):
        return exports.export_response(request, "overview", columns.OVERVIEW, [totals, *rows],
                                       title=gettext_lazy("Overview of every province"))
    return render(request, "portal/overview.html", {"nav": "overview", "rows": rows, "totals": totals})


@role_required()
def inbox(request):
    process = request.GET.get("process", "")
    status = request.GET.get("status", "")
    if status not in inbox_queries.STATUSES:
        status = ""
    tasks = list(inbox_queries.inbox(request.user, process, status)[:200])
    waiting = list(inbox_queries.waiting_on_others(request.user)[:100])
    context = {
        "nav": "inbox",
        "tasks": tasks,
        "waiting": waiting,
        "titles": inbox_queries.lifecycle_titles(tasks + waiting),
        "process": process,
        "status": status,
        "processes": sorted(set(OpenTask.objects.values_list("process_id", flat=True))),
        "statuses": inbox_queries.STATUSES,
    }
    # The filter form and a live refresh of the task list ask for #tasks alone; anything else gets the page.
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "tasks"
    template = "portal/parts/task_table.html" if partial else "portal/inbox.html"
    return render(request, template, context)


@require_POST
@role_required()
def claim(request, task_id):
    return _claim_or_unclaim(request, task_id, services.claim)


@require_POST
@role_required()
def unclaim(request, task_id):
    return _claim_or_unclaim(request, task_id, services.unclaim)


@require_POST
@role_required()
def take_over(request, task_id):
    """A colleague of the lane takes over a task someone else claimed, with a reason (the task page's button)."""
    try:
        services.take_over(request.user, task_id, request.POST.get("reason", ""))
    except REFUSED as error:
        return refused(request, error)
    messages.success(request, _("You now hold this task; its previous holder has been told."))
    return redirect("task", task_id=task_id)


def _claim_or_unclaim(request, task_id, change):
    try:
        change(request.user, task_id)
    except REFUSED as error:
        row = again(request, "portal/parts/refusal_row.html", {"task_id": task_id})
        return refused(request, error, row if request.headers.get("HX-Request") else None)
    if request.headers.get("HX-Request"):
        task = OpenTask.objects.select_related("instance", "claimed_by").filter(task_id=task_id).first()
        titles = inbox_queries.lifecycle_titles([task] if task else [])
        return render(request, "portal/parts/task_row.html", {"task": task, "titles": titles})
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return redirect(target if target and safe else "inbox")


# --- public fee disclosure (公示) ----------------------------------------------------------


def disclosure(request):
    schedules = (
        FeeSchedule.objects.filter(state=FeeSchedule.State.PUBLISHED)
        .select_related("certificate__teo")
        .order_by("certificate__teo__name", "certificate__code")
    )
    caps = cap_table()
    items = list(CostItem.objects.order_by("position", "code"))

    def rows(page):
        return [{"schedule": s, "cap": caps[s.certificate.assessment_mode],
                 "lines": [(item, s.lines[item.code]) for item in items if item.code in s.lines]} for s in page]

    modes = [(mode.label, caps[mode.value]) for mode in AssessmentMode]
    return _list_page(request, "disclosure", filters.FeeScheduleFilter, schedules,
                      {"nav": "disclosure", "modes": modes}, rows=rows,
                      export=(gettext_lazy("Fee disclosure"), columns.disclosure(caps, items)))


@role_required(Role.TEO, Role.MINISTRY, acts_by_service=True)
def schedules(request):
    """A TEO publishes each certificate's fee schedule in advance (提前公示); the new one replaces the old.

    The ministry reads every certificate's schedule here, published or not; it publishes nothing.
    """
    published = Prefetch("schedules", FeeSchedule.objects.filter(state=FeeSchedule.State.PUBLISHED), "published")
    own = permissions.schedule_certificates(request.user).prefetch_related(published).order_by("code")
    caps = cap_table()

    def row(c: Certificate) -> dict:
        return {"certificate": c, "cap": caps[c.assessment_mode], "current": next(iter(c.published), None)}

    if exports.asked(request):
        return exports.export_response(request, "schedules", columns.SCHEDULES, exports.each(own, row),
                                       title=gettext_lazy("Fee schedules"))
    items = list(CostItem.objects.filter(active=True).order_by("position", "code"))
    rows = [row(c) for c in own]
    context = {"nav": "schedules", "rows": rows, "cost_items": items}
    if request.method == "POST":
        fee, lines = offer_from(request.POST)
        offered = [line.strip() for line in request.POST.get("services", "").splitlines() if line.strip()]
        try:
            certificate = services.publish_schedule(
                request.user, request.POST.get("certificate"), fee, lines,
                paper_copy_price=request.POST.get("paper_copy_price", "").strip(),
                training_plan=request.POST.get("training_plan", "").strip(), services=offered).certificate
        except REFUSED as error:
            failed = {**context, "failed": posted_pk(request.POST.get("certificate"))}
            return _refused(request, "portal/schedules.html", failed, error)
        messages.success(request, _("Fee schedule published for %(code)s.") % {"code": certificate.code})
        return redirect("schedules")
    return render(request, "portal/schedules.html", context)


# --- alliances ---------------------------------------------------------------------------


@role_required()
def alliances(request):
    visible = permissions.visible_alliances(request.user).order_by("-created_at")
    context = {
        "nav": "alliances",
        "certificates": Certificate.objects.filter(schedules__state=FeeSchedule.State.PUBLISHED)
        .select_related("teo").order_by("code"),
    }
    if request.method == "POST":
        try:
            negotiation = services.start_lifecycle(request.user, request.POST.get("certificate"),
                                                   alliance_name=request.POST.get("name", "").strip())
        except REFUSED as error:
            return _refused_list(request, "alliances", filters.AllianceFilter, visible, context, error)
        messages.success(request, _("Alliance formed; invite its member colleges next."))
        return redirect("negotiation", pk=negotiation.pk)
    return _list_page(request, "alliances", filters.AllianceFilter, visible, context,
                      export=(gettext_lazy("Alliances"), columns.ALLIANCES))


@role_required()
def alliance(request, pk):
    obj = visible_or_404(permissions.visible_alliances(request.user), pk=pk)
    return render(request, "portal/alliance.html", {
        "nav": "alliances",
        "alliance": obj,
        "memberships": obj.memberships.select_related("college").order_by("-is_lead", "college__name"),
        "negotiations": permissions.visible_negotiations(request.user).filter(alliance=obj),
    })


# --- negotiations ------------------------------------------------------------------------


@role_required()
def negotiations(request):
    visible = permissions.visible_negotiations(request.user).select_related(
        "alliance__province", "certificate__teo").order_by("-created_at")
    return _list_page(request, "negotiations", filters.NegotiationFilter, visible, {"nav": "negotiations"},
                      export=(gettext_lazy("Negotiations"), columns.NEGOTIATIONS))


def negotiation_context(request, negotiation: Negotiation) -> dict:
    """What the negotiation room shows: every round side by side, the cap, the lifecycle."""
    mode = negotiation.certificate.assessment_mode
    key = services.lifecycle_key(negotiation)
    instance = ProcessInstance.objects.filter(business_key=key).first()
    # The lifecycle and the renewals of its agreements (re-signing after a superseded baseline).
    instances = ProcessInstance.objects.filter(Q(business_key=key) | Q(business_key__startswith=f"{key}/"))
    history = rounds.history(negotiation)
    agreements = list(negotiation.agreements.prefetch_related(
        Prefetch("payments", permissions.visible_payments(request.user).order_by("college__name", "pk"),
                 "shown_payments")).order_by("-pk"))
    for agreement in agreements:  # each member its own payment; the lead the alliance's totals beside it
        if permissions.sees_alliance_totals(request.user, agreement):
            agreement.totals = alliance_totals(agreement)
    return {

        "nav": "negotiations",
        "negotiation": negotiation,
        "rounds": history,
        "last": history[-1] if history else None,
        "cap": cap_for(mode),
        "mode_label": AssessmentMode(mode).label,
        "instance": instance,
        "open_tasks": list(permissions.without_other_colleges_tasks(
            request.user, OpenTask.objects.filter(instance__in=instances).order_by("created_at"))),
        "baselines": negotiation.baselines.prefetch_related(
            "reviews__reviewer__person", "expert_opinions__expert__person",
            "expert_opinions__asked_by__person").order_by("-pk"),
        "agreements": agreements,
        "cost_items": list(CostItem.objects.filter(active=True).order_by("position", "code")),
        "my_task_ids": set(inbox_queries.actionable(request.user).filter(instance__in=instances)
                           .values_list("task_id", flat=True)),
    }


@role_required()
def negotiation(request, pk):
    obj = visible_or_404(permissions.visible_negotiations(request.user), pk=pk)
    return render(request, "portal/negotiation.html", negotiation_context(request, obj))


@require_POST
@role_required()
def cap_check(request, pk):
    """The live cap check of an offer being typed: the same rules the engine applies."""
    obj = visible_or_404(permissions.visible_negotiations(request.user), pk=pk)
    fee, lines = offer_from(request.POST)
    cap, refusal = offer_check(obj, fee, lines)
    context = {"cap": cap, "fee": fee, "line_total": _line_total(lines), "refusal": refusal}
    return render(request, "portal/parts/cap_check.html", context)


def offer_from(post) -> tuple[str, dict]:
    """The fee and the non-empty cost lines of a submitted offer form."""
    lines = {key[5:]: value.strip() for key, value in post.items() if key.startswith("line_") and value.strip()}
    return post.get("fee", "").strip(), lines


def _line_total(lines: dict) -> str | None:
    try:
        return f"{sum((parse_amount(v) for v in lines.values()), Decimal('0.00')):.2f}"
    except RuleViolation:  # not an amount: the rules below say which, in the same words
        return None


# --- provincial review -------------------------------------------------------------------


@role_required(Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.MINISTRY)  # both divisions verify (会签)
def baselines(request):
    visible = permissions.visible_baselines(request.user).order_by("certificate__code", "-pk")
    return _list_page(request, "baselines", filters.BaselineFilter, visible, {"nav": "baselines"},
                      export=(gettext_lazy("Baselines"), columns.BASELINES))


@role_required(Role.REVIEWER, acts_by_service=True)
def supersede(request, pk):
    def context() -> dict:
        baseline = visible_or_404(permissions.visible_baselines(request.user), pk=pk)
        return {"nav": "baselines", "baseline": baseline,
                "reopens": baseline.agreements.exclude(state=Agreement.State.REOPENED)
                .select_related("negotiation__alliance").order_by("pk")}

    if request.method == "POST":
        try:
            reopened = services.supersede_baseline(request.user, pk, request.POST.get("reasons", ""))
        except REFUSED as error:
            return refused(request, error, again(request, "portal/supersede.html", context))
        messages.success(request, _("Baseline superseded; %(n)d agreement(s) re-opened.") % {"n": len(reopened)})
        return redirect("baselines")
    return render(request, "portal/supersede.html", context())


def review_context(negotiation: Negotiation) -> dict:
    """The reviewer's view: the pending baseline, its cap, and the province's other baselines."""
    pending = negotiation.baselines.prefetch_related(
        "reviews__reviewer__person", "expert_opinions__expert__person",
        "expert_opinions__asked_by__person").filter(state=Baseline.State.PENDING).first()
    others = Baseline.objects.filter(
        province_id=negotiation.alliance.province_id, certificate=negotiation.certificate
    ).exclude(negotiation=negotiation).select_related("negotiation__alliance").order_by("-pk")
    return {"baseline": pending, "other_baselines": others,
            "other_provinces": dashboards.other_provinces(negotiation.certificate_id, negotiation.alliance.province_id),
            "cap_rows": [(mode.label, cap, mode.value == negotiation.certificate.assessment_mode)
                         for mode, cap in ((m, cap_for(m.value)) for m in AssessmentMode)]}


# --- agreements and filings --------------------------------------------------------------


@role_required()
def agreement(request, pk):
    obj = visible_or_404(permissions.visible_agreements(request.user).select_related(
        "negotiation__alliance__lead", "negotiation__certificate__teo", "baseline__province",
        "alliance_signatory__person__organization", "teo_signatory__person__organization"), pk=pk)
    negotiation = obj.negotiation
    return render(request, "portal/agreement.html", {
        "nav": "negotiations", "agreement": obj, "negotiation": negotiation, "signatures": obj.signatures(),
        "members": negotiation.alliance.accepted_members().select_related("college"),
        "accepted": negotiation.proposals.filter(state="accepted").order_by("-round_no").first(),
        "cost_items": {i.code: i for i in CostItem.objects.all()},
        "filing": getattr(obj, "filing", None),
        **attachments.block(request, "agreement", obj),
    })


@role_required(*permissions.FILING_REGISTER_ROLES)
def filings(request):
    visible = permissions.visible_filings(request.user).order_by("-submitted_at", "-pk")
    return _list_page(request, "filings", filters.FilingFilter, visible, {"nav": "filings"},
                      export=(gettext_lazy("Filing register"), columns.FILINGS))


# --- assessment and certificates ---------------------------------------------------------


def assessments_context(request) -> dict:
    """The TEO's filed agreements, each college's sitting with its make-ups, issued count and payment."""
    sittings = AssessmentSitting.objects.select_related("college").prefetch_related(
        "makeups", Prefetch("certificates", IssuedCertificate.objects.select_related("holder").order_by("pk"))
    ).order_by("college__name")
    agreements = list(permissions.visible_agreements(request.user).filter(state="filed").prefetch_related(
        "payments__college", Prefetch("sittings", sittings)).order_by("-pk"))
    for agreement in agreements:
        payments = {p.college_id: p for p in agreement.payments.all()}
        for sitting in agreement.sittings.all():
            sitting.college_payment = payments.get(sitting.college_id)
            sitting.issued = len(sitting.certificates.all())
            sitting.issuable = sitting.headcount - sitting.issued
        recorded = {s.college_id for s in agreement.sittings.all()}
        agreement.unrecorded = [p for p in payments.values() if p.college_id not in recorded]
    return {"nav": "assessments", "agreements": agreements, "today": services.today()}


@role_required(Role.TEO, Role.MINISTRY)
def assessments(request):
    if exports.asked(request):
        return exports.export_response(request, "assessments", columns.SITTINGS, _filed_sittings(request),
                                       title=gettext_lazy("Assessments"))
    return render(request, "portal/assessments.html", assessments_context(request))


def _filed_sittings(request):
    """Each college's sitting under the filed agreements the person sees, in the page's order, one row each."""
    return (permissions.visible_sittings(request.user).filter(agreement__state=Agreement.State.FILED)
            .select_related("agreement__negotiation__alliance", "agreement__negotiation__certificate")
            .prefetch_related("makeups", "agreement__payments").annotate(issued=Count("certificates"))
            .order_by("-agreement_id", "college__name", "pk"))


def _assessment_refused(request, form: str, error: Exception):
    """Show the assessments page again with the refused form as it was typed."""
    return refused(request, error, again(request, "portal/assessments.html",
                                         lambda: {**assessments_context(request), "failed": form}))


@require_POST
@role_required()
def record_sitting(request, pk):
    try:
        sitting = services.record_assessment(request.user, pk, request.POST.get("college"),
                                             request.POST.get("headcount"), request.POST.get("held_on"))
    except REFUSED as error:
        return _assessment_refused(request, f"record-{pk}", error)
    messages.success(request, _("Assessment recorded: %(college)s, %(n)d assessed.")
                     % {"college": sitting.college, "n": sitting.headcount})
    return redirect("assessments")


@require_POST
@role_required()
def correct_sitting(request, pk):
    try:
        sitting = services.correct_sitting(request.user, pk, request.POST.get("headcount"),
                                           request.POST.get("reason", ""))
    except REFUSED as error:
        return _assessment_refused(request, f"correct-{pk}", error)
    messages.success(request, _("Headcount corrected: %(college)s, %(n)d assessed in all.")
                     % {"college": sitting.college, "n": sitting.headcount})
    return redirect("assessments")


@require_POST
@role_required()
def record_makeup(request, pk):
    try:
        makeup = services.record_makeup(request.user, pk, request.POST.get("headcount"), request.POST.get("held_on"))
    except REFUSED as error:
        return _assessment_refused(request, f"makeup-{pk}", error)
    messages.success(request, _("Make-up sitting recorded: %(college)s, %(n)d more assessed, %(total)d in all.")
                     % {"college": makeup.sitting.college, "n": makeup.headcount, "total": makeup.sitting.headcount})
    return redirect("assessments")


@require_POST
@role_required()
def issue(request, pk):
    holders = [line.strip() for line in request.POST.get("holders", "").splitlines() if line.strip()]
    try:
        issued = services.issue_certificates(request.user, pk, holders)
    except REFUSED as error:
        return _assessment_refused(request, f"issue-{pk}", error)
    messages.success(request, _("%(n)d certificate(s) issued online.") % {"n": len(issued)})
    return redirect("assessments")


@require_POST
@role_required()
def revoke(request, pk):
    """The TEO revokes a certificate it issued, with its reasons; its verification answers revoked."""
    try:
        certificate = services.revoke_certificate(request.user, pk, request.POST.get("reason", ""))
    except REFUSED as error:
        return _assessment_refused(request, f"revoke-{pk}", error)
    messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial_no})
    return redirect("assessments")


def _with_paper_copies(issued) -> list:
    """Each certificate with its paper-copy price as published now and its open order, if any."""
    issued = list(issued)
    prices = dict(FeeSchedule.objects.filter(state=FeeSchedule.State.PUBLISHED).values_list(
        "certificate_id", "paper_copy_price"))
    for certificate in issued:
        certificate.paper_price = prices.get(certificate.sitting.agreement.negotiation.certificate_id)
        certificate.open_order = next((o for o in certificate.paper_orders.all() if o.is_open), None)
    return issued


def _certificates(request):
    """The certificates the person may read, newest first, as the page lists them."""
    return permissions.visible_certificates(request.user).select_related("holder").order_by("-issued_at", "-pk")


def certificates_context(request) -> dict:
    """The certificates page: each certificate with its paper orders (state, tracking number) and price."""
    own = _certificates(request).prefetch_related(
        Prefetch("paper_orders", PaperCertificateOrder.objects.order_by("ordered_at", "pk")))
    return {"nav": "certificates", "own": own, "certificates": _with_paper_copies(own),
            "max_price": rules.PAPER_CERTIFICATE_MAX, "record": permissions.student_record(request.user)}


@role_required(Role.STUDENT, Role.MINISTRY, acts_by_service=True)
def certificates(request):
    """A student's own certificates, issued online, and the optional paper copy at the TEO's published price."""
    if exports.asked(request):
        ministry = request.person.role == Role.MINISTRY
        return exports.export_response(
            request, "certificates", columns.CERTIFICATES, _certificates(request),
            title=gettext_lazy("Certificates issued online") if ministry else gettext_lazy("My certificates"))
    context = certificates_context(request)
    if request.method == "POST":
        certificate = posted_pk(request.POST.get("certificate"))
        try:
            order = services.order_paper_certificate(request.user, certificate, request.POST.get("recipient", ""),
                                                     request.POST.get("phone", ""), request.POST.get("address", ""))
        except REFUSED as error:
            return _refused(request, "portal/certificates.html", {**context, "failed": certificate}, error)
        messages.success(request, _("Paper copy ordered for %(price)s, delivery included.")
                         % {"price": f"¥{order.price}"})
        return redirect("certificates")
    return render(request, "portal/certificates.html", context)


# --- payments ----------------------------------------------------------------------------


@role_required(*permissions.PAYMENTS_ROLES)
def payments(request):
    visible = permissions.visible_payments(request.user).prefetch_related("allocations", _kept_files()).order_by("-pk")
    return _list_page(request, "payments", filters.PaymentFilter, visible, {
        "nav": "payments", "reads_files": permissions.reads_attachments(request.user, "payment"),
        "release_tasks": {t.data.get("payment_id"): t for t in inbox_queries.actionable(request.user)
                          .filter(task_name="release_payment")},
    }, export=(gettext_lazy("Payments"), columns.PAYMENTS))


def _kept_files() -> Prefetch:
    """An object's files in the order they were attached, for a list's rows."""
    return Prefetch("attachments", Attachment.objects.order_by("uploaded_at", "pk"))


# --- process instance --------------------------------------------------------------------


@role_required()
def process(request, pk):
    instance = visible_or_404(permissions.visible_instances(request.user), pk=pk)
    drawn = diagrams(instance)
    definition = instance.definition
    return render(request, "portal/process.html", {
        "nav": "negotiations",
        "instance": instance,
        "title": names.element_name(definition, definition.process_id),
        "end_label": names.element_name(definition, instance.end_event) if instance.end_event else "",
        "negotiation_id": services.negotiation_id_of_key(instance.business_key),
        "diagrams": [(d, [names.element_name(definition, pid) for pid in d.process_ids]) for d in drawn],
        # The diagram speaks the page's language: every name drawn, lanes as who handles them.
        "diagram_data": [{"xml": names.translated_xml(d.xml, lane_label, d.file_name), "marks": d.marks}
                         for d in drawn],
        "audit": audit_text.trail(instance, permissions.own_college_only(
            request.user, instance.audit_entries.select_related("actor__person__organization").order_by("at", "pk"),
            permissions.college_of_entry)),
        "open_tasks": permissions.without_other_colleges_tasks(request.user,
                                                               instance.open_tasks.order_by("created_at")),
    })


# --- participation filings (院校试点备案) ----------------------------------------------------


@role_required(Role.COLLEGE, Role.FINANCE, Role.REVIEWER, Role.MINISTRY, acts_by_service=True)
def participation_filings(request):
    """A college files its participation (a filing, not an approval); the province and the ministry read totals."""
    visible = permissions.visible_participation_filings(request.user)
    filed = visible.order_by("-year", "certificate__code", "college__name")
    if exports.asked(request):
        return exports.one_of(request, {
            "totals": lambda: exports.export_response(request, "participation-totals", columns.PARTICIPATION_TOTALS,
                                                      participation.totals(visible),
                                                      title=gettext_lazy("Participation totals")),
            "filings": lambda: exports.export_response(request, "participation", columns.PARTICIPATION_FILINGS,
                                                       filed, title=gettext_lazy("Pilot participation")),
        })
    context = {"nav": "participation", "filings": filed,
               "totals": participation.totals(visible), "certificates": Certificate.objects.order_by("code"),
               "this_year": services.today().year}
    if request.method == "POST":
        try:
            filing = services.file_participation(request.user, request.POST.get("certificate"),
                                                 request.POST.get("year"), request.POST.get("planned_students"))
        except REFUSED as error:
            return _refused(request, "portal/participation.html", context, error)
        messages.success(request, _("Participation in %(code)s for %(year)s filed.") % {
            "code": filing.certificate.code, "year": filing.year})
        return redirect("participation")
    return render(request, "portal/participation.html", context)


# --- supervision of TEOs (动态调整): plans, training, teachers sent, what a delisted TEO owes -----------


SUPERVISION_FORMS = {
    "plan": lambda user, post: teo_records.submit_assessment_plan(
        user, post.get("province"), post.get("year"), post.get("month"), post.get("sittings"), post.get("headcount")),
    "session": lambda user, post: teo_records.record_training_session(
        user, post.get("province"), post.get("starts_on"), post.get("ends_on"), post.get("teachers_trained")),
    "sent": lambda user, post: teo_records.record_teachers_sent(user, post.get("session"), post.get("teachers")),
    "hand_over": lambda user, post: teo_records.hand_over(
        user, post.get("certificate"), post.get("successor_teo"), post.get("code"), post.get("name", "")),
}
SUPERVISION_DONE = {
    "plan": gettext_lazy("Assessment plan saved."), "session": gettext_lazy("Training session recorded."),
    "sent": gettext_lazy("Teachers sent recorded."), "hand_over": gettext_lazy("Certificate handed over."),
}


SUPERVISION_OVERVIEW_ROLES = (Role.TEO, Role.MINISTRY)


def _supervision_lists(user) -> dict:
    """The plans, training sessions and teachers sent the person may see, as the page lists them."""
    return {
        "plans": teo_records.visible_plans(user).prefetch_related(_kept_files()).order_by(
            "teo__name", "province__name", "year", "month"),
        "sessions": teo_records.visible_sessions(user).order_by("-starts_on", "teo__name"),
        "sent": teo_records.visible_teachers_sent(user).order_by("-session__starts_on", "college__name"),
    }


def _supervision_export(request, person: Person, year: int, teos):
    """One of the supervision page's tables as a file: those the person's page shows."""
    lists = _supervision_lists(request.user)

    def table(basename: str, title, exported, rows):
        """The export of one table; its rows are read only if it is the one asked for."""
        return lambda: exports.export_response(request, basename, exported, rows(), title=title)

    tables = {
        "plans": table("assessment-plans", gettext_lazy("Assessment plans"), columns.ASSESSMENT_PLANS,
                       lambda: lists["plans"]),
        "sessions": table("training-sessions", gettext_lazy("Teacher-training sessions"), columns.TRAINING_SESSIONS,
                          lambda: lists["sessions"]),
        "sent": table("teachers-sent", gettext_lazy("Teachers sent"), columns.TEACHERS_SENT, lambda: lists["sent"]),
    }
    if person.role in SUPERVISION_OVERVIEW_ROLES:
        tables["overview"] = table("supervision", gettext_lazy("Supervision of TEOs"), columns.SUPERVISION_OVERVIEW,
                                   lambda: teo_records.overview(year, teos))
    if person.role == Role.COLLEGE:
        tables["owed"] = table("owed-to-us", gettext_lazy("What delisted TEOs still owe us"), columns.OWED_TO_US,
                               lambda: teo_records.owed_to(person.organization))
    return exports.one_of(request, tables)


@role_required(Role.TEO, Role.COLLEGE, Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.MINISTRY, acts_by_service=True)
def supervision_records(request):
    """A TEO's plans and training; the colleges' teachers sent; the province's and the ministry's view of them."""
    person = permissions.person_of(request.user)
    year = services.today().year
    teos = Organization.objects.filter(kind=Organization.Kind.TEO)
    if person.role == Role.TEO:
        teos = teos.filter(pk=person.organization_id)
    if exports.asked(request):
        return _supervision_export(request, person, year, teos)
    context = {
        "nav": "supervision", "year": year, "deadline": supervision.training_start_deadline(year),
        **_supervision_lists(request.user),
        "reads_files": permissions.reads_attachments(request.user, "plan"),
        "overview": teo_records.overview(year, teos) if person.role in SUPERVISION_OVERVIEW_ROLES else [],
        "provinces": Province.objects.order_by("code"), "months": AssessmentPlan.MONTHS,
        "delisted_certificates": Certificate.objects.filter(teo__standing__state="delisted", replacement=None)
        if person.role == Role.MINISTRY else [],
        "successors": teos.exclude(standing__state="delisted") if person.role == Role.MINISTRY else [],
        "owed_to_us": teo_records.owed_to(person.organization) if person.role == Role.COLLEGE else [],
    }
    form = request.POST.get("form")
    if request.method == "POST":
        if form not in SUPERVISION_FORMS:
            return _refused(request, "portal/supervision.html", context,
                            RuleViolation("supervision_form_unknown", _("Unknown form."), 400))
        try:
            SUPERVISION_FORMS[form](request.user, request.POST)
        except REFUSED as error:
            return _refused(request, "portal/supervision.html", {**context, "form": form}, error)
        messages.success(request, SUPERVISION_DONE[form])
        return redirect("supervision")
    return render(request, "portal/supervision.html", context)
