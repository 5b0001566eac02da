"""The data migrations fill what new required fields ask of the rows already there."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflows.models import (
    Agreement,
    FeeSchedule,
    FundingAllocation,
    IssuedCertificate,
    Negotiation,
    Province,
    Student,
)

BEFORE_NUMBERS = [("workflows", "0005_agreement_number_and_signatories"),
                  ("bpmn", "0002_deployed_at_set_by_every_deploy")]
BEFORE_PURPOSES = [("workflows", "0003_assessment_corrections_and_paper_orders")]
BEFORE_NOT_VERIFIED = [("workflows", "0014_negotiation_not_verified"), ("bpmn", "0004_english_task_labels")]
BEFORE_RECORDS = [("workflows", "0016_student_records")]
BEFORE_SCHEDULE_CAPS = [("workflows", "0019_certificate_holder_required")]
BEFORE_DELIVERIES = [("notifications", "0003_email_outbox")]


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


def _agreement(get, negotiation, made: datetime, **fields):
    baseline = get("workflows", "Baseline").objects.create(
        province=negotiation.alliance.province, certificate=negotiation.certificate, negotiation=negotiation,
        fee="100.00", cap="200.00")
    agreement = get("workflows", "Agreement").objects.create(negotiation=negotiation, baseline=baseline,
                                                             fee="100.00", **fields)
    get("workflows", "Agreement").objects.filter(pk=agreement.pk).update(created_at=made)
    return agreement


@pytest.mark.django_db(transaction=True)
def test_existing_agreements_get_numbers_in_order_and_signatories_from_the_audit_trail(django_user_model):
    apps = _migrate(BEFORE_NUMBERS)
    try:
        get, hubei, other, certificate, schedule = _world(apps)
        signer = get("auth", "User").objects.create(username="signer")
        made = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
        signed_at = made + timedelta(days=2)
        first = _agreement(get, _negotiation(get, hubei, certificate, schedule, 1), made,
                           signed_by_alliance_at=signed_at)
        new_year = _agreement(get, _negotiation(get, hubei, certificate, schedule, 2),
                              datetime(2026, 12, 31, 16, 30, tzinfo=UTC))  # 2027-01-01 in Beijing
        second = _agreement(get, _negotiation(get, hubei, certificate, schedule, 3), made + timedelta(hours=1))
        elsewhere = _agreement(get, _negotiation(get, other, certificate, schedule, 4), made)
        definition = get("bpmn", "ProcessDefinition").objects.create(process_id="certificate_lifecycle", version=1,
                                                                     content_hash="x", sources={})
        instance = get("bpmn", "ProcessInstance").objects.create(
            definition=definition, business_key=f"negotiation:{first.negotiation_id}", state="{}")
        get("bpmn", "AuditEntry").objects.create(instance=instance, actor=signer, action="completed",
                                                 task_name="sign_alliance", at=signed_at)
    finally:
        _migrate(_latest())
    assert dict(Province.objects.values_list("code", "abbreviation")) == {"42": "鄂", "99": "测"}
    numbers = dict(Agreement.objects.values_list("pk", "number"))
    assert numbers[first.pk] == "鄂-X-T-01-2026-0001" and numbers[second.pk] == "鄂-X-T-01-2026-0002"
    assert numbers[new_year.pk] == "鄂-X-T-01-2027-0001" and numbers[elsewhere.pk] == "测-X-T-01-2026-0001"
    assert Agreement.objects.get(pk=first.pk).alliance_signatory.username == "signer"
    assert Agreement.objects.get(pk=first.pk).teo_signatory is None


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


@pytest.mark.django_db(transaction=True)
def test_negotiations_whose_lifecycle_already_ended_unverified_are_closed_and_no_other():
    apps = _migrate(BEFORE_NOT_VERIFIED)
    try:
        get, hubei, _, certificate, schedule = _world(apps)
        definition = get("bpmn", "ProcessDefinition").objects.create(process_id="certificate_lifecycle", version=1,
                                                                     content_hash="x", sources={})
        cases = {}
        for n, (state, status, end) in enumerate([
            ("agreed", "completed", "verification_rejected_end"),      # rejected, or over the cap
            ("negotiating", "completed", "too_many_returns_end"),     # re-opened by the third return
            ("agreed", "completed", "lifecycle_completed_end"),       # an agreement stands
            ("agreed", "running", ""),                                # verification under way
        ]):
            negotiation = _negotiation(get, hubei, certificate, schedule, n)
            get("workflows", "Negotiation").objects.filter(pk=negotiation.pk).update(state=state)
            get("bpmn", "ProcessInstance").objects.create(definition=definition, state="{}", status=status,
                                                          end_event=end, business_key=f"negotiation:{negotiation.pk}")
            cases[negotiation.pk] = end or status
    finally:
        _migrate(_latest())
    states = {cases[pk]: state for pk, state in Negotiation.objects.filter(pk__in=cases).values_list("pk", "state")}
    assert states == {"verification_rejected_end": "not_verified", "too_many_returns_end": "not_verified",
                      "lifecycle_completed_end": "agreed", "running": "agreed"}


@pytest.mark.django_db(transaction=True)
def test_certificates_issued_by_name_go_to_the_one_account_of_that_name_and_no_two_people_merge():
    apps = _migrate(BEFORE_RECORDS)
    try:
        get, hubei, _, certificate, schedule = _world(apps)
        negotiation = _negotiation(get, hubei, certificate, schedule, 1)
        college = negotiation.alliance.lead
        baseline = get("workflows", "Baseline").objects.create(province=hubei, certificate=certificate,
                                                               negotiation=negotiation, fee="100.00", cap="200.00")
        agreement = get("workflows", "Agreement").objects.create(negotiation=negotiation, baseline=baseline,
                                                                 fee="100.00", number="鄂-X-T-01-2026-0001",
                                                                 province=hubei, year=2026, sequence=1)
        sitting = get("workflows", "AssessmentSitting").objects.create(agreement=agreement, college=college,
                                                                       headcount=4, held_on="2026-05-01")
        accounts = {}
        for username, name in (("li_1", "李明"), ("li_2", "李明"), ("wang", "王五")):
            accounts[username] = get("auth", "User").objects.create(username=username)
            get("workflows", "Person").objects.create(user=accounts[username], organization=college, role="student",
                                                      name=name)
        issued = {name: get("workflows", "IssuedCertificate").objects.create(
            sitting=sitting, holder_name=name.rstrip("12"), serial_no=f"X-{n}", seal="x", issued_at=datetime.now(UTC))
            for n, name in enumerate(("李明1", "李明2", "王五", "赵六"))}
    finally:
        _migrate(_latest())
    holders = {name: Student.objects.get(certificates__pk=c.pk) for name, c in issued.items()}
    assert holders["王五"].account_id == accounts["wang"].pk and holders["王五"].name == "王五"
    assert holders["李明1"].account_id is None and holders["李明2"].account_id is None
    assert holders["李明1"].pk != holders["李明2"].pk and holders["赵六"].account_id is None
    assert Student.objects.filter(account__username__in=["li_1", "li_2"], certificates=None).count() == 2
    assert not IssuedCertificate.objects.filter(holder=None).exists()


@pytest.mark.django_db(transaction=True)
def test_schedules_already_there_get_the_cap_of_their_mode_from_the_decision_table():
    apps = _migrate(BEFORE_SCHEDULE_CAPS)
    try:
        get, _, _, paper, paper_schedule = _world(apps)
        computer = get("workflows", "Certificate").objects.create(code="X-T-02", name="证书二", teo=paper.teo,
                                                                  assessment_mode="computer")
        computer_schedule = get("workflows", "FeeSchedule").objects.create(certificate=computer, fee="90.00",
                                                                           lines={})
    finally:
        _migrate(_latest())
    assert FeeSchedule.objects.get(pk=paper_schedule.pk).cap == Decimal("200.00")
    assert FeeSchedule.objects.get(pk=computer_schedule.pk).cap == Decimal("300.00")


def test_every_model_change_has_its_migration(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", check=True, dry_run=True, stdout=out)  # exits 1 on a missing migration
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_each_rows_email_state_becomes_its_email_delivery_and_a_daily_readers_unmailed_rows_digest_lines():
    from notifications.models import Delivery

    apps = _migrate(BEFORE_DELIVERIES)
    try:
        get = apps.get_model
        immediate = get("auth", "User").objects.create(username="immediate", email="i@example.org")
        daily = get("auth", "User").objects.create(username="daily", email="d@example.org")
        get("notifications", "Preference").objects.create(user=daily, email="daily")
        now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

        def row(user, **email):
            return get("notifications", "Notification").objects.create(
                recipient=user, event="task_assigned", title_zh="新待办", title_en="New task", created_at=now,
                origin="server:1", **email).pk

        sent = row(immediate, email_status="sent", email_attempts=1, emailed_at=now)
        failed = row(immediate, email_status="failed", email_attempts=3, email_error="SMTPException: down")
        never = row(immediate)
        mailed = row(daily, emailed_at=now)
        unmailed = row(daily)
    finally:
        _migrate(_latest())
    moved = {(entry.notification_id, entry.channel): (entry.status, entry.attempts, entry.sent_at, entry.error)
             for entry in Delivery.objects.all()}
    assert moved == {(sent, "email"): ("sent", 1, now, ""),
                     (failed, "email"): ("failed", 3, None, "SMTPException: down"),
                     (unmailed, "digest"): ("pending", 0, None, "")}
    assert never not in {pk for pk, _ in moved} and mailed not in {pk for pk, _ in moved}
