"""College participation filings (院校试点备案): a college records that it takes part, never asks leave.

"备案不是审批" and "各省厅不得对申报试点工作设置门槛": a filing is refused only for what makes it no
filing at all (a duplicate, a number that is no number of students, a batch year outside the pilot),
never for being too small. Nothing may configure a minimum: `threshold_settings` names any setting
that would, and the start-up check `workflows.E003` and every filing refuse it with the rule's words.
"""
import re

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from workflows import inputs
from workflows.errors import RuleViolation

FIRST_YEAR = 2019  # the first batch of the 1+X pilot
MAX_PLANNED = 100_000  # one college's planned students for one certificate and year
THRESHOLD_RULE = "participation_no_threshold"
# A setting that speaks of participation (or a province's filing) and of a floor, quota or approval
# would turn the filing into an approval.
THRESHOLD_SETTING = re.compile(r"(PARTICIPATION|PILOT_FILING|PROVINCE_FILING).*(MIN|THRESHOLD|QUOTA|FLOOR|APPROV)")


def threshold_settings(names) -> list[str]:
    """Return the setting names among `names` that would set a threshold on taking part."""
    return sorted(name for name in names if THRESHOLD_SETTING.search(str(name).upper()))


THRESHOLD_FIELD = re.compile(r"(MIN|THRESHOLD|QUOTA|FLOOR|APPROV|STATE)")


def threshold_fields() -> list[str]:
    """Return the fields of a province or a filing that would gate taking part (a minimum, an approval state)."""
    from workflows.models import ParticipationFiling, Province

    return sorted(f"{model.__name__}.{field.name}" for model in (Province, ParticipationFiling)
                  for field in model._meta.get_fields() if THRESHOLD_FIELD.search(field.name.upper()))


def refuse_threshold(names) -> None:
    """Refuse a configuration with a threshold setting, quoting the rule."""
    found = threshold_settings(names) + threshold_fields()
    if found:
        raise RuleViolation(
            THRESHOLD_RULE,
            _("Taking part in the pilot is filed, not approved (备案不是审批); provinces may set no threshold "
              "(各省厅不得对申报试点工作设置门槛): remove %(settings)s."),
            500, settings=", ".join(found))


def planned_students(raw) -> int:
    """The planned number of students: a whole number from 1 to MAX_PLANNED."""
    bounds = {"min": 1, "max": f"{MAX_PLANNED:,}"}
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation("planned_students_required",
                            _("The planned number of students is required: a whole number from %(min)s to %(max)s."),
                            **bounds)
    value = inputs.whole_number(raw)
    if value is None or not 1 <= value <= MAX_PLANNED:
        # No college takes part with nobody; the bound is what one college can enrol, not a floor.
        raise RuleViolation("planned_students_out_of_range",
                            _("The planned number of students is a whole number from %(min)s to %(max)s, given "
                              "%(given)s."), given=repr(raw)[:40], **bounds)
    return value


def batch_year(raw, this_year: int) -> int:
    """The pilot year filed for: from the first batch (2019) to next year."""
    bounds = {"first": FIRST_YEAR, "last": this_year + 1}
    value = inputs.whole_number(raw) if raw not in (None, "") else None
    if value is None or not FIRST_YEAR <= value <= this_year + 1:
        raise RuleViolation("participation_year_out_of_range",
                            _("The pilot year is from %(first)s to %(last)s, given %(given)s."),
                            given=repr(raw)[:40], **bounds)
    return value


def totals(filings) -> list[dict]:
    """Planned students and colleges per province, certificate and year, with the students assessed so far.

    Progress is measured against the plans: the assessed are the headcounts of the sittings held under
    the province's agreements of that certificate and year.
    """
    from workflows.models import AssessmentSitting

    rows = list(filings.values("college__province_id", "college__province__name", "certificate_id",
                               "certificate__code", "certificate__name", "year")
                .annotate(colleges=Count("college", distinct=True), planned=Sum("planned_students"))
                .order_by("college__province__name", "certificate__code", "year"))
    assessed = dict(((r["agreement__province_id"], r["agreement__negotiation__certificate_id"], r["agreement__year"]),
                     r["total"]) for r in AssessmentSitting.objects.filter(
        agreement__province_id__in={r["college__province_id"] for r in rows}).values(
        "agreement__province_id", "agreement__negotiation__certificate_id", "agreement__year").annotate(
        total=Sum("headcount")))
    return [{"province_id": r["college__province_id"], "province": r["college__province__name"],
             "certificate_id": r["certificate_id"], "certificate": r["certificate__code"],
             "certificate_name": r["certificate__name"], "year": r["year"], "colleges": r["colleges"],
             "planned": r["planned"],
             "assessed": assessed.get((r["college__province_id"], r["certificate_id"], r["year"]), 0)}
            for r in rows]
