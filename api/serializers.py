"""JSON shapes of the API. Money is a decimal string ("1234.50"), never a float."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.task_inputs import TaskDataField
from bpmn import names
from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from workflows import inbox, permissions, rounds, services
from workflows.caps import cap_for
from workflows.funding import FundingPurpose, FundingSource
from workflows.models import (
    Agreement,
    Alliance,
    AssessmentSitting,
    Baseline,
    BaselineReview,
    Complaint,
    CostItem,
    ExpertOpinion,
    FeeSchedule,
    Filing,
    FundingAllocation,
    Ground,
    IssuedCertificate,
    MakeUpSitting,
    Membership,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    ParticipationFiling,
    Payment,
    Standing,
    Student,
    SubsidyAllocation,
    SubsidyRound,
    SupervisionMeasure,
)


def _cap(serializer: serializers.Serializer, mode: str) -> str:
    """The mode's cap, asked of the DMN table once per response rather than once per row."""
    caps = serializer.context.setdefault("caps", {})
    if mode not in caps:
        caps[mode] = f"{cap_for(mode):.2f}"
    return caps[mode]


class RefusalSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="the rule that refused, e.g. fee_cap_2357")
    message = serializers.CharField(help_text="the rule's wording with its numbers, in the request's Accept-Language")
    params = serializers.DictField(child=serializers.CharField(), required=False,
                                   help_text="the numbers and names in the message, e.g. {\"cap\": \"300.00\"}")
    fields = serializers.DictField(required=False, help_text="invalid_input: each field's refusals")
    detail = serializers.CharField(required=False, help_text="what the framework said, for support")


def _task_label(task) -> str:
    return names.shown(task.label)


class TaskSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text="the task's name in the request's language (Accept-Language)")
    claimed_by = serializers.CharField(source="claimed_by.username", default=None, read_only=True, allow_null=True,
                                       help_text="who holds it; null while it waits in the group's inbox")
    overdue = serializers.BooleanField(read_only=True)
    negotiation_id = serializers.SerializerMethodField()
    can_act = serializers.SerializerMethodField(help_text="whether the task's lane is mine: I may claim and "
                                                "complete it (a task I only see is answered 403 when I act)")

    class Meta:
        model = OpenTask
        fields = ["task_id", "process_id", "task_name", "label", "role", "organization_id", "claimed_by",
                  "due_at", "overdue", "data", "negotiation_id", "instance", "can_act"]

    def get_label(self, task) -> str:
        return _task_label(task)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_negotiation_id(self, task) -> int | None:
        return inbox.negotiation_id_of(task)

    @extend_schema_field(serializers.BooleanField())
    def get_can_act(self, task) -> bool:
        request = self.context.get("request")
        return request is not None and services.can_act(request.user, task)


class OutcomeSerializer(serializers.Serializer):
    """What completing a task did, and what is open next: not the instance with its audit trail."""

    task_id = serializers.UUIDField(source="task.task_id")
    task_name = serializers.CharField(source="task.task_name")
    label = serializers.SerializerMethodField(help_text="the task's name in the request's language")
    process_id = serializers.CharField(source="task.process_id")
    instance = serializers.IntegerField(source="instance.pk")
    instance_status = serializers.CharField(source="instance.status", help_text="running, or completed")
    decision = serializers.CharField(allow_null=True, help_text="the decision taken, for a task that asks one")
    result = serializers.DictField(help_text="the data the task's action returned, e.g. "
                                   '{"round_outcome": "countered", "turn": "teo", "round_deadline": "..."}')
    next_tasks = serializers.SerializerMethodField(help_text="the lifecycle's open tasks now, those I may see "
                                                   "(can_act: mine to act on)")

    def get_label(self, outcome) -> str:
        return _task_label(outcome.task)

    @extend_schema_field(TaskSerializer(many=True))
    def get_next_tasks(self, outcome) -> list[dict]:
        request = self.context["request"]
        return TaskSerializer(services.lifecycle_tasks(request.user, outcome.instance), many=True,
                              context=self.context).data


class CollegeSerializer(serializers.ModelSerializer):
    province_id = serializers.IntegerField()
    province = serializers.CharField(source="province.name")

    class Meta:
        model = Organization
        fields = ["id", "name", "province_id", "province"]


class CostItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostItem
        fields = ["code", "name_zh", "name_en", "position", "active"]


class CompleteSerializer(serializers.Serializer):
    data = TaskDataField(default=dict, help_text="the task's input of docs/processes.md, e.g. "
                         '{"decision": "counter", "fee": "170.00", "lines": {...}}')


class MembershipSerializer(serializers.ModelSerializer):
    college = serializers.CharField(source="college.name")

    class Meta:
        model = Membership
        fields = ["college_id", "college", "is_lead", "state", "responded_at"]


class AllianceSerializer(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.name")
    province = serializers.CharField(source="province.name")
    members = MembershipSerializer(source="memberships", many=True, read_only=True)
    negotiations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = ["id", "name", "lead_id", "lead", "province", "state", "registration_no", "registered_at",
                  "members", "negotiations"]


class AllianceCreateSerializer(serializers.Serializer):
    certificate_id = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class FeeScheduleSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.code")
    certificate_name = serializers.CharField(source="certificate.name")
    teo = serializers.CharField(source="certificate.teo.name")
    assessment_mode = serializers.CharField(source="certificate.assessment_mode")
    cap = serializers.SerializerMethodField()

    class Meta:
        model = FeeSchedule
        fields = ["id", "certificate_id", "certificate", "certificate_name", "teo", "assessment_mode", "fee", "cap",
                  "lines", "paper_copy_price", "training_plan", "services", "published_at"]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_cap(self, schedule) -> str:
        return _cap(self, schedule.certificate.assessment_mode)


class PublishSerializer(serializers.Serializer):
    certificate_id = serializers.IntegerField()
    fee = serializers.CharField(help_text='yuan as a decimal string, e.g. "180.00"')
    lines = serializers.DictField(child=serializers.CharField(), help_text="cost item code -> amount")
    training_plan = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    services = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    paper_copy_price = serializers.CharField(help_text='a paper copy of a certificate, delivery included: at most '
                                             '"40.00"')


class PaperOrderRequestSerializer(serializers.Serializer):
    """Where to send the paper copy; its price is the TEO's published one, never sent."""

    recipient = serializers.CharField(max_length=PaperCertificateOrder.RECIPIENT_MAX, help_text="收件人")
    phone = serializers.CharField(max_length=PaperCertificateOrder.PHONE_MAX, help_text="联系电话")
    address = serializers.CharField(max_length=PaperCertificateOrder.ADDRESS_MAX, help_text="邮寄地址")


class PaperOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaperCertificateOrder
        fields = ["id", "certificate_id", "price", "state", "recipient", "phone", "address", "ordered_at",
                  "tracking_no", "dispatched_at", "delivered_at", "cancelled_at", "cancel_reason"]


class OwnCertificateSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="sitting.agreement.negotiation.certificate.code")
    student_no = serializers.CharField(source="holder.student_no")
    paper_copy_price = serializers.SerializerMethodField()
    paper_orders = PaperOrderSerializer(many=True, read_only=True)

    class Meta:
        model = IssuedCertificate
        fields = ["id", "certificate", "holder_name", "student_no", "serial_no", "seal", "issued_at",
                  "paper_copy_price", "paper_orders"]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_paper_copy_price(self, certificate) -> str | None:
        price = services.paper_copy_price(certificate)
        return None if price is None else f"{price:.2f}"


class RoundLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    amount = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    delta = serializers.CharField(allow_null=True)


class RoundSerializer(serializers.Serializer):
    round_no = serializers.IntegerField()
    party = serializers.CharField()
    state = serializers.CharField()
    fee = serializers.CharField()
    fee_delta = serializers.CharField(allow_null=True)
    comment = serializers.CharField()
    deadline = serializers.CharField(allow_null=True)
    author = serializers.CharField(allow_null=True)
    lines = RoundLineSerializer(many=True)


class NegotiationSerializer(serializers.ModelSerializer):
    alliance = serializers.CharField(source="alliance.name")
    certificate = serializers.CharField(source="certificate.code")
    teo = serializers.CharField(source="certificate.teo.name")
    cap = serializers.SerializerMethodField()
    rounds = serializers.SerializerMethodField()

    class Meta:
        model = Negotiation
        fields = ["id", "alliance_id", "alliance", "certificate_id", "certificate", "teo", "state", "agreed_fee",
                  "mediated", "training_content", "services", "cap", "rounds", "created_at"]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_cap(self, negotiation) -> str:
        return _cap(self, negotiation.certificate.assessment_mode)

    @extend_schema_field(RoundSerializer(many=True))
    def get_rounds(self, negotiation) -> list[dict]:
        return [rounds.as_dict(r) for r in rounds.history(negotiation)]


class OfferSerializer(serializers.Serializer):
    fee = serializers.CharField(allow_blank=True)
    lines = serializers.DictField(child=serializers.CharField(allow_blank=True), default=dict)


class CapCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    cap = serializers.CharField()


class CapRefusalSerializer(RefusalSerializer):
    """An offer the check refuses names the rule like every refusal, and says the cap it was held to."""

    ok = serializers.BooleanField(required=False, help_text="false: the offer was checked and refused")
    cap = serializers.CharField(required=False, help_text="the cap the offer was checked against")


class BaselineReviewSerializer(serializers.ModelSerializer):
    """One division's decision on the baseline, verified jointly by both."""

    reviewer = serializers.CharField(source="reviewer.username")

    class Meta:
        model = BaselineReview
        fields = ["division", "decision", "reasons", "reviewer", "decided_at"]


class ExpertOpinionSerializer(serializers.ModelSerializer):
    """An expert's opinion a division asked for; `opinion` is empty and `given_at` null until given."""

    asked_by = serializers.CharField(source="asked_by.username")
    expert = serializers.CharField(source="expert.username")

    class Meta:
        model = ExpertOpinion
        fields = ["division", "asked_by", "expert", "question", "opinion", "asked_at", "given_at"]


class BaselineSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.code")
    province = serializers.CharField(source="province.name")
    reviewer = serializers.CharField(source="reviewer.username", default=None, allow_null=True,
                                     help_text="who settled it (the division deciding second); null until decided")
    reviews = BaselineReviewSerializer(many=True, read_only=True,
                                       help_text="each division's decision: joint verification")
    expert_opinions = ExpertOpinionSerializer(many=True, read_only=True,
                                              help_text="the expert opinions the divisions asked for")

    class Meta:
        model = Baseline
        fields = ["id", "province", "certificate", "negotiation_id", "fee", "cap", "state", "reasons",
                  "reviewer", "verified_at", "superseded_by", "reviews", "expert_opinions"]


class SupersedeSerializer(serializers.Serializer):
    reasons = serializers.CharField(allow_blank=True)


class ReopenedSerializer(serializers.Serializer):
    reopened_agreements = serializers.ListField(child=serializers.IntegerField())


class SignatureSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=["alliance", "teo"], help_text="alliance = Party A, teo = Party B")
    name = serializers.CharField(allow_null=True, help_text="who signed; null while unsigned")
    organization = serializers.CharField(help_text="for which organization")
    at = serializers.DateTimeField(allow_null=True)


class AgreementSerializer(serializers.ModelSerializer):
    filing_no = serializers.CharField(source="filing.filing_no", default=None, allow_null=True,
                                      help_text="null until it is filed")
    province = serializers.CharField(source="negotiation.alliance.province.name")
    certificate = serializers.CharField(source="negotiation.certificate.code")
    training_content = serializers.CharField(source="negotiation.training_content",
                                             help_text="the teacher-training content the parties agreed")
    concluded_at = serializers.DateTimeField(allow_null=True, read_only=True,
                                             help_text="the agreement's date: when the second side signed")
    valid_until = serializers.DateField(read_only=True, help_text="the term ends on 31 December of its batch year")
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = ["id", "number", "year", "negotiation_id", "baseline_id", "province", "certificate", "fee",
                  "training_content", "state", "signed_by_alliance_at", "signed_by_teo_at", "signatures",
                  "concluded_at", "valid_until", "filing_no", "created_at"]

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, agreement) -> list[dict]:
        return SignatureSerializer(agreement.signatures(), many=True).data


class FilingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Filing
        fields = ["id", "agreement_id", "filing_no", "state", "supervision_note", "submitted_at"]


class AllocationSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)
    purpose = serializers.ChoiceField(choices=FundingPurpose.choices,
                                      help_text="one of the vocabulary's codes (GET /api/v1/funding-purposes/)")

    class Meta:
        model = FundingAllocation
        fields = ["source", "amount", "purpose"]


class FundingPurposeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=FundingPurpose.choices)
    label = serializers.CharField(help_text="in the request's language (Accept-Language)")
    label_zh = serializers.CharField()
    label_en = serializers.CharField()
    sources = serializers.ListField(child=serializers.ChoiceField(choices=FundingSource.choices),
                                    help_text="the funding sources that may pay for it")
    special_funds_forbidden = serializers.BooleanField(
        help_text="专项资金不得用于此项 / special funds must never pay for it")


class PaymentSerializer(serializers.ModelSerializer):
    college = serializers.CharField(source="college.name")
    headcount = serializers.IntegerField(source="sitting.headcount", default=None, allow_null=True,
                                         help_text="null until the college's sitting is recorded")
    allocations = AllocationSerializer(many=True, read_only=True)
    release_task_id = serializers.SerializerMethodField(
        help_text="its open release task (POST /api/v1/tasks/<id>/complete/ with the funding), or null")

    class Meta:
        model = Payment
        fields = ["id", "agreement_id", "college_id", "college", "headcount", "amount", "state",
                  "released_at", "allocations", "release_task_id"]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_release_task_id(self, payment) -> str | None:
        tasks = self.context.get("release_tasks")
        if tasks is None:
            tasks = services.release_task_ids([payment])
        return tasks.get(payment.pk)


class AllianceTotalsSerializer(serializers.Serializer):
    colleges = serializers.IntegerField(help_text="colleges paying under the agreement, the lead included")
    assessed_colleges = serializers.IntegerField(help_text="of them, those whose sitting is recorded")
    released_colleges = serializers.IntegerField(help_text="of them, those that have paid")
    headcount = serializers.IntegerField(help_text="people assessed in all, make-ups included")
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="computed, not yet released")
    amount_released = serializers.DecimalField(max_digits=12, decimal_places=2)


# The bodies of the sitting acts, as the schema shows them; the service reads what is sent (a
# wrongly typed or missing field is refused with the page's rule, e.g. headcount_not_a_number).
class AssessmentCreateSerializer(serializers.Serializer):
    college_id = serializers.IntegerField(help_text="a member college of the agreement's alliance")
    headcount = serializers.IntegerField(help_text="people assessed, 1 to 100,000")
    held_on = serializers.DateField(help_text="the day it was held: not in the future, not before the filing")


class CorrectionSerializer(serializers.Serializer):
    headcount = serializers.IntegerField(help_text="the corrected headcount of the first sitting, 1 to 100,000")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MakeUpCreateSerializer(serializers.Serializer):
    headcount = serializers.IntegerField(help_text="people assessed at the make-up sitting (补考), 1 to 100,000")
    held_on = serializers.DateField(help_text="not in the future, not before the first sitting")


class MakeUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = MakeUpSitting
        fields = ["id", "headcount", "held_on", "recorded_at"]


class SittingSerializer(serializers.ModelSerializer):
    headcount = serializers.IntegerField(help_text="everyone assessed, make-ups included: the payment's headcount")
    first_headcount = serializers.IntegerField(read_only=True, help_text="assessed at the first sitting")
    makeups = MakeUpSerializer(many=True, read_only=True)
    issued = serializers.SerializerMethodField(help_text="certificates issued so far (at most headcount)")

    class Meta:
        model = AssessmentSitting
        fields = ["id", "agreement_id", "college_id", "headcount", "held_on", "first_headcount", "makeups", "issued"]

    @extend_schema_field(serializers.IntegerField())
    def get_issued(self, sitting) -> int:
        return sitting.issued if hasattr(sitting, "issued") else sitting.certificates.count()


class HolderSerializer(serializers.Serializer):
    """A certificate's holder: a student record of the sitting's college, found or created."""

    name = serializers.CharField(max_length=Student.NAME_MAX, help_text="姓名, as printed on the certificate")
    student_no = serializers.CharField(required=False, allow_blank=True, max_length=Student.STUDENT_NO_MAX,
                                       help_text="学号 at the sitting's college")
    id_last_digits = serializers.CharField(required=False, allow_blank=True, max_length=Student.ID_DIGITS,
                                           help_text="身份证号后四位, with the name, when there is no student number")


class IssueSerializer(serializers.Serializer):
    # Bad holders are the service's to refuse (holders_required, holder_record_required, ...), as on the page.
    holders = HolderSerializer(many=True, help_text="one student per certificate, at most the people assessed who "
                               "have none yet")


class IssuedCertificateSerializer(serializers.ModelSerializer):
    student_no = serializers.CharField(source="holder.student_no")

    class Meta:
        model = IssuedCertificate
        fields = ["id", "holder_name", "student_no", "serial_no", "seal", "issued_at"]


class AuditSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True,
                                  help_text="null for what the process did by itself (a timer, a script)")

    class Meta:
        model = AuditEntry
        fields = ["at", "actor", "action", "task_name", "task_id", "data"]


class ProcessInstanceSerializer(serializers.ModelSerializer):
    process_id = serializers.CharField(source="definition.process_id")
    version = serializers.IntegerField(source="definition.version")
    open_tasks = serializers.SerializerMethodField(help_text="without other colleges' payment releases, for a "
                                                   "college: each reads its own")
    audit = serializers.SerializerMethodField(help_text="without other colleges' payments and sittings, for a college")

    class Meta:
        model = ProcessInstance
        fields = ["id", "process_id", "version", "business_key", "status", "end_event", "revision",
                  "created_at", "completed_at", "open_tasks", "audit"]

    def _own(self, items, college_of) -> list:
        if "college_scope" not in self.context:  # once per response, not once per instance
            request = self.context.get("request")
            self.context["college_scope"] = permissions.college_scope(request.user if request else None)
        return permissions.within_scope(self.context["college_scope"], items, college_of)

    @extend_schema_field(TaskSerializer(many=True))
    def get_open_tasks(self, instance) -> list[dict]:
        return TaskSerializer(self._own(instance.open_tasks.all(), permissions.college_of_task), many=True,
                              context=self.context).data

    @extend_schema_field(AuditSerializer(many=True))
    def get_audit(self, instance) -> list[dict]:
        # Sorted here so a prefetched list (the API's lists) and a fresh one read the same.
        entries = sorted(instance.audit_entries.all(), key=lambda entry: (entry.at, entry.pk))
        return AuditSerializer(self._own(entries, permissions.college_of_entry), many=True).data


class PaperOrderListSerializer(PaperOrderSerializer):
    """A paper order in the TEO's list: which certificate, whose, from which college."""

    serial_no = serializers.CharField(source="certificate.serial_no")
    holder_name = serializers.CharField(source="certificate.holder_name")
    certificate = serializers.CharField(source="certificate.sitting.agreement.negotiation.certificate.code")
    college = serializers.CharField(source="certificate.sitting.college.name")

    class Meta(PaperOrderSerializer.Meta):
        fields = [*PaperOrderSerializer.Meta.fields, "serial_no", "holder_name", "certificate", "college"]


class PaperOrderDispatchSerializer(serializers.Serializer):
    # An empty or over-long number is the service's to refuse (tracking_no_required, _too_long), as on the page.
    tracking_no = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                        help_text="快递单号: the courier's tracking number, at most "
                                        f"{PaperCertificateOrder.TRACKING_NO_MAX} characters")


class TakeOverSerializer(serializers.Serializer):
    reason = serializers.CharField(required=True, allow_blank=True, trim_whitespace=False,
                                   help_text="why the task is taken over from its holder, who is told; required, at "
                                   "most 500 characters")


class PaperOrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="",
                                   help_text="why: required of the TEO, optional for the student; at most "
                                   f"{PaperCertificateOrder.REASON_MAX} characters")


class ParticipationFilingSerializer(serializers.ModelSerializer):
    college_id = serializers.IntegerField(read_only=True)
    college = serializers.CharField(source="college.name")
    certificate_id = serializers.IntegerField(read_only=True)
    province = serializers.CharField(source="college.province.name")
    certificate = serializers.CharField(source="certificate.code")

    class Meta:
        model = ParticipationFiling
        fields = ["id", "college_id", "college", "province", "certificate_id", "certificate", "year",
                  "planned_students", "filed_at"]


class ParticipationCreateSerializer(serializers.Serializer):
    """A college's filing (院校试点备案): recorded at once, never approved; the college is the caller's own."""

    certificate_id = serializers.IntegerField()
    year = serializers.IntegerField(help_text="the pilot year filed for, from 2019 to next year")
    planned_students = serializers.IntegerField(help_text="a whole number from 1 to 100,000")


class ParticipationTotalsSerializer(serializers.Serializer):
    province_id = serializers.IntegerField()
    province = serializers.CharField()
    certificate_id = serializers.IntegerField()
    certificate = serializers.CharField()
    certificate_name = serializers.CharField()
    year = serializers.IntegerField()
    colleges = serializers.IntegerField(help_text="colleges that filed")
    planned = serializers.IntegerField(help_text="planned students, summed")
    assessed = serializers.IntegerField(help_text="students assessed so far under the province's agreements of "
                                        "the certificate and year: progress against the plans")


# --- complaints against a TEO (投诉) and the measures decided -----------------------------------


class ComplaintMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionMeasure
        fields = ["id", "kind", "reasons", "decided_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as its reader may see it: the TEO it is against reads it without who lodged it."""

    teo_id = serializers.IntegerField(read_only=True)
    teo = serializers.CharField(source="teo.name")
    certificate = serializers.CharField(source="certificate.code", allow_null=True, default=None)
    lodged_by = serializers.SerializerMethodField(help_text="who lodged it: null for the TEO complained about")
    measures = ComplaintMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "teo_id", "teo", "certificate", "ground", "account", "evidence", "lodged_at", "lodged_by",
                  "state", "findings", "measures"]

    def get_lodged_by(self, complaint) -> str | None:
        request = self.context.get("request")
        if request is None or not permissions.sees_complainant(request.user):
            return None
        return permissions.display_name(complaint.lodged_by)


class ComplaintCreateSerializer(serializers.Serializer):
    """A complaint by a pilot college, a province or a student; the ministry investigates it. No other key is taken."""

    teo_id = serializers.IntegerField(help_text="the training evaluation organization complained about")
    ground = serializers.ChoiceField(choices=Ground.choices)
    account = serializers.CharField(help_text="what happened: required, at most 5000 characters")
    evidence = serializers.ListField(child=serializers.CharField(), help_text="1 to 10 texts of at most 500 "
                                     "characters each: a document number, a link, what a witness said")
    certificate_id = serializers.IntegerField(required=False, allow_null=True,
                                              help_text="the TEO's certificate concerned, if one")


class PublicMeasureSerializer(serializers.ModelSerializer):
    """A measure as the public supervision page shows it: never who complained."""

    teo_id = serializers.IntegerField(read_only=True)
    teo = serializers.CharField(source="teo.name")
    teo_standing = serializers.SerializerMethodField(help_text="active, yellow_card or delisted")
    complaint_ground = serializers.CharField(source="complaint.ground", allow_null=True, default=None,
                                             help_text="the ground of the complaint it was decided on, if any")
    complaint_findings = serializers.CharField(source="complaint.findings", allow_null=True, default=None)

    class Meta:
        model = SupervisionMeasure
        fields = ["id", "teo_id", "teo", "teo_standing", "kind", "reasons", "decided_at", "proposed",
                  "complaint_ground", "complaint_findings"]

    def get_teo_standing(self, measure) -> str:
        standing = getattr(measure.teo, "standing", None)
        return standing.state if standing is not None else Standing.State.ACTIVE


# --- provincial allocation of subsidy funds (补助资金分配) ----------------------------------------


class SubsidyAllocationSerializer(serializers.ModelSerializer):
    """One college's share of a round: computed by the factors, and as the province set it with its reasons."""

    college_id = serializers.IntegerField(read_only=True)
    college = serializers.CharField(source="college.name")
    round_id = serializers.IntegerField(read_only=True)
    figures = serializers.DictField(child=serializers.IntegerField(), help_text="factor -> the college's figure")
    computed = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = SubsidyAllocation
        fields = ["id", "round_id", "college_id", "college", "figures", "computed", "amount", "reasons",
                  "adjusted_at"]


class SubsidyRoundSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    weights = serializers.DictField(child=serializers.IntegerField(), help_text="factor -> weight in percent")
    allocations = serializers.SerializerMethodField()

    class Meta:
        model = SubsidyRound
        fields = ["id", "province", "year", "title", "total", "weights", "state", "created_at", "released_at",
                  "allocations"]

    @extend_schema_field(SubsidyAllocationSerializer(many=True))
    def get_allocations(self, subsidy) -> list:
        # Prefetched by the view as the user may see them: a college its own share, the province every college's.
        return SubsidyAllocationSerializer(subsidy.shown, many=True).data


class SubsidyRoundCreateSerializer(serializers.Serializer):
    """A province's finance division opens a round; the split is computed from the factors weighed."""

    year = serializers.IntegerField(help_text="the pilot year whose figures the factors read")
    title = serializers.CharField(help_text="1 to 200 characters: the document the round follows")
    total = serializers.CharField(help_text="the subsidy amount in yuan, a decimal string such as \"100000.00\"")
    weights = serializers.DictField(child=serializers.IntegerField(), help_text="factor (filed_students, "
                                    "people_assessed, certificates_issued, equal_share) -> whole percent, "
                                    "together 100")


class SubsidyAdjustSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="the college's amount in yuan, a decimal string")
    reasons = serializers.CharField(required=False, allow_blank=True,
                                    help_text="required when the amount differs from the computed one")


class SubsidyPerformanceSerializer(serializers.Serializer):
    """A college's grants in released rounds of the year and what it paid since, by funding source (绩效考评)."""

    college_id = serializers.IntegerField(source="pk")
    college = serializers.CharField(source="name")
    province = serializers.CharField(source="province_name")
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    fiscal = serializers.DecimalField(max_digits=14, decimal_places=2)
    social = serializers.DecimalField(max_digits=14, decimal_places=2)
    own = serializers.DecimalField(max_digits=14, decimal_places=2)
    special = serializers.DecimalField(max_digits=14, decimal_places=2)
    public = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="fiscal and special funds paid")
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="granted less public funds paid")
