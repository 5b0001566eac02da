"""Negotiations whose lifecycle already ended unverified, before the lifecycle closed them itself."""
from django.db import migrations

UNVERIFIED_ENDS = ("verification_rejected_end", "too_many_returns_end")
STILL_OPEN = ("agreed", "negotiating", "screening")


def close_ended_unverified(apps, schema_editor):
    ProcessInstance = apps.get_model("bpmn", "ProcessInstance")
    Negotiation = apps.get_model("workflows", "Negotiation")
    ended = ProcessInstance.objects.filter(definition__process_id="certificate_lifecycle",
                                           status="completed", end_event__in=UNVERIFIED_ENDS)
    ids = [int(key.split(":", 1)[1]) for key in ended.values_list("business_key", flat=True)
           if key.startswith("negotiation:") and key.split(":", 1)[1].isdigit()]
    Negotiation.objects.filter(pk__in=ids, state__in=STILL_OPEN).update(state="not_verified")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0014_negotiation_not_verified"),
        ("bpmn", "0004_english_task_labels"),
    ]

    operations = [migrations.RunPython(close_ended_unverified, migrations.RunPython.noop)]
