"""A national-scale data set for the dashboards' benchmark: the pilot's rows, written in bulk.

31 provinces with 100 pilot colleges each, 300 TEOs with 450 certificates, 10 alliances per province
each negotiating 15 certificates, most verified, agreed and filed, each filed agreement assessed at
five colleges with five certificates issued per sitting, payments half released, participation
filings, assessment plans and progress reports. Rows are written directly (bulk_create), not walked
through the engine: what is measured is the dashboards' reading, not the lifecycle's writing.
"""
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from workflows.models import (
    Agreement,
    Alliance,
    AssessmentPlan,
    AssessmentSitting,
    Baseline,
    Certificate,
    FeeProposal,
    FeeSchedule,
    FundingAllocation,
    IssuedCertificate,
    Negotiation,
    Organization,
    ParticipationFiling,
    Payment,
    ProgressReport,
    Province,
    Student,
)
from workflows.roles import AssessmentMode

CAPS = {AssessmentMode.PAPER: 200, AssessmentMode.COMPUTER: 300, AssessmentMode.PRACTICAL_GENERAL: 500,
        AssessmentMode.PRACTICAL_SPECIAL: 700}


def build(provinces: int = 31, colleges: int = 100, teos: int = 300, certificates: int = 450,
          alliances: int = 10, negotiated: int = 15, year: int = 2026, seed: int = 1) -> dict:
    """Write the data set; return how many rows of each kind were written."""
    rng = random.Random(seed)
    with transaction.atomic():
        return _build(rng, provinces, colleges, teos, certificates, alliances, negotiated, year)


def _build(rng, n_provinces, n_colleges, n_teos, n_certificates, n_alliances, n_negotiated, year) -> dict:
    clerk = get_user_model().objects.create(username="national_scale_clerk")
    moment = datetime(year, 3, 1, 2, tzinfo=UTC)
    provinces = Province.objects.bulk_create(
        Province(code=f"N{index:02d}", name=f"省份{index:02d}", abbreviation=chr(0x4E00 + index))
        for index in range(n_provinces))
    colleges = Organization.objects.bulk_create(
        Organization(name=f"{p.name}职业技术学院{i:03d}", kind=Organization.Kind.COLLEGE, province=p)
        for p in provinces for i in range(n_colleges))
    by_province = {p.pk: [c for c in colleges if c.province_id == p.pk] for p in provinces}
    teos = Organization.objects.bulk_create(
        Organization(name=f"培训评价组织{i:03d}", kind=Organization.Kind.TEO) for i in range(n_teos))
    modes = list(CAPS)
    certs = Certificate.objects.bulk_create(
        Certificate(code=f"N-{i:04d}", name=f"证书{i:04d}", teo=teos[i % n_teos], assessment_mode=modes[i % 4])
        for i in range(n_certificates))
    schedules = FeeSchedule.objects.bulk_create(
        FeeSchedule(certificate=c, fee=Decimal(CAPS[c.assessment_mode] - 20), cap=Decimal(CAPS[c.assessment_mode]),
                    paper_copy_price=Decimal("30.00"), state=FeeSchedule.State.PUBLISHED, published_at=moment)
        for c in certs)
    schedule_of = {s.certificate_id: s for s in schedules}
    rows = {"provinces": len(provinces), "colleges": len(colleges), "teos": len(teos), "certificates": len(certs)}
    rows.update(_lifecycles(rng, provinces, by_province, certs, schedule_of, n_alliances, n_negotiated, year,
                            moment, clerk))
    rows.update(_supervision(rng, teos, provinces, colleges, certs, year, moment, clerk))
    return rows


def _lifecycles(rng, provinces, by_province, certs, schedule_of, n_alliances, n_negotiated, year, moment, clerk):
    alliances = Alliance.objects.bulk_create(
        Alliance(name=f"{p.name}联盟{i:02d}", lead=by_province[p.pk][i], province=p, state=Alliance.State.FORMED,
                 registration_no=f"{p.code}-{i:02d}", registered_at=moment)
        for p in provinces for i in range(n_alliances))
    negotiations, chosen = [], {}
    for alliance in alliances:
        taken = chosen.setdefault(alliance.province_id, set())
        for cert in rng.sample([c for c in certs if c.pk not in taken], n_negotiated):
            taken.add(cert.pk)
            state = Negotiation.State.AGREED if rng.random() < 0.85 else Negotiation.State.NEGOTIATING
            negotiations.append(Negotiation(
                alliance=alliance, certificate=cert, schedule=schedule_of[cert.pk], state=state,
                agreed_fee=schedule_of[cert.pk].fee - rng.randrange(0, 40) if state == "agreed" else None,
                agreed_at=moment + timedelta(days=rng.randrange(3, 40)) if state == "agreed" else None))
    negotiations = Negotiation.objects.bulk_create(negotiations)
    FeeProposal.objects.bulk_create(
        FeeProposal(negotiation=n, round_no=r, party="teo" if r == 1 else "alliance", fee=n.schedule.fee,
                    lines={}, state=FeeProposal.State.COUNTERED if r == 1 else FeeProposal.State.ACCEPTED)
        for n in negotiations for r in (1, 2))
    agreed = [n for n in negotiations if n.agreed_fee is not None]
    baselines = Baseline.objects.bulk_create(
        Baseline(province_id=n.alliance.province_id, certificate=n.certificate, negotiation=n, fee=n.agreed_fee,
                 cap=n.schedule.cap, state=Baseline.State.VERIFIED if i % 10 else Baseline.State.PENDING,
                 verified_at=n.agreed_at + timedelta(days=rng.randrange(2, 30)) if i % 10 else None)
        for i, n in enumerate(agreed))
    verified = [b for b in baselines if b.state == Baseline.State.VERIFIED]
    agreements = Agreement.objects.bulk_create(
        Agreement(negotiation=b.negotiation, baseline=b, number=f"{b.province_id}-{b.certificate.code}-{year}",
                  province_id=b.province_id, year=year, sequence=i + 1, fee=b.fee, state=Agreement.State.FILED)
        for i, b in enumerate(verified))
    sittings, payments_of = [], []
    for agreement in agreements:
        for college in rng.sample(by_province[agreement.province_id], 5):
            sittings.append(AssessmentSitting(agreement=agreement, college=college, headcount=rng.randrange(20, 80),
                                              held_on=date(year, 5, 10), recorded_by=clerk))
    sittings = AssessmentSitting.objects.bulk_create(sittings)
    for i, sitting in enumerate(sittings):
        released = i % 2 == 0
        payments_of.append(Payment(agreement=sitting.agreement, college=sitting.college, sitting=sitting,
                                   amount=sitting.agreement.fee * sitting.headcount,
                                   state=Payment.State.RELEASED if released else Payment.State.DUE,
                                   released_by=clerk if released else None, released_at=moment if released else None))
    payments = Payment.objects.bulk_create(payments_of)
    FundingAllocation.objects.bulk_create(FundingAllocation(payment=p, source="fiscal", amount=p.amount)
                                          for p in payments if p.state == Payment.State.RELEASED)
    students = Student.objects.bulk_create(Student(college=s.college, name=f"学生{i}") for i, s in enumerate(sittings))
    IssuedCertificate.objects.bulk_create(
        IssuedCertificate(sitting=s, holder=students[i], holder_name=students[i].name, serial_no=f"NS{i:07d}{k}",
                          seal="-", issued_at=moment)
        for i, s in enumerate(sittings) for k in range(5))
    return {"alliances": len(alliances), "negotiations": len(negotiations), "proposals": 2 * len(negotiations),
            "baselines": len(baselines), "agreements": len(agreements), "sittings": len(sittings),
            "payments": len(payments), "certificates_issued": 5 * len(sittings)}


def _supervision(rng, teos, provinces, colleges, certs, year, moment, clerk):
    filings = ParticipationFiling.objects.bulk_create(
        ParticipationFiling(college=c, certificate=certs[(i * 7 + k) % len(certs)], year=year,
                            planned_students=rng.randrange(30, 300), filed_at=moment, filed_by=clerk)
        for i, c in enumerate(colleges) for k in range(3))
    plans = AssessmentPlan.objects.bulk_create(
        AssessmentPlan(teo=t, province=provinces[(i + k) % len(provinces)], year=year, month=m, sittings=3,
                       headcount=120, submitted_by=clerk, submitted_at=moment)
        for i, t in enumerate(teos) for k in range(min(3, len(provinces))) for m in AssessmentPlan.MONTHS)
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(teo=t, year=year, month=m, training_sessions=1, sittings=2, assessed=90, certified=70,
                       submitted_by=clerk, submitted_at=moment, late=rng.random() < 0.1)
        for t in teos for m in (9, 10) if rng.random() < 0.9)
    return {"participation_filings": len(filings), "assessment_plans": len(plans), "progress_reports": len(reports)}
