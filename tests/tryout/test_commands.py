"""The simulate and bench commands run whole lifecycles through the services."""
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from bpmn.models import ProcessInstance
from workflows.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_installation(settings):
    # These commands create the demo accounts: a demo installation only (XCERT_DEMO=1, as make run sets).
    settings.XCERT_DEMO = True


def test_simulate_completes_every_lifecycle_and_reports_counts(deployed):
    out, err = StringIO(), StringIO()
    call_command("simulate", alliances=4, seed=7, stdout=out, stderr=err)
    line, oversight, checked = out.getvalue().strip().splitlines()[-3:]
    assert line.startswith("completed 4/4 lifecycles")
    teos = Organization.objects.filter(kind=Organization.Kind.TEO).count()
    assert re.match(rf"oversight: {teos} TEOs supervised for 20\d\d, \d+ progress reports; 3 complaints", oversight)
    assert ProcessInstance.objects.filter(definition__process_id="teo_supervision").count() == teos
    assert checked.endswith("0 with problems")
    tasks = int(re.search(r"tasks (\d+)", line).group(1))
    assert tasks >= 4 * 10
    assert "refused" in line and "payments" in line
    completed = ProcessInstance.objects.filter(status="completed")
    assert completed.filter(definition__process_id="certificate_lifecycle").count() == 4
    assert completed.filter(definition__process_id="complaint").count() == 3
    assert "lifecycle" in err.getvalue()  # the progress bar


def test_simulate_cold_drops_every_cache_after_each_step_and_every_instance_stays_in_step(deployed):
    out = StringIO()
    call_command("simulate", alliances=3, seed=11, cold=True, stdout=out, stderr=StringIO())
    line, _oversight, checked = out.getvalue().strip().splitlines()[-3:]
    assert line.startswith("completed 3/3 lifecycles")
    assert checked.endswith("0 with problems") and ProcessInstance.objects.count() >= 3


def test_bench_prints_json_with_both_engines_and_the_ratio(deployed):
    out = StringIO()
    call_command("bench", lifecycles=2, bare=2, stdout=out)
    result = json.loads(out.getvalue())
    assert result["services"]["task"]["n"] == 2 * 14  # both divisions verify (会签)
    assert result["bare_spiffworkflow"]["lifecycle"]["n"] == 2
    assert result["ratio_task_median"] > 0


def test_load_demo_creates_three_alliances_once_and_is_idempotent(deployed):
    from workflows.models import Alliance, Certificate, FeeSchedule, Person

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Alliance.objects.count() == 3
    assert Alliance.objects.filter(lead__kind="provincial_institution", lead__people__user__username="institution_42",
                                   state="forming").count() == 1
    assert set(Alliance.objects.values_list("state", flat=True)) == {"formed", "forming"}
    assert Certificate.objects.count() == 4
    assert set(Certificate.objects.values_list("assessment_mode", flat=True)) == {
        "paper", "computer", "practical_general", "practical_special"}
    assert FeeSchedule.objects.filter(state="published").count() == 4
    assert {"college", "finance", "teo", "reviewer", "ministry", "student"} <= set(
        Person.objects.values_list("role", flat=True))


def test_load_demo_records_one_teos_plans_and_training_and_none_for_the_other_once(deployed):
    from tests.workflows.supervision_records import teo_of
    from workflows.models import AssessmentPlan, TeachersSent, TrainingSession

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert AssessmentPlan.objects.filter(teo=teo_of("teo_1")).count() == 8  # 湖北省 and 江苏省, September–December
    assert TrainingSession.objects.filter(teo=teo_of("teo_1")).count() == 3  # September 1 in 湖北省, and today
    assert TeachersSent.objects.get().teachers == 6
    assert not TrainingSession.objects.filter(teo=teo_of("teo_2")).exists()  # the yellow-card rule's case


def test_load_demo_opens_one_hubei_subsidy_round_in_draft_once(deployed):
    from django.db.models import Sum

    from workflows.models import SubsidyRound

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    [subsidy] = SubsidyRound.objects.all()
    assert (subsidy.province.code, subsidy.state, subsidy.allocations.count()) == ("42", "draft", 3)
    assert subsidy.allocations.aggregate(n=Sum("amount"))["n"] == subsidy.total


def test_the_national_scale_set_builds_small_and_every_dashboard_reads_it(db):
    from tryout.national_scale import build
    from workflows import dashboards
    from workflows.models import Baseline, Payment, Province

    rows = build(provinces=2, colleges=6, teos=4, certificates=10, alliances=2, negotiated=3)
    assert (rows["provinces"], rows["colleges"], rows["negotiations"]) == (2, 12, 12)
    assert rows["agreements"] == Baseline.objects.filter(state="verified").count()
    assert rows["payments"] == 5 * rows["agreements"] == Payment.objects.count()
    province = Province.objects.order_by("code").first()
    board = dashboards.province_dashboard(province.pk, 2026)
    assert sum(row["certificates"] for row in board["coverage"]) == 10
    assert dashboards.ministry_dashboard(2026)["counts"]["certificates_issued"] == rows["certificates_issued"]
