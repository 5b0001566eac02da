"""Demo data worth walking through: two provinces, six colleges, a provincial pilot institution, two TEOs,
four certificates."""
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from workflows import services
from workflows.models import (
    AssessmentMode,
    Certificate,
    CostItem,
    FeeSchedule,
    Organization,
    Person,
    Province,
    Role,
    Student,
)

PASSWORD = "demo12345"
COST_ITEMS = Path(__file__).resolve().parent.parent / "workflows" / "data" / "cost_items.json"

DEMO_PAPER_COPY_PRICE = "25.00"  # a paper copy, delivery included (the rule allows at most 40.00)
PROVINCES = [("42", "湖北省", "鄂"), ("32", "江苏省", "苏")]
COLLEGES = {
    "42": ["武汉职业技术学院", "湖北交通职业技术学院", "武汉船舶职业技术学院"],
    "32": ["南京工业职业技术大学", "无锡职业技术学院", "常州信息职业技术学院"],
}
# A province's pilot institution (省级试点机构) negotiates for the province's colleges instead of an alliance.
INSTITUTIONS = {"42": "湖北省1+X证书制度试点工作机构"}
TEOS = ["工业互联网培训评价有限公司", "智能制造职业技能评价中心"]
# Every demo account has a person's name (姓名): pages and notifications name people, never user names.
NAMES = {
    "reviewer_42": "张伟", "reviewer_32": "陈静",
    "finance_div_42": "刘洋", "finance_div_32": "徐慧", "expert_42": "谢明", "expert_32": "韩雪",
    "college_42_1": "王芳", "college_42_2": "刘洋", "college_42_3": "赵磊",
    "finance_42_1": "孙丽", "finance_42_2": "周强", "finance_42_3": "吴敏",
    "college_32_1": "郑浩", "college_32_2": "黄婷", "college_32_3": "何军",
    "finance_32_1": "林霞", "finance_32_2": "高峰", "finance_32_3": "罗娟",
    "ministry": "马建国", "teo_1": "杨帆", "teo_2": "朱红", "institution_42": "钱进",
    "student": "李明", "student_b": "李明",  # two students of one name at 武汉职业技术学院, two records
}
# Each student's record at the college: certificates are issued to it, never to the name they share.
STUDENT_NUMBERS = {"student": "2023010001", "student_b": "2023010002"}
CERTIFICATES = [
    # code, name, teo index, mode, fee, cost lines
    ("X-WEB-01", "Web 前端开发", 0, AssessmentMode.PAPER,
     {"question_bank": "60.00", "paper_assembly": "20.00", "paper_printing": "15.00", "marking": "45.00",
      "certificate_issuance": "20.00", "invigilation": "20.00"}),
    ("X-CLOUD-02", "云计算平台运维", 0, AssessmentMode.COMPUTER,
     {"question_bank": "80.00", "exam_system": "90.00", "marking": "40.00", "venue_rental": "30.00",
      "certificate_issuance": "20.00", "invigilation": "20.00"}),
    ("X-PLC-03", "工业机器人操作与运维", 1, AssessmentMode.PRACTICAL_GENERAL,
     {"examiner_fees": "150.00", "equipment_commissioning": "90.00", "venue_setup": "60.00",
      "consumables": "70.00", "certificate_issuance": "20.00", "invigilation": "40.00", "security": "20.00"}),
    ("X-CNC-04", "多轴数控加工", 1, AssessmentMode.PRACTICAL_SPECIAL,
     {"examiner_fees": "200.00", "equipment_commissioning": "150.00", "venue_rental": "80.00",
      "consumables": "120.00", "certificate_issuance": "20.00", "invigilation": "50.00", "security": "30.00"}),
]


def load_cost_items() -> None:
    for position, item in enumerate(json.loads(COST_ITEMS.read_text(encoding="utf-8"))):
        CostItem.objects.update_or_create(code=item["code"], defaults={**item, "position": position})


def _account(username: str, org: Organization, role: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.email = f"{username}@demo.xcert.local"
        user.set_password(PASSWORD)
        user.save()
    Person.objects.update_or_create(user=user, defaults={"organization": org, "role": role,
                                                         "name": NAMES.get(username, "")})
    return user


@transaction.atomic
def load_demo() -> dict:
    """Create the demo world; running it twice changes nothing."""
    load_cost_items()
    world = {"colleges": [], "teos": [], "certificates": []}
    for code, name, abbreviation in PROVINCES:
        province, _ = Province.objects.get_or_create(code=code, defaults={"name": name, "abbreviation": abbreviation})
        dept, _ = Organization.objects.get_or_create(
            name=f"{name}教育厅", defaults={"kind": Organization.Kind.EDUCATION_DEPT, "province": province})
        _account(f"reviewer_{code}", dept, Role.REVIEWER)  # 职成处, verifying with 财务处 (会签)
        _account(f"finance_div_{code}", dept, Role.PROVINCIAL_FINANCE)
        _account(f"expert_{code}", dept, Role.EXPERT)  # named by the province, asked for opinions (加签)
        if code in INSTITUTIONS:
            institution, _ = Organization.objects.get_or_create(
                name=INSTITUTIONS[code], defaults={"kind": Organization.Kind.PROVINCIAL_INSTITUTION,
                                                   "province": province})
            _account(f"institution_{code}", institution, Role.INSTITUTION)
        for index, college_name in enumerate(COLLEGES[code], start=1):
            college, _ = Organization.objects.get_or_create(
                name=college_name, defaults={"kind": Organization.Kind.COLLEGE, "province": province})
            _account(f"college_{code}_{index}", college, Role.COLLEGE)
            _account(f"finance_{code}_{index}", college, Role.FINANCE)
            world["colleges"].append(college)
    ministry, _ = Organization.objects.get_or_create(name="教育部职业教育与成人教育司",
                                                     defaults={"kind": Organization.Kind.MINISTRY})
    _account("ministry", ministry, Role.MINISTRY)
    for index, teo_name in enumerate(TEOS, start=1):
        teo, _ = Organization.objects.get_or_create(name=teo_name, defaults={"kind": Organization.Kind.TEO})
        world["teos"].append(teo)
        _account(f"teo_{index}", teo, Role.TEO)
    for code, name, teo_index, mode, lines in CERTIFICATES:
        teo = world["teos"][teo_index]
        certificate, _ = Certificate.objects.get_or_create(
            code=code, defaults={"name": name, "teo": teo, "assessment_mode": mode})
        world["certificates"].append(certificate)
        if not certificate.schedules.filter(state=FeeSchedule.State.PUBLISHED).exists():
            user = Person.objects.filter(organization=teo, role=Role.TEO).first().user
            fee = f"{sum(Decimal(v) for v in lines.values()):.2f}"
            services.publish_schedule(user, certificate, fee, lines, paper_copy_price=DEMO_PAPER_COPY_PRICE,
                                      training_plan=f"{name} 师资培训 5 天",
                                      services=["师资培训", "考核", "证书"])
    for username, number in STUDENT_NUMBERS.items():
        _student(username, number, world["colleges"][0])
    _administrator()
    return world


def _student(username: str, student_no: str, college: Organization) -> None:
    """A student's account and the record at the college its certificates are issued to."""
    student = _account(username, college, Role.STUDENT)
    if not student.first_name:
        student.first_name = NAMES[username]
        student.save(update_fields=["first_name"])
    Student.objects.update_or_create(college=college, student_no=student_no,
                                     defaults={"name": NAMES[username], "account": student})


def _administrator() -> None:
    """The reference-data administrator of the demo: Django admin only, no role in the lifecycle."""
    User = get_user_model()
    admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    if created:
        admin.set_password(PASSWORD)
        admin.save()


@transaction.atomic
def load_demo_alliances() -> list:
    """Start three lifecycles worth walking through, once: one alliance formed, one inviting, and the
    Hubei pilot institution inviting the colleges it negotiates for."""
    from bpmn.models import OpenTask
    from workflows.models import Alliance

    if Alliance.objects.exists():
        return list(Alliance.objects.all())
    hubei = _start("college_42_1", "X-WEB-01", "湖北省 Web 前端开发院校联盟", ["college_42_2", "college_42_3"])
    jiangsu = _start("college_32_1", "X-CLOUD-02", "江苏省云计算院校联盟", ["college_32_2", "college_32_3"])
    institution = _start("institution_42", "X-PLC-03", "湖北省工业机器人证书试点（省级试点机构协商）",
                         ["college_42_1", "college_42_2", "college_42_3"])
    key = services.lifecycle_key(hubei)
    for task in OpenTask.objects.filter(instance__business_key=key, task_name="respond_invitation"):
        responder = Person.objects.get(organization_id=task.organization_id, role=Role.COLLEGE).user
        services.complete(task.task_id, responder, {"decision": "accept"})
    return [hubei.alliance, jiangsu.alliance, institution.alliance]


def _start(lead: str, certificate_code: str, name: str, invitees: list[str]):
    from bpmn.models import OpenTask
    from workflows.models import Alliance

    lead_user = Person.objects.get(user__username=lead).user
    certificate = Certificate.objects.get(code=certificate_code)
    negotiation = services.start_lifecycle(lead_user, certificate, alliance_name=name)
    key = services.lifecycle_key(negotiation)
    invite = OpenTask.objects.get(instance__business_key=key, task_name="invite_members")
    colleges = [Person.objects.get(user__username=u).organization_id for u in invitees]
    services.complete(invite.task_id, lead_user, {"college_ids": colleges})
    negotiation.alliance = Alliance.objects.get(pk=negotiation.alliance_id)
    return negotiation


@transaction.atomic
def load_demo_supervision(year: int | None = None) -> dict:
    """The supervision worth looking at, once, and every TEO's supervision (teo_supervision) for the year.

    杨帆's TEO plans September–December in 湖北省 and 江苏省, started teacher training in 湖北省 on
    September 1 (before 9月上旬 ends) and trains in both today (a Hubei college sent teachers). 朱红's TEO
    has planned and trained nothing, so the scheduler (run_timers) proposes it for a yellow card once
    September 10 has passed, and opens the monthly progress reports as each month ends.
    """
    from workflows import supervision_process, teo_records
    from workflows.models import AssessmentPlan, TrainingSession

    year = year or services.today().year
    if not AssessmentPlan.objects.exists():
        person = Person.objects.get(user__username="teo_1")
        TrainingSession.objects.create(teo=person.organization, province=Province.objects.get(code="42"),
                                       starts_on=date(year, 9, 1), ends_on=date(year, 9, 5), teachers_trained=60,
                                       recorded_by=person.user, recorded_at=timezone.now())
        today = services.today()
        for code, per_month in (("42", (3, 120)), ("32", (2, 60))):
            province = Province.objects.get(code=code)
            for month in (9, 10, 11, 12):
                teo_records.submit_assessment_plan(person.user, province.pk, year, month, *per_month)
            session = teo_records.record_training_session(person.user, province.pk, today, today, 40)
            if code == "42":
                teo_records.record_teachers_sent(Person.objects.get(user__username="college_42_1").user,
                                                 session.pk, 6)
    return {"plans": AssessmentPlan.objects.count(),
            "instances": supervision_process.start_supervision_for_all(year)}


def load_demo_subsidies(year: int | None = None) -> list:
    """Hubei's colleges file their participation in X-WEB-01, and Hubei's finance division opens a subsidy round
    weighing those filings and an equal share, left in draft for 湖北省's finance division to adjust and release;
    once."""
    from workflows import subsidies
    from workflows.models import ParticipationFiling, SubsidyRound

    year = year or services.today().year
    if not SubsidyRound.objects.exists():
        web = Certificate.objects.get(code="X-WEB-01")
        for index, planned in enumerate((120, 80, 200), start=1):
            lead = Person.objects.get(user__username=f"college_42_{index}")
            if not ParticipationFiling.objects.filter(college=lead.organization, certificate=web, year=year).exists():
                services.file_participation(lead.user, web, year, planned)
        subsidies.open_subsidy_round(Person.objects.get(user__username="finance_div_42").user, year,
                                     f"鄂财教〔{year}〕18号 1+X 证书制度试点补助资金", "300000.00",
                                     {"filed_students": 60, "equal_share": 40})
    return list(SubsidyRound.objects.all())
