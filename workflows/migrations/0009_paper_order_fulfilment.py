"""Paper orders are dispatched with a tracking number, delivered or cancelled; who did each and when."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0008_choice_labels_in_the_catalogue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='papercertificateorder',
            name='one_open_paper_order',
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='delivered_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='delivered_by',
            field=models.ForeignKey(blank=True, help_text='the student confirming receipt, or the TEO', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='dispatched_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='dispatched_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='papercertificateorder',
            name='tracking_no',
            field=models.CharField(blank=True, help_text="the courier's tracking number", max_length=40),
        ),
        migrations.AlterField(
            model_name='papercertificateorder',
            name='state',
            field=django_fsm.FSMField(choices=[('ordered', 'Ordered'), ('dispatched', 'Dispatched'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='ordered', max_length=50, protected=True),
        ),
    ]
