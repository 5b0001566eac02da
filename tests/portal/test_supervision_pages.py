"""The supervision page: a TEO's plans and training, the colleges' teachers sent, what a delisted TEO owes."""
import pytest

from tests.workflows import supervision_records as records
from tests.workflows.walk import user
from workflows import services
from workflows.models import AssessmentPlan, Replacement, TeachersSent

pytestmark = pytest.mark.django_db


def plan(month="9", sittings="3", headcount="120") -> dict:
    return {"form": "plan", "province": records.province("42").pk, "year": str(services.today().year),
            "month": month, "sittings": sittings, "headcount": headcount}


def test_a_teo_saves_its_plan_on_the_page_and_sees_it_listed(browser):
    page = browser.as_("teo_1").get("/supervision/").content.decode()
    assert 'id="plan-form"' in page and 'id="session-form"' in page
    assert browser.post("/supervision/", plan()).status_code == 302
    listed = browser.get("/supervision/").content.decode().split('id="assessment-plans"')[1]
    assert "湖北省" in listed and "120" in listed
    assert AssessmentPlan.objects.get().submitted_by.username == "teo_1"


def test_a_refused_plan_comes_back_with_the_rule_and_what_was_typed(browser):
    again = browser.as_("teo_1").post("/supervision/", plan(month="8", sittings="7", headcount="345"))
    page = again.content.decode()
    assert again.status_code == 400 and 'data-rule="plan_month_september_to_december"' in page
    assert 'value="7"' in page and 'value="345"' in page
    assert "9—12月份" in page
    assert not AssessmentPlan.objects.exists()


def test_a_college_records_the_teachers_it_sent_to_a_session_of_its_province(browser):
    _plan, session, _sent = records.plan_and_train(college="college_42_2")
    page = browser.as_("college_42_1").get("/supervision/").content.decode()
    assert f'data-session="{session.pk}"' in page and 'id="plan-form"' not in page
    assert browser.post("/supervision/", {"form": "sent", "session": session.pk, "teachers": "5"}).status_code == 302
    assert TeachersSent.objects.get(college__people__user__username="college_42_1").teachers == 5
    over = browser.post("/supervision/", {"form": "sent", "session": session.pk, "teachers": "1"})
    assert over.status_code == 409 and 'data-rule="teachers_already_sent"' in over.content.decode()


def test_a_jiangsu_college_does_not_see_a_hubei_session(browser):
    _plan, session, _sent = records.plan_and_train()
    page = browser.as_("college_32_1").get("/supervision/").content.decode()
    assert f'data-session="{session.pk}"' not in page


def test_the_ministry_sees_every_teo_and_who_has_not_started_training(browser):
    records.plan_and_train()
    page = browser.as_("ministry").get("/supervision/").content.decode()
    overview = page.split('id="supervision-overview"')[1].split("</table>")[0]
    assert records.teo_of("teo_1").name in overview and records.teo_of("teo_2").name in overview
    assert "未在全国及湖北省启动" in overview


def test_after_delisting_the_college_and_the_ministry_see_what_is_owed_and_the_ministry_hands_over(browser,
                                                                                                  hubei_filed):
    agreement = hubei_filed.negotiation.agreements.get()
    services.file_participation(user("college_42_1"), hubei_filed.certificate, agreement.year, 8)
    records.delist("teo_1")
    ours = browser.as_("college_42_1").get("/supervision/").content.decode().split('id="owed-to-us"')[1]
    assert agreement.number in ours and ">8<" in ours
    ministry = browser.as_("ministry").get("/supervision/").content.decode()
    assert f'data-owed-teo="{records.teo_of("teo_1").pk}"' in ministry and 'id="hand-over-form"' in ministry
    answer = browser.post("/supervision/", {"form": "hand_over", "certificate": hubei_filed.certificate.pk,
                                            "successor_teo": records.teo_of("teo_2").pk, "code": "X-WEB-01B"})
    assert answer.status_code == 302
    assert Replacement.objects.get().successor.teo == records.teo_of("teo_2")


@pytest.mark.parametrize("reader, shown", [("teo_1", 200), ("college_42_1", 200), ("reviewer_42", 200),
                                           ("finance_div_42", 200), ("ministry", 200), ("finance_42_1", 403),
                                           ("student", 403)])
def test_who_opens_the_page(browser, reader, shown):
    assert browser.as_(reader).get("/supervision/").status_code == shown


def test_an_unknown_form_is_refused_and_nothing_is_recorded(browser):
    answer = browser.as_("teo_1").post("/supervision/", {"form": "measure", "kind": "delisting"})
    assert answer.status_code == 400 and 'data-rule="supervision_form_unknown"' in answer.content.decode()
