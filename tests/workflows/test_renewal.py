"""A superseded baseline re-opens its agreements; each is signed again on the new one and filed.

The renewal (agreement_renewal) waits for the province's next verified baseline of the
certificate, then calls the signing and the filing; the agreement row stays the same, so the
lifecycle's payments still receive the assessments recorded under it.
"""
from decimal import Decimal

import pytest
from django.test import Client

from bpmn import integrity
from bpmn.models import MessageSubscription, OpenTask, PendingMessage, ProcessInstance
from tests.api.clients import api
from tryout.simulation import actor_for
from workflows import services
from workflows.errors import RuleViolation
from workflows.models import Agreement, Baseline, Filing, Payment

from .walk import Walk, college, neighbours_agreed, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

NEW_FEE = Decimal("150.00")


def renewal(agreement: Agreement) -> ProcessInstance:
    return ProcessInstance.objects.filter(business_key=services.renewal_key(agreement)).latest("pk")


def renewal_tasks(agreement: Agreement, name: str | None = None) -> list[OpenTask]:
    tasks = OpenTask.objects.filter(instance=renewal(agreement)).order_by("pk")
    return list(tasks.filter(task_name=name) if name else tasks)


def do_renewal(agreement: Agreement, name: str, data: dict | None = None) -> OpenTask:
    [task] = renewal_tasks(agreement, name)
    services.complete(task.task_id, actor_for(task), data or {})
    return task


def superseded(first: Walk) -> tuple[Walk, Agreement]:
    """First alliance filed; a second alliance agrees a different fee; the reviewer supersedes."""
    first.through_filing()
    second = neighbours_agreed(NEW_FEE)
    services.supersede_baseline(user("reviewer_42"), Baseline.objects.get(negotiation=first.negotiation),
                                "统一按新测算执行")
    return second, Agreement.objects.get(negotiation=first.negotiation)


def sign_and_file_again(agreement: Agreement, flagged: bool = False) -> None:
    do_renewal(agreement, "sign_alliance")
    do_renewal(agreement, "sign_teo")
    do_renewal(agreement, "acknowledge_filing", {"flagged": flagged, "note": "新标准"})


def test_re_opened_agreement_waits_for_the_new_baseline_and_assessments_are_refused(world):
    first = Walk()
    _, agreement = superseded(first)
    assert agreement.state == Agreement.State.REOPENED
    waiting = renewal(agreement)
    assert waiting.status == ProcessInstance.Status.RUNNING and renewal_tasks(agreement) == []
    subscription = MessageSubscription.objects.get(instance=waiting)
    assert subscription.message_name == "baseline_verified"
    assert subscription.correlation_key == (
        f'{{"certificate_id": {first.certificate.pk}, "province_id": {first.negotiation.alliance.province_id}}}')
    with pytest.raises(RuleViolation) as refusal:
        services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 10, held_on=services.today())
    assert refusal.value.rule == "agreement_filed_first"
    # the lifecycle still waits for its assessments: nothing is stuck (checked after every step)
    assert first.instance.status == ProcessInstance.Status.RUNNING
    assert MessageSubscription.objects.filter(instance=first.instance, message_name="assessment_held").count() == 3


def test_new_baseline_verified_both_sides_sign_again_and_payment_follows_the_new_fee(world):
    first = Walk()
    second, agreement = superseded(first)
    old = agreement.baseline
    second.verify()
    new = Baseline.objects.get(negotiation=second.negotiation, state=Baseline.State.VERIFIED)
    agreement.refresh_from_db()
    assert (agreement.state, agreement.baseline, agreement.fee) == (Agreement.State.AWAITING_SIGNATURES, new, NEW_FEE)
    old.refresh_from_db()
    assert old.superseded_by == new
    assert not PendingMessage.objects.filter(message_name="baseline_verified").exists()  # kept for nobody
    holders = {t.task_name: (t.role, t.organization_id) for t in renewal_tasks(agreement)}
    assert holders == {"sign_alliance": ("alliance_lead", first.negotiation.alliance.lead_id),
                       "sign_teo": ("teo", first.certificate.teo_id)}
    do_renewal(agreement, "sign_teo")
    do_renewal(agreement, "sign_alliance")
    [acknowledge] = renewal_tasks(agreement)
    assert acknowledge.task_name == "acknowledge_filing" and acknowledge.role == "reviewer"
    do_renewal(agreement, "acknowledge_filing", {"flagged": False})
    agreement.refresh_from_db()
    assert (agreement.state, agreement.baseline, agreement.fee) == (Agreement.State.FILED, new, NEW_FEE)
    assert Filing.objects.get(agreement=agreement).state == Filing.State.ACKNOWLEDGED
    assert renewal(agreement).status == ProcessInstance.Status.COMPLETED
    assert renewal(agreement).end_event == "renewed_end"
    member = college("college_42_2")
    services.record_assessment(user("teo_1"), agreement, member, 20, held_on=services.today())
    payment = Payment.objects.get(agreement=agreement, college=member)
    assert payment.state == Payment.State.DUE and payment.amount == NEW_FEE * 20
    first.do("release_payment", {"funding": [{"source": "fiscal", "amount": "3000.00"}]}, actor=user("finance_42_2"))
    payment.refresh_from_db()
    assert payment.state == Payment.State.RELEASED


def test_payment_due_before_the_supersede_waits_and_is_recomputed_on_the_new_fee(world):
    first = Walk()
    first.through_filing()
    agreement = Agreement.objects.get(negotiation=first.negotiation)
    lead = college("college_42_1")
    services.record_assessment(user("teo_1"), agreement, lead, 10, held_on=services.today())
    payment = Payment.objects.get(agreement=agreement, college=lead)
    assert payment.amount == agreement.fee * 10
    second = neighbours_agreed(NEW_FEE)
    services.supersede_baseline(user("reviewer_42"), agreement.baseline, "成本核查后下调")
    with pytest.raises(RuleViolation) as refusal:
        first.do("release_payment", {"funding": [{"source": "own", "amount": f"{payment.amount:.2f}"}]})
    assert refusal.value.rule == "agreement_filed_first"
    assert first.task("release_payment")  # still open, for after the renewal
    second.verify()
    sign_and_file_again(agreement, flagged=True)
    do_renewal(agreement, "record_supervision", {"supervision_note": "新标准执行情况"})
    payment.refresh_from_db()
    assert payment.amount == NEW_FEE * 10
    first.do("release_payment", {"funding": [{"source": "own", "amount": "1500.00"}]})
    payment.refresh_from_db()
    assert payment.state == Payment.State.RELEASED and payment.amount == Decimal("1500.00")


def test_every_agreement_on_the_baseline_renews_including_one_that_adopted_it(world):
    first = Walk()
    first.through_filing()
    adopter = neighbours_agreed()
    adopter.verify()  # the same fee: adopts the first baseline
    adopter.do("sign_alliance")
    adopter.do("sign_teo")
    adopter.do("acknowledge_filing", {"flagged": False})
    third = Walk(lead="college_42_3", invite=("college_42_1",))
    third.form(accept=(True,))
    third.agree(counter_fee=NEW_FEE)
    baseline = Baseline.objects.get(negotiation=first.negotiation)
    reopened = services.supersede_baseline(user("reviewer_42"), baseline, "统一按新测算执行")
    agreements = list(Agreement.objects.filter(negotiation__in=[first.negotiation, adopter.negotiation]).order_by("pk"))
    assert reopened == agreements
    third.verify()
    for agreement in agreements:
        agreement.refresh_from_db()
        assert agreement.fee == NEW_FEE and agreement.state == Agreement.State.AWAITING_SIGNATURES
        assert sorted(t.task_name for t in renewal_tasks(agreement)) == ["sign_alliance", "sign_teo"]
        sign_and_file_again(agreement)
        agreement.refresh_from_db()
        assert agreement.state == Agreement.State.FILED
    assert Baseline.objects.get(state=Baseline.State.VERIFIED).negotiation == third.negotiation


def test_a_baseline_whose_agreement_is_still_being_signed_is_not_superseded(world):
    walk = Walk()
    walk.form()
    walk.agree()
    walk.verify()
    walk.do("sign_alliance")
    baseline = Baseline.objects.get(negotiation=walk.negotiation)
    with pytest.raises(RuleViolation) as refusal:
        services.supersede_baseline(user("reviewer_42"), baseline, "统一按新测算执行")
    assert refusal.value.rule == "agreements_filed_before_supersede" and refusal.value.status == 409
    baseline.refresh_from_db()
    assert baseline.state == Baseline.State.VERIFIED
    assert Agreement.objects.get(negotiation=walk.negotiation).state == Agreement.State.AWAITING_SIGNATURES
    assert not ProcessInstance.objects.filter(definition__process_id=services.RENEWAL).exists()


def test_a_renewal_superseded_again_renews_once_more(world):
    first = Walk()
    second, agreement = superseded(first)
    second.verify()
    sign_and_file_again(agreement)
    second.do("sign_alliance")
    second.do("sign_teo")
    second.do("acknowledge_filing", {"flagged": False})
    reopened = services.supersede_baseline(user("reviewer_42"), Baseline.objects.get(state=Baseline.State.VERIFIED),
                                           "再次调整")
    assert {a.negotiation_id for a in reopened} == {first.negotiation.pk, second.negotiation.pk}
    assert ProcessInstance.objects.filter(business_key=services.renewal_key(agreement)).count() == 2
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.REOPENED and renewal_tasks(agreement) == []


def test_integrity_names_a_re_opened_agreement_with_no_renewal_and_a_renewal_that_missed_its_baseline(world):
    first = Walk()
    _, agreement = superseded(first)
    waiting = renewal(agreement)
    assert integrity.problems(waiting) == [] and integrity.problems(first.instance) == []
    Baseline.objects.filter(pk=Baseline.objects.get(state=Baseline.State.PENDING).pk).update(state="verified")
    assert any("still waits for it" in p for p in integrity.problems(waiting))
    ProcessInstance.objects.filter(pk=waiting.pk).update(status=ProcessInstance.Status.COMPLETED)
    assert any(f"agreement(s) [{agreement.pk}] are re-opened" in p for p in integrity.problems(first.instance))


def test_api_supersede_answers_the_re_opened_agreements_and_lists_the_new_signing(world):
    first = Walk()
    first.through_filing()
    second = neighbours_agreed(NEW_FEE)
    agreement = Agreement.objects.get(negotiation=first.negotiation)
    done = api("reviewer_42").post(f"/api/v1/baselines/{agreement.baseline_id}/supersede/", {"reasons": "成本下降"},
                                   format="json")
    assert done.status_code == 200 and done.json() == {"reopened_agreements": [agreement.pk]}
    assessed = api("teo_1").post(f"/api/v1/agreements/{agreement.pk}/assessments/",
                                 {"college_id": college("college_42_1").pk, "headcount": 3,
                                  "held_on": services.today().isoformat()}, format="json")
    assert assessed.status_code == 409 and assessed.json()["rule"] == "agreement_filed_first"
    second.verify()
    tasks = api("teo_1").get("/api/v1/tasks/").json()["results"]
    signing = {t["negotiation_id"]: t["instance"] for t in tasks if t["task_name"] == "sign_teo"}
    assert signing == {first.negotiation.pk: renewal(agreement).pk, second.negotiation.pk: second.instance.pk}
    instance = api("teo_1").get(f"/api/v1/process-instances/{renewal(agreement).pk}/")
    assert instance.status_code == 200 and instance.json()["process_id"] == services.RENEWAL
    assert api("teo_2").get(f"/api/v1/process-instances/{renewal(agreement).pk}/").status_code == 404


def test_the_negotiation_room_offers_the_new_signing_to_the_lead_college(world):
    first = Walk()
    second, agreement = superseded(first)
    second.verify()
    [sign] = renewal_tasks(agreement, "sign_alliance")
    browser = Client()
    assert browser.login(username="college_42_1", password="demo12345")
    room = browser.get(f"/negotiations/{first.negotiation.pk}/").content.decode()
    assert f"/tasks/{sign.task_id}/" in room
    assert browser.get(f"/tasks/{sign.task_id}/").status_code == 200
    assert browser.get(f"/processes/{renewal(agreement).pk}/").status_code == 200
    signed = browser.post(f"/tasks/{sign.task_id}/")
    assert signed.status_code == 302 and signed.url == f"/negotiations/{first.negotiation.pk}/"
    agreement.refresh_from_db()
    assert agreement.signed_by_alliance_at is not None
