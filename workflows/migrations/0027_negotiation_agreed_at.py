from django.db import migrations, models
from django.db.models import Max


def fill_agreed_at(apps, schema_editor):
    """An agreed negotiation's agreement is dated by its last offer: the one accepted or mediated on."""
    Negotiation = apps.get_model("workflows", "Negotiation")
    agreed = Negotiation.objects.filter(agreed_fee__isnull=False, agreed_at__isnull=True)
    for negotiation in agreed.annotate(last_offer=Max("proposals__created_at")).iterator():
        Negotiation.objects.filter(pk=negotiation.pk).update(agreed_at=negotiation.last_offer or negotiation.created_at)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0026_supervision")]

    operations = [
        migrations.AddField(
            model_name="negotiation",
            name="agreed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_agreed_at, migrations.RunPython.noop),
    ]
