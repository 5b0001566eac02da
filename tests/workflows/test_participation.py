"""College participation filings (院校试点备案): a filing, never an approval; no threshold may be set."""
import pytest
from django.core.checks import run_checks

from tests.workflows.walk import Walk, college, user
from workflows import participation, permissions, services
from workflows.errors import RuleViolation
from workflows.models import Certificate

pytestmark = pytest.mark.django_db


def cert(code: str = "X-WEB-01") -> int:
    return Certificate.objects.get(code=code).pk


def refused(*args) -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal:
        services.file_participation(*args)
    return refusal.value


def year() -> int:
    return services.today().year


def test_a_college_files_at_once_with_no_approval_to_wait_for(world):
    filing = services.file_participation(user("college_42_1"), cert(), year(), "120")
    assert (filing.college, filing.planned_students, filing.year) == (college("college_42_1"), 120, year())
    assert filing.filed_by == user("college_42_1") and filing.filed_at is not None
    assert not hasattr(filing, "state")


def test_a_single_student_is_filed_too_the_province_sets_no_minimum(world):
    assert services.file_participation(user("college_42_2"), cert(), year(), 1).planned_students == 1


def test_filing_twice_is_refused_naming_the_first_filing(world):
    services.file_participation(user("college_42_1"), cert(), year(), 120)
    refusal = refused(user("college_42_1"), cert(), year(), 80)
    assert (refusal.rule, refusal.status) == ("participation_already_filed", 409)
    assert "120" in str(refusal.message) and "X-WEB-01" in str(refusal.message)


def test_another_year_or_certificate_is_another_filing(world):
    services.file_participation(user("college_42_1"), cert(), year(), 120)
    services.file_participation(user("college_42_1"), cert(), year() + 1, 150)
    services.file_participation(user("college_42_1"), cert("X-PLC-03"), year(), 40)


@pytest.mark.parametrize("planned, rule", [
    (0, "planned_students_out_of_range"), (-5, "planned_students_out_of_range"),
    (100_001, "planned_students_out_of_range"), ("2.5", "planned_students_out_of_range"),
    (2.5, "planned_students_out_of_range"), (True, "planned_students_out_of_range"),
    ("abc", "planned_students_out_of_range"), ("", "planned_students_required"), (None, "planned_students_required")])
def test_a_planned_number_that_is_no_number_of_students_is_refused(world, planned, rule):
    refusal = refused(user("college_42_1"), cert(), year(), planned)
    assert (refusal.rule, refusal.status) == (rule, 400)
    assert "100,000" in str(refusal.message)


@pytest.mark.parametrize("given", [2018, "abc", None, "year"])
def test_a_year_outside_the_pilot_is_refused(world, given):
    refusal = refused(user("college_42_1"), cert(), given, 10)
    assert refusal.rule == "participation_year_out_of_range" and "2019" in str(refusal.message)


def test_a_year_after_next_is_refused(world):
    assert refused(user("college_42_1"), cert(), year() + 2, 10).rule == "participation_year_out_of_range"


@pytest.mark.parametrize("name", ["finance_42_1", "reviewer_42", "teo_1", "ministry", "institution_42", "student"])
def test_only_a_colleges_staff_files(world, name):
    refusal = refused(user(name), cert(), year(), 10)
    assert (refusal.rule, refusal.status) == ("actor_not_allowed", 403)


def test_an_unknown_certificate_is_refused(world):
    refusal = refused(user("college_42_1"), 999999, year(), 10)
    assert (refusal.rule, refusal.status) == ("certificate_unknown", 404)


def _file_all(world_year: int) -> None:
    for name, planned in (("college_42_1", 100), ("college_42_2", 50), ("college_32_1", 70)):
        services.file_participation(user(name), cert(), world_year, planned)


def test_the_province_reads_its_own_colleges_and_the_ministry_every_one(world):
    _file_all(year())
    seen = {name: sorted(f.college.name for f in permissions.visible_participation_filings(user(name)))
            for name in ("college_42_1", "reviewer_42", "reviewer_32", "ministry", "teo_1", "institution_42")}
    assert seen["college_42_1"] == [college("college_42_1").name]
    assert seen["reviewer_42"] == sorted([college("college_42_1").name, college("college_42_2").name])
    assert seen["reviewer_32"] == [college("college_32_1").name]
    assert len(seen["ministry"]) == 3 and seen["teo_1"] == [] and seen["institution_42"] == []


def test_totals_per_province_and_certificate_measure_progress_against_the_plans(world):
    _file_all(year())
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    services.record_assessment(user("teo_1"), agreement, college("college_42_1"), 30, services.today())
    rows = participation.totals(permissions.visible_participation_filings(user("ministry")))
    shown = {(r["province"], r["certificate"]): (r["colleges"], r["planned"], r["assessed"]) for r in rows}
    assert shown == {("湖北省", "X-WEB-01"): (2, 150, 30), ("江苏省", "X-WEB-01"): (1, 70, 0)}
    assert [r["province"] for r in participation.totals(
        permissions.visible_participation_filings(user("reviewer_32")))] == ["江苏省"]


@pytest.mark.parametrize("setting", ["PARTICIPATION_MIN_STUDENTS", "PARTICIPATION_THRESHOLD", "PILOT_FILING_QUOTA",
                                     "PARTICIPATION_REQUIRES_APPROVAL"])
def test_a_threshold_setting_stops_start_up_and_refuses_every_filing(world, settings, setting):
    setattr(settings, setting, 50)
    errors = [e for e in run_checks() if e.id == "workflows.E003"]
    assert len(errors) == 1 and setting in errors[0].msg and "备案不是审批" in errors[0].msg
    refusal = refused(user("college_42_1"), cert(), year(), 100)
    assert refusal.rule == "participation_no_threshold"
    assert "各省厅不得对申报试点工作设置门槛" in str(refusal.message) and setting in str(refusal.message)


def test_no_threshold_is_configured_as_shipped(world):
    assert [e for e in run_checks() if e.id == "workflows.E003"] == []
    assert participation.threshold_fields() == []


def test_a_province_field_setting_a_minimum_is_named_by_the_check(monkeypatch):
    from django.db import models

    from workflows.models import Province

    field = models.PositiveIntegerField(name="participation_minimum")
    field.model = Province
    monkeypatch.setattr(Province._meta, "get_fields", lambda *a, **k: [field])
    assert participation.threshold_fields() == ["Province.participation_minimum"]
