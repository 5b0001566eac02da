import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0006_fill_agreement_numbers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='province',
            name='abbreviation',
            field=models.CharField(help_text="the one-character abbreviation (简称) that opens its agreements' numbers, e.g. 鄂", max_length=1),
        ),
        migrations.AlterField(
            model_name='agreement',
            name='number',
            field=models.CharField(help_text='协议编号, e.g. 鄂-X-CLOUD-02-2026-0001', max_length=60, unique=True),
        ),
        migrations.AlterField(
            model_name='agreement',
            name='province',
            field=models.ForeignKey(help_text="the alliance's: it numbers the agreement", on_delete=django.db.models.deletion.PROTECT, to='workflows.province'),
        ),
        migrations.AlterField(
            model_name='agreement',
            name='year',
            field=models.PositiveSmallIntegerField(help_text='the batch year (Beijing time) it was made in and is valid for'),
        ),
        migrations.AlterField(
            model_name='agreement',
            name='sequence',
            field=models.PositiveIntegerField(help_text="its place among the province's agreements of the year"),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.UniqueConstraint(fields=('province', 'year', 'sequence'), name='one_sequence_per_province_year'),
        ),
    ]
