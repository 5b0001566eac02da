"""Open tasks keep the English name of their model element as their label (translated when shown).

Labels stored before the models spoke one language read '中文 English': keep the English half, the
text after the last Chinese character.
"""
import re

from django.db import migrations

LAST_CJK = re.compile(r"^.*[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english_half(label: str) -> str:
    english = LAST_CJK.sub("", label).strip()
    return english or label


def to_english(apps, schema_editor):
    OpenTask = apps.get_model("bpmn", "OpenTask")
    for task in OpenTask.objects.filter(label__regex=r"[\u4e00-\u9fff]").only("pk", "label"):
        english = english_half(task.label)
        if english != task.label:
            OpenTask.objects.filter(pk=task.pk).update(label=english)


class Migration(migrations.Migration):
    dependencies = [("bpmn", "0003_status_labels_in_the_catalogue")]

    operations = [migrations.RunPython(to_english, migrations.RunPython.noop)]
