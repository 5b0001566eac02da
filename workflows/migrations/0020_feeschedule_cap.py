from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflows", "0019_certificate_holder_required")]

    operations = [
        migrations.AddField(
            model_name="feeschedule",
            name="cap",
            field=models.DecimalField(
                decimal_places=2, max_digits=12, null=True,
                help_text="the cap of the certificate's assessment mode that the fee was held against, as the "
                "decision table gave it when the schedule was drawn up"),
        ),
    ]
