"""An alliance whose three colleges are assessed, one of them paid: what each may read of the others'."""
from decimal import Decimal

from bpmn.models import OpenTask
from tests.workflows.walk import Walk, college, user
from workflows import services
from workflows.models import Payment

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
