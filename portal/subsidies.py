"""The subsidy page (补助资金分配): a province's finance division opens, adjusts and releases rounds;
the province and the ministry read them; each college sees its grants and what it has paid since."""
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from portal import columns, exports
from portal.access import role_required
from portal.errors import again, refused
from workflows import participation, permissions, services, subsidies
from workflows.errors import RuleViolation
from workflows.funding import FundingSource
from workflows.models import SubsidyFactor
from workflows.refusals import REFUSED
from workflows.roles import Role

READERS = (Role.PROVINCIAL_FINANCE, Role.REVIEWER, Role.INSTITUTION, Role.MINISTRY, Role.COLLEGE, Role.FINANCE)
FORMS = {
    "open": lambda user, post: subsidies.open_subsidy_round(
        user, post.get("year"), post.get("title"), post.get("total"),
        {factor: post.get(f"weight_{factor}", "") for factor in SubsidyFactor.values}),
    "adjust": lambda user, post: subsidies.adjust_subsidy_allocation(
        user, post.get("allocation"), post.get("amount"), post.get("reasons", "")),
    "release": lambda user, post: subsidies.release_subsidy_round(user, post.get("round")),
}
DONE = {"open": _("Subsidy round opened: the split is computed."), "adjust": _("Allocation set."),
        "release": _("Subsidy round released: each college is told its grant.")}


def _year(request) -> int:
    try:
        return participation.batch_year(request.GET.get("year") or services.today().year, services.today().year)
    except RuleViolation:
        return services.today().year


def context(request) -> dict:
    year = _year(request)
    allocations = permissions.visible_subsidy_allocations(request.user).order_by("college__name")
    rounds = (permissions.visible_subsidy_rounds(request.user).distinct().order_by("-year", "-created_at")
              .prefetch_related(Prefetch("allocations", queryset=allocations, to_attr="shown")))
    colleges = permissions.visible_subsidy_colleges(request.user, request.GET.get("province") or None)
    return {"nav": "subsidies", "year": year, "rounds": rounds, "factors": SubsidyFactor.choices,
            "sources": FundingSource.choices, "performance": subsidies.performance(colleges, year),
            "may_allocate": permissions.person_of(request.user).role == Role.PROVINCIAL_FINANCE}


@role_required(*READERS, acts_by_service=True)
def subsidies_page(request):
    if exports.asked(request):
        return exports.one_of(request, {"performance": lambda: _performance_export(request)})
    form = request.POST.get("form")
    if request.method == "POST":
        if form not in FORMS:
            return refused(request, RuleViolation("subsidy_form_unknown", _("Unknown form."), 400),
                           again(request, "portal/subsidies.html", lambda: context(request)))
        try:
            FORMS[form](request.user, request.POST)
        except REFUSED as error:
            return refused(request, error, again(request, "portal/subsidies.html",
                                                 lambda: {**context(request), "form": form}))
        messages.success(request, DONE[form])
        return redirect("subsidies")
    return render(request, "portal/subsidies.html", context(request))


def _performance_export(request):
    """Each college's grants and spending of the year, as the page shows them (绩效考评), as a file."""
    year = _year(request)
    colleges = permissions.visible_subsidy_colleges(request.user, request.GET.get("province") or None)
    return exports.export_response(request, f"subsidy-performance-{year}", columns.SUBSIDY_PERFORMANCE,
                                   subsidies.performance(colleges, year), title=_("Grants and spending"))
