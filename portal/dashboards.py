"""The dashboards: a province's (its education department's, or the ministry's of any province) and the nation's.

Every figure comes from `workflows.dashboards`, each table one aggregate query; each chart is drawn in
the browser (`portal/static/portal/charts.js`, Apache ECharts) from the table right behind it, so the
table is what screen readers and print read and the chart can never show another figure.
"""
from django.http import Http404
from django.shortcuts import render

from portal.access import role_required
from workflows import dashboards, permissions, services
from workflows.models import Province
from workflows.roles import Role

PROVINCE_ROLES = (Role.REVIEWER, Role.PROVINCIAL_FINANCE, Role.INSTITUTION)


@role_required(*PROVINCE_ROLES, Role.MINISTRY)
def dashboard(request):
    """The ministry's national dashboard; a province's people see their province's."""
    person = permissions.person_of(request.user)
    if person.role != Role.MINISTRY:
        return _province_page(request, person.organization.province)
    year = services.today().year
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
    return render(request, "portal/dashboard_province.html", {
        "nav": "dashboard", "province": province, "year": year,
        **dashboards.province_dashboard(province.pk, year)})
