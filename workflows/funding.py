"""The funding vocabulary: where a payment's money comes from and what it may be spent on.

A closed vocabulary: a purpose is one of these codes, whatever spelling a person or a system
typed (`workflows.rules.funding_purpose` maps the spellings); which source may pay which
purpose is a rule in `workflows.rules`.
"""
from django.db import models


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", "财政资金 Fiscal funds"
    SOCIAL = "social", "社会资金 Social funds"
    OWN = "own", "自有资金 Own funds"
    SPECIAL = "special", "专项资金 Special funds"


class FundingPurpose(models.TextChoices):
    ASSESSMENT_FEE = "assessment_fee", "考核费 Assessment fee"
    TEACHER_TRAINING = "teacher_training", "师资培训 Teacher training"
    EQUIPMENT_PURCHASE = "equipment_purchase", "设备购置 Equipment purchase"
    DEBT_REPAYMENT = "debt_repayment", "偿还债务 Debt repayment"
    INTEREST = "interest", "支付利息 Interest"
    EXTERNAL_INVESTMENT = "external_investment", "对外投资 External investment"
    OTHER_PROJECT_GAP = "other_project_gap", "弥补其他项目资金缺口 Other projects' funding gaps"
    MANAGEMENT_FEE = "management_fee", "管理经费 Management fee"
    WORKING_FEE = "working_fee", "工作经费 Working fee"


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
