"""Funding purposes become a closed vocabulary: every stored spelling is turned into its code."""
from django.db import migrations, models

# The vocabulary as it stood when purposes were closed (workflows/funding.py), frozen here so
# that later changes to the vocabulary do not change what this migration did.
LABELS = {
    "assessment_fee": "考核费 Assessment fee",
    "teacher_training": "师资培训 Teacher training",
    "equipment_purchase": "设备购置 Equipment purchase",
    "debt_repayment": "偿还债务 Debt repayment",
    "interest": "支付利息 Interest",
    "external_investment": "对外投资 External investment",
    "other_project_gap": "弥补其他项目资金缺口 Other projects' funding gaps",
    "management_fee": "管理经费 Management fee",
    "working_fee": "工作经费 Working fee",
}
OTHER_SPELLINGS = {
    "考核费用": "assessment_fee", "证书考核": "assessment_fee", "还债": "debt_repayment",
    "偿债": "debt_repayment", "利息": "interest", "付息": "interest", "管理费": "management_fee",
    "提取管理经费": "management_fee", "工作费": "working_fee", "提取工作经费": "working_fee",
}


def _spelling(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _codes() -> dict[str, str]:
    codes = {_spelling(text): code for text, code in OTHER_SPELLINGS.items()}
    for code, label in LABELS.items():
        zh, _, en = label.partition(" ")
        for text in (code, label, zh, en):
            codes[_spelling(text)] = code
    return codes


def normalise_funding_purposes(apps, schema_editor):
    # Only spellings of the vocabulary are rewritten; a released payment's other text stays as
    # it was recorded (it is history, not a choice to correct).
    FundingAllocation = apps.get_model("workflows", "FundingAllocation")
    codes = _codes()
    for allocation in FundingAllocation.objects.exclude(purpose__in=list(LABELS)):
        code = codes.get(_spelling(allocation.purpose))
        if code is not None:
            FundingAllocation.objects.filter(pk=allocation.pk).update(purpose=code)


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0003_assessment_corrections_and_paper_orders'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fundingallocation',
            name='purpose',
            field=models.CharField(choices=[('assessment_fee', '考核费 Assessment fee'), ('teacher_training', '师资培训 Teacher training'), ('equipment_purchase', '设备购置 Equipment purchase'), ('debt_repayment', '偿还债务 Debt repayment'), ('interest', '支付利息 Interest'), ('external_investment', '对外投资 External investment'), ('other_project_gap', "弥补其他项目资金缺口 Other projects' funding gaps"), ('management_fee', '管理经费 Management fee'), ('working_fee', '工作经费 Working fee')], default='assessment_fee', max_length=40),
        ),
        migrations.RunPython(normalise_funding_purposes, migrations.RunPython.noop),
    ]
