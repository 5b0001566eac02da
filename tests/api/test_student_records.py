"""Certificates belong to a student record, not a name: two 李明 of one college each read and order only their own.

The demo college 武汉职业技术学院 has two students named 李明 (student numbers 2023010001 and
2023010002). Each tries the other's certificate and paper order on every door a student has, on
the pages and over the API; every attempt is counted, and none gets through.
"""
import pytest

from tests.portal.conftest import Browser
from tests.workflows.walk import DELIVERY, college, user
from workflows import services
from workflows.errors import RuleViolation
from workflows.models import IssuedCertificate, PaperCertificateOrder, Student

from .clients import api

pytestmark = pytest.mark.django_db

NUMBERS = {"student": "2023010001", "student_b": "2023010002"}


@pytest.fixture
def namesakes(hubei_filed) -> dict[str, IssuedCertificate]:
    """One certificate for each 李明, issued by student number at the Hubei lead college's sitting."""
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 2, services.today())
    issued = services.issue_certificates(user("teo_1"), sitting, [f"李明,{n}" for n in NUMBERS.values()])
    return dict(zip(NUMBERS, issued, strict=True))


def _other(username: str) -> str:
    return "student_b" if username == "student" else "student"


def test_each_namesake_reads_and_orders_only_their_own_certificate_on_pages_and_api(namesakes):
    orders = {who: services.order_paper_certificate(user(who), namesakes[who], **DELIVERY) for who in NUMBERS}
    attempts = through = 0
    for who in NUMBERS:
        theirs, their_order = namesakes[_other(who)], orders[_other(who)]
        page = Browser().as_(who)
        client = api(who)
        own_page = page.get("/certificates/").content.decode()
        assert namesakes[who].serial_no in own_page
        assert f'href="/verify/?serial={namesakes[who].serial_no}"' in own_page  # its public verification page
        listed = [c["serial_no"] for c in client.get("/api/v1/certificates/").json()["results"]]
        assert listed == [namesakes[who].serial_no]
        assert [o["id"] for o in client.get("/api/v1/paper-orders/").json()["results"]] == [orders[who].pk]
        tries = [
            theirs.serial_no not in own_page,
            theirs.serial_no not in listed,
            client.get(f"/api/v1/certificates/{theirs.pk}/").status_code == 404,
            client.post(f"/api/v1/certificates/{theirs.pk}/paper-orders/", DELIVERY, format="json").status_code
            == 404,
            page.post("/certificates/", {"certificate": theirs.pk, **DELIVERY}).status_code == 404,
            client.get(f"/api/v1/paper-orders/{their_order.pk}/").status_code == 404,
            client.post(f"/api/v1/paper-orders/{their_order.pk}/cancel/", {}, format="json").status_code == 404,
            client.post(f"/api/v1/paper-orders/{their_order.pk}/deliver/", {}, format="json").status_code == 404,
            page.post(f"/paper-orders/{their_order.pk}/cancel/").status_code == 404,
            page.post(f"/paper-orders/{their_order.pk}/deliver/").status_code == 404,
        ]
        attempts += len(tries)
        through += tries.count(False)
    assert (attempts, through) == (20, 0)
    assert set(PaperCertificateOrder.objects.values_list("state", flat=True)) == {"ordered"}
    assert {o.certificate_id for o in PaperCertificateOrder.objects.all()} == {c.pk for c in namesakes.values()}


def test_the_certificate_is_the_records_and_its_account_is_the_records(namesakes):
    for who, number in NUMBERS.items():
        record = Student.objects.get(college=college("college_42_1"), student_no=number)
        assert namesakes[who].holder == record and record.account == user(who) and record.name == "李明"


def test_a_holder_by_name_alone_is_refused_with_the_rule(hubei_filed):
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 2, services.today())
    for holders in (["李明"], [{"name": "李明"}], [{"name": "李明", "student_no": "", "id_last_digits": ""}]):
        with pytest.raises(RuleViolation) as refused:
            services.issue_certificates(user("teo_1"), sitting, holders)
        assert refused.value.rule == "holder_record_required"
    assert not IssuedCertificate.objects.exists()


@pytest.mark.parametrize(("holder", "rule"), [
    ("王五,2023010001", "student_no_other_name"),       # the demo 李明's number under another name
    ("李明,2023/01", "student_no_malformed"),
    ("李明,,12345", "id_last_digits_malformed"),
    ("李明,,12A4", "id_last_digits_malformed"),
    ({"name": "李明", "student_no": 2023010001}, "student_no_malformed"),
    ({"name": None, "student_no": "1"}, "holder_name_required"),
    (42, "holder_name_required"),
])
def test_a_holder_that_names_no_record_or_another_is_refused(hubei_filed, holder, rule):
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 2, services.today())
    with pytest.raises(RuleViolation) as refused:
        services.issue_certificates(user("teo_1"), sitting, [holder])
    assert refused.value.rule == rule and not IssuedCertificate.objects.exists()


def test_national_id_digits_with_the_name_find_one_record_and_another_name_is_another(hubei_filed):
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 3, services.today())
    first, again, other = services.issue_certificates(
        user("teo_1"), sitting, ["张三,,123x", {"name": "张三", "id_last_digits": "123X"}, "张三,,4567"])
    assert first.holder == again.holder and first.holder.id_last_digits == "123X"
    assert other.holder != first.holder and first.holder.account is None


def test_the_api_issues_to_records_given_as_objects(hubei_filed):
    sitting = services.record_assessment(user("teo_1"), hubei_filed.negotiation.agreements.get(),
                                         college("college_42_1"), 2, services.today())
    answer = api("teo_1").post(f"/api/v1/sittings/{sitting.pk}/certificates/", {"holders": [
        {"name": "李明", "student_no": "2023010002"}, {"name": "李明", "id_last_digits": "0021"}]}, format="json")
    assert answer.status_code == 201, answer.json()
    assert [c["student_no"] for c in answer.json()] == ["2023010002", ""]
    assert IssuedCertificate.objects.get(serial_no=answer.json()[0]["serial_no"]).holder.account == user("student_b")
    refused = api("teo_1").post(f"/api/v1/sittings/{sitting.pk}/certificates/", {"holders": [{"name": "李明"}]},
                                format="json")
    assert (refused.status_code, refused.json()["rule"]) == (400, "holder_record_required")


def test_the_demo_has_two_students_of_one_name_each_with_a_record_of_their_own(world):
    records = Student.objects.filter(college__name="武汉职业技术学院", name="李明").order_by("student_no")
    assert [(r.student_no, r.account.username) for r in records] == [("2023010001", "student"),
                                                                      ("2023010002", "student_b")]
