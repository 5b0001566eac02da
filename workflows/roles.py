"""Who acts and how a certificate is assessed: roles, the lanes of the process models, assessment modes.

Each is defined here once, and this module imports nothing of the product, so the business
objects, the rules, the assignment of tasks, the pages and the model tests all read the same
values and words. A lane of a model file is named by its id (`<bpmn:lane name="teo">`); the words
people read for it are its label here, never in the file.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class AssessmentMode(TextChoices):
    PAPER = "paper", _("Paper-and-pencil")
    COMPUTER = "computer", _("Computer-based")
    PRACTICAL_GENERAL = "practical_general", _("Practical, general equipment")
    PRACTICAL_SPECIAL = "practical_special", _("Practical, special equipment")


# The exam a mode names inside a refusal's sentence ("the cap for a paper-and-pencil exam is ...").
EXAM_NAMES = {
    AssessmentMode.PAPER: _("paper-and-pencil exam"),
    AssessmentMode.COMPUTER: _("computer-based exam"),
    AssessmentMode.PRACTICAL_GENERAL: _("practical exam, general equipment"),
    AssessmentMode.PRACTICAL_SPECIAL: _("practical exam, special equipment"),
}


class Role(TextChoices):
    COLLEGE = "college", _("Pilot college")
    FINANCE = "finance", _("Finance officer")
    TEO = "teo", _("Training evaluation organization")
    REVIEWER = "reviewer", _("Provincial reviewer")
    MINISTRY = "ministry", _("Ministry supervisor")
    STUDENT = "student", _("Student")
    INSTITUTION = "institution", _("Provincial pilot institution officer")
    PROVINCIAL_FINANCE = "provincial_finance", _("Provincial finance division reviewer")
    EXPERT = "expert", _("Expert named by the province")


class Lane(TextChoices):
    """A lane of the process models: who handles its tasks, in words people use."""

    ALLIANCE_LEAD = "alliance_lead", _("Alliance lead college")
    COLLEGE = "college", _("Pilot college")
    TEO = "teo", _("Training evaluation organization")
    REVIEWER = "reviewer", _("Provincial reviewer")
    FINANCE = "finance", _("College finance")
    PROVINCIAL_FINANCE = "provincial_finance", _("Provincial finance division")
    EXPERT = "expert", _("Expert named by the province")
    MINISTRY = "ministry", _("Ministry supervisor")


# The lane a task sits in -> the person roles that may act in it.
LANE_ROLES = {
    # The negotiating party's lead: a pilot college leading an alliance, or the province's pilot
    # institution negotiating for its colleges (由培训评价组织与省级试点机构或院校联盟协商确定).
    Lane.ALLIANCE_LEAD: frozenset({Role.COLLEGE, Role.INSTITUTION}),
    Lane.COLLEGE: frozenset({Role.COLLEGE}),
    Lane.TEO: frozenset({Role.TEO}),
    Lane.REVIEWER: frozenset({Role.REVIEWER}),
    Lane.FINANCE: frozenset({Role.FINANCE}),
    # 会签: the province's finance division (财务处) verifies beside its vocational education
    # division (职成处, the reviewer lane); an expert gives the opinion a division asked of them (加签).
    Lane.PROVINCIAL_FINANCE: frozenset({Role.PROVINCIAL_FINANCE}),
    Lane.EXPERT: frozenset({Role.EXPERT}),
    # 动态调整: the ministry decides the measures against a TEO (黄牌警告, 摘牌, and those of complaints).
    Lane.MINISTRY: frozenset({Role.MINISTRY}),
}

# Lanes whose task is asked of one named person, not of a group: it opens claimed by them, and
# nobody else of the lane sees it, takes it over, or is told of it.
PERSONAL_LANES = frozenset({Lane.EXPERT})

# Who handles a lane's tasks: a lane id is never shown.
LANE_LABELS = {lane.value: lane.label for lane in Lane}


def lane_label(lane: str) -> str:
    """Return who handles a lane's tasks, in the active language."""
    return str(LANE_LABELS.get(lane) or _("Not assigned"))
