"""The ministry's oversight in the browser: a TEO that missed its training start is shown a yellow card, then
delisted; a college's complaint is investigated, answered and decided; both are published on the TEO's page.

The speech: "对9月上旬仍未在全国及湖北启动师资培训的培训评价组织进行黄牌警告，如还没有及时跟进，将进行摘牌处理";
"对涉及捆绑销售、高收费、考核放水、推进不力等坚决予以清退". Time is moved by time-machine through next year's
September and October (the scheduler runs as `run_timers` would); what the pages must say is read from the
catalogue's Chinese.
"""
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from bpmn import engine
from tests.browser.conftest import new_page
from tests.browser.steps import signed_in
from tests.servers import threaded_server
from workflows import services, supervision_process
from workflows.models import Complaint, FeeSchedule, Measure, Person, Standing, SupervisionMeasure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CARD_REASONS = "9月上旬仍未在全国及湖北启动师资培训，予以黄牌警告。"
DELISTING_REASONS = "黄牌警告后30日内仍未启动师资培训，予以摘牌。"
FINDINGS = "经查，该机构要求试点院校采购指定设备，属捆绑销售。"


@pytest.fixture(scope="module")
def server(django_db_setup):
    with threaded_server() as url:
        yield url


def at(moment: str):
    """Beijing time, ticking: the server's thread lives at that moment too."""
    return time_machine.travel(datetime.fromisoformat(f"{moment}+08:00"), tick=True)


def open_task(page, task_name: str) -> None:
    page.goto(f"{page.base}/tasks/")
    page.click(f"tr[data-task='{task_name}'] a >> nth=0")
    page.wait_for_selector("#task-title")


def scheduler_runs() -> None:
    for _ in range(3):  # as run_timers does, pass after pass, until nothing more is due
        engine.fire_due_timers()


def teo(username: str):
    return Person.objects.get(user__username=username).organization


def test_a_missed_training_start_is_carded_then_delisted_and_a_complaint_is_decided_all_published(
        chromium, server, demo_world):
    year = services.today().year + 1
    page = new_page(chromium, server)
    page.context.add_init_script("delete window.WebSocket;")  # the socket is tested in test_live_updates
    teo_1, teo_2 = teo("teo_1"), teo("teo_2")
    with at(f"{year}-08-20T09:00:00"):
        supervision_process.start_supervision(teo_2, year)

    with at(f"{year}-09-11T09:00:00"):  # 9月上旬 has ended: teo_2 trained nowhere
        scheduler_runs()
        signed_in(page, "ministry")
        open_task(page, "decide_yellow_card")
        expect(page.locator("#proposal-facts")).to_contain_text("在全国及湖北省")
        page.fill("#id_reasons", CARD_REASONS)
        page.click("button[name=decision][value=show]")
        page.wait_for_url(f"{server}/tasks/")
        assert Standing.objects.get(teo=teo_2).state == Standing.State.YELLOW_CARD

    with at(f"{year}-10-12T09:00:00"):  # 30 days after the card: still no training
        scheduler_runs()
        signed_in(page, "ministry")  # a month on: yesterday's session has expired
        open_task(page, "decide_delisting")
        expect(page.locator("#proposal-facts")).to_contain_text("摘牌")
        page.fill("#id_reasons", DELISTING_REASONS)
        page.click("button[name=decision][value=delist]")
        page.wait_for_url(f"{server}/tasks/")
        assert Standing.objects.get(teo=teo_2).state == Standing.State.DELISTED
        assert not FeeSchedule.objects.filter(certificate__teo=teo_2, state=FeeSchedule.State.PUBLISHED).exists()

        # A college complains about the other TEO, with evidence; the ministry accepts it for investigation.
        signed_in(page, "college_42_1")
        page.goto(f"{server}/complaints/")
        page.select_option("#id_teo", str(teo_1.pk))
        page.select_option("#id_ground", "bundled_sales")
        page.fill("#id_account", "培训评价组织要求购买指定实训设备后方可参加考核。")
        page.fill("input[name=evidence] >> nth=0", "2027年9月15日通知文件")
        page.click("#lodge-complaint button")
        complaint = Complaint.objects.get()
        expect(page.locator(f"tr[data-complaint='{complaint.pk}']")).to_be_visible()
        signed_in(page, "ministry")
        open_task(page, "investigate_complaint")
        page.check("input[name=decision][value=accept]")
        page.click("form.card button >> nth=-1")
        page.wait_for_load_state()
        assert Complaint.objects.get().state == Complaint.State.INVESTIGATING

        signed_in(page, "teo_1")  # the TEO states its side
        open_task(page, "answer_complaint")
        page.fill("#id_statement", "设备为推荐，并非强制。")
        page.click("form.card button >> nth=-1")
        page.wait_for_load_state()

        signed_in(page, "ministry")
        open_task(page, "decide_complaint")
        page.check("input[name=decision][value=measure]")
        page.fill("#id_findings", FINDINGS)
        page.select_option("#id_measure", Measure.TALK)
        page.fill("#id_reasons", "约谈机构负责人，责令整改。")
        page.click("form.card button >> nth=-1")
        page.wait_for_load_state()
        assert Complaint.objects.get().state == Complaint.State.DECIDED
        assert SupervisionMeasure.objects.filter(teo=teo_1, kind=Measure.TALK, complaint=complaint).exists()

        # Signed out, anyone reads both TEOs' standing and measures; never who complained.
        page.context.clear_cookies()
        page.goto(f"{server}/disclosure/teos/")
        carded = page.locator(f"#teo-{teo_2.pk}")
        expect(carded).to_contain_text("摘牌")
        expect(carded).to_contain_text(CARD_REASONS)
        expect(carded).to_contain_text(DELISTING_REASONS)
        complained = page.locator(f"#teo-{teo_1.pk}")
        expect(complained).to_contain_text("约谈")
        expect(complained).to_contain_text(FINDINGS)
        expect(complained).to_contain_text("捆绑销售")
        assert "武汉职业技术学院" not in page.locator(f"#teo-{teo_1.pk}").inner_text()
    page.context.close()
