"""Who a certificate is issued to: a student record of the sitting's college, never a bare name.

A holder is read from a roster line as the page's textarea sends it (``姓名,学号`` or
``姓名,,身份证后四位``, comma, full-width comma or tab between) or from JSON as an object
(``{"name", "student_no", "id_last_digits"}``), and matched to the college's record by the
student number, or by the name with the last four characters of the national ID. A record found
under another name, or with other ID digits, is refused rather than reused: two students of one
name are two records, and a typo must not hand one's certificate to the other.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from workflows.errors import RuleViolation
from workflows.models import Organization, Student

SEPARATORS = re.compile(r"[,，\t]")
STUDENT_NO = re.compile(rf"[A-Za-z0-9-]{{1,{Student.STUDENT_NO_MAX}}}")
ID_DIGITS = re.compile(r"[0-9]{3}[0-9X]")


@dataclass(frozen=True)
class Holder:
    """A holder as the TEO gave it: the name to print and what identifies the record."""

    name: str
    student_no: str = ""
    id_last_digits: str = ""


def read_holder(entry) -> Holder:
    """Read one holder from a roster line or a JSON object; refuse it without a name or an identifier."""
    if isinstance(entry, str):
        name, student_no, id_digits = ([part.strip() for part in SEPARATORS.split(entry, maxsplit=2)] + ["", ""])[:3]
    elif isinstance(entry, Mapping):
        name, student_no, id_digits = (entry.get(key) for key in ("name", "student_no", "id_last_digits"))
    else:
        name = student_no = id_digits = None
    name = _name(name)
    student_no = _text(student_no, "student_no", name)
    id_digits = _text(id_digits, "id_last_digits", name).upper()
    if not student_no and not id_digits:
        raise RuleViolation("holder_record_required",
                            _("%(name)s: give the student number at the college, or the last 4 characters of the "
                              "national ID with the name; a certificate is issued to a student record, not a "
                              "name."), name=name)
    if student_no and not STUDENT_NO.fullmatch(student_no):
        raise RuleViolation("student_no_malformed",
                            _("The student number of %(name)s is letters, digits and hyphens, at most %(limit)s "
                              "characters: %(given)s"), name=name, limit=Student.STUDENT_NO_MAX, given=student_no[:40])
    if id_digits and not ID_DIGITS.fullmatch(id_digits):
        raise RuleViolation("id_last_digits_malformed",
                            _("The national ID of %(name)s is given by its last 4 characters, digits, the last one "
                              "possibly X: %(given)s"), name=name, given=id_digits[:10])
    return Holder(name, student_no, id_digits)


def read_holders(entries) -> list[Holder]:
    """Read every holder of one issue."""
    if not isinstance(entries, list | tuple) or not entries:
        raise RuleViolation("holders_required", _("List the holders: a name and a student number, or a name and "
                                                  "the last 4 characters of the national ID, per certificate."))
    return [read_holder(entry) for entry in entries]


def _name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation("holder_name_required", _("A holder's name is required: %(name)s"), name=repr(value))
    if len(value.strip()) > Student.NAME_MAX:
        raise RuleViolation("holder_name_too_long", _("A holder's name is longer than 100 characters: %(name)s…"),
                            name=value[:20])
    return value.strip()


def _text(value, field: str, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        rule = "student_no_malformed" if field == "student_no" else "id_last_digits_malformed"
        raise RuleViolation(rule, _("The %(field)s of %(name)s is text: %(given)s"), field=field, name=name,
                            given=repr(value)[:20])
    return value.strip()


def record_for(college: Organization, holder: Holder, *, again: bool = True) -> Student:
    """The college's record of this holder, created when the college has none; refuse one that disagrees.

    Called under the sitting's lock, which does not cover another sitting of the same college: two
    of them may both find no record and both create one. The conditional unique constraints keep
    the second from adding a duplicate; it then reads the record the first committed and matches
    it like any other.
    """
    records = Student.objects.select_for_update().filter(college=college)
    by_number = records.filter(student_no=holder.student_no).first() if holder.student_no else None
    by_id = records.filter(name=holder.name, id_last_digits=holder.id_last_digits).first() \
        if holder.id_last_digits else None
    if by_number is not None and by_number.name != holder.name:
        raise RuleViolation("student_no_other_name",
                            _("Student number %(student_no)s at %(college)s is a student of another name than "
                              "%(name)s."), 409, student_no=holder.student_no, college=college.name, name=holder.name)
    if by_number and by_id and by_number.pk != by_id.pk or _disagrees(by_number, holder) or _disagrees(by_id, holder):
        raise RuleViolation("student_record_mismatch",
                            _("%(name)s's student number and national ID digits belong to different records at "
                              "%(college)s."), 409, name=holder.name, college=college.name)
    record = by_number or by_id
    if record is None:
        try:
            with transaction.atomic():  # a savepoint: the duplicate's error leaves the transaction usable
                return _create(college, holder)
        except IntegrityError:
            if not again:
                raise
            return record_for(college, holder, again=False)
    # What the TEO knows and the record lacks is filled in: later issues match by either.
    record.student_no = record.student_no or holder.student_no
    record.id_last_digits = record.id_last_digits or holder.id_last_digits
    record.save(update_fields=["student_no", "id_last_digits"])
    return record


def _create(college: Organization, holder: Holder) -> Student:
    return Student.objects.create(college=college, name=holder.name, student_no=holder.student_no,
                                  id_last_digits=holder.id_last_digits)


def _disagrees(record: Student | None, holder: Holder) -> bool:
    if record is None:
        return False
    return bool(holder.student_no and record.student_no and record.student_no != holder.student_no) or bool(
        holder.id_last_digits and record.id_last_digits and record.id_last_digits != holder.id_last_digits)
