import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Audit rows get their place in a hash chain; the rows already there are linked by 0006."""

    dependencies = [
        ("bpmn", "0004_english_task_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=50, unique=True)),
                ("length", models.PositiveBigIntegerField(default=0, help_text="rows in the chain")),
                ("head_hash", models.CharField(blank=True, help_text="hash of the chain's last row", max_length=64)),
                ("head_id", models.BigIntegerField(blank=True, help_text="id of the chain's last row", null=True)),
            ],
        ),
        migrations.CreateModel(
            name="AdminChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(help_text="position in its chain, from 1")),
                ("prev_id", models.BigIntegerField(blank=True, help_text="id of the row before it in its chain",
                                                   null=True)),
                ("prev_hash", models.CharField(blank=True, help_text="hash of the row before it in its chain",
                                               max_length=64)),
                ("hash", models.CharField(help_text="SHA-256 of the row's canonical content, prev_hash included",
                                          max_length=64)),
                ("action", models.CharField(choices=[("added", "added"), ("changed", "changed"),
                                                     ("deleted", "deleted")], max_length=10)),
                ("model", models.CharField(help_text="app_label.model_name", max_length=100)),
                ("object_id", models.CharField(max_length=64)),
                ("object_repr", models.CharField(max_length=200)),
                ("changes", models.JSONField(default=dict)),
                ("at", models.DateTimeField()),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["seq"],
                "indexes": [models.Index(fields=["model", "object_id"], name="bpmn_adminc_model_019ac4_idx")],
                "constraints": [models.UniqueConstraint(fields=("seq",), name="uniq_admin_change_seq")],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, help_text="position in its chain, from 1"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_id",
            field=models.BigIntegerField(blank=True, help_text="id of the row before it in its chain", null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, help_text="hash of the row before it in its chain", max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", help_text="SHA-256 of the row's canonical content, prev_hash included",
                                   max_length=64),
            preserve_default=False,
        ),
    ]
