from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflows", "0021_fill_feeschedule_cap")]

    operations = [
        migrations.AlterField(
            model_name="feeschedule",
            name="cap",
            field=models.DecimalField(
                decimal_places=2, max_digits=12,
                help_text="the cap of the certificate's assessment mode that the fee was held against, as the "
                "decision table gave it when the schedule was drawn up"),
        ),
    ]
