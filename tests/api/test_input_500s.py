"""Input that once made a 500 is refused with a rule: too deep, not a UUID, too long, not an ASCII id, twice."""
import pytest

from tests.portal.conftest import Browser
from tests.workflows.walk import open_task, user
from workflows import services
from workflows.errors import RuleViolation
from workflows.models import FundingAllocation, Membership

from .clients import api

pytestmark = pytest.mark.django_db


def _nested(depth: int):
    body = "x"
    for _ in range(depth):
        body = [body]
    return body


def _invite(walk) -> str:
    return str(open_task(walk.negotiation, "invite_members").task_id)


# --- JSON nested a thousand deep -----------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_a_body_nested_deeper_than_the_bound_is_refused_with_the_rule(hubei, depth):
    task = _invite(hubei)
    raw = '{"data": {"college_ids": ' + "[" * depth + "]" * depth + "}}"
    answer = api("college_42_1").post(f"/api/v1/tasks/{task}/complete/", raw, content_type="application/json")
    assert (answer.status_code, answer.json()["rule"]) == (400, "json_too_deep")
    assert open_task(hubei.negotiation, "invite_members") is not None


@pytest.mark.parametrize("url", ["/api/v1/fee-schedules/", "/api/v1/alliances/"])
def test_every_json_body_is_bounded_not_only_task_data(hubei, url):
    answer = api("teo_1").post(url, {"lines": _nested(200)}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (400, "json_too_deep")


def test_a_body_within_the_bound_is_read_and_refused_by_its_own_rule(hubei):
    task = _invite(hubei)
    answer = api("college_42_1").post(f"/api/v1/tasks/{task}/complete/", {"data": {"college_ids": _nested(20)}},
                                      format="json")
    assert answer.status_code == 400 and answer.json()["rule"] != "json_too_deep"


# --- a 36-character task id that is not a UUID ---------------------------------------------------

NOT_UUIDS = ["a" * 36, "-" * 36, "0" * 35 + "-", "0000000-00000-0000-0000-000000000000", "A" * 32 + "----"]


@pytest.mark.parametrize("task_id", NOT_UUIDS)
@pytest.mark.parametrize("suffix, method", [("", "get"), ("claim/", "post"), ("unclaim/", "post"),
                                            ("complete/", "post")])
def test_a_task_id_that_is_not_a_uuid_is_an_unknown_task_over_the_api(hubei, task_id, suffix, method):
    answer = getattr(api("college_42_1"), method)(f"/api/v1/tasks/{task_id}/{suffix}", {"data": {}}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (404, "task_not_found")


@pytest.mark.parametrize("task_id", NOT_UUIDS)
@pytest.mark.parametrize("suffix", ["", "claim/", "unclaim/"])
def test_a_task_id_that_is_not_a_uuid_is_not_found_on_the_pages(hubei, task_id, suffix):
    browser = Browser().as_("college_42_1")
    assert browser.get(f"/tasks/{task_id}/").status_code == 404
    assert browser.post(f"/tasks/{task_id}/{suffix}", {}).status_code == 404


@pytest.mark.parametrize("task_id", NOT_UUIDS)
def test_the_services_read_a_task_id_that_is_not_a_uuid_as_an_unknown_task(hubei, task_id):
    with pytest.raises(RuleViolation) as refused:
        services.task_for(user("college_42_1"), task_id)
    assert (refused.value.rule, refused.value.status) == ("task_not_found", 404)


# --- a funding purpose over 40 characters ------------------------------------------------------


def _due_release(walk):
    walk.through_filing()
    lead = walk.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), walk.negotiation.agreements.get(), lead, 10, services.today())
    return open_task(walk.negotiation, "release_payment", lead.pk)


@pytest.mark.parametrize("purpose", ["x" * 41, "考" * 41, "assessment_fee" * 3])
def test_a_funding_purpose_longer_than_its_column_is_refused_on_both_edges(hubei, purpose):
    release = _due_release(hubei)
    page = Browser().as_("finance_42_1").post(f"/tasks/{release.task_id}/", {
        "amount_fiscal": "1800.00", "purpose_fiscal": purpose})
    assert page.status_code == 400 and 'data-rule="funding_purpose_unknown"' in page.content.decode()
    answer = api("finance_42_1").post(f"/api/v1/tasks/{release.task_id}/complete/", {"data": {"funding": [
        {"source": "fiscal", "amount": "1800.00", "purpose": purpose}]}}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (400, "funding_purpose_unknown")
    assert not FundingAllocation.objects.exists()


# --- college ids in digits that are not ASCII ------------------------------------------------------


@pytest.mark.parametrize("given", ["²", "٣", "１", "1²", "abc", 1.5, True])
def test_invited_college_ids_that_are_not_ascii_whole_numbers_are_refused(hubei, given):
    task = _invite(hubei)
    answer = api("college_42_1").post(f"/api/v1/tasks/{task}/complete/",
                                      {"data": {"college_ids": [hubei.invitees[0].pk, given]}}, format="json")
    assert (answer.status_code, answer.json()["rule"]) == (400, "college_not_an_id")
    assert Membership.objects.filter(alliance=hubei.negotiation.alliance).count() == 1  # the lead alone


def test_invited_college_ids_as_digits_text_are_read(hubei):
    task = _invite(hubei)
    answer = api("college_42_1").post(f"/api/v1/tasks/{task}/complete/",
                                      {"data": {"college_ids": [str(c.pk) for c in hubei.invitees]}}, format="json")
    assert answer.status_code == 200
    assert Membership.objects.filter(alliance=hubei.negotiation.alliance).count() == 3


# --- a second sitting for a college -----------------------------------------------------------------


def test_a_second_sitting_for_a_college_is_refused_by_the_service_with_the_rule(hubei):
    hubei.through_filing()
    agreement, lead = hubei.negotiation.agreements.get(), hubei.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 3, services.today())
    with pytest.raises(RuleViolation) as refused:
        services.record_assessment(user("teo_1"), agreement, lead, 3, services.today())
    assert (refused.value.rule, refused.value.status) == ("sitting_already_recorded", 409)
    assert agreement.sittings.count() == 1
    # Both edges: the case "record_assessment: the same college again" of tests/api/test_one_door.py.
