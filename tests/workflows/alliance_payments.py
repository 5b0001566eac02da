"""An alliance whose three colleges are assessed, one of them paid: what each may read of the others'."""
from decimal import Decimal

from django.contrib.auth import get_user_model

from bpmn.models import OpenTask
from tests.workflows.walk import DELIVERY, Walk, college, user
from workflows import services
from workflows.models import Payment, Person, Role, Student

# Headcounts that make amounts found nowhere else on a page (fee ¥180.00): ¥3,060.00, ¥4,140.00, ¥5,580.00.
HEADCOUNTS = {"college_42_1": 17, "college_42_2": 23, "college_42_3": 31}
FEE = Decimal("180.00")
MEMBERS = tuple(HEADCOUNTS)
# The member colleges' staff and finance officers, each trying the other members' rows.
ATTACKERS = [f"{role}_42_{n}" for n in (1, 2, 3) for role in ("college", "finance")]
# Two members paid, the lead's payment still due: no total the lead reads equals one member's amount.
PAID = {"college_42_2": [{"source": "fiscal", "amount": "4000.00"}, {"source": "own", "amount": "140.00"}],
        "college_42_3": [{"source": "social", "amount": "5580.00"}]}


def college_of(username: str) -> str:
    """The college account of a college's staff or finance account (college_42_2, finance_42_2 -> college_42_2)."""
    return f"college_42_{username.rsplit('_', 1)[1]}"


def amount_of(username: str) -> Decimal:
    return FEE * HEADCOUNTS[username]


def written(amount: Decimal) -> tuple[str, str]:
    """An amount as a page or a JSON body writes it: 3060.00 and 3,060.00."""
    return f"{amount:.2f}", f"{amount:,.2f}"


def assessed_and_one_paid() -> Walk:
    """The Hubei lifecycle filed at ¥180.00; every college assessed; the two members paid, the lead not yet."""
    walk = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3"))
    walk.through_filing()
    agreement = walk.negotiation.agreements.get()
    assert agreement.fee == FEE
    for username, headcount in HEADCOUNTS.items():
        services.record_assessment(user("teo_1"), agreement, college(username), headcount, held_on=services.today())
    for username, funding in PAID.items():
        release = OpenTask.objects.get(instance=walk.instance, task_name="release_payment",
                                       organization_id=college(username).pk)
        services.complete(release.task_id, user(username.replace("college", "finance")), {"funding": funding})
    return walk


def payment_of(walk: Walk, username: str) -> Payment:
    return Payment.objects.get(agreement__negotiation=walk.negotiation, college=college(username))


def release_task_of(walk: Walk, username: str) -> OpenTask | None:
    return OpenTask.objects.filter(instance__business_key__startswith=f"negotiation:{walk.negotiation.pk}",
                                   task_name="release_payment", organization_id=college(username).pk).first()


# A member's certificates: one revoked, the other's paper copy ordered by its holder and dispatched.
CERTIFIED = "college_42_2"
REVOKE_REASON = "证书信息有误 wrong details on the certificate"
TRACKING_NO = "SF4202000017"


def certified_and_ordered(walk: Walk) -> list[str]:
    """Two certificates of CERTIFIED's sitting, the first revoked, the second's paper copy dispatched.

    Returns what only CERTIFIED (and those who see every college's) may read of them: the serials,
    the revocation's reason and the courier's tracking number.
    """
    teo, sitting = user("teo_1"), walk.negotiation.agreements.get().sittings.get(college=college(CERTIFIED))
    revoked, kept = services.issue_certificates(teo, sitting, ["赵六,2023020001", "钱七,2023020002"])
    services.revoke_certificate(teo, revoked, REVOKE_REASON)
    holder = get_user_model().objects.create_user("student_42_2", first_name="钱七")
    Person.objects.create(user=holder, organization=college(CERTIFIED), role=Role.STUDENT)
    Student.objects.filter(college=college(CERTIFIED), student_no="2023020002").update(account=holder)
    order = services.order_paper_certificate(holder, kept.pk, *DELIVERY.values())
    services.dispatch_paper_order(teo, order, TRACKING_NO)
    return [revoked.serial_no, kept.serial_no, REVOKE_REASON, TRACKING_NO]
