"""The agreement as a formal document: its number, date, term and who signed it for whom."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from workflows import rules
from workflows.models import Agreement, Person, Province

from .walk import Walk, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("temperature")]

BEIJING = ZoneInfo("Asia/Shanghai")


def _verified(walk: Walk) -> Agreement:
    walk.form()
    walk.agree()
    walk.verify()
    return walk.negotiation.agreements.get()


def test_the_demo_provinces_carry_their_one_character_abbreviation(world):
    assert dict(Province.objects.values_list("name", "abbreviation")) == {"湖北省": "鄂", "江苏省": "苏"}


@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING), tick=False)
def test_agreements_are_numbered_per_province_and_year_in_the_order_they_are_made(world):
    first = _verified(Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")))
    second = _verified(Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1", "college_42_3")))
    other_province = _verified(Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2", "college_32_3")))
    assert first.number == "鄂-X-WEB-01-2026-0001" and (first.year, first.sequence) == (2026, 1)
    assert second.number == "鄂-X-CLOUD-02-2026-0002"
    assert other_province.number == "苏-X-PLC-03-2026-0001"
    assert first.valid_until == date(2026, 12, 31)


def test_the_batch_year_is_beijings_and_the_sequence_restarts_with_it(world):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=BEIJING), tick=False):
        december = _verified(Walk())
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=BEIJING), tick=False):  # 2026-12-31 16:30 UTC
        january = _verified(Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1", "college_42_3")))
    assert december.number.endswith("-2026-0001") and january.number == "鄂-X-CLOUD-02-2027-0001"
    assert january.valid_until == date(2027, 12, 31)


def test_each_signature_records_who_signed_for_which_organization_and_the_later_one_dates_it(world):
    walk = Walk()
    agreement = _verified(walk)
    assert agreement.concluded_at is None
    assert [(s["party"], s["name"], s["at"]) for s in agreement.signatures()] == [
        ("alliance", None, None), ("teo", None, None)]
    walk.do("sign_teo")
    walk.do("sign_alliance")
    agreement.refresh_from_db()
    assert agreement.teo_signatory == user("teo_1") and agreement.alliance_signatory == user("college_42_1")
    signatures = {s["party"]: s for s in agreement.signatures()}
    assert signatures["alliance"]["name"] == "王芳"  # the person by name, never the user name
    assert signatures["alliance"]["organization"].name == "武汉职业技术学院"
    assert signatures["teo"]["organization"] == walk.certificate.teo
    assert agreement.concluded_at == agreement.signed_by_alliance_at > agreement.signed_by_teo_at


def test_a_signatory_without_a_name_of_their_own_signs_under_the_accounts_full_name(world):
    lead = user("college_42_1")
    Person.objects.filter(user=lead).update(name="")
    lead.first_name, lead.last_name = "明", "王"
    lead.save()
    walk = Walk()
    _verified(walk)
    walk.do("sign_alliance")
    agreement = walk.negotiation.agreements.get()
    assert agreement.signatures()[0]["name"] == lead.get_full_name()


def test_a_renewed_agreement_keeps_its_number_and_is_signed_afresh(world):
    walk = Walk()
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    number, baseline = agreement.number, agreement.baseline
    agreement.reopen(baseline)
    agreement.renew(baseline)
    assert agreement.number == number
    assert (agreement.alliance_signatory, agreement.teo_signatory, agreement.concluded_at) == (None, None, None)


def test_the_number_reads_abbreviation_certificate_year_and_four_digit_sequence():
    assert rules.agreement_number("鄂", "X-CLOUD-02", 2026, 1) == "鄂-X-CLOUD-02-2026-0001"
    assert rules.agreement_number("苏", "X-PLC-03", 2027, 12345) == "苏-X-PLC-03-2027-12345"
    assert rules.term_end(2026) == date(2026, 12, 31)
