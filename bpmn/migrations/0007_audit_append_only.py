from django.db import migrations, models

TABLES = ("bpmn_auditentry", "bpmn_adminchange")

# Refuse every UPDATE and DELETE of an audit row, whoever sends it: the application, a console
# or a script. TRUNCATE is left to Django's test flush; verify_audit finds rows gone that way.
CREATE = """
CREATE OR REPLACE FUNCTION bpmn_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加 / audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
""" + "".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION bpmn_audit_append_only();\n"
    for table in TABLES
)
DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS bpmn_audit_append_only();"
)


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE formats with %

    return run


class Migration(migrations.Migration):
    """Every audit row has its place in its chain (one per instance); PostgreSQL refuses changing one."""

    dependencies = [("bpmn", "0006_fill_audit_chains")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(help_text="position in its chain, from 1"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("instance", "seq"), name="uniq_audit_entry_seq"),
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
