from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bpmn", "0008_drop_definition_name")]

    operations = [migrations.RenameField("processinstance", "waiting", "last_projected")]
