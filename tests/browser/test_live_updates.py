"""Two parties in two pages: one counters an offer, the other's page shows it without reloading."""
from decimal import Decimal

import pytest

from tests.browser.steps import open_my_task, sign_in
from tests.workflows.walk import Walk
from tryout.simulation import scaled_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counter_offer_appears_in_the_other_partys_open_room_without_a_reload(page, second_page, shot):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).to_first_offer()
    room = f"/negotiations/{walk.negotiation.pk}/"

    teo = second_page
    sign_in(teo, "teo_1")
    teo.goto(f"{teo.base}{room}")
    teo.wait_for_selector("body[data-live=connected]")
    assert teo.locator(".round").count() == 1
    badge_before = int(teo.get_attribute("#inbox-badge", "data-count"))
    teo.evaluate("window.__notReloaded = true")

    sign_in(page, "college_42_1")
    open_my_task(page, "alliance_responds")
    fee = Decimal("165.00")
    for code, amount in scaled_lines(walk.negotiation.schedule.lines, fee).items():
        page.fill(f"#line_{code}", amount)
    page.fill("#id_fee", str(fee))
    page.wait_for_selector("#cap-check [data-rule=ok]")
    page.click("button[value=counter]")
    page.wait_for_selector("text=已办结")

    teo.wait_for_selector(".round[data-round='2']")
    teo.wait_for_selector(".toast[data-event=offer_countered]")
    assert teo.evaluate("window.__notReloaded") is True
    assert int(teo.get_attribute("#inbox-badge", "data-count")) > badge_before
    teo.wait_for_selector("#lifecycle-tasks a:has-text('培训评价组织回应报价')")
    assert teo.locator("#lifecycle-tasks a[href^='/tasks/']").count() == 1
    shot(teo, "live-counter-offer")


def test_a_page_that_lost_its_socket_catches_up_on_reconnect(page, shot):
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).to_first_offer()
    # Keep a handle on the page's sockets so the test can drop them as a network failure would.
    page.add_init_script("""
        const Native = window.WebSocket; window.__sockets = [];
        window.WebSocket = function (url) { const s = new Native(url); window.__sockets.push(s); return s; };
    """)
    sign_in(page, "teo_1")
    page.goto(f"{page.base}/tasks/")
    page.wait_for_selector("body[data-live=connected]")
    page.context.set_offline(True)
    page.evaluate("window.__sockets.forEach(s => s.close())")
    page.wait_for_selector("body[data-live=reconnecting]")
    fee = Decimal("160.00")
    walk.do("alliance_responds", {"decision": "counter", "fee": str(fee), "lines": walk.offer_lines(fee)})
    assert page.locator("tr[data-task=teo_responds]").count() == 0
    page.context.set_offline(False)
    page.wait_for_selector("tr[data-task=teo_responds]")
    assert int(page.get_attribute("#inbox-badge", "data-count")) >= 1


def test_a_claim_a_colleague_beat_you_to_is_refused_in_the_row(page, second_page):
    from django.contrib.auth import get_user_model

    from workflows.models import Person, Role

    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.form()
    lead = Person.objects.get(user__username="college_42_1")
    colleague = get_user_model().objects.create_user("college_42_1b", password="demo12345")
    Person.objects.create(user=colleague, organization=lead.organization, role=Role.COLLEGE)

    sign_in(second_page, "college_42_1b")
    second_page.wait_for_selector("tr[data-task=screen_services] button")
    sign_in(page, "college_42_1")
    page.click("tr[data-task=screen_services] button")
    page.wait_for_selector("tr[data-task=screen_services] >> text=我已认领")

    second_page.click("tr[data-task=screen_services] button")
    refusal = second_page.wait_for_selector(".refusal[data-rule=task_claimed_by_other]")
    assert "college_42_1" in refusal.inner_text()
