"""The funding vocabulary: where a payment's money comes from and what it may be spent on.

A closed vocabulary: a purpose is one of these codes, whatever spelling a person or a system
typed (`workflows.rules.funding_purpose` maps the spellings); which source may pay which
purpose is a rule in `workflows.rules`.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("Fiscal funds")
    SOCIAL = "social", _("Social funds")
    OWN = "own", _("Own funds")
    SPECIAL = "special", _("Special funds")


class FundingPurpose(models.TextChoices):
    ASSESSMENT_FEE = "assessment_fee", _("Assessment fee")
    TEACHER_TRAINING = "teacher_training", _("Teacher training")
    EQUIPMENT_PURCHASE = "equipment_purchase", _("Equipment purchase")
    DEBT_REPAYMENT = "debt_repayment", _("Debt repayment")
    INTEREST = "interest", _("Interest")
    EXTERNAL_INVESTMENT = "external_investment", _("External investment")
    OTHER_PROJECT_GAP = "other_project_gap", _("Other projects' funding gaps")
    MANAGEMENT_FEE = "management_fee", _("Management fee")
    WORKING_FEE = "working_fee", _("Working fee")


# Other spellings people use for the same purposes, as the 2019 minutes and finance offices write
# them ("不得提取工作经费和管理经费"); each still means exactly one purpose of the vocabulary.
OTHER_SPELLINGS = {
    "考核费用": FundingPurpose.ASSESSMENT_FEE,
    "证书考核": FundingPurpose.ASSESSMENT_FEE,
    "还债": FundingPurpose.DEBT_REPAYMENT,
    "偿债": FundingPurpose.DEBT_REPAYMENT,
    "利息": FundingPurpose.INTEREST,
    "付息": FundingPurpose.INTEREST,
    "管理费": FundingPurpose.MANAGEMENT_FEE,
    "提取管理经费": FundingPurpose.MANAGEMENT_FEE,
    "工作费": FundingPurpose.WORKING_FEE,
    "提取工作经费": FundingPurpose.WORKING_FEE,
}
