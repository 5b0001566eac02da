"""Certificates issued by name before student records get a holder record, without merging two people.

Every student account gets its record at its college, under the name it is shown by (no student
number or ID digits are known yet: the college fills them in). A certificate goes to the record of
the one account of its college shown by its holder's name, which read it before; where two or more
accounts share that name, or none bears it, the certificate gets a record of its own that no account
reads until the college names its student: one person never reads another's certificate.
"""
from django.db import migrations


def _shown_name(person) -> str:
    user = person.user
    full_name = f"{user.first_name} {user.last_name}".strip()
    return (person.name or full_name or user.username).strip()[:100]


def fill_holders(apps, schema_editor):
    Person = apps.get_model("workflows", "Person")
    Student = apps.get_model("workflows", "Student")
    IssuedCertificate = apps.get_model("workflows", "IssuedCertificate")
    by_name: dict[tuple[int, str], list] = {}
    for person in Person.objects.filter(role="student").select_related("user"):
        record = Student.objects.filter(account_id=person.user_id).first() or Student.objects.create(
            college_id=person.organization_id, name=_shown_name(person), account_id=person.user_id)
        by_name.setdefault((record.college_id, record.name), []).append(record)
    for certificate in IssuedCertificate.objects.filter(holder=None).select_related("sitting"):
        records = by_name.get((certificate.sitting.college_id, certificate.holder_name), [])
        holder = records[0] if len(records) == 1 else Student.objects.create(
            college_id=certificate.sitting.college_id, name=certificate.holder_name)
        IssuedCertificate.objects.filter(pk=certificate.pk).update(holder=holder)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0016_student_records")]

    operations = [migrations.RunPython(fill_holders, migrations.RunPython.noop)]
