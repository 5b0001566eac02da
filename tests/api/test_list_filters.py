"""The API's lists take the pages' filters (one FilterSet each), on top of what the caller may see;
a value that is not a choice is a 400 naming the field, a parameter that is not a filter is ignored."""
import pytest

from tests.workflows.walk import user
from workflows import services
from workflows.models import Organization, Payment

from .clients import api

pytestmark = pytest.mark.django_db

LISTS = ["alliances", "negotiations", "baselines", "agreements", "filings", "payments"]


@pytest.fixture
def filed(hubei, jiangsu):
    hubei.through_filing()
    jiangsu.through_filing()
    lead = jiangsu.negotiation.alliance.lead
    services.record_assessment(user("teo_2"), jiangsu.negotiation.agreements.get(), lead, 5, services.today())
    return hubei, jiangsu


def _ids(username: str | None, path: str, **params) -> list[int]:
    response = api(username).get(f"/api/v1/{path}/", params)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _teo(username: str) -> int:
    return Organization.objects.get(people__user__username=username).pk


def test_every_list_filters_by_province_certificate_and_teo(filed):
    hubei, jiangsu = filed
    for path in LISTS:
        hubei_ids = _ids("ministry", path, province="42")
        assert hubei_ids and set(hubei_ids) == set(_ids("ministry", path, certificate="X-WEB-01")), path
        assert set(hubei_ids) == set(_ids("ministry", path, teo=_teo("teo_1"))), path
        assert not set(hubei_ids) & set(_ids("ministry", path, province="32")), path
        assert set(_ids("ministry", path)) == set(hubei_ids) | set(_ids("ministry", path, province="32")), path


def test_states_and_search_narrow_the_lists(filed):
    hubei, jiangsu = filed
    due = Payment.objects.get(state=Payment.State.DUE)
    assert _ids("ministry", "payments", state="due") == [due.pk]
    assert _ids("ministry", "negotiations", state="agreed", q="机器人") == [jiangsu.negotiation.pk]
    filing = hubei.negotiation.agreements.get().filing
    assert _ids("ministry", "filings", q=filing.filing_no) == [filing.pk]
    assert _ids("ministry", "agreements", q=filing.filing_no) == [filing.agreement_id]
    assert _ids("ministry", "baselines", state="returned") == []


def test_the_published_schedules_filter_without_sign_in(world):
    listed = api().get("/api/v1/fee-schedules/", {"teo": _teo("teo_2"), "mode": "practical_special"}).json()
    assert [row["certificate"] for row in listed["results"]] == ["X-CNC-04"]
    assert [row["certificate"] for row in api().get("/api/v1/fee-schedules/", {"q": "前端"}).json()["results"]] \
        == ["X-WEB-01"]


def test_a_filter_never_widens_what_the_caller_may_see(filed):
    assert _ids("reviewer_42", "negotiations", province="32") == []
    assert _ids("reviewer_42", "baselines", certificate="X-PLC-03") == []
    assert _ids("teo_1", "filings", teo=_teo("teo_2")) == []
    assert _ids("finance_42_1", "payments", province="32") == []
    assert len(_ids("finance_42_1", "payments", province="42")) == 1
    assert _ids("college_32_1", "alliances", q="湖北") == []


@pytest.mark.parametrize("path,params", [
    ("alliances", {"province": "99"}), ("negotiations", {"state": "won"}), ("baselines", {"certificate": "X-NONE"}),
    ("agreements", {"teo": "abc"}), ("filings", {"state": "lost"}), ("payments", {"province": "湖北"}),
    ("fee-schedules", {"mode": "oral"})])
def test_a_value_that_is_not_a_choice_is_a_400_naming_the_field(filed, path, params):
    response = api("ministry").get(f"/api/v1/{path}/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == "invalid_input" and set(body["fields"]) == set(params)


def test_a_parameter_that_is_not_a_filter_is_ignored(filed):
    assert len(_ids("ministry", "alliances", colour="red")) == 2


def test_the_ministry_reads_every_list_and_every_act_it_attempts_is_refused(filed):
    hubei, jiangsu = filed
    sitting = jiangsu.negotiation.agreements.get().sittings.get()
    services.issue_certificates(user("teo_2"), sitting, ["王芳,S5"])
    supervisor = api("ministry")
    assert supervisor.get("/api/v1/certificates/").json()["count"] == 1
    assert supervisor.get("/api/v1/payments/").json()["count"] == 6
    agreement = hubei.negotiation.agreements.get()
    member = agreement.payments.first().college_id
    refused = [
        supervisor.post(f"/api/v1/agreements/{agreement.pk}/assessments/",
                        {"college_id": member, "headcount": 3, "held_on": services.today().isoformat()}, format="json"),
        supervisor.post(f"/api/v1/sittings/{sitting.pk}/certificates/", {"holders": ["李四,S4"]}, format="json"),
        supervisor.post("/api/v1/alliances/", {"certificate_id": agreement.negotiation.certificate_id}, format="json"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403], [r.json() for r in refused]
    assert {r.json()["rule"] for r in refused} == {"actor_not_allowed"}
