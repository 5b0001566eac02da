"""The provincial pilot institution (省级试点机构) negotiates for its province's colleges instead of an alliance.

"无现成明文规定的，就由培训评价组织与省级试点机构或院校联盟协商确定": the institution leads the negotiating
party, signs the agreement, and is no member; each member college pays its own share on its own
headcount. The caps, the one standard per province and the verification are the same as an alliance's.
"""
from decimal import Decimal

import pytest

from bpmn.models import OpenTask
from tests.api.clients import api
from tests.portal.conftest import Browser
from tests.workflows.walk import Walk, college, open_task, user
from workflows import permissions, services
from workflows.errors import RuleViolation
from workflows.models import Alliance, Baseline, Organization, Payment

pytestmark = pytest.mark.django_db

MEMBERS = ("college_42_1", "college_42_2")


def institution_walk(certificate: str = "X-WEB-01", invite=MEMBERS) -> Walk:
    return Walk(certificate, lead="institution_42", invite=invite)


def refusal(call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kwargs)
    return refused.value


def test_the_institution_leads_a_party_of_its_province_it_is_no_member_of(world):
    walk = institution_walk()
    alliance = walk.negotiation.alliance
    assert alliance.lead.kind == Organization.Kind.PROVINCIAL_INSTITUTION
    assert alliance.province.code == "42" and not alliance.memberships.exists()
    assert open_task(walk.negotiation, "invite_members").organization_id == alliance.lead_id


def test_its_colleges_accept_and_the_party_is_registered_then_negotiates(world):
    walk = institution_walk()
    walk.form()
    walk.negotiation.alliance.refresh_from_db()
    assert walk.negotiation.alliance.state == Alliance.State.FORMED
    assert sorted(m.college.name for m in walk.negotiation.alliance.accepted_members()) == sorted(
        college(u).name for u in MEMBERS)
    assert open_task(walk.negotiation, "screen_services").organization_id == walk.negotiation.alliance.lead_id


def test_it_must_invite_as_many_colleges_as_the_model_asks_since_it_does_not_count_itself(world):
    walk = institution_walk(invite=("college_42_1",))
    with pytest.raises(RuleViolation) as refused:
        walk.form()
    assert refused.value.rule == "invite_enough_colleges"
    assert "2" in str(refused.value.message) and "湖北省1+X证书制度试点工作机构" in str(refused.value.message)


def test_it_invites_only_colleges_of_its_own_province(world):
    walk = institution_walk(invite=("college_42_1", "college_32_1"))
    with pytest.raises(RuleViolation) as refused:
        walk.form()
    assert refused.value.rule == "invite_colleges_of_province"


def test_one_college_accepting_is_not_enough_and_the_party_is_dissolved(world):
    walk = institution_walk()
    walk.form(accept=(True, False))
    walk.negotiation.alliance.refresh_from_db()
    assert walk.negotiation.alliance.state == Alliance.State.DISSOLVED


def test_it_signs_for_the_colleges_and_each_college_pays_its_own_share_on_its_own_headcount(world):
    walk = institution_walk()
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    signature = agreement.signatures()[0]
    assert signature["organization"] == walk.negotiation.alliance.lead and signature["name"] == "钱进"
    assert set(agreement.payments.values_list("college_id", flat=True)) == {college(u).pk for u in MEMBERS}
    for username, headcount in zip(MEMBERS, (12, 30), strict=True):
        services.record_assessment(user("teo_1"), agreement, college(username), headcount, services.today())
    amounts = dict(Payment.objects.filter(agreement=agreement).values_list("college__name", "amount"))
    assert amounts == {college("college_42_1").name: Decimal("2160.00"),
                       college("college_42_2").name: Decimal("5400.00")}
    release = OpenTask.objects.get(instance=walk.instance, task_name="release_payment",
                                   organization_id=college("college_42_2").pk)
    assert release  # each college's finance office releases its own; the institution has no such task
    assert not OpenTask.objects.filter(instance=walk.instance, organization_id=walk.negotiation.alliance.lead_id,
                                       task_name="release_payment").exists()


def test_the_fee_is_held_to_the_cap_as_an_alliances_is(world):
    walk = institution_walk()
    walk.form()
    walk.do("screen_services", {"training_content": "师资培训"})
    with pytest.raises(RuleViolation) as refused:
        walk.do("alliance_responds", {"decision": "counter", "fee": "200.01", "lines": walk.offer_lines(
            Decimal("200.01"))})
    assert refused.value.rule == "fee_cap_2357"


def test_one_standard_per_province_holds_between_an_alliance_and_the_institution(world):
    alliance = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    alliance.through_filing()  # verified at ¥180.00 in Hubei
    walk = institution_walk()
    walk.form()
    walk.agree(counter_fee=Decimal("170.00"))
    with pytest.raises(RuleViolation) as refused:
        walk.verify()
    assert refused.value.rule == "one_standard_per_province"
    assert "180.00" in str(refused.value.message)


def test_agreeing_the_provinces_standard_adopts_the_verified_baseline(world):
    Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).through_filing()
    walk = institution_walk()
    walk.through_filing()
    assert Baseline.objects.get(negotiation=walk.negotiation).state == Baseline.State.ADOPTED


def test_who_sees_the_institutions_negotiation(world):
    walk = institution_walk()
    seen = {name: permissions.can_view(user(name), walk.negotiation) for name in (
        "institution_42", "reviewer_42", "ministry", "teo_1", "reviewer_32", "college_32_1", "teo_2")}
    assert seen == {"institution_42": True, "reviewer_42": True, "ministry": True, "teo_1": True,
                    "reviewer_32": False, "college_32_1": False, "teo_2": False}
    walk.form()
    assert permissions.can_view(user("college_42_1"), walk.negotiation)
    audience = permissions.negotiation_audience(walk.negotiation)
    assert audience["institution"] == {walk.negotiation.alliance.lead_id}


def test_the_institution_sees_the_alliances_totals_not_a_colleges_payment(world):
    walk = institution_walk()
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 5, services.today())
    officer = user("institution_42")
    assert not permissions.visible_payments(officer).exists()
    assert not permissions.visible_sittings(officer).exists()
    assert permissions.sees_alliance_totals(officer, agreement)


def test_only_an_institution_officer_or_college_staff_starts_a_negotiation(world):
    for name in ("teo_1", "reviewer_42", "finance_42_1", "ministry"):
        refused = refusal(services.start_lifecycle, user(name), _certificate_id("X-WEB-01"))
        assert (refused.rule, refused.status) == ("actor_not_allowed", 403)
        assert "省级试点机构" in str(refused.message)


def _certificate_id(code: str) -> int:
    from workflows.models import Certificate

    return Certificate.objects.get(code=code).pk


def test_the_api_starts_the_institutions_negotiation_and_lists_it_for_it_alone(world):
    answer = api("institution_42").post("/api/v1/alliances/", {"certificate_id": _certificate_id("X-CLOUD-02")},
                                        format="json")
    assert answer.status_code == 201, answer.json()
    listed = api("institution_42").get("/api/v1/alliances/").json()["results"]
    assert [a["lead"] for a in listed] == ["湖北省1+X证书制度试点工作机构"]
    assert api("college_32_1").get(f"/api/v1/negotiations/{answer.json()['id']}/").status_code == 404


def test_the_alliances_page_offers_the_institution_the_form_and_starts_its_negotiation(world):
    browser = Browser().as_("institution_42")
    page = browser.get("/alliances/")
    assert page.status_code == 200 and 'name="certificate"' in page.content.decode()
    answer = browser.post("/alliances/", {"certificate": _certificate_id("X-CLOUD-02")})
    assert answer.status_code == 302
    negotiation = permissions.visible_negotiations(user("institution_42")).get()
    invite = open_task(negotiation, "invite_members")
    task_page = browser.get(f"/tasks/{invite.task_id}/").content.decode()
    assert 'data-minimum="2"' in task_page and "武汉职业技术学院" in task_page


def test_everyone_hears_of_the_institutions_negotiation_exactly_when_they_may_see_it(world):
    from notifications.consumers import groups_of
    from notifications.delivery import hints
    from workflows.models import Person, Role

    walk = institution_walk()
    walk.form()
    groups = {group for group, _ in hints([walk.negotiation])}
    # The provincial finance division's and the experts' reading of negotiations is joint verification's.
    wrong = [(person.user.username, hears) for person in Person.objects.select_related("user", "organization")
             .exclude(role__in=(Role.PROVINCIAL_FINANCE, Role.EXPERT))
             if (hears := bool(groups & set(groups_of(person.user)))) != permissions.can_view(person.user,
                                                                                             walk.negotiation)]
    assert wrong == []
    assert groups & set(groups_of(user("institution_42")))
