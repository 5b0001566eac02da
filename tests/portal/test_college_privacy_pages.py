"""The pages keep each college's payment, sitting and funding to itself; the lead reads the alliance's totals."""
import pytest

from tests.workflows.alliance_payments import (
    ATTACKERS,
    CERTIFIED,
    MEMBERS,
    amount_of,
    assessed_and_one_paid,
    certified_and_ordered,
    college_of,
    release_task_of,
    written,
)
from tests.workflows.walk import college
from workflows.money import yuan

pytestmark = pytest.mark.django_db

@pytest.fixture
def paid(world):
    return assessed_and_one_paid()


def test_no_member_reads_another_members_payment_funding_or_release_on_any_page(paid, browser):
    attempts, through = 0, []

    def clean(page, victim: str, what: str) -> None:
        nonlocal attempts
        attempts += 1
        text = page.content.decode()
        task = release_task_of(paid, victim)
        if page.status_code != 200 or any(w in text for w in written(amount_of(victim))) or (
                task is not None and str(task.task_id) in text):
            through.append(what)

    pages = [f"/negotiations/{paid.negotiation.pk}/", f"/processes/{paid.instance.pk}/", "/tasks/"]
    for attacker in ATTACKERS:
        browser.as_(attacker)
        for victim in (m for m in MEMBERS if m != college_of(attacker)):
            for url in pages:
                clean(browser.get(url), victim, f"{attacker} {url} of {victim}")
            if attacker.startswith("finance"):
                for query in ("", f"?q={college(victim).name}", "?state=released", "?state=due"):
                    clean(browser.get(f"/payments/{query}"), victim, f"{attacker} payments{query} of {victim}")
            task = release_task_of(paid, victim)
            if task is not None:
                attempts += 1
                if browser.get(f"/tasks/{task.task_id}/").status_code != 404:
                    through.append(f"{attacker} task of {victim}")
    assert through == []
    assert attempts == 64


# The trail's sentence for an entry written outside the engine that it has no words of its own for.
CHANGED = "更新了本流程。"


def test_no_member_reads_another_members_revoked_certificate_or_paper_order_on_any_page(paid, browser):
    others = [a for a in ATTACKERS if college_of(a) != CERTIFIED]
    pages = [f"/negotiations/{paid.negotiation.pk}/", f"/processes/{paid.instance.pk}/", "/tasks/", "/paper-orders/"]
    trail = f"/processes/{paid.instance.pk}/"
    lines_before = {a: browser.as_(a).get(trail).content.decode().count(CHANGED) for a in (*others, CERTIFIED)}
    secrets = certified_and_ordered(paid)
    attempts, through = 0, []
    for attacker in others:
        browser.as_(attacker)
        for url in pages:
            attempts += 1
            text = browser.get(url).content.decode()
            if any(secret in text for secret in secrets) or (url == trail and text.count(CHANGED) !=
                                                                lines_before[attacker]):
                through.append(f"{attacker} {url}")
    assert through == []
    assert attempts == 16
    # The revocation, the order and its dispatch: three more lines in the certified college's trail.
    assert browser.as_(CERTIFIED).get(trail).content.decode().count(CHANGED) == lines_before[CERTIFIED] + 3


def test_the_lead_reads_the_alliance_totals_beside_its_own_payment(paid, browser):
    paid_in_all = yuan(amount_of("college_42_2") + amount_of("college_42_3"))
    for lead in ("college_42_1", "finance_42_1"):
        page = browser.as_(lead).get(f"/negotiations/{paid.negotiation.pk}/").content.decode()
        assert (f"联盟合计：3 所院校中 3 所已考核，共 71 人；2 所已拨付 {paid_in_all}，"
                f"尚待拨付 {yuan(amount_of('college_42_1'))}。") in page, lead
    member = browser.as_("college_42_3").get(f"/negotiations/{paid.negotiation.pk}/").content.decode()
    assert "联盟合计" not in member and yuan(amount_of("college_42_3")) in member


def test_the_teo_reads_every_colleges_payment_on_the_negotiation_page(paid, browser):
    page = browser.as_("teo_1").get(f"/negotiations/{paid.negotiation.pk}/").content.decode()
    assert all(yuan(amount_of(member)) in page for member in MEMBERS)
