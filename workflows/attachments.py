"""Files kept with a business object (附件): the signed agreement's scan, a TEO's assessment plan, a complaint's
evidence, a payment's voucher.

A file is taken for what its first bytes say it is: a PDF (`%PDF-`), a JPEG (FF D8 FF) or a PNG (its 8-byte
signature). Neither the client's content type nor the name is believed, so a program renamed `协议.pdf` is
refused. A file is at most ATTACHMENT_MAX_BYTES and an object keeps at most ATTACHMENTS_PER_OBJECT; nothing
is stored unless every rule holds. It is stored through Django's storage API (STORAGES["attachments"]) under a
name the system chooses, never a path a client wrote; the name it was uploaded with is kept, made safe, for
showing and for the download. Its SHA-256 and who uploaded it go into the object's audit trail: the
agreement's or the payment's lifecycle (a voucher's entry is its college's, as the payment is), the
complaint's process, the TEO's supervision of the plan's year.

Who sees, reads and attaches is decided in `workflows.permissions` (visible_attachments, reads_attachments,
attaches); this module holds the rules of the file and the one act that keeps one.
"""
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bpmn.models import AuditEntry, ProcessInstance
from workflows import complaints, permissions, supervision_process
from workflows.errors import RuleViolation
from workflows.models import Agreement, Attachment, Payment, attachment_storage
from workflows.services import NOT_YOURS, _visible, act, lifecycle_key

ContentType = Attachment.ContentType
KINDS = Attachment.OBJECTS  # agreement, plan, complaint, payment: the pages' and the API's word for each
# The first bytes of each type the product keeps, as its format's specification puts them.
SIGNATURES = ((b"%PDF-", ContentType.PDF), (b"\xff\xd8\xff", ContentType.JPEG),
              (b"\x89PNG\r\n\x1a\n", ContentType.PNG))
HEAD_BYTES = 8
EXTENSIONS = {ContentType.PDF: (".pdf",), ContentType.JPEG: (".jpg", ".jpeg"), ContentType.PNG: (".png",)}
ACCEPTED = ",".join([*ContentType.values, *(ext for exts in EXTENSIONS.values() for ext in exts)])
# Characters no file name shows: controls, the separators and reserved characters of common file systems, and
# the invisible format characters (a right-to-left override turns 'invoice‮fdp.exe' into 'invoiceexe.pdf').
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
CHUNK = 64 * 1024


class Phrase:
    """A lazy text and its values, rendered in the language active where it is shown (a refusal's object)."""

    def __init__(self, template, **params):
        self.template, self.params = template, params

    def __str__(self) -> str:
        return str(self.template) % {name: str(value) for name, value in self.params.items()}


# --- the file's own rules: pure, no database ------------------------------------------------------


def detected_type(head: bytes) -> str | None:
    """The content type the first bytes say, among those kept; None for anything else."""
    return next((kind.value for signature, kind in SIGNATURES if head.startswith(signature)), None)


def safe_name(raw, content_type: str) -> str:
    """The uploaded name as shown and offered back: its last path part, without what no name should hold,
    at most Attachment.NAME_MAX characters, ending in an extension of the type its content has."""
    text = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in UNSAFE.sub("_", text) if unicodedata.category(c) != "Cf")
    text = " ".join(text.split()).strip(" .")
    stem, dot, extension = text.rpartition(".")
    if not dot or f".{extension.lower()}" not in EXTENSIONS[content_type]:
        stem, extension = text, EXTENSIONS[content_type][0].lstrip(".")
    stem = stem[:Attachment.NAME_MAX - len(extension) - 1].rstrip(" .") or "attachment"
    return f"{stem}.{extension}"


def shown_size(size: int) -> str:
    """A size as people read it: 812 B, 35.2 KB, 10 MB (of 1,024)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def check_size(name: str, size: int, limit: int) -> None:
    """A file holds something, and at most `limit` bytes."""
    if size <= 0:
        raise RuleViolation("attachment_empty", _("%(name)s is empty: a file of 0 bytes holds nothing to keep."),
                            name=name)
    if size > limit:
        raise RuleViolation("attachment_too_large",
                            _("A file is at most %(max)s (%(max_bytes)s bytes); %(name)s has %(size)s bytes."),
                            max=shown_size(limit), max_bytes=f"{limit:,}", name=name, size=f"{size:,}")


def check_type(name: str, head: bytes) -> str:
    """The content type of a file by its first bytes; anything but a PDF, a JPEG or a PNG is refused."""
    found = detected_type(head)
    if found is None:
        raise RuleViolation("attachment_type_refused",
                            _("Only PDF, JPEG and PNG files are accepted, recognised by their first bytes and not "
                              "by their name: %(name)s begins with %(head)s."),
                            name=name, head=" ".join(f"{byte:02X}" for byte in head[:4]) or "—")
    return found


# --- the objects a file is kept with ---------------------------------------------------------------

NOT_FOUND = {"agreement": "agreement_not_found", "plan": "assessment_plan_not_found",
             "complaint": "complaint_not_found", "payment": "payment_not_found"}
WHO_ATTACHES = {
    "agreement": _("Only the alliance's lead or the TEO of the agreement attaches the signed agreement's scan."),
    "plan": _("Only the TEO whose assessment plan it is attaches its document."),
    "complaint": _("Only the complainant adds evidence to a complaint."),
    "payment": _("Only the finance office of the paying college attaches its payment's voucher."),
}
EVIDENCE_READERS = _("A complaint's evidence is read by the complainant's side and the ministry only: it may name "
                     "who complained.")


def target_for(user, kind: str, pk) -> models.Model:
    """The object of `kind` with id `pk` if the user sees it; an unknown kind or an unseen object is a 404."""
    if kind not in KINDS:
        raise RuleViolation("attachment_object_unknown", NOT_YOURS, 404)
    return _visible(permissions.attachment_targets(user)[kind], pk, NOT_FOUND[kind])


def label(kind: str, target) -> Phrase:
    """The object as a refusal names it."""
    if kind == "agreement":
        return Phrase(_("agreement %(number)s"), number=target.number)
    if kind == "plan":
        return Phrase(_("the assessment plan of %(teo)s for %(province)s, %(month)s"), teo=target.teo.name,
                      province=target.province.name, month=f"{target.year}-{target.month:02d}")
    if kind == "complaint":
        return Phrase(_("complaint #%(id)s against %(teo)s"), id=target.pk, teo=target.teo.name)
    return Phrase(_("the payment of %(college)s under %(number)s"), college=target.college.name,
                  number=target.agreement.number)


def trail_of(kind: str, target) -> ProcessInstance | None:
    """The process whose audit trail records the object's files."""
    if kind == "agreement":
        key = lifecycle_key(target.negotiation)
    elif kind == "payment":
        key = lifecycle_key(target.agreement.negotiation)
    elif kind == "complaint":
        key = complaints.complaint_key(target)
    else:
        key = supervision_process.supervision_key(target.teo_id, target.year)
    return ProcessInstance.objects.filter(business_key=key).first()


def closed(kind: str, target) -> RuleViolation | None:
    """Why the object takes no file in its state now, or None when it takes one."""
    if kind == "agreement" and target.state not in (Agreement.State.SIGNED, Agreement.State.FILED):
        return RuleViolation("agreement_scan_after_signing",
                             _("The signed agreement's scan is attached once both parties have signed (now: "
                               "%(state)s)."), 409, state=Agreement.State(target.state).label)
    if kind == "payment" and target.state == Payment.State.AWAITING_ASSESSMENT:
        return RuleViolation("voucher_before_due",
                             _("A voucher is attached to a payment that is due: %(college)s's payment still awaits "
                               "its assessment."), 409, college=target.college.name)
    if kind == "complaint" and target.state in complaints.DECIDED:
        return RuleViolation("complaint_closed_to_evidence",
                             _("Evidence is added while a complaint is open; this one is closed: %(state)s."), 409,
                             state=target.get_state_display())
    if kind == "plan" and trail_of(kind, target) is None:
        # The file's hash is recorded in the supervision's audit trail; the ministry starts it for the year.
        return RuleViolation("plan_supervision_not_started",
                             _("%(teo)s's supervision for %(year)s has not started yet: a plan's document is "
                               "recorded in its audit trail, so attach it once the supervision has started."), 409,
                             teo=target.teo.name, year=target.year)
    return None


def _full(kind: str, target) -> RuleViolation | None:
    kept = Attachment.objects.filter(**{kind: target}).count()
    if kept < settings.ATTACHMENTS_PER_OBJECT:
        return None
    return RuleViolation("attachments_per_object",
                         _("%(count)s files are kept with %(object)s already, the most one object keeps."), 409,
                         object=label(kind, target), count=kept)


# --- reading the upload --------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as received and checked: its safe name, detected type, size and SHA-256."""

    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def read_upload(upload) -> Upload:
    """Check an uploaded file (size, then content) and hash it; nothing is stored here."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload is None or not hasattr(upload, "chunks"):
        raise RuleViolation("attachment_required",
                            _("Choose a file to attach: a PDF, JPEG or PNG of at most %(max)s."),
                            max=shown_size(limit))
    given = str(getattr(upload, "name", "") or "")[:Attachment.NAME_MAX] or "—"
    check_size(given, upload.size or 0, limit)
    upload.seek(0)
    content_type = check_type(given, upload.read(HEAD_BYTES))
    upload.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    check_size(given, size, limit)  # what was read, not what the upload said
    upload.seek(0)
    return Upload(upload, safe_name(given, content_type), content_type, size, digest.hexdigest())


# --- the act ---------------------------------------------------------------------------------------


@act("attach_file")
@transaction.atomic
def attach(actor, kind: str, target, upload) -> Attachment:
    """Keep a file with an object: seen (404), the party it is for (403), a file of the rules (400), an object
    whose state takes one and that keeps fewer than the most (409); then stored, recorded and audited."""
    target = target_for(actor, kind, getattr(target, "pk", target))
    if not permissions.attaches(actor, kind, target):
        raise RuleViolation("actor_not_allowed", WHO_ATTACHES[kind], 403)
    checked = read_upload(upload)
    target = type(target).objects.select_for_update().get(pk=target.pk)  # one count at a time per object
    refusal = closed(kind, target) or _full(kind, target)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    stored = attachment_storage().save(_storage_name(kind, checked.content_type, now), checked.file)
    try:
        attachment = Attachment.objects.create(**{kind: target}, file=stored, original_name=checked.name,
                                               content_type=checked.content_type, size=checked.size,
                                               sha256=checked.sha256, uploaded_by=actor, uploaded_at=now)
        _audit(kind, target, actor, attachment)
    except BaseException:
        attachment_storage().delete(stored)  # nothing kept of a file that was not recorded
        raise
    return attachment


def _storage_name(kind: str, content_type: str, now) -> str:
    """A name nobody chooses: the kind, the month, a random id and the type's extension."""
    return f"{kind}/{now:%Y/%m}/{uuid.uuid4().hex}{EXTENSIONS[content_type][0]}"


def _audit(kind: str, target, actor, attachment: Attachment) -> None:
    data = {"attachment": attachment.pk, "kind": kind, "object": target.pk, "name": attachment.original_name,
            "content_type": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256}
    if kind == "payment":
        data["college"] = target.college_id  # the paying college's entry: other members do not read it
    if kind == "plan":
        data.update(province=target.province.name, month=f"{target.year}-{target.month:02d}")
    instance = trail_of(kind, target)
    if instance is None:
        raise LookupError(f"No process to audit the {kind} {target.pk}'s file in.")
    AuditEntry.objects.create(instance=instance, actor=actor, action="attachment_added", data=data,
                              at=attachment.uploaded_at)


# --- what a person reads -----------------------------------------------------------------------------


@dataclass
class Listing:
    """The files of one object as one person reads them, and whether they may add one now."""

    kind: str
    target: models.Model
    files: list
    count: int
    reads: bool
    attaches: bool
    refusal: RuleViolation | None

    @property
    def limits(self) -> dict:
        return {"size": shown_size(settings.ATTACHMENT_MAX_BYTES), "count": settings.ATTACHMENTS_PER_OBJECT,
                "accept": ACCEPTED}

    @property
    def element_id(self) -> str:
        return f"attachments-{self.kind}-{self.target.pk}"


def listing(user, kind: str, target) -> Listing:
    """The object's files the user reads (none, only their number, for a TEO and a complaint's evidence)."""
    kept = target.attachments.select_related("uploaded_by__person__organization").order_by("uploaded_at", "pk")
    reads = permissions.reads_attachments(user, kind)
    files = list(kept) if reads else []
    attaches = permissions.attaches(user, kind, target)
    refusal = (closed(kind, target) or _full(kind, target)) if attaches else None
    return Listing(kind, target, files, len(files) if reads else kept.count(), reads, attaches, refusal)


def files_of(user, kind: str, pk) -> list[Attachment]:
    """The files of an object the user sees and whose files they read; a 403 where they only see the object."""
    target = target_for(user, kind, pk)
    if not permissions.reads_attachments(user, kind):
        raise RuleViolation("attachment_not_yours", EVIDENCE_READERS, 403)
    return list(target.attachments.select_related("uploaded_by__person__organization").order_by("uploaded_at", "pk"))


def readable(user, pk) -> Attachment:
    """One attachment whose file the user may read: unseen is a 404, seen but not theirs to read a 403."""
    attachment = _visible(permissions.visible_attachments(user), pk, "attachment_not_found",
                          _("No such file, or not yours to see."))
    if not permissions.reads_attachments(user, attachment.kind):
        raise RuleViolation("attachment_not_yours", EVIDENCE_READERS, 403)
    return attachment


def open_file(attachment: Attachment):
    """The stored file, opened for reading through the storage (a disk or a bucket alike)."""
    return attachment_storage().open(attachment.file.name, "rb")
