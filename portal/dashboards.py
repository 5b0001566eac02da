"""The dashboards: a province's (its education department's, or the ministry's of any province) and the nation's.

Every figure comes from `workflows.dashboards`, each table one aggregate query; each chart is drawn in
the browser (`portal/static/portal/charts.js`, Apache ECharts) from the table right behind it, so the
table is what screen readers and print read and the chart can never show another figure.
"""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal import columns, exports
from portal.access import role_required
from workflows import dashboards, permissions, services
from workflows.models import Province
from workflows.roles import Role

PROVINCE_ROLES = (Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.INSTITUTION)
# Each table a dashboard exports (`?export=csv|xlsx&table=<key>`): file name, title, columns, rows (of the
# province's id, if any, and the year).
NATIONAL_TABLES = {
    "spread": ("fee-spread", _("Each certificate's verified fee across the provinces, against its cap"),
               columns.FEE_SPREAD, lambda year: dashboards.fee_spread()),
    "fees": ("fees-by-province", _("Every verified fee by province"), columns.FEES_BY_PROVINCE,
             lambda year: dashboards.fees_by_province()),
    "board": ("supervision-board", _("Supervision of TEOs"), columns.SUPERVISION_BOARD, dashboards.supervision_board),
}
PROVINCE_TABLES = {
    "coverage": ("coverage", _("Certificates by baseline"), columns.COVERAGE,
                 lambda province, year: dashboards.coverage(province)),
    "baselines": ("baselines-caps", _("Verified baselines against the caps"), columns.BASELINES_AGAINST_CAPS,
                  lambda province, year: dashboards.baselines_against_caps(province)),
    "payments": ("payments-by-college", _("Payments due and released, by college"), columns.PAYMENTS_BY_COLLEGE,
                 lambda province, year: dashboards.payments_by_college(province)),
    "colleges": ("colleges-plans", _("People assessed and certified against the colleges' filed plans"),
                 columns.COLLEGES_AGAINST_PLANS, lambda province, year: dashboards.assessed_against_plans(province)),
    "teos": ("flagged-teos", _("Supervision of TEOs"), columns.SUPERVISION_BOARD, dashboards.flagged_teos),
}


@role_required(*PROVINCE_ROLES, Role.MINISTRY)
def dashboard(request):
    """The ministry's national dashboard; a province's people see their province's."""
    person = permissions.person_of(request.user)
    if person.role != Role.MINISTRY:
        return _province_page(request, person.organization.province)
    year = services.today().year
    if exports.asked(request):
        return _exported(request, NATIONAL_TABLES, year=year)
    return render(request, "portal/dashboard_national.html", {
        "nav": "dashboard", "year": year, "provinces": Province.objects.order_by("code"),
        **dashboards.ministry_dashboard(year)})


@role_required(*PROVINCE_ROLES, Role.MINISTRY)
def province_dashboard(request, code: str):
    """One province's dashboard: the ministry's for any province, a province's people's for their own only."""
    person = permissions.person_of(request.user)
    province = Province.objects.filter(code=code).first()
    if province is None or (person.role != Role.MINISTRY and province.pk != person.organization.province_id):
        raise Http404
    return _province_page(request, province)


def _province_page(request, province: Province):
    year = services.today().year
    if exports.asked(request):
        return _exported(request, PROVINCE_TABLES, province.pk, year=year, suffix=f"-{province.code}")
    return render(request, "portal/dashboard_province.html", {
        "nav": "dashboard", "province": province, "year": year,
        **dashboards.province_dashboard(province.pk, year)})


def _exported(request, tables: dict, *args, year: int, suffix: str = ""):
    """The table asked for (`?table=`) of those the page shows, as a file."""
    return exports.one_of(request, {
        key: (lambda basename=basename, title=title, cols=cols, rows=rows: exports.export_response(
            request, basename + suffix, cols, rows(*args, year), title=title))
        for key, (basename, title, cols, rows) in tables.items()})
