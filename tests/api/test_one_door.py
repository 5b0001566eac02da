"""One door per act: the portal and the API refuse the same input or actor with the same rule and status.

Every act of `workflows.services.ACTS` has refused cases here, each driven twice from the same
state: as a form post through the portal (the Django test client, signed in) and as JSON through
the API. An act registered without a case fails the test that enumerates them.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from tests.portal.conftest import Browser
from tests.workflows import attached, complaint_walk, supervision_records
from tests.workflows.paper_copies import TRACKING_NO, second_student
from tests.workflows.walk import DELIVERY, Walk, college, open_task, user
from workflows import services, subsidies, teo_records
from workflows.models import Baseline, Certificate, IssuedCertificate, Person

from .clients import api

pytestmark = pytest.mark.django_db

Ids = dict
Request = Callable[[Ids], tuple[str, dict]]


def _colleague(username: str) -> str:
    """A second officer of the same office and role, signed in with the demo password."""
    person = Person.objects.get(user__username=username)
    other = get_user_model().objects.create_user(f"{username}_b", password="demo12345")
    Person.objects.create(user=other, organization=person.organization, role=person.role)
    return other.username


# --- the states a refusal is tried in ------------------------------------------------------


def _screen(walk: Walk) -> Ids:
    walk.form()
    return {"task": str(open_task(walk.negotiation, "screen_services").task_id)}


def _screen_claimed(walk: Walk) -> Ids:
    ids = _screen(walk)
    services.claim(user("college_42_1"), ids["task"])
    _colleague("college_42_1")
    return ids


def _screen_with_colleague(walk: Walk) -> Ids:
    ids = _screen(walk)
    _colleague("college_42_1")
    return ids


def _first_offer(walk: Walk) -> Ids:
    walk.to_first_offer()
    return {"task": str(open_task(walk.negotiation, "alliance_responds").task_id)}


def _certificate(walk: Walk) -> Ids:
    return {"certificate": walk.certificate.pk, "other_teos": Certificate.objects.get(code="X-PLC-03").pk}


def _verified(walk: Walk) -> Ids:
    walk.through_filing()
    return {"baseline": Baseline.objects.get(negotiation=walk.negotiation).pk}


def _filed(walk: Walk) -> Ids:
    walk.through_filing()
    return {"agreement": walk.negotiation.agreements.get().pk, "lead": walk.negotiation.alliance.lead_id,
            "outsider": college("college_32_1").pk}


def _sitting(walk: Walk) -> Ids:
    ids = _filed(walk)
    sitting = services.record_assessment(user("teo_1"), ids["agreement"], ids["lead"], 2, services.today())
    return {**ids, "sitting": sitting.pk}


def _issued(walk: Walk) -> Ids:
    ids = _sitting(walk)
    services.issue_certificates(user("teo_1"), ids["sitting"], ["李明,2023010001", "王五,2023010099"])
    return {**ids, "certificate": IssuedCertificate.objects.get(holder_name="李明").pk}


def _ordered(walk: Walk) -> Ids:
    ids = _issued(walk)
    order = services.order_paper_certificate(user("student"), ids["certificate"], **DELIVERY)
    return {**ids, "order": order.pk}


def _ordered_by_another(walk: Walk) -> Ids:
    """王五's order of his own certificate, beside the demo student's."""
    ids = _ordered(walk)
    theirs = IssuedCertificate.objects.get(holder_name="王五")
    order = services.order_paper_certificate(second_student(), theirs, **DELIVERY)
    return {**ids, "order": order.pk}


def _dispatched(walk: Walk) -> Ids:
    ids = _ordered(walk)
    services.dispatch_paper_order(user("teo_1"), ids["order"], TRACKING_NO)
    return ids


# --- the requests of each act, on each edge ------------------------------------------------

def _revoke(body: dict) -> tuple[Request, Request]:
    return (lambda ids: (f"/certificates/{ids['certificate']}/revoke/", body),
            lambda ids: (f"/api/v1/certificates/{ids['certificate']}/revoke/", body))


TODAY = "today"  # filled in when the request is made: a sitting is recorded once held


def _task_form(suffix: str, form: dict | None = None) -> Request:
    return lambda ids: (f"/tasks/{ids['task']}/{suffix}", form or {})


def _task_api(suffix: str, body: dict | None = None) -> Request:
    return lambda ids: (f"/api/v1/tasks/{ids['task']}/{suffix}", body or {})


OVER_CAP = {"fee": "201.00", "question_bank": "201.00"}


def _publish_form(key: str, fee: dict) -> Request:
    return lambda ids: ("/schedules/", {"certificate": ids[key], "fee": fee["fee"], "paper_copy_price": "30.00",
                                        "line_question_bank": fee["question_bank"], "services": "考核"})


def _publish_api(key: str, fee: dict) -> Request:
    return lambda ids: ("/api/v1/fee-schedules/", {"certificate_id": ids[key], "fee": fee["fee"],
                                                   "lines": {"question_bank": fee["question_bank"]},
                                                   "paper_copy_price": "30.00", "services": ["考核"]})


def _record_form(college_key: str, headcount: int) -> Request:
    return lambda ids: (f"/agreements/{ids['agreement']}/assessments/",
                        {"college": ids[college_key], "headcount": str(headcount), "held_on": TODAY})


def _record_api(college_key: str, headcount: int) -> Request:
    return lambda ids: (f"/api/v1/agreements/{ids['agreement']}/assessments/",
                        {"college_id": ids[college_key], "headcount": headcount, "held_on": TODAY})


MISSING = object()  # a field left out of the form and of the body


def _typed(form: dict, body: dict) -> tuple[dict, dict]:
    """The same input as a form posts it (text) and as JSON sends it, the missing fields left out of both."""
    return ({k: v for k, v in form.items() if v is not MISSING}, {k: v for k, v in body.items() if v is not MISSING})


def _record_typed(college=MISSING, headcount=MISSING, held_on=TODAY, json_headcount=None) -> tuple[Request, Request]:
    """A sitting recorded with the college, headcount and date as given (the JSON headcount may differ in type)."""
    def both(ids: Ids) -> tuple[dict, dict]:
        chosen = ids["lead"] if college is MISSING else college
        return _typed({"college": chosen, "headcount": headcount, "held_on": held_on},
                      {"college_id": chosen, "headcount": headcount if json_headcount is None else json_headcount,
                       "held_on": held_on})
    url = "agreements/{agreement}/assessments/"
    return (lambda ids: ("/" + url.format(**ids), both(ids)[0]),
            lambda ids: ("/api/v1/" + url.format(**ids), both(ids)[1]))


def _sitting_typed(path: str, form: dict, body: dict | None = None) -> tuple[Request, Request]:
    """A correction or make-up of the sitting, typed as given on the page and (as `body`, or the same) in JSON."""
    form, sent = _typed(form, form if body is None else body)
    return _sitting_form(path, form), _sitting_api(path, sent)


def _start_typed(certificate) -> tuple[Request, Request]:
    form, body = _typed({"certificate": certificate}, {"certificate_id": certificate})
    return lambda ids: ("/alliances/", form), lambda ids: ("/api/v1/alliances/", body)


def _publish_typed(certificate) -> tuple[Request, Request]:
    def form(ids):
        url, posted = _publish_form("certificate", {"fee": "150.00", "question_bank": "150.00"})(ids)
        return url, _typed({**posted, "certificate": certificate}, {})[0]

    def body(ids):
        url, sent = _publish_api("certificate", {"fee": "150.00", "question_bank": "150.00"})(ids)
        return url, _typed({}, {**sent, "certificate_id": certificate})[1]
    return form, body


def _sitting_form(path: str, form: dict) -> Request:
    return lambda ids: (f"/sittings/{ids['sitting']}/{path}/", form)


def _sitting_api(path: str, body: dict) -> Request:
    return lambda ids: (f"/api/v1/sittings/{ids['sitting']}/{path}/", body)


def _order_form(ids: Ids) -> tuple[str, dict]:
    return "/certificates/", {"certificate": ids["certificate"], **DELIVERY}


def _order_api(ids: Ids) -> tuple[str, dict]:
    return f"/api/v1/certificates/{ids['certificate']}/paper-orders/", DELIVERY


def _paper_order(act: str, form: dict | None = None) -> tuple[Request, Request]:
    """The same post to /paper-orders/<id>/<act>/ as a form and to the API as JSON."""
    return (lambda ids: (f"/paper-orders/{ids['order']}/{act}/", form or {}),
            lambda ids: (f"/api/v1/paper-orders/{ids['order']}/{act}/", form or {}))


SENT = {"tracking_no": TRACKING_NO}


def _participation_form(planned: str, certificate_key: str = "certificate") -> Request:
    return lambda ids: ("/participation/", {"certificate": ids[certificate_key], "year": str(services.today().year),
                                            "planned_students": planned})


def _participation_api(planned, certificate_key: str = "certificate") -> Request:
    return lambda ids: ("/api/v1/participation-filings/", {"certificate_id": ids[certificate_key],
                                                          "year": services.today().year, "planned_students": planned})


def _participation_filed(walk: Walk) -> Ids:
    ids = _certificate(walk)
    services.file_participation(user("college_42_1"), ids["certificate"], services.today().year, 120)
    return ids


def _teo(walk: Walk) -> Ids:
    return {"teo": walk.certificate.teo_id}


def _complaint_form(ground: str = "excessive_fees", evidence: tuple = ("收费票据 2026-0088",)) -> Request:
    return lambda ids: ("/complaints/", {"teo": ids["teo"], "ground": ground, "account": "考核费远超公示标准。",
                                         "evidence": list(evidence)})


def _complaint_api(ground: str = "excessive_fees", evidence: tuple = ("收费票据 2026-0088",)) -> Request:
    return lambda ids: ("/api/v1/complaints/", {"teo_id": ids["teo"], "ground": ground,
                                               "account": "考核费远超公示标准。", "evidence": list(evidence)})


@dataclass(frozen=True)
class Case:
    act: str
    why: str
    actor: str
    state: Callable[[Walk], Ids]
    portal: Request
    api: Request
    rule: str
    status: int

    def __str__(self) -> str:
        return f"{self.act}: {self.why}"


# --- supervision records (动态调整) ------------------------------------------------------------


def _provinces(walk: Walk) -> Ids:
    return {"hubei": supervision_records.province("42").pk}


def _session(walk: Walk) -> Ids:
    session = teo_records.record_training_session(user("teo_1"), supervision_records.province("42").pk,
                                                  services.today(), services.today(), 10)
    return {"session": session.pk}


def _teos(walk: Walk) -> Ids:
    return {"certificate": walk.certificate.pk, "successor": supervision_records.teo_of("teo_2").pk}


def _plan(form_or_api: str, month="9", sittings="2", headcount="60") -> Request:
    if form_or_api == "form":
        return lambda ids: ("/supervision/", {"form": "plan", "province": ids["hubei"], "year":
                                              str(services.today().year), "month": month, "sittings": sittings,
                                              "headcount": headcount})
    return lambda ids: ("/api/v1/assessment-plans/", {"province_id": ids["hubei"], "year": services.today().year,
                                                      "month": month, "sittings": sittings, "headcount": headcount})


def _training(starts_on: str = TODAY, ends_on: str = TODAY, teachers: str = "20") -> tuple[Request, Request]:
    return (lambda ids: ("/supervision/", {"form": "session", "province": ids["hubei"], "starts_on": starts_on,
                                           "ends_on": ends_on, "teachers_trained": teachers}),
            lambda ids: ("/api/v1/training-sessions/", {"province_id": ids["hubei"], "starts_on": starts_on,
                                                        "ends_on": ends_on, "teachers_trained": teachers}))


def _sent(teachers: str) -> tuple[Request, Request]:
    return (lambda ids: ("/supervision/", {"form": "sent", "session": ids["session"], "teachers": teachers}),
            lambda ids: ("/api/v1/teachers-sent/", {"session_id": ids["session"], "teachers": teachers}))


def _hand_over(code: str = "X-NEXT-01") -> tuple[Request, Request]:
    return (lambda ids: ("/supervision/", {"form": "hand_over", "certificate": ids["certificate"],
                                           "successor_teo": ids["successor"], "code": code}),
            lambda ids: ("/api/v1/replacements/", {"certificate_id": ids["certificate"],
                                                   "successor_teo_id": ids["successor"], "code": code}))


SUPERVISION_CASES = [
    Case("submit_assessment_plan", "a month outside September–December", "teo_1", _provinces, _plan("form", "8"),
         _plan("api", "8"), "plan_month_september_to_december", 400),
    Case("submit_assessment_plan", "sittings without people", "teo_1", _provinces,
         _plan("form", headcount="0"), _plan("api", headcount="0"), "plan_sittings_and_headcount", 400),
    Case("submit_assessment_plan", "a college, which submits no plan", "college_42_1", _provinces, _plan("form"),
         _plan("api"), "actor_not_allowed", 403),
    Case("record_training_session", "a session that has not started", "teo_1", _provinces,
         *_training("2099-09-01", "2099-09-02"), "training_not_started", 400),
    Case("record_training_session", "ending before it starts", "teo_1", _provinces,
         *_training("2020-09-02", "2020-09-01"), "training_dates", 400),
    Case("record_training_session", "nobody trained", "teo_1", _provinces, *_training(teachers="0"),
         "teachers_trained_out_of_range", 400),
    Case("record_teachers_sent", "more than the session trained", "college_42_1", _session, *_sent("11"),
         "teachers_sent_within_trained", 400),
    Case("record_teachers_sent", "a session of another province", "college_32_1", _session, *_sent("1"),
         "training_session_unknown", 404),
    Case("hand_over_certificate", "a TEO still in the pilot", "ministry", _teos, *_hand_over(),
         "hand_over_delisted_only", 409),
    Case("hand_over_certificate", "a TEO, not the ministry", "teo_2", _teos, *_hand_over(), "actor_not_allowed", 403),
]



# --- attachments (附件) -------------------------------------------------------------------------


def _complaint(walk: Walk) -> Ids:
    return {"complaint": complaint_walk.lodge(by="college_42_1").pk}


def _attach(kind: str, key: str, name: str = "扫描件.pdf", content: bytes | None = attached.PDF) -> tuple[Request,
                                                                                                        Request]:
    """The same file posted to the object's attachments page (multipart) and to its API (multipart); none if None."""
    def sent() -> dict:
        return {} if content is None else {"file": attached.upload(name, content)}
    return (lambda ids: (f"/attachments/{kind}/{ids[key]}/", sent()),
            lambda ids: (f"/api/v1/{attached.API_PATHS[kind]}/{ids[key]}/attachments/", sent()))


ATTACHMENT_CASES = [
    Case("attach_file", "a program renamed .pdf", "teo_1", _filed, *_attach("agreement", "agreement", "协议.pdf",
                                                                           attached.PROGRAM),
         "attachment_type_refused", 400),
    Case("attach_file", "a file over 10 MB", "college_42_1", _filed,
         *_attach("agreement", "agreement", content=attached.PDF + bytes(10 * 1024 * 1024)), "attachment_too_large",
         400),
    Case("attach_file", "no file", "college_42_1", _filed, *_attach("agreement", "agreement", content=None),
         "attachment_required", 400),
    Case("attach_file", "the lead college's finance office", "finance_42_1", _filed,
         *_attach("agreement", "agreement"), "actor_not_allowed", 403),
    Case("attach_file", "another TEO's agreement", "teo_2", _filed, *_attach("agreement", "agreement"),
         "agreement_not_found", 404),
    Case("attach_file", "the TEO complained about", "teo_1", _complaint, *_attach("complaint", "complaint"),
         "actor_not_allowed", 403),
    Case("attach_file", "another college's complaint", "college_32_1", _complaint, *_attach("complaint", "complaint"),
         "complaint_not_found", 404),
    Case("attach_file", "a plan before its supervision started", "teo_1",
         lambda walk: {"plan": supervision_records.plan_and_train()[0].pk}, *_attach("plan", "plan"),
         "plan_supervision_not_started", 409),
]


# --- subsidy allocation (补助资金分配) -------------------------------------------------------------


def _subsidy_round(walk: Walk) -> Ids:
    services.file_participation(user("college_42_1"), walk.certificate, services.today().year, 120)
    subsidy = subsidies.open_subsidy_round(user("finance_div_42"), services.today().year, "鄂财教〔2026〕18号",
                                           "90000.00", {"filed_students": 50, "equal_share": 50})
    return {"round": subsidy.pk, "allocation": subsidy.allocations.order_by("pk").first().pk}


def _subsidy_off_total(walk: Walk) -> Ids:
    ids = _subsidy_round(walk)
    subsidies.adjust_subsidy_allocation(user("finance_div_42"), ids["allocation"], "99999.00", "调剂")
    return ids


def _open_round(**weights) -> tuple[Request, Request]:
    year = services.today().year
    return (lambda ids: ("/subsidies/", {"form": "open", "year": str(year), "title": "鄂财教〔2026〕18号",
                                         "total": "90000", **{f"weight_{k}": str(v) for k, v in weights.items()}}),
            lambda ids: ("/api/v1/subsidy-rounds/", {"year": year, "title": "鄂财教〔2026〕18号", "total": "90000",
                                                      "weights": weights}))


def _adjust(amount: str, reasons: str) -> tuple[Request, Request]:
    return (lambda ids: ("/subsidies/", {"form": "adjust", "allocation": ids["allocation"], "amount": amount,
                                         "reasons": reasons}),
            lambda ids: (f"/api/v1/subsidy-allocations/{ids['allocation']}/adjust/", {"amount": amount,
                                                                                       "reasons": reasons}))


_RELEASE = (lambda ids: ("/subsidies/", {"form": "release", "round": ids["round"]}),
            lambda ids: (f"/api/v1/subsidy-rounds/{ids['round']}/release/", {}))

SUBSIDY_CASES = [
    Case("open_subsidy_round", "a reviewer, who does not hold the funds", "reviewer_42", _certificate,
         *_open_round(equal_share=100), "actor_not_allowed", 403),
    Case("open_subsidy_round", "weights adding up to 90", "finance_div_42", _certificate,
         *_open_round(equal_share=60, filed_students=30), "subsidy_weights_total", 400),
    Case("adjust_subsidy_allocation", "another amount without reasons", "finance_div_42", _subsidy_round,
         *_adjust("50000", ""), "subsidy_adjustment_reasons_required", 400),
    Case("adjust_subsidy_allocation", "another province's finance division", "finance_div_32", _subsidy_round,
         *_adjust("1", "调剂"), "subsidy_allocation_unknown", 404),
    Case("release_subsidy_round", "amounts that do not add up to the total", "finance_div_42", _subsidy_off_total,
         *_RELEASE, "subsidy_allocations_not_total", 409),
    Case("release_subsidy_round", "a college", "college_42_1", _subsidy_round, *_RELEASE, "actor_not_allowed", 403),
]


CASES = [
    Case("claim", "another organization's task", "college_32_1", _screen, _task_form("claim/"), _task_api("claim/"),
         "task_not_found", 404),
    Case("claim", "a task claimed by a colleague", "college_42_1_b", _screen_claimed, _task_form("claim/"),
         _task_api("claim/"), "task_claimed_by_other", 409),
    Case("claim", "a task of another lane", "teo_1", _screen, _task_form("claim/"), _task_api("claim/"),
         "actor_not_allowed", 403),
    Case("unclaim", "a task claimed by a colleague", "college_42_1_b", _screen_claimed, _task_form("unclaim/"),
         _task_api("unclaim/"), "task_claimed_by_other", 409),
    Case("unclaim", "a task nobody claimed", "college_42_1_b", _screen_with_colleague, _task_form("unclaim/"),
         _task_api("unclaim/"), "task_not_claimed", 409),
    Case("take_over", "another organization's task", "college_32_1", _screen, _task_form("take-over/", {"reason": "x"}),
         _task_api("take-over/", {"reason": "x"}), "task_not_found", 404),
    Case("take_over", "a task of another lane", "teo_1", _screen_claimed, _task_form("take-over/", {"reason": "x"}),
         _task_api("take-over/", {"reason": "x"}), "actor_not_allowed", 403),
    Case("take_over", "a task nobody claimed", "college_42_1_b", _screen_with_colleague,
         _task_form("take-over/", {"reason": "x"}), _task_api("take-over/", {"reason": "x"}),
         "task_not_claimed_by_other", 409),
    Case("take_over", "no reason", "college_42_1_b", _screen_claimed, _task_form("take-over/"),
         _task_api("take-over/"), "reason_required", 400),
    Case("complete", "another organization's task", "teo_2", _screen, _task_form("", {"training_content": "x"}),
         _task_api("complete/", {"data": {"training_content": "x"}}), "task_not_found", 404),
    Case("complete", "a task of another lane", "teo_1", _screen, _task_form("", {"training_content": "x"}),
         _task_api("complete/", {"data": {"training_content": "x"}}), "actor_not_allowed", 403),
    Case("complete", "a task claimed by a colleague", "college_42_1_b", _screen_claimed,
         _task_form("", {"training_content": "x"}), _task_api("complete/", {"data": {"training_content": "x"}}),
         "task_claimed_by_other", 409),
    Case("complete", "a missing decision", "college_42_1", _first_offer, _task_form(""),
         _task_api("complete/", {"data": {}}), "decision_required", 400),
    Case("start_lifecycle", "a non-college forming an alliance", "teo_1", _certificate,
         lambda ids: ("/alliances/", {"certificate": ids["certificate"]}),
         lambda ids: ("/api/v1/alliances/", {"certificate_id": ids["certificate"]}), "actor_not_allowed", 403),
    Case("start_lifecycle", "an unknown certificate", "college_42_1", _certificate,
         lambda ids: ("/alliances/", {"certificate": 999999}),
         lambda ids: ("/api/v1/alliances/", {"certificate_id": 999999}), "certificate_unknown", 404),
    Case("publish_schedule", "another TEO's certificate", "teo_1", _certificate,
         _publish_form("other_teos", {"fee": "150.00", "question_bank": "150.00"}),
         _publish_api("other_teos", {"fee": "150.00", "question_bank": "150.00"}), "actor_not_allowed", 403),
    Case("publish_schedule", "a fee over the cap", "teo_1", _certificate, _publish_form("certificate", OVER_CAP),
         _publish_api("certificate", OVER_CAP), "fee_cap_2357", 400),
    Case("supersede_baseline", "another province's baseline", "reviewer_32", _verified,
         lambda ids: (f"/baselines/{ids['baseline']}/supersede/", {"reasons": "x"}),
         lambda ids: (f"/api/v1/baselines/{ids['baseline']}/supersede/", {"reasons": "x"}),
         "baseline_not_found", 404),
    Case("supersede_baseline", "a college of the alliance", "college_42_1", _verified,
         lambda ids: (f"/baselines/{ids['baseline']}/supersede/", {"reasons": "x"}),
         lambda ids: (f"/api/v1/baselines/{ids['baseline']}/supersede/", {"reasons": "x"}),
         "actor_not_allowed", 403),
    Case("supersede_baseline", "no reasons", "reviewer_42", _verified,
         lambda ids: (f"/baselines/{ids['baseline']}/supersede/", {"reasons": " "}),
         lambda ids: (f"/api/v1/baselines/{ids['baseline']}/supersede/", {"reasons": " "}),
         "reasons_required", 400),
    Case("record_assessment", "headcount 0", "teo_1", _filed, _record_form("lead", 0), _record_api("lead", 0),
         "headcount_at_least_one", 400),
    Case("record_assessment", "a college outside the alliance", "teo_1", _filed, _record_form("outsider", 3),
         _record_api("outsider", 3), "college_not_member", 404),
    Case("record_assessment", "another TEO's agreement", "teo_2", _filed, _record_form("lead", 3),
         _record_api("lead", 3), "agreement_not_found", 404),
    Case("record_assessment", "a college of the alliance", "college_42_1", _filed, _record_form("lead", 3),
         _record_api("lead", 3), "actor_not_allowed", 403),
    Case("record_assessment", "the same college again", "teo_1", _sitting, _record_form("lead", 3),
         _record_api("lead", 3), "sitting_already_recorded", 409),
    Case("correct_sitting", "headcount 0", "teo_1", _sitting, _sitting_form("correction", {"headcount": "0"}),
         _sitting_api("correction", {"headcount": 0}), "headcount_at_least_one", 400),
    Case("correct_sitting", "another TEO's sitting", "teo_2", _sitting, _sitting_form("correction", {"headcount": "3"}),
         _sitting_api("correction", {"headcount": 3}), "sitting_not_found", 404),
    Case("record_makeup", "headcount 0", "teo_1", _sitting,
         _sitting_form("make-ups", {"headcount": "0", "held_on": TODAY}),
         _sitting_api("make-ups", {"headcount": 0, "held_on": TODAY}), "headcount_at_least_one", 400),
    Case("record_makeup", "the ministry, which reads only", "ministry", _sitting,
         _sitting_form("make-ups", {"headcount": "1", "held_on": TODAY}),
         _sitting_api("make-ups", {"headcount": 1, "held_on": TODAY}), "actor_not_allowed", 403),
    Case("issue_certificates", "empty holders", "teo_1", _sitting, _sitting_form("certificates", {"holders": ""}),
         _sitting_api("certificates", {"holders": []}), "holders_required", 400),
    Case("issue_certificates", "more holders than people assessed", "teo_1", _sitting,
         _sitting_form("certificates", {"holders": "甲,S1\n乙,S2\n丙,S3"}),
         _sitting_api("certificates", {"holders": ["甲,S1", "乙,S2", "丙,S3"]}),
         "certificates_exceed_assessed", 400),
    Case("issue_certificates", "another TEO's sitting", "teo_2", _sitting,
         _sitting_form("certificates", {"holders": "甲,S1"}), _sitting_api("certificates", {"holders": ["甲,S1"]}),
         "sitting_not_found", 404),
    Case("revoke_certificate", "another TEO's certificate", "teo_2", _issued, *_revoke({"reason": "x"}),
         "certificate_not_found", 404),
    Case("revoke_certificate", "the holder", "student", _issued, *_revoke({"reason": "x"}), "actor_not_allowed", 403),
    Case("revoke_certificate", "no reason", "teo_1", _issued, *_revoke({}), "reason_required", 400),
    Case("revoke_certificate", "an over-long reason", "teo_1", _issued, *_revoke({"reason": "x" * 501}),
         "reason_too_long", 400),
    Case("order_paper_certificate", "a paper copy ordered twice", "student", _ordered, _order_form, _order_api,
         "paper_order_open", 409),
    Case("order_paper_certificate", "someone else's certificate", "teo_1", _issued, _order_form, _order_api,
         "certificate_not_yours", 404),
    Case("order_paper_certificate", "the ministry, which reads only", "ministry", _issued, _order_form, _order_api,
         "actor_not_allowed", 403),
    Case("dispatch_paper_order", "another TEO's order", "teo_2", _ordered, *_paper_order("dispatch", SENT),
         "paper_order_not_found", 404),
    Case("dispatch_paper_order", "the student who ordered it", "student", _ordered, *_paper_order("dispatch", SENT),
         "actor_not_allowed", 403),
    Case("dispatch_paper_order", "the ministry, which reads only", "ministry", _ordered,
         *_paper_order("dispatch", SENT), "actor_not_allowed", 403),
    Case("dispatch_paper_order", "no tracking number", "teo_1", _ordered, *_paper_order("dispatch", {}),
         "tracking_no_required", 400),
    Case("dispatch_paper_order", "a blank tracking number", "teo_1", _ordered,
         *_paper_order("dispatch", {"tracking_no": "  "}), "tracking_no_required", 400),
    Case("dispatch_paper_order", "an over-long tracking number", "teo_1", _ordered,
         *_paper_order("dispatch", {"tracking_no": "S" * 41}), "tracking_no_too_long", 400),
    Case("dispatch_paper_order", "dispatched twice", "teo_1", _dispatched, *_paper_order("dispatch", SENT),
         "paper_order_dispatched", 409),
    Case("dispatch_paper_order", "an unknown order", "teo_1", lambda walk: {**_ordered(walk), "order": 999999},
         *_paper_order("dispatch", SENT), "paper_order_not_found", 404),
    Case("deliver_paper_order", "another student's order", "student", _ordered_by_another, *_paper_order("deliver"),
         "paper_order_not_found", 404),
    Case("deliver_paper_order", "the ministry, which reads only", "ministry", _dispatched, *_paper_order("deliver"),
         "actor_not_allowed", 403),
    Case("deliver_paper_order", "an order not yet dispatched", "student", _ordered, *_paper_order("deliver"),
         "paper_order_not_dispatched", 409),
    Case("cancel_paper_order", "another student's order", "student", _ordered_by_another,
         *_paper_order("cancel"), "paper_order_not_found", 404),
    Case("cancel_paper_order", "another TEO's order", "teo_2", _ordered, *_paper_order("cancel", {"reason": "x"}),
         "paper_order_not_found", 404),
    Case("cancel_paper_order", "the ministry, which reads only", "ministry", _ordered,
         *_paper_order("cancel", {"reason": "x"}), "actor_not_allowed", 403),
    Case("cancel_paper_order", "after dispatch", "student", _dispatched, *_paper_order("cancel"),
         "paper_order_dispatched", 409),
    Case("cancel_paper_order", "the TEO without a reason", "teo_1", _ordered, *_paper_order("cancel"),
         "reason_required", 400),
    Case("cancel_paper_order", "an over-long reason", "teo_1", _ordered, *_paper_order("cancel", {"reason": "x" * 501}),
         "reason_too_long", 400),
    Case("file_participation", "a reviewer, who receives filings", "reviewer_42", _certificate,
         _participation_form("120"), _participation_api(120), "actor_not_allowed", 403),
    Case("file_participation", "no planned students", "college_42_1", _certificate, _participation_form("0"),
         _participation_api(0), "planned_students_out_of_range", 400),
    Case("file_participation", "a planned number that is no number", "college_42_1", _certificate,
         _participation_form("many"), _participation_api("many"), "planned_students_out_of_range", 400),
    Case("file_participation", "filed twice", "college_42_1", _participation_filed, _participation_form("80"),
         _participation_api(80), "participation_already_filed", 409),
    Case("lodge_complaint", "a TEO, which is complained about", "teo_2", _teo, _complaint_form(), _complaint_api(),
         "actor_not_allowed", 403),
    Case("lodge_complaint", "no evidence", "student", _teo, _complaint_form(evidence=("",)),
         _complaint_api(evidence=()), "complaint_evidence_required", 400),
    Case("lodge_complaint", "a ground the speech does not name", "college_42_1", _teo,
         _complaint_form(ground="rudeness"), _complaint_api(ground="rudeness"), "complaint_ground_unknown", 400),
    # Wrongly typed input: one rule per field and kind, the same on the page and in JSON.
    Case("start_lifecycle", "a certificate id that is not a number", "college_42_1", _certificate,
         *_start_typed("abc"), "certificate_not_an_id", 400),
    Case("start_lifecycle", "no certificate", "college_42_1", _certificate, *_start_typed(MISSING),
         "certificate_required", 400),
    Case("publish_schedule", "a certificate id that is not a number", "teo_1", _certificate, *_publish_typed("abc"),
         "certificate_not_an_id", 400),
    Case("publish_schedule", "no certificate", "teo_1", _certificate, *_publish_typed(MISSING),
         "certificate_required", 400),
    Case("record_assessment", "a headcount that is not a number", "teo_1", _filed, *_record_typed(headcount="abc"),
         "headcount_not_a_number", 400),
    Case("record_assessment", "a headcount with a fraction", "teo_1", _filed,
         *_record_typed(headcount="2.5", json_headcount=2.5), "headcount_not_a_number", 400),
    Case("record_assessment", "a headcount above 100,000", "teo_1", _filed,
         *_record_typed(headcount="100001", json_headcount=100_001), "headcount_too_large", 400),
    Case("record_assessment", "no headcount", "teo_1", _filed, *_record_typed(), "headcount_required", 400),
    Case("record_assessment", "a college id that is not a number", "teo_1", _filed,
         *_record_typed(college="abc", headcount="3"), "college_not_an_id", 400),
    Case("record_assessment", "no college", "teo_1", _filed, *_record_typed(college="", headcount="3"),
         "college_required", 400),
    Case("record_assessment", "a date that is not a date", "teo_1", _filed,
         *_record_typed(headcount="3", held_on="yesterday"), "held_on_not_a_date", 400),
    Case("record_assessment", "an impossible date", "teo_1", _filed,
         *_record_typed(headcount="3", held_on="2026-02-30"), "held_on_not_a_date", 400),
    Case("record_assessment", "no date", "teo_1", _filed, *_record_typed(headcount="3", held_on=MISSING),
         "held_on_required", 400),
    Case("correct_sitting", "a headcount that is not a number", "teo_1", _sitting,
         *_sitting_typed("correction", {"headcount": "abc"}), "headcount_not_a_number", 400),
    Case("correct_sitting", "no headcount", "teo_1", _sitting, *_sitting_typed("correction", {}),
         "headcount_required", 400),
    Case("correct_sitting", "a headcount above 100,000", "teo_1", _sitting,
         *_sitting_typed("correction", {"headcount": "100001"}, {"headcount": 100_001}), "headcount_too_large", 400),
    Case("correct_sitting", "an over-long reason", "teo_1", _sitting,
         *_sitting_typed("correction", {"headcount": "3", "reason": "x" * 501}), "reason_too_long", 400),
    Case("record_makeup", "a headcount that is not a number", "teo_1", _sitting,
         *_sitting_typed("make-ups", {"headcount": "abc", "held_on": TODAY}), "headcount_not_a_number", 400),
    Case("record_makeup", "a date that is not a date", "teo_1", _sitting,
         *_sitting_typed("make-ups", {"headcount": "1", "held_on": "01/05/2026"}), "held_on_not_a_date", 400),
    Case("record_makeup", "no date", "teo_1", _sitting, *_sitting_typed("make-ups", {"headcount": "1"}),
         "held_on_required", 400),
    *SUPERVISION_CASES,
    *ATTACHMENT_CASES,
    *SUBSIDY_CASES,
]


def _today(payload: dict) -> dict:
    return {key: services.today().isoformat() if value == TODAY else value for key, value in payload.items()}


def _portal_answer(case: Case, ids: Ids) -> tuple[str | None, int]:
    url, form = case.portal(ids)
    response = Browser().as_(case.actor).post(url, _today(form))
    shown = re.search(r'data-rule="([a-z0-9_]+)"', response.content.decode())
    return (shown.group(1) if shown else None), response.status_code


def _api_answer(case: Case, ids: Ids) -> tuple[str | None, int]:
    url, body = case.api(ids)
    sends_a_file = any(hasattr(value, "read") for value in body.values())
    response = api(case.actor).post(url, _today(body), format="multipart" if sends_a_file else "json")
    return response.json().get("rule"), response.status_code


def test_every_act_has_refusals_tried_through_both_edges():
    assert set(services.ACTS) == {case.act for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_portal_and_the_api_refuse_with_the_same_rule_and_status(hubei, case):
    ids = case.state(hubei)
    expected = (case.rule, case.status)
    assert _portal_answer(case, ids) == expected, "portal"
    assert _api_answer(case, ids) == expected, "api"


@pytest.mark.parametrize("reader, shown, can_act", [
    ("finance_42_1", 200, True), ("ministry", 200, False), ("teo_1", 200, False), ("college_42_1", 200, False),
    ("finance_42_2", 404, None), ("teo_2", 404, None)])
def test_a_task_reads_the_same_on_both_edges_and_says_whether_it_is_yours(hubei, reader, shown, can_act):
    ids = _sitting(hubei)
    task = open_task(hubei.negotiation, "release_payment", ids["lead"])
    page = Browser().as_(reader).get(f"/tasks/{task.task_id}/")
    answer = api(reader).get(f"/api/v1/tasks/{task.task_id}/")
    assert (page.status_code, answer.status_code) == (shown, shown)
    if shown == 200:
        assert answer.json()["can_act"] is can_act
        assert ("<button disabled" in page.content.decode()) is not can_act  # the release form's button
