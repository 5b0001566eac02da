"""Supervision records as a test needs them: a TEO's plan and training, a college's teachers sent, a delisting."""
from workflows import services, supervision, teo_records
from workflows.models import Certificate, Measure, Person, Province

from .walk import user

HUBEI, JIANGSU = "42", "32"


def province(code: str) -> Province:
    return Province.objects.get(code=code)


def teo_of(username: str):
    return Person.objects.get(user__username=username).organization


def plan_and_train(teo: str = "teo_1", college: str = "college_42_1", teachers: int = 12):
    """A plan for 湖北省 in September, a session there that started today, and teachers the college sent."""
    today = services.today()
    plan = teo_records.submit_assessment_plan(user(teo), province(HUBEI).pk, today.year, 9, 3, 120)
    session = teo_records.record_training_session(user(teo), province(HUBEI).pk, today, today, 40)
    sent = teo_records.record_teachers_sent(user(college), session.pk, teachers)
    return plan, session, sent


def delist(teo: str = "teo_2", reasons: str = "9月上旬仍未在全国及湖北启动师资培训，黄牌警告后仍未跟进。"):
    return supervision.decide_measure(user("ministry"), teo_of(teo), Measure.DELISTING, reasons)


def hand_over(teo: str = "teo_2", successor: str = "teo_1", code: str = "X-NEXT-01"):
    certificate = Certificate.objects.filter(teo=teo_of(teo)).order_by("code").first()
    return teo_records.hand_over(user("ministry"), certificate.pk, teo_of(successor).pk, code)
