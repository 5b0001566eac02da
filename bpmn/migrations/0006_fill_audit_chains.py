from django.db import migrations

from bpmn import chain


def fill_audit_chains(apps, schema_editor):
    """Link the audit rows written before chaining: per instance, in the order they were written (id)."""
    using = schema_editor.connection.alias
    AuditEntry = apps.get_model("bpmn", "AuditEntry")
    AuditChain = apps.get_model("bpmn", "AuditChain")
    instance_ids = AuditEntry.objects.using(using).values_list("instance_id", flat=True).distinct()
    for instance_id in sorted(set(instance_ids)):
        rows = list(AuditEntry.objects.using(using).filter(instance_id=instance_id).order_by("pk"))
        prev_id, prev_hash = None, chain.GENESIS
        for seq, row in enumerate(rows, start=1):
            row.seq, row.prev_id, row.prev_hash = seq, prev_id, prev_hash
            row.hash = chain.digest(chain.entry_fields(row))
            prev_id, prev_hash = row.pk, row.hash
        AuditEntry.objects.using(using).bulk_update(rows, ["seq", "prev_id", "prev_hash", "hash"], batch_size=500)
        AuditChain.objects.using(using).create(key=chain.instance_chain(instance_id), length=len(rows),
                                               head_hash=prev_hash, head_id=prev_id)


def unfill(apps, schema_editor):
    apps.get_model("bpmn", "AuditChain").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("bpmn", "0005_audit_chain")]

    operations = [migrations.RunPython(fill_audit_chains, unfill)]
