"""An order still open before fulfilment was 'open'; it is 'ordered' now (not yet dispatched).

One open order per certificate then covers ordered and dispatched ones alike.
"""
from django.db import migrations, models


def ordered(apps, schema_editor):
    apps.get_model("workflows", "PaperCertificateOrder").objects.filter(state="open").update(state="ordered")


def open_again(apps, schema_editor):
    orders = apps.get_model("workflows", "PaperCertificateOrder").objects
    orders.filter(state__in=["ordered", "dispatched"]).update(state="open")


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0009_paper_order_fulfilment"),
    ]

    operations = [
        migrations.RunPython(ordered, open_again),
        migrations.AddConstraint(
            model_name="papercertificateorder",
            constraint=models.UniqueConstraint(condition=models.Q(("state__in", ["ordered", "dispatched"])),
                                               fields=("certificate",), name="one_open_paper_order"),
        ),
    ]
