import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0004_funding_purpose_vocabulary'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='province',
            name='abbreviation',
            field=models.CharField(help_text="the one-character abbreviation (简称) that opens its agreements' numbers, e.g. 鄂", max_length=1, null=True),
        ),
        migrations.AddField(
            model_name='agreement',
            name='number',
            field=models.CharField(help_text='协议编号, e.g. 鄂-X-CLOUD-02-2026-0001', max_length=60, null=True),
        ),
        migrations.AddField(
            model_name='agreement',
            name='province',
            field=models.ForeignKey(help_text="the alliance's: it numbers the agreement", null=True, on_delete=django.db.models.deletion.PROTECT, to='workflows.province'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='year',
            field=models.PositiveSmallIntegerField(help_text='the batch year (Beijing time) it was made in and is valid for', null=True),
        ),
        migrations.AddField(
            model_name='agreement',
            name='sequence',
            field=models.PositiveIntegerField(help_text="its place among the province's agreements of the year", null=True),
        ),
        migrations.AddField(
            model_name='agreement',
            name='alliance_signatory',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreement',
            name='teo_signatory',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
