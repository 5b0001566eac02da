"""The complaints page, the complaint task pages and the public supervision page (公开)."""
import pytest
from django.test import Client

from tests.workflows.complaint_walk import accept, answer, decide, lodge, task_of, teo_of
from workflows.models import Complaint, Ground, Measure

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    return {"teo": teo_of().pk, "ground": Ground.LAX_ASSESSMENT, "account": "考核现场允许代考。",
            "evidence": ["考场照片编号 17", ""], **changes}


def test_a_college_lodges_on_the_page_and_sees_its_complaint_listed(browser):
    page = browser.as_("college_42_1").get("/complaints/")
    assert page.status_code == 200 and 'id="lodge-complaint"' in page.content.decode()
    answered = browser.post("/complaints/", form())
    assert answered.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.evidence == ["考场照片编号 17"]
    listed = browser.get("/complaints/").content.decode()
    assert "考核放水" in listed and complaint.get_state_display() in listed


def test_a_refusal_shows_the_form_again_with_the_rule(browser):
    refused = browser.as_("student").post("/complaints/", form(evidence=["", ""]))
    assert refused.status_code == 400 and 'data-rule="complaint_evidence_required"' in refused.content.decode()
    assert "考核现场允许代考。" in refused.content.decode()
    forbidden = browser.as_("teo_2").post("/complaints/", form())
    assert forbidden.status_code == 403 and 'data-rule="actor_not_allowed"' in forbidden.content.decode()


def test_the_teo_reads_the_complaint_without_the_complainant_and_the_ministry_with(browser):
    lodge("student")
    teo_page = browser.as_("teo_1").get("/complaints/").content.decode()
    assert "李明" not in teo_page and 'class="complainant"' not in teo_page
    listed = teo_page.split('id="complaints-list"')[1]
    assert "捆绑销售" in listed and "考核放水" not in listed  # the ground is read, the complainant not
    ministry = browser.as_("ministry").get("/complaints/").content.decode()
    assert "李明" in ministry
    assert 'id="lodge-complaint"' not in ministry


def test_each_task_page_shows_the_complaint_and_completes_through_the_form(browser):
    complaint = lodge("student")
    task = task_of(complaint, "investigate_complaint")
    page = browser.as_("ministry").get(f"/tasks/{task.task_id}/")
    assert page.status_code == 200 and "李明" in page.content.decode()
    assert browser.post(f"/tasks/{task.task_id}/", {"decision": "accept", "findings": ""}).status_code == 302
    task = task_of(complaint, "answer_complaint")
    teo_page = browser.as_("teo_1").get(f"/tasks/{task.task_id}/").content.decode()
    assert "李明" not in teo_page and "培训评价组织要求学院购买指定设备" in teo_page
    assert browser.post(f"/tasks/{task.task_id}/", {"statement": "已整改"}).status_code == 302
    task = task_of(complaint, "decide_complaint")
    decide_page = browser.as_("ministry").get(f"/tasks/{task.task_id}/").content.decode()
    assert "已整改" in decide_page
    refused = browser.post(f"/tasks/{task.task_id}/", {"decision": "measure", "findings": "属实", "measure": "talk"})
    assert refused.status_code == 400 and 'data-rule="measure_reasons_required"' in refused.content.decode()
    done = browser.post(f"/tasks/{task.task_id}/", {"decision": "measure", "findings": "属实", "measure": "talk",
                                                     "reasons": "约谈负责人"})
    assert done.status_code == 302 and done["Location"] == "/complaints/"
    assert Complaint.objects.get().state == Complaint.State.DECIDED


def test_the_supervision_page_is_public_and_shows_measures_never_complainants_or_undecided_complaints(world):
    decided = lodge("student", ground=Ground.EXCESSIVE_FEES)
    accept(decided)
    answer(decided)
    decide(decided, Measure.YELLOW_CARD, reasons="收费超出公示标准", findings="查明多收考核费")
    lodge("college_42_1", ground=Ground.BUNDLED_SALES, account="尚在调查中的投诉内容")
    page = Client().get("/disclosure/teos/")
    assert page.status_code == 200
    text = page.content.decode()
    assert teo_of().name in text and "收费超出公示标准" in text and "查明多收考核费" in text
    assert "黄牌警告" in text and "在试点中" in text  # teo_1 carded, teo_2 still in the pilot
    assert "李明" not in text and "王芳" not in text and "尚在调查中的投诉内容" not in text
    assert "培训评价组织要求学院购买指定设备" not in text  # a complaint's account is not published either


def test_the_fee_disclosure_links_to_the_supervision_page(world):
    page = Client().get("/disclosure/").content.decode()
    assert 'href="/disclosure/teos/"' in page


def test_the_ministrys_inbox_lists_the_complaint_and_opens_its_diagram_and_trail(browser):
    complaint = lodge("student")
    inbox = browser.as_("ministry").get("/tasks/").content.decode()
    assert f"/tasks/{task_of(complaint, 'investigate_complaint').task_id}/" in inbox and "捆绑销售" in inbox
    instance = task_of(complaint, "investigate_complaint").instance
    assert browser.get(f"/processes/{instance.pk}/").status_code == 200
    assert browser.as_("teo_1").get(f"/processes/{instance.pk}/").status_code == 404  # the trail names who lodged it
