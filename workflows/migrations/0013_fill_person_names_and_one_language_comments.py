"""People already there are named by their account's full name, where it has one (the student's 李明);
the comments the product wrote beside its own rounds, once '中文 English', keep their English (shown
translated)."""
from django.db import migrations

COMMENTS = {"公示收费标准 Published fee schedule": "Published fee schedule",
            "省厅调解结果 Mediated by the province": "Mediated by the province"}


def fill_names(apps, schema_editor):
    Person = apps.get_model("workflows", "Person")
    for person in Person.objects.filter(name="").select_related("user"):
        full_name = f"{person.user.first_name} {person.user.last_name}".strip()
        if full_name:
            Person.objects.filter(pk=person.pk).update(name=full_name[:100])


def one_language_comments(apps, schema_editor):
    FeeProposal = apps.get_model("workflows", "FeeProposal")
    for bilingual, english in COMMENTS.items():
        FeeProposal.objects.filter(comment=bilingual).update(comment=english)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0012_person_name")]

    operations = [
        migrations.RunPython(fill_names, migrations.RunPython.noop),
        migrations.RunPython(one_language_comments, migrations.RunPython.noop),
    ]
