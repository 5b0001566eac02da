"""The ministry reads everything, acts on nothing, and starts from an overview per province."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workflows.walk import Walk, open_task, user
from workflows import services
from workflows.models import AssessmentSitting, FeeSchedule, IssuedCertificate, Payment, Person

pytestmark = pytest.mark.django_db

READ_ONLY_LISTS = ["/payments/", "/assessments/", "/certificates/", "/schedules/", "/alliances/",
                   "/negotiations/", "/baselines/", "/filings/", "/disclosure/"]


def _assessed(walk: Walk, headcount: int) -> AssessmentSitting:
    """Carry a lifecycle through filing and record its lead college's sitting (the payment falls due)."""
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    teo = Person.objects.get(organization=walk.certificate.teo, role="teo").user
    return services.record_assessment(teo, agreement, walk.negotiation.alliance.lead, headcount, services.today())


def _release(walk: Walk, username: str) -> None:
    lead = walk.negotiation.alliance.lead
    task = open_task(walk.negotiation, "release_payment", lead.pk)
    amount = Payment.objects.get(pk=task.data["payment_id"]).amount
    services.complete(task.task_id, user(username), {"funding": [{"source": "fiscal", "amount": f"{amount:.2f}"}]})


@pytest.fixture
def national(hubei, jiangsu):
    """Hubei: 10 assessed, paid ¥1,800.00, one certificate issued. Jiangsu: 5 assessed, ¥2,250.00 due."""
    sitting = _assessed(hubei, 10)
    _release(hubei, "finance_42_1")
    services.issue_certificates(user("teo_1"), sitting, ["李明,2023010001"])
    _assessed(jiangsu, 5)
    return hubei, jiangsu


def _main(response) -> str:
    """The page below the header (the header's language and sign-out forms are every page's)."""
    return response.content.decode().split("<main>", 1)[1]


def test_the_ministry_home_is_an_overview_of_every_province_with_links_to_the_filtered_lists(browser, national):
    response = browser.as_("ministry").get("/")
    assert response.status_code == 200
    page = _main(response)
    assert "湖北省" in page and "江苏省" in page
    hubei_row = page.split('id="province-42"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/alliances/?province=42"' in hubei_row
    assert 'href="/negotiations/?province=42&amp;state=agreed"' in hubei_row
    assert 'href="/baselines/?province=42&amp;state=verified"' in hubei_row
    assert 'href="/filings/?province=42"' in hubei_row
    assert 'href="/payments/?province=42&amp;state=released"' in hubei_row and "¥1,800.00" in hubei_row
    assert ">10<" in hubei_row  # people assessed
    jiangsu_row = page.split('id="province-32"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/payments/?province=32&amp;state=due"' in jiangsu_row and "¥2,250.00" in jiangsu_row
    total = page.split('id="province-all"', 1)[1].split("</tr>", 1)[0]
    assert "¥1,800.00" in total and "¥2,250.00" in total and ">15<" in total


def test_every_count_of_the_overview_is_the_length_of_the_list_it_links_to(browser, national):
    supervisor = browser.as_("ministry")
    page = _main(supervisor.get("/"))
    hubei_row = page.split('id="province-42"', 1)[1].split("</tr>", 1)[0]
    for href, count in re.findall(r'<a href="(/(?:alliances|negotiations|baselines|filings)/\?[^"]+)">(\d+)</a>',
                                  hubei_row):
        listed = _main(supervisor.get(href.replace("&amp;", "&")))
        assert listed.count('<tr class="row"') == int(count), href


def test_the_overview_costs_the_same_queries_however_many_lifecycles_there_are(browser, hubei):
    supervisor = browser.as_("ministry")
    hubei.through_filing()
    with CaptureQueriesContext(connection) as one:
        supervisor.get("/")
    Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3")).through_filing()
    Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1", "college_42_3")).through_filing()
    with CaptureQueriesContext(connection) as three:
        supervisor.get("/")
    assert len(three.captured_queries) == len(one.captured_queries)


def test_every_other_role_still_starts_from_its_inbox(browser, world):
    for username in ("college_42_1", "finance_42_1", "teo_1", "reviewer_42", "student"):
        page = _main(browser.as_(username).get("/"))
        assert 'id="tasks"' in page and 'id="province-all"' not in page, username


def test_the_ministry_reads_every_list_with_no_form_or_act_button(browser, national):
    supervisor = browser.as_("ministry")
    for url in READ_ONLY_LISTS:
        response = supervisor.get(url)
        assert response.status_code == 200, url
        page = _main(response)
        assert 'method="post"' not in page and "<textarea" not in page, url
        assert 'href="/tasks/' not in page and "hx-post" not in page, url


def test_the_ministry_sees_every_provinces_payments_sittings_certificates_and_schedules(browser, national):
    supervisor = browser.as_("ministry")
    payments = _main(supervisor.get("/payments/"))
    assert "X-WEB-01" in payments and "X-PLC-03" in payments and "¥1,800.00" in payments
    assessments = _main(supervisor.get("/assessments/"))
    assert "武汉职业技术学院" in assessments and "南京工业职业技术大学" in assessments
    certificate = IssuedCertificate.objects.get()
    assert certificate.serial_no in _main(supervisor.get("/certificates/"))
    schedules = _main(supervisor.get("/schedules/"))
    for code in ("X-WEB-01", "X-CLOUD-02", "X-PLC-03", "X-CNC-04"):
        assert code in schedules
    assert "¥180.00" in schedules


def test_the_read_only_lists_open_for_their_owner_and_the_ministry_and_refuse_other_roles(browser, national):
    for url, owner, refused in (("/assessments/", "teo_1", "college_42_1"), ("/payments/", "finance_42_1", "teo_1"),
                                ("/certificates/", "student", "finance_42_1"), ("/schedules/", "teo_1", "reviewer_42")):
        assert browser.as_(owner).get(url).status_code == 200, url
        assert browser.as_("ministry").get(url).status_code == 200, url
        assert browser.as_(refused).get(url).status_code == 403, url


def test_the_ministrys_lists_do_not_widen_what_the_others_see(browser, national):
    assert "南京工业职业技术大学" not in _main(browser.as_("teo_1").get("/assessments/"))
    payments = _main(browser.as_("finance_42_1").get("/payments/")).split('id="payments-list"', 1)[1]
    assert "X-WEB-01" in payments and "X-PLC-03" not in payments
    schedules = _main(browser.as_("teo_1").get("/schedules/"))
    assert "X-WEB-01" in schedules and "X-PLC-03" not in schedules


def test_every_act_the_ministry_attempts_is_refused_and_changes_nothing(browser, national):
    hubei, jiangsu = national
    supervisor = browser.as_("ministry")
    sitting = AssessmentSitting.objects.get(college=hubei.negotiation.alliance.lead)
    agreement = jiangsu.negotiation.agreements.get()
    member = agreement.payments.exclude(college=jiangsu.negotiation.alliance.lead).first().college
    refused = supervisor.post(f"/agreements/{agreement.pk}/assessments/", {"college": member.pk, "headcount": "3"})
    assert refused.status_code == 403
    assert supervisor.post(f"/sittings/{sitting.pk}/certificates/", {"holders": "王五,2023010099"}).status_code == 403
    certificate = IssuedCertificate.objects.get()
    assert supervisor.post("/certificates/", {"certificate": certificate.pk, "price": "30.00"}).status_code == 403
    schedule = FeeSchedule.objects.get(certificate__code="X-CNC-04", state="published")
    published = supervisor.post("/schedules/", {"certificate": schedule.certificate_id, "fee": "1.00"})
    assert published.status_code == 403 and "actor_not_allowed" in published.content.decode()
    release = open_task(jiangsu.negotiation, "release_payment")
    paid = supervisor.post(f"/tasks/{release.task_id}/", {"amount_fiscal": "2250.00"})
    assert paid.status_code == 403 and "actor_not_allowed" in paid.content.decode()
    assert AssessmentSitting.objects.count() == 2 and IssuedCertificate.objects.count() == 1
    assert not certificate.paper_orders.exists()
    assert FeeSchedule.objects.get(pk=schedule.pk).state == "published"
    assert Payment.objects.filter(state="released").count() == 1
