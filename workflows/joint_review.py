"""Joint verification (会签) of a pending baseline by the province's two divisions, and the expert
opinions (加签) either asks for before deciding.

"职业教育与财务相关处室要紧密合作": the vocational education division (职成处, the reviewer lane) and the
finance division (财务处, the provincial_finance lane) each decide once per baseline, in parallel
(`fee_verification`'s `review_split`); each sees the other's decision and reasons as soon as it is
taken. Before deciding, a division may name an expert of its province and ask a question; the
expert's answer is part of the baseline's record. The actions bound to the tasks call these
functions inside the engine's transaction.
"""
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows import inputs, rules
from workflows.errors import RuleViolation
from workflows.models import Baseline, BaselineReview, Division, ExpertOpinion, Person, Role

# The task of each division's decision and of the expert opinion it asks for (fee_verification.bpmn).
REVIEW_TASKS = {"verify_baseline": Division.VOCATIONAL, "verify_baseline_finance": Division.FINANCE}
OPINION_TASKS = {"expert_opinion": Division.VOCATIONAL, "expert_opinion_finance": Division.FINANCE}
DIVISION_ROLES = {Division.VOCATIONAL: Role.REVIEWER, Division.FINANCE: Role.PROVINCIAL_FINANCE}
# How the stored joint reasons name each division: the names the province's own documents use.
DIVISION_NAMES = {Division.VOCATIONAL: "职成处", Division.FINANCE: "财务处"}


def other(division: str) -> Division:
    """The division that verifies beside this one."""
    return Division.FINANCE if division == Division.VOCATIONAL else Division.VOCATIONAL


def division_of_role(role: str) -> Division | None:
    return next((division for division, shown in DIVISION_ROLES.items() if shown == role), None)


def reviews_of(baseline: Baseline) -> dict[str, BaselineReview]:
    """Division -> its decision on the baseline, for the divisions that decided."""
    return {review.division: review for review in baseline.reviews.select_related("reviewer__person")}


def record_review(baseline: Baseline, division: str, decision: str, reasons: str, reviewer) -> dict:
    """Write one division's decision; return every decision taken on the baseline so far."""
    if baseline.reviews.filter(division=division).exists():
        raise RuleViolation("one_review_per_division",
                            _("%(division)s has already decided on this baseline."), 409,
                            division=Division(division).label)
    BaselineReview.objects.create(baseline=baseline, division=division, decision=decision, reasons=reasons,
                                  reviewer=reviewer, decided_at=timezone.now())
    return reviews_of(baseline)


def joint_reasons(reviews: dict[str, BaselineReview]) -> str:
    """Both divisions' reasons as the baseline keeps them and the parties read them, 职成处 first."""
    lines = [f"{DIVISION_NAMES[division]}：{reviews[division].reasons}" for division in DIVISION_ROLES
             if division in reviews and reviews[division].reasons]
    return "\n".join(lines)


def province_expert(raw, baseline: Baseline) -> Person:
    """The expert a division names: a person with the expert role in the baseline's province."""
    pk = inputs.object_id(raw, "expert")
    if pk is None:
        raise RuleViolation("expert_required", _("Name the expert whose opinion you ask for."))
    expert = Person.objects.select_related("user", "organization").filter(
        user_id=pk, role=Role.EXPERT, organization__province_id=baseline.province_id).first()
    if expert is None:
        raise RuleViolation("expert_of_province",
                            _("Ask an expert named by %(province)s; user %(given)s is none."), 403,
                            province=str(baseline.province), given=pk)
    return expert


def province_experts(province_id: int) -> QuerySet[Person]:
    """The experts a division of the province may ask, by name."""
    return Person.objects.select_related("user").filter(
        role=Role.EXPERT, organization__province_id=province_id).order_by("name", "user__username")


def ask_expert(baseline: Baseline, division: str, asked_by, expert: Person, question: str) -> ExpertOpinion:
    """Ask the expert's opinion for the division, within EXPERT_OPINIONS_MAX per division and baseline."""
    rules.check_expert_opinions(baseline.expert_opinions.filter(division=division).count(),
                                Division(division).label)
    return ExpertOpinion.objects.create(baseline=baseline, division=division, asked_by=asked_by,
                                        expert=expert.user, question=question, asked_at=timezone.now())


def give_opinion(opinion_id: int, expert, text: str) -> ExpertOpinion:
    """The named expert answers; an opinion is given once and stays on the record."""
    opinion = ExpertOpinion.objects.select_for_update().get(pk=opinion_id)
    if opinion.expert_id != getattr(expert, "pk", None):
        raise RuleViolation("expert_named_only", _("Only the expert the division named may give this opinion."), 403)
    if opinion.given_at is not None:
        raise RuleViolation("expert_opinion_given", _("This opinion was already given."), 409)
    opinion.opinion = text
    opinion.given_at = timezone.now()
    opinion.save(update_fields=["opinion", "given_at"])
    return opinion
