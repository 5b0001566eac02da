"""Give every schedule already there the cap of its certificate's mode, as the latest decision table says."""
from decimal import Decimal

from django.db import migrations

from bpmn import parser, scripting, spiff

DECISION_ID = "assessment_fee_cap"


def _table(apps):
    latest = apps.get_model("bpmn", "ProcessDefinition").objects.order_by("-deployed_at", "-version").first()
    deployed = latest.sources if latest else {}
    # A database that never deployed a decision table is asked of the files this code ships with.
    has_table = any(name.endswith(".dmn") for name in deployed)
    return parser.decision_table(deployed if has_table else parser.read_model_files(), DECISION_ID)


def fill_caps(apps, schema_editor):
    schedules = apps.get_model("workflows", "FeeSchedule").objects.filter(cap__isnull=True).select_related(
        "certificate")
    if not schedules.exists():
        return
    table, script_engine = _table(apps), scripting.make_script_engine()
    for schedule in schedules:
        result = spiff.decide(table, {"assessment_mode": schedule.certificate.assessment_mode}, script_engine)
        schedule.cap = (Decimal(int(result["cap_fen"])) / 100).quantize(Decimal("0.01"))
        schedule.save(update_fields=["cap"])


class Migration(migrations.Migration):
    dependencies = [("workflows", "0020_feeschedule_cap"), ("bpmn", "0008_drop_definition_name")]

    operations = [migrations.RunPython(fill_caps, migrations.RunPython.noop)]
