from django.contrib import admin

from bpmn.admin import AuditedAdmin, ViewOnlyAdmin
from workflows import models
from workflows.caps import cap_for


@admin.register(models.Province)
class ProvinceAdmin(AuditedAdmin):
    list_display = ["code", "name"]


@admin.register(models.Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name"]


@admin.register(models.Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]


@admin.register(models.Certificate)
class CertificateAdmin(AuditedAdmin):
    list_display = ["code", "name", "teo", "assessment_mode", "cap"]
    list_filter = ["assessment_mode"]
    search_fields = ["code", "name"]

    @admin.display(description="上限 Cap (元/人次, from the deployed DMN assessment_fee_cap)")
    def cap(self, certificate) -> str:
        # The caps live in the versioned decision table, not in a row: changing one is a new
        # deployment of bpmn/processes/assessment_fee_cap.dmn, audited like every model change.
        return f"{cap_for(certificate.assessment_mode):.2f}"


@admin.register(models.CostItem)
class CostItemAdmin(AuditedAdmin):
    list_display = ["position", "code", "name_zh", "name_en", "active"]
    list_editable = ["active"]


class ReadOnlyAdmin(ViewOnlyAdmin):
    """Business objects change only through the services (rules, state machines, audit)."""


@admin.register(models.FeeSchedule)
class FeeScheduleAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "fee", "state", "published_at"]


@admin.register(models.Alliance)
class AllianceAdmin(ReadOnlyAdmin):
    list_display = ["name", "lead", "province", "state", "registration_no"]
    list_filter = ["state", "province"]


@admin.register(models.Negotiation)
class NegotiationAdmin(ReadOnlyAdmin):
    list_display = ["alliance", "certificate", "state", "agreed_fee"]
    list_filter = ["state"]


@admin.register(models.Baseline)
class BaselineAdmin(ReadOnlyAdmin):
    list_display = ["province", "certificate", "fee", "cap", "state", "verified_at"]
    list_filter = ["state", "province"]


@admin.register(models.BaselineReview)
class BaselineReviewAdmin(ReadOnlyAdmin):
    """Each division's decision on a baseline (会签), as its task recorded it."""

    list_display = ["baseline", "division", "decision", "reviewer", "decided_at"]
    list_filter = ["division", "decision"]


@admin.register(models.ExpertOpinion)
class ExpertOpinionAdmin(ReadOnlyAdmin):
    """The expert opinions (加签) the divisions asked for, part of each baseline's record."""

    list_display = ["baseline", "division", "expert", "asked_at", "given_at"]
    list_filter = ["division"]


@admin.register(models.Student)
class StudentAdmin(AuditedAdmin):
    """Where the administration links a student's account to their record (学号, or 身份证号后四位 with the name)."""

    list_display = ["name", "student_no", "id_last_digits", "college", "account"]
    list_filter = ["college"]
    search_fields = ["name", "student_no"]
    raw_id_fields = ["account"]


@admin.register(models.SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """The TEOs' public keys; keys are made and rotated by `manage.py certificate_keys`, never here."""

    list_display = ["teo", "key_id", "created_at", "retired_at"]


# --- supervision of TEOs (动态调整): recorded and decided through the services only ---------------


@admin.register(models.Standing)
class StandingAdmin(ReadOnlyAdmin):
    list_display = ["teo", "state", "yellow_card_at", "delisted_at"]
    list_filter = ["state"]


@admin.register(models.AssessmentPlan)
class AssessmentPlanAdmin(ReadOnlyAdmin):
    list_display = ["teo", "province", "year", "month", "sittings", "headcount", "submitted_at"]
    list_filter = ["year", "month", "province"]


@admin.register(models.TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["teo", "province", "starts_on", "ends_on", "teachers_trained"]
    list_filter = ["province"]


@admin.register(models.TeachersSent)
class TeachersSentAdmin(ReadOnlyAdmin):
    list_display = ["college", "session", "teachers", "recorded_at"]


@admin.register(models.ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["teo", "year", "month", "training_sessions", "sittings", "assessed", "certified", "late"]
    list_filter = ["year", "month", "late"]


@admin.register(models.Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["teo", "ground", "state", "lodged_at"]
    list_filter = ["ground", "state"]


@admin.register(models.SupervisionMeasure)
class SupervisionMeasureAdmin(ReadOnlyAdmin):
    list_display = ["teo", "kind", "decided_by", "decided_at", "proposed", "complaint"]
    list_filter = ["kind", "proposed"]


@admin.register(models.Replacement)
class ReplacementAdmin(ReadOnlyAdmin):
    list_display = ["withdrawn", "successor", "decided_by", "decided_at"]


@admin.register(models.Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Files are attached, and read, through the pages and the API only: the admin lists what is kept."""

    list_display = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
