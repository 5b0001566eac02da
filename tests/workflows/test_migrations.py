"""The data migrations fill what new required fields ask of the rows already there."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflows.models import FundingAllocation

BEFORE_PURPOSES = [("workflows", "0003_assessment_corrections_and_paper_orders")]


def _migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _world(apps):
    """The least a negotiation needs, on historical models."""
    get = apps.get_model
    hubei = get("workflows", "Province").objects.create(code="42", name="湖北省")
    other = get("workflows", "Province").objects.create(code="99", name="测试省")
    teo = get("workflows", "Organization").objects.create(name="评价组织", kind="teo")
    certificate = get("workflows", "Certificate").objects.create(code="X-T-01", name="证书", teo=teo,
                                                                 assessment_mode="paper")
    schedule = get("workflows", "FeeSchedule").objects.create(certificate=certificate, fee="100.00", lines={})
    return get, hubei, other, certificate, schedule


def _negotiation(get, province, certificate, schedule, n: int):
    lead = get("workflows", "Organization").objects.create(name=f"院校{province.code}-{n}", kind="college",
                                                            province=province)
    alliance = get("workflows", "Alliance").objects.create(name=f"联盟{n}", lead=lead, province=province)
    return get("workflows", "Negotiation").objects.create(alliance=alliance, certificate=certificate, schedule=schedule)


@pytest.mark.django_db(transaction=True)
def test_stored_purposes_spelled_in_words_become_their_codes_and_other_text_stays():
    apps = _migrate(BEFORE_PURPOSES)
    try:
        get, hubei, _, certificate, schedule = _world(apps)
        negotiation = _negotiation(get, hubei, certificate, schedule, 1)
        baseline = get("workflows", "Baseline").objects.create(province=hubei, certificate=certificate,
                                                               negotiation=negotiation, fee="100.00", cap="200.00")
        agreement = get("workflows", "Agreement").objects.create(negotiation=negotiation, baseline=baseline,
                                                                 fee="100.00")
        payment = get("workflows", "Payment").objects.create(agreement=agreement, college=negotiation.alliance.lead)
        for purpose in ("管理费", "师资培训 Teacher training", "assessment_fee", "办公用品"):
            get("workflows", "FundingAllocation").objects.create(payment=payment, source="own", amount="1.00",
                                                                 purpose=purpose)
    finally:
        _migrate(_latest())
    assert list(FundingAllocation.objects.order_by("pk").values_list("purpose", flat=True)) == [
        "management_fee", "teacher_training", "assessment_fee", "办公用品"]
