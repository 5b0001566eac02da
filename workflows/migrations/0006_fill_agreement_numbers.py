"""Fill what the new fields ask of the rows already there: provinces' abbreviations, agreements'
numbers in the order they were made, and who signed each, from the audit trail."""
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import Q

# 简称 of the provincial-level divisions by their GB/T 2260 code; frozen here, as it stood.
ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
    "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}
BEIJING = ZoneInfo("Asia/Shanghai")


def fill_province_abbreviations(apps, schema_editor):
    Province = apps.get_model("workflows", "Province")
    for province in Province.objects.filter(abbreviation=None):
        # A code outside the table keeps the first character of its name until an administrator corrects it.
        province.abbreviation = ABBREVIATIONS.get(province.code, province.name[:1] or "?")
        province.save(update_fields=["abbreviation"])


def fill_agreement_numbers(apps, schema_editor):
    Agreement = apps.get_model("workflows", "Agreement")
    counters: dict[tuple[int, int], int] = {}
    for agreement in Agreement.objects.select_related(
            "negotiation__alliance__province", "negotiation__certificate").order_by("created_at", "pk"):
        province = agreement.negotiation.alliance.province
        year = agreement.created_at.astimezone(BEIJING).year
        sequence = counters[province.pk, year] = counters.get((province.pk, year), 0) + 1
        agreement.province, agreement.year, agreement.sequence = province, year, sequence
        agreement.number = f"{province.abbreviation}-{agreement.negotiation.certificate.code}-{year}-{sequence:04d}"
        agreement.save(update_fields=["province", "year", "sequence", "number"])


def fill_signatories(apps, schema_editor):
    Agreement = apps.get_model("workflows", "Agreement")
    AuditEntry = apps.get_model("bpmn", "AuditEntry")
    for agreement in Agreement.objects.exclude(signed_by_alliance_at=None, signed_by_teo_at=None):
        key = f"negotiation:{agreement.negotiation_id}"
        lifecycle_or_renewal = Q(instance__business_key=key) | Q(instance__business_key__startswith=f"{key}/")
        for party in ("alliance", "teo"):
            signed_at = getattr(agreement, f"signed_by_{party}_at")
            if signed_at is None:
                continue
            entry = (AuditEntry.objects.filter(lifecycle_or_renewal, action="completed", task_name=f"sign_{party}",
                                               at__lte=signed_at).order_by("-at", "-pk").first())
            if entry is not None:
                setattr(agreement, f"{party}_signatory_id", entry.actor_id)
        agreement.save(update_fields=["alliance_signatory", "teo_signatory"])


def fill(apps, schema_editor):
    fill_province_abbreviations(apps, schema_editor)
    fill_agreement_numbers(apps, schema_editor)
    fill_signatories(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0005_agreement_number_and_signatories'),
        ('bpmn', '0002_deployed_at_set_by_every_deploy'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
