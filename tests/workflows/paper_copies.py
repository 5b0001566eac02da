"""Paper orders to fulfil: two certificates of one Hubei sitting, one student each, the first one ordered."""
from django.contrib.auth import get_user_model

from tests.workflows.walk import DELIVERY, college, user
from workflows import services
from workflows.models import IssuedCertificate, PaperCertificateOrder, Person, Role, Student

TRACKING_NO = "SF1234567890"
# Holders as a TEO lists them: name and student number at the college (the demo student's, and 王五's).
LI_MING = "李明,2023010001"
WANG_WU = "王五,2023010099"


def issue_two(walk) -> tuple[IssuedCertificate, IssuedCertificate]:
    """李明's certificate (the demo student's) and 王五's, issued by teo_1 at college_42_1's sitting."""
    sitting = services.record_assessment(user("teo_1"), walk.negotiation.agreements.get(), college("college_42_1"),
                                         2, services.today())
    mine, theirs = services.issue_certificates(user("teo_1"), sitting, [LI_MING, WANG_WU])
    return mine, theirs


def second_student():
    """王五, a student of the same college: the holder of the other certificate, by his record."""
    account = get_user_model().objects.create_user("student_2", password="demo12345", first_name="王五")
    Person.objects.create(user=account, organization=college("college_42_1"), role=Role.STUDENT)
    Student.objects.update_or_create(college=college("college_42_1"), student_no="2023010099",
                                     defaults={"name": "王五", "account": account})
    return account


def ordered(certificate, student=None) -> PaperCertificateOrder:
    return services.order_paper_certificate(student or user("student"), certificate, *DELIVERY.values())
