"""Files as people upload them, and the objects of each kind they are kept with, for the attachment tests."""
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.workflows import complaint_walk, supervision_records
from tests.workflows.walk import Walk, user
from workflows import services, supervision_process
from workflows.models import Payment

# The first bytes are what counts; the rest is what a scanner or a camera would write after them.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(48) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(118)  # a Windows program's first bytes
CONTENTS = {"agreement": ("协议扫描件.pdf", PDF), "plan": ("考核计划.pdf", PDF), "complaint": ("现场照片.jpg", JPEG),
            "payment": ("付款凭证.png", PNG)}
# Who stands where to each kind's object: the party the file is for, someone who sees the object in a lesser role
# (the lead college's finance office, a college of the plan's province, the TEO complained about, the paying
# college's staff), and someone who does not see it at all.
OWNER = {"agreement": "college_42_1", "plan": "teo_1", "complaint": "college_42_1", "payment": "finance_42_1"}
LESSER = {"agreement": "finance_42_1", "plan": "college_42_1", "complaint": "teo_1", "payment": "college_42_1"}
OUTSIDER = {"agreement": "teo_2", "plan": "teo_2", "complaint": "college_32_1", "payment": "finance_42_2"}
API_PATHS = {"agreement": "agreements", "plan": "assessment-plans", "complaint": "complaints", "payment": "payments"}


def upload(name: str = "协议扫描件.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    """A file as the browser sends it: a name and a type the client chose, and the bytes."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def of_kind(kind: str):
    """An upload of the kind's usual file (a scan, a photograph, a voucher)."""
    name, content = CONTENTS[kind]
    return upload(name, content, "application/octet-stream")


def signed_agreement(walk: Walk):
    walk.through_filing()
    return walk.negotiation.agreements.get()


def due_payment(walk: Walk) -> Payment:
    """The lead college's payment, due once its sitting of 5 is recorded."""
    agreement = signed_agreement(walk)
    lead = walk.negotiation.alliance.lead
    services.record_assessment(user("teo_1"), agreement, lead, 5, services.today())
    return Payment.objects.get(agreement=agreement, college=lead)


def open_complaint(walk: Walk):
    return complaint_walk.lodge(by="college_42_1")


def supervised_plan(walk: Walk):
    """teo_1's September plan for 湖北省, under its supervision of the year (whose trail records the files)."""
    plan, _session, _sent = supervision_records.plan_and_train()
    supervision_process.start_supervision(plan.teo, plan.year)
    return plan


OBJECTS = {"agreement": signed_agreement, "plan": supervised_plan, "complaint": open_complaint,
           "payment": due_payment}


def object_of(kind: str, walk: Walk):
    return OBJECTS[kind](walk)
