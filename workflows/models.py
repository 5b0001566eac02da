"""The negotiation domain: reference data and the business objects with protected state machines.

No state field is ever assigned: every change goes through a `@transition`, whose conditions
call the rules in `workflows.rules` and refuse with the rule's wording.
"""
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from workflows import rules
from workflows.errors import RuleViolation
from workflows.funding import FundingPurpose, FundingSource
from workflows.roles import AssessmentMode, Role

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- reference data ----------------------------------------------------------------------


class Province(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=50)
    abbreviation = models.CharField(
        max_length=1, help_text="the one-character abbreviation (简称) that opens its agreements' numbers, e.g. 鄂")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        COLLEGE = "college", _("Pilot college")
        TEO = "teo", _("TEO")
        EDUCATION_DEPT = "education_dept", _("Provincial education department")
        PROVINCIAL_INSTITUTION = "provincial_institution", _("Provincial pilot institution")
        MINISTRY = "ministry", _("Ministry")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        indexes = [models.Index(fields=["kind", "province"])]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A user's organization and role: what the lanes and permissions are checked against."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100, blank=True,
                            help_text=_("the person's name as others read it, never the user name"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"


class Certificate(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    teo = models.ForeignKey(
        Organization, on_delete=models.PROTECT, limit_choices_to={"kind": "teo"}
    )
    assessment_mode = models.CharField(max_length=30, choices=AssessmentMode.choices)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CostItem(models.Model):
    """One of the cost items of an assessment fee; data, not code."""

    code = models.CharField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=50)
    name_en = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en}"


# --- fee schedules (公示) ----------------------------------------------------------------


class FeeSchedule(FSMModelMixin, models.Model):
    """A TEO's published training plan and fee standard for one certificate (提前公示)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", pgettext_lazy("feeschedule state", "Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="schedules")
    fee = models.DecimalField(**MONEY)
    cap = models.DecimalField(help_text="the cap of the certificate's assessment mode that the fee was held "
                              "against, as the decision table gave it when the schedule was drawn up", **MONEY)
    training_plan = models.TextField(blank=True)
    services = models.JSONField(default=list)
    lines = models.JSONField(default=dict, help_text="cost item code -> amount (string yuan)")
    paper_copy_price = models.DecimalField(
        null=True, blank=True, help_text="what a student pays for a paper copy of a certificate, delivery "
        "included (≤ 40.00); empty on schedules published before it was asked", **MONEY)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"], condition=Q(state="published"), name="one_published_schedule"
            ),
            models.CheckConstraint(
                condition=Q(paper_copy_price__isnull=True)
                | Q(paper_copy_price__gte=Decimal("0.00"), paper_copy_price__lte=Decimal("40.00")),
                name="paper_copy_price_max_40",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.fee}"

    def _lines_and_cap_hold(self) -> bool:
        rules.check_fee_cap(self.certificate.assessment_mode, self.fee, self.cap)
        rules.check_lines_sum(self.fee, [Decimal(v) for v in self.lines.values()])
        return True

    def _paper_copy_priced(self) -> bool:
        # A student's paper copy is priced in advance like the fee, never typed by the student.
        if self.paper_copy_price is None:
            raise RuleViolation("paper_copy_price_required",
                                _("Publish the price of a paper copy, delivery included."))
        rules.check_paper_certificate_price(self.paper_copy_price)
        return True

    @transition(field=state, source=State.DRAFT, target=State.PUBLISHED,
                conditions=[_lines_and_cap_hold, _paper_copy_priced])
    def publish(self, at):
        self.published_at = at

    @transition(field=state, source=State.PUBLISHED, target=State.WITHDRAWN)
    def withdraw(self):
        pass


# --- alliance (组建联盟) ------------------------------------------------------------------


class Alliance(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        FORMING = "forming", _("Forming")
        FORMED = "formed", _("Registered")
        DISSOLVED = "dissolved", _("Not formed")

    name = models.CharField(max_length=200)
    lead = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="led_alliances")
    province = models.ForeignKey(Province, on_delete=models.PROTECT)
    state = FSMField(default=State.FORMING, choices=State.choices, protected=True)
    registration_no = models.CharField(max_length=40, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def accepted_members(self):
        return self.memberships.filter(state=Membership.State.ACCEPTED)

    def _enough_members(self) -> bool:
        # The number is the gateway's own (`accepted_count >= N` in alliance_formation.bpmn), read
        # from the model the alliance's lifecycle runs on; the lead counts, as count_accepted does.
        from workflows.formation import minimum_for_alliance

        minimum, count = minimum_for_alliance(self), self.accepted_members().count()
        if count < minimum and self.lead.kind == Organization.Kind.PROVINCIAL_INSTITUTION:
            raise RuleViolation(
                "alliance_min_members",
                _("%(lead)s negotiates for at least %(minimum)s accepting pilot colleges; %(count)s have accepted."),
                lead=self.lead.name, minimum=minimum, count=count,
            )
        if count < minimum:
            raise RuleViolation(
                "alliance_min_members",
                _("An alliance needs at least %(minimum)s accepting colleges, the lead included; it has %(count)s."),
                minimum=minimum, count=count,
            )
        return True

    @transition(field=state, source=State.FORMING, target=State.FORMED, conditions=[_enough_members])
    def register(self, registration_no: str, at):
        # 备案不是审批: registration is a filing, so the only condition is the model's own minimum.
        self.registration_no = registration_no
        self.registered_at = at

    @transition(field=state, source=State.FORMING, target=State.DISSOLVED)
    def dissolve(self):
        pass


class Membership(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    is_lead = models.BooleanField(default=False)
    state = FSMField(default=State.INVITED, choices=State.choices, protected=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alliance", "college"], name="one_membership_per_college")
        ]

    def __str__(self) -> str:
        return f"{self.college} in {self.alliance}"

    @transition(field=state, source=State.INVITED, target=State.ACCEPTED)
    def accept(self, at):
        self.responded_at = at

    @transition(field=state, source=State.INVITED, target=State.DECLINED)
    def decline(self, at):
        self.responded_at = at

    @transition(field=state, source=State.INVITED, target=State.EXPIRED)
    def expire(self):
        pass


# --- negotiation (协商、谈判) --------------------------------------------------------------


class Negotiation(FSMModelMixin, models.Model):
    """One alliance negotiating one certificate's fee with its TEO: the lifecycle's anchor."""

    class State(models.TextChoices):
        AWAITING_ALLIANCE = "awaiting_alliance", _("Awaiting alliance")
        SCREENING = "screening", _("Screening services")
        NEGOTIATING = "negotiating", _("Negotiating")
        MEDIATION = "mediation", _("In mediation")
        AGREED = "agreed", _("Agreed")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned")
        NOT_VERIFIED = "not_verified", _("Not verified")

    ACTIVE = [State.AWAITING_ALLIANCE, State.SCREENING, State.NEGOTIATING, State.MEDIATION, State.AGREED]

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="negotiations")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="negotiations")
    schedule = models.ForeignKey(FeeSchedule, on_delete=models.PROTECT)
    state = FSMField(default=State.AWAITING_ALLIANCE, choices=State.choices, protected=True)
    training_content = models.TextField(blank=True)
    services = models.JSONField(default=list)
    agreed_fee = models.DecimalField(null=True, blank=True, **MONEY)
    mediated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the fee was last agreed (协商一致): the dashboards' time from first offer to agreement.
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "certificate"],
                condition=Q(state__in=["awaiting_alliance", "screening", "negotiating", "mediation", "agreed"]),
                name="one_active_negotiation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.alliance} × {self.certificate}"

    @property
    def teo(self) -> Organization:
        return self.certificate.teo

    @property
    def province(self) -> Province:
        return self.alliance.province

    def open_proposal(self):
        return self.proposals.filter(state=FeeProposal.State.OPEN).order_by("-round_no").first()

    @transition(field=state, source=[State.AWAITING_ALLIANCE, State.NEGOTIATING], target=State.SCREENING)
    def begin_screening(self):
        pass

    @transition(field=state, source=State.SCREENING, target=State.NEGOTIATING)
    def open_rounds(self, training_content: str, services: list):
        self.training_content = training_content
        self.services = services

    @transition(field=state, source=[State.NEGOTIATING, State.MEDIATION], target=State.AGREED)
    def agree(self, fee: Decimal, mediated: bool = False):
        self.agreed_fee = fee
        self.mediated = mediated
        self.agreed_at = timezone.now()

    @transition(field=state, source=State.NEGOTIATING, target=State.MEDIATION)
    def escalate(self):
        pass

    @transition(field=state, source=State.MEDIATION, target=State.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=State.AGREED, target=State.NEGOTIATING)
    def reopen(self):
        self.agreed_fee = None
        self.agreed_at = None

    @transition(field=state, source=[State.AWAITING_ALLIANCE, State.AGREED], target=State.ABANDONED)
    def abandon(self):
        pass

    # Rejected or over the cap, the negotiation is still agreed; returned a last time, it was re-opened.
    @transition(field=state, source=[State.AGREED, State.NEGOTIATING], target=State.NOT_VERIFIED)
    def close_unverified(self):
        pass


class FeeProposal(FSMModelMixin, models.Model):
    """One round's offer, with a cost line per cost item."""

    class Party(models.TextChoices):
        TEO = "teo", _("TEO")
        ALLIANCE = "alliance", pgettext_lazy("feeproposal party", "Alliance")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("feeproposal state", "Open")
        ACCEPTED = "accepted", _("Accepted")
        COUNTERED = "countered", _("Countered")
        REJECTED = "rejected", pgettext_lazy("feeproposal state", "Rejected")
        EXPIRED = "expired", _("Expired")

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="proposals")
    round_no = models.PositiveIntegerField()
    party = models.CharField(max_length=10, choices=Party.choices)
    fee = models.DecimalField(**MONEY)
    lines = models.JSONField(help_text="cost item code -> amount (string yuan)")
    comment = models.TextField(blank=True)
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)
    deadline = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round_no"]
        constraints = [
            models.UniqueConstraint(fields=["negotiation", "round_no"], name="one_proposal_per_round"),
            models.UniqueConstraint(
                fields=["negotiation"], condition=Q(state="open"), name="one_open_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"round {self.round_no}: {self.fee}"

    @transition(field=state, source=State.OPEN, target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.COUNTERED)
    def counter(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.EXPIRED)
    def expire(self):
        pass


# --- provincial verification (省厅核定) --------------------------------------------------


class Baseline(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", pgettext_lazy("baseline state", "Verified")
        RETURNED = "returned", _("Returned")
        REJECTED = "rejected", pgettext_lazy("baseline state", "Rejected")
        SUPERSEDED = "superseded", _("Superseded")
        ADOPTED = "adopted", _("Adopted the province's baseline")

    province = models.ForeignKey(Province, on_delete=models.PROTECT)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT)
    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="baselines")
    fee = models.DecimalField(**MONEY)
    cap = models.DecimalField(**MONEY)
    state = FSMField(default=State.PENDING, choices=State.choices, protected=True)
    reasons = models.TextField(blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    verified_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["province", "certificate"],
                condition=Q(state="verified"),
                name="one_verified_baseline_per_province",
            )
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.certificate} {self.fee}"

    def verified_in_province(self):
        return Baseline.objects.filter(
            province=self.province, certificate=self.certificate, state=self.State.VERIFIED
        ).exclude(pk=self.pk).first()

    def _within_cap(self) -> bool:
        rules.check_fee_cap(self.certificate.assessment_mode, self.fee, self.cap)
        return True

    def _one_standard(self) -> bool:
        existing = self.verified_in_province()
        rules.check_uniformity(
            self.province.name, self.certificate.name, existing.fee if existing else None, self.fee
        )
        return True

    @transition(field=state, source=State.PENDING, target=State.VERIFIED, conditions=[_within_cap, _one_standard])
    def verify(self, reviewer, at):
        self.reviewer = reviewer
        self.verified_at = at

    def _matches_verified(self) -> bool:
        existing = self.verified_in_province()
        if existing is None or existing.fee != self.fee:
            raise RuleViolation(
                "one_standard_per_province",
                _("Only an identical verified baseline can be adopted."),
                409,
            )
        return True

    @transition(field=state, source=State.PENDING, target=State.ADOPTED, conditions=[_matches_verified])
    def adopt(self, reviewer, at):
        # 同一证书在同一省域内标准统一: a second alliance agreeing the same fee joins the one
        # verified baseline instead of adding a second row.
        self.reviewer = reviewer
        self.verified_at = at

    @transition(field=state, source=State.PENDING, target=State.RETURNED)
    def return_for_revision(self, reviewer, reasons: str):
        self.reviewer = reviewer
        self.reasons = reasons

    @transition(field=state, source=State.PENDING, target=State.REJECTED)
    def reject(self, reviewer, reasons: str):
        self.reviewer = reviewer
        self.reasons = reasons

    @transition(field=state, source=State.VERIFIED, target=State.SUPERSEDED)
    def supersede(self, reasons: str):
        self.reasons = reasons


class Division(models.TextChoices):
    """The division of the provincial department that reviews a baseline (会签: both do)."""

    VOCATIONAL = "vocational", _("Vocational education division")
    FINANCE = "finance", _("Finance division")


class BaselineReview(models.Model):
    """One division's decision on a pending baseline; the baseline is decided once both divisions have."""

    class Decision(models.TextChoices):
        VERIFY = "verify", pgettext_lazy("review decision", "Verify")
        RETURN = "return", _("Return for renegotiation")
        REJECT = "reject", _("Refuse to verify")

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="reviews")
    division = models.CharField(max_length=20, choices=Division.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.TextField(blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["baseline", "division"], name="one_review_per_division")]

    def __str__(self) -> str:
        return f"{self.baseline} {self.division}: {self.decision}"


class ExpertOpinion(models.Model):
    """An expert's opinion (加签) that a division asked for before deciding: part of the baseline's record."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="expert_opinions")
    division = models.CharField(max_length=20, choices=Division.choices)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    opinion = models.TextField(blank=True)
    asked_at = models.DateTimeField()
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.baseline} {self.division}: {self.expert}"


# --- agreement (签署协议) and filing (备案) ------------------------------------------------


class AgreementManager(models.Manager):
    def create_numbered(self, negotiation: Negotiation, baseline: Baseline, fee: Decimal, at=None) -> "Agreement":
        """Create an agreement with the next formal number of its province and batch year.

        The province's row is locked first, so two agreements of one province never take the
        same sequence (on SQLite the write transaction is exclusive already); a unique
        (province, year, sequence) is the schema's guard behind it.
        """
        province = Province.objects.select_for_update().get(pk=negotiation.alliance.province_id)
        year = timezone.localtime(at or timezone.now(), ZoneInfo(settings.DISPLAY_TIME_ZONE)).year
        last = self.filter(province=province, year=year).aggregate(models.Max("sequence"))
        sequence = (last["sequence__max"] or 0) + 1
        number = rules.agreement_number(province.abbreviation, negotiation.certificate.code, year, sequence)
        return self.create(negotiation=negotiation, baseline=baseline, fee=fee, province=province, year=year,
                           sequence=sequence, number=number)


class Agreement(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
        SIGNED = "signed", _("Signed")
        FILED = "filed", _("Filed")
        REOPENED = "reopened", _("Re-opened")

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="agreements")
    baseline = models.ForeignKey(Baseline, on_delete=models.PROTECT, related_name="agreements")
    number = models.CharField(max_length=60, unique=True, help_text="协议编号, e.g. 鄂-X-CLOUD-02-2026-0001")
    province = models.ForeignKey(Province, on_delete=models.PROTECT,
                                 help_text="the alliance's: it numbers the agreement")
    year = models.PositiveSmallIntegerField(help_text="the batch year (Beijing time) it was made in and is valid for")
    sequence = models.PositiveIntegerField(help_text="its place among the province's agreements of the year")
    fee = models.DecimalField(**MONEY)
    state = FSMField(default=State.AWAITING_SIGNATURES, choices=State.choices, protected=True)
    signed_by_alliance_at = models.DateTimeField(null=True, blank=True)
    signed_by_teo_at = models.DateTimeField(null=True, blank=True)
    alliance_signatory = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    teo_signatory = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "sequence"], name="one_sequence_per_province_year")
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def concluded_at(self):
        """When the second side signed: the agreement's date."""
        if not self._both_signed():
            return None
        return max(self.signed_by_alliance_at, self.signed_by_teo_at)

    @property
    def valid_until(self):
        """The last day of its term: the agreement is valid for its batch year."""
        return rules.term_end(self.year)

    def signatures(self) -> list[dict]:
        """Who signed for the alliance (Party A) and for the TEO (Party B), for which organization, when."""
        sides = (("alliance", self.negotiation.alliance.lead), ("teo", self.negotiation.certificate.teo))
        return [self._signature(party, organization) for party, organization in sides]

    def _signature(self, party: str, side: Organization) -> dict:
        from workflows.permissions import display_name

        signatory = getattr(self, f"{party}_signatory")
        person = getattr(signatory, "person", None) if signatory else None
        return {"party": party, "at": getattr(self, f"signed_by_{party}_at"),
                "name": display_name(signatory) or None,
                "organization": person.organization if person else side}

    def _both_signed(self) -> bool:
        return bool(self.signed_by_alliance_at and self.signed_by_teo_at)

    def record_signature(self, party: str, at, signatory=None) -> None:
        """Note one side's signature and who gave it; the transition to SIGNED needs both."""
        if self.state != self.State.AWAITING_SIGNATURES:
            raise RuleViolation(
                "agreement_not_signable",
                _("The agreement cannot be signed in its state: %(state)s."),
                status=409,
                state=self.State(self.state).label,
            )
        setattr(self, f"signed_by_{party}_at", at)
        setattr(self, f"{party}_signatory", signatory)

    @transition(field=state, source=State.AWAITING_SIGNATURES, target=State.SIGNED, conditions=[_both_signed])
    def complete_signing(self):
        pass

    @transition(field=state, source=State.SIGNED, target=State.FILED)
    def file(self):
        pass

    @transition(field=state, source=State.FILED, target=State.REOPENED)
    def reopen(self, baseline):
        # Only a filed agreement re-opens: one still being signed or filed has open tasks in its
        # lifecycle on the old terms, and its renewal would sign twice (services refuse first).
        self.baseline = baseline

    @transition(field=state, source=State.REOPENED, target=State.AWAITING_SIGNATURES)
    def renew(self, baseline: Baseline):
        """Put the new verified terms on the table: both sides sign again."""
        self.baseline = baseline
        self.fee = baseline.fee
        self.signed_by_alliance_at = None
        self.signed_by_teo_at = None
        self.alliance_signatory = None
        self.teo_signatory = None


class Filing(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("filing state", "Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        UNDER_SUPERVISION = "under_supervision", _("Under supervision")

    agreement = models.OneToOneField(Agreement, on_delete=models.PROTECT, related_name="filing")
    filing_no = models.CharField(max_length=40)
    state = FSMField(default=State.SUBMITTED, choices=State.choices, protected=True)
    supervision_note = models.TextField(blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filing_no

    @transition(field=state, source=State.SUBMITTED, target=State.ACKNOWLEDGED)
    def acknowledge(self, reviewer):
        self.acknowledged_by = reviewer

    @transition(field=state, source=[State.SUBMITTED, State.ACKNOWLEDGED], target=State.UNDER_SUPERVISION)
    def flag(self, reviewer, note: str = ""):
        self.acknowledged_by = reviewer
        self.supervision_note = note

    @transition(field=state, source=[State.ACKNOWLEDGED, State.UNDER_SUPERVISION], target=State.SUBMITTED)
    def resubmit(self):
        # A renewed agreement is filed again under the same filing number; notes so far are kept.
        self.acknowledged_by = None


# --- assessment, certificates and payment (由院校拨付) -------------------------------------


class AssessmentSitting(models.Model):
    """A college's assessment under an agreement: the 'assessment held' message, sent once.

    Make-up sittings (补考) of the college add to it rather than standing beside it, so the one
    payment of the college and agreement is computed on everyone assessed, and the message its
    payment waits for is sent once.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="sittings")
    college = models.ForeignKey(Organization, on_delete=models.PROTECT)
    headcount = models.PositiveIntegerField(
        help_text="people assessed, make-up sittings included: what the payment is computed on and "
        "the certificates are bounded by")
    held_on = models.DateField(help_text="the date of the first sitting")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "college"], name="one_sitting_per_college")
        ]

    def __str__(self) -> str:
        return f"{self.college} {self.held_on} × {self.headcount}"

    @property
    def makeup_headcount(self) -> int:
        return sum(makeup.headcount for makeup in self.makeups.all())

    @property
    def first_headcount(self) -> int:
        """The people assessed at the first sitting: what a correction corrects."""
        return self.headcount - self.makeup_headcount


class MakeUpSitting(models.Model):
    """A make-up sitting (补考) of a college's assessment; its people count in the assessment's headcount."""

    sitting = models.ForeignKey(AssessmentSitting, on_delete=models.PROTECT, related_name="makeups")
    headcount = models.PositiveIntegerField()
    held_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"补考 make-up {self.held_on} × {self.headcount}"


class SigningKey(models.Model):
    """A TEO's Ed25519 public key: what the signatures of its certificates are checked against.

    The private half is a file of the key directory (settings.CERTIFICATE_KEY_DIR), never a row. A
    rotation retires the key: the certificates it signed stay verifiable by it, the next ones are
    signed by its successor. Public keys are published at /verify/keys/.
    """

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="signing_keys",
                            limit_choices_to={"kind": "teo"})
    key_id = models.CharField(max_length=16, unique=True, help_text="the first 16 hex digits of the public key's "
                              "SHA-256")
    public_key = models.CharField(max_length=44, help_text="the raw 32-byte Ed25519 public key, base64")
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["teo"], condition=Q(retired_at=None),
                                               name="one_signing_key_in_use_per_teo")]

    def __str__(self) -> str:
        return f"{self.teo} {self.key_id}"


class Student(models.Model):
    """A student of a college, known by a record: the student number (学号) there, or the last
    characters of the national ID (身份证号后四位) together with the name.

    Certificates are issued to a record, never to a name: two students of one name at one college
    are two records, and each student's account reads only its own record's certificates. A record
    with neither identifier is one the product could not tell apart when certificates were still
    issued by name (the 0017 migration); no new certificate is ever matched to it.
    """

    NAME_MAX, STUDENT_NO_MAX, ID_DIGITS = 100, 30, 4

    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="students",
                                limit_choices_to={"kind": "college"})
    name = models.CharField(max_length=NAME_MAX)
    student_no = models.CharField(max_length=STUDENT_NO_MAX, blank=True, help_text="学号: unique at the college")
    id_last_digits = models.CharField(max_length=ID_DIGITS, blank=True,
                                      help_text="身份证号后四位: with the name, unique at the college")
    account = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="student_record",
                                   help_text="the student's own account, which reads this record's certificates")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["college", "student_no"], condition=~Q(student_no=""),
                                    name="one_record_per_student_no"),
            models.UniqueConstraint(fields=["college", "name", "id_last_digits"], condition=~Q(id_last_digits=""),
                                    name="one_record_per_name_and_id_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.student_no or self.id_last_digits or '—'}, {self.college})"


class IssuedCertificate(models.Model):
    """A certificate issued online with the TEO's electronic seal, whatever the payment state."""

    sitting = models.ForeignKey(AssessmentSitting, on_delete=models.PROTECT, related_name="certificates")
    holder = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="certificates",
                               help_text="the student record the certificate was issued to")
    holder_name = models.CharField(max_length=100, help_text="the holder's name as printed on the certificate")
    serial_no = models.CharField(max_length=64, unique=True)
    seal = models.CharField(max_length=100, help_text="the TEO's electronic seal: its Ed25519 signature of the "
                            "certificate (base64), checked against the signing key's public half")
    signing_key = models.ForeignKey("SigningKey", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="certificates",
                                    help_text="the TEO key that signed it; none for a seal of before signing")
    issued_at = models.DateTimeField()
    REASON_MAX = 500
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoke_reason = models.CharField(max_length=REASON_MAX, blank=True)

    def __str__(self) -> str:
        return self.serial_no


class PaperCertificateOrder(FSMModelMixin, models.Model):
    """A student's paper copy of their certificate, at the TEO's published price, sent to an address.

    Ordered, then dispatched by the certificate's TEO with the courier's tracking number, then
    delivered (the student confirms receipt, or the TEO marks it); an order not yet dispatched may
    be cancelled, by the student or by the TEO with a reason, and its price is refunded. A
    delivered or cancelled order is closed: another order of the same certificate is a new one
    (a replacement copy, paid again).
    """

    class State(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        DISPATCHED = "dispatched", _("Dispatched")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = [State.ORDERED, State.DISPATCHED]
    RECIPIENT_MAX, PHONE_MAX, ADDRESS_MAX = 50, 20, 200
    TRACKING_NO_MAX, REASON_MAX = 40, 500

    certificate = models.ForeignKey(IssuedCertificate, on_delete=models.PROTECT, related_name="paper_orders")
    price = models.DecimalField(**MONEY)
    state = FSMField(default=State.ORDERED, choices=State.choices, protected=True)
    recipient = models.CharField(max_length=RECIPIENT_MAX)
    phone = models.CharField(max_length=PHONE_MAX)
    address = models.CharField(max_length=ADDRESS_MAX)
    ordered_at = models.DateTimeField()
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    tracking_no = models.CharField(max_length=TRACKING_NO_MAX, blank=True, help_text="the courier's tracking number")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="the student confirming receipt, or the TEO")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancel_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__lte=Decimal("40.00")), name="paper_certificate_max_40"),
            models.CheckConstraint(condition=Q(price__gte=Decimal("0.00")),
                                   name="paper_certificate_price_not_negative"),
            models.UniqueConstraint(fields=["certificate"], condition=Q(state__in=["ordered", "dispatched"]),
                                    name="one_open_paper_order"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} ¥{self.price}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    def check_may(self, act: str) -> None:
        """Refuse an act the order's state does not allow, saying what happened to it and when.

        Only an undispatched order is dispatched or cancelled: once the copy is with the courier
        the money has bought the delivery. Only a dispatched one is received.
        """
        allowed = {"dispatch": self.State.ORDERED, "cancel": self.State.ORDERED, "deliver": self.State.DISPATCHED}
        if self.state == allowed[act]:
            return
        if self.state == self.State.ORDERED:
            raise RuleViolation("paper_order_not_dispatched",
                                _("This paper copy has not been dispatched yet; its receipt is confirmed once it "
                                  "is."), 409)
        if self.state == self.State.DISPATCHED:
            message = (_("This paper copy was dispatched on %(on)s (tracking number %(tracking_no)s) and can no "
                         "longer be cancelled.") if act == "cancel"
                       else _("This paper copy was already dispatched on %(on)s (tracking number %(tracking_no)s)."))
            raise RuleViolation("paper_order_dispatched", message, 409, on=shown_day(self.dispatched_at),
                                tracking_no=self.tracking_no)
        if self.state == self.State.DELIVERED:
            raise RuleViolation("paper_order_delivered", _("This paper copy was delivered on %(on)s."), 409,
                                on=shown_day(self.delivered_at))
        raise RuleViolation("paper_order_cancelled", _("This order was cancelled on %(on)s."), 409,
                            on=shown_day(self.cancelled_at))

    @transition(field=state, source=State.ORDERED, target=State.DISPATCHED)
    def dispatch(self, tracking_no: str, by, at):
        self.tracking_no = tracking_no
        self.dispatched_by = by
        self.dispatched_at = at

    @transition(field=state, source=State.DISPATCHED, target=State.DELIVERED)
    def deliver(self, by, at):
        self.delivered_by = by
        self.delivered_at = at

    @transition(field=state, source=State.ORDERED, target=State.CANCELLED)
    def cancel(self, by, at, reason: str = ""):
        self.cancelled_by = by
        self.cancelled_at = at
        self.cancel_reason = reason


def shown_day(at) -> str:
    """A moment as the day it was in Beijing, for a refusal's wording."""
    return f"{timezone.localtime(at, ZoneInfo(settings.DISPLAY_TIME_ZONE)):%Y-%m-%d}" if at else "—"


class Payment(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        AWAITING_ASSESSMENT = "awaiting_assessment", _("Awaiting assessment")
        DUE = "due", pgettext_lazy("payment state", "Due")
        RELEASED = "released", _("Released")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="payments")
    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payments")
    sitting = models.OneToOneField(AssessmentSitting, null=True, blank=True, on_delete=models.PROTECT)
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    state = FSMField(default=State.AWAITING_ASSESSMENT, choices=State.choices, protected=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "college"], name="one_payment_per_college")
        ]

    def __str__(self) -> str:
        return f"{self.college} {self.amount}"

    @transition(field=state, source=State.AWAITING_ASSESSMENT, target=State.DUE)
    def compute(self, sitting: AssessmentSitting):
        self.sitting = sitting
        self.amount = rules.payment_amount(self.agreement.fee, sitting.headcount)

    @transition(field=state, source=State.DUE, target=State.DUE)
    def recompute(self):
        """Follow the agreement's fee again: a renewed agreement changes what is due, not what was paid."""
        self.amount = rules.payment_amount(self.agreement.fee, self.sitting.headcount)

    def _agreement_filed(self) -> bool:
        # An agreement re-opened by a superseded baseline pays nothing until it is filed again on
        # the new fee; what is due then is recomputed (据实列支 on the fee in force).
        if self.agreement.state != Agreement.State.FILED:
            raise RuleViolation(
                "agreement_filed_first",
                _("Release payments only under a filed agreement (now: %(state)s)."),
                409,
                state=Agreement.State(self.agreement.state).label,
            )
        return True

    def _allocations_hold(self) -> bool:
        allocations = list(self.allocations.all())
        for allocation in allocations:
            rules.check_special_fund_use(allocation.source, allocation.purpose)
        rules.check_allocations(self.amount, [a.amount for a in allocations])
        return True

    @transition(field=state, source=State.DUE, target=State.RELEASED, conditions=[_agreement_filed, _allocations_hold])
    def release(self, officer, at):
        self.released_by = officer
        self.released_at = at


class FundingAllocation(models.Model):
    """One funding source's share of a payment (财政资金、社会资金、自有资金、专项资金) and what it pays for."""

    Source = FundingSource
    Purpose = FundingPurpose

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    source = models.CharField(max_length=20, choices=Source.choices)
    amount = models.DecimalField(**MONEY)
    purpose = models.CharField(max_length=40, choices=Purpose.choices, default=Purpose.ASSESSMENT_FEE)

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


# --- participation filings (院校试点备案) ----------------------------------------------------


class ParticipationFiling(models.Model):
    """A college's filing that it takes part in the pilot for a certificate in a year, with its plan.

    A filing, never an approval (备案不是审批): it has no state to be decided, and nothing may set a
    threshold on it (各省厅不得对申报试点工作设置门槛; `workflows.participation`).
    """

    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="participation_filings",
                                limit_choices_to={"kind": "college"})
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="participation_filings")
    year = models.PositiveSmallIntegerField(help_text="the pilot year (batch year) filed for")
    planned_students = models.PositiveIntegerField(help_text="the students the college plans to take part")
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["college", "certificate", "year"], name="one_participation_filing"),
            models.CheckConstraint(condition=Q(planned_students__gte=1), name="participation_plans_students"),
        ]

    def __str__(self) -> str:
        return f"{self.college} {self.certificate.code} {self.year} × {self.planned_students}"


# --- supervision of TEOs (动态调整) ------------------------------------------------------------


class Measure(models.TextChoices):
    """What the ministry may decide against a TEO, lightest first (培训评价组织监督管理的处理措施)."""

    TALK = "talk", _("Talk")
    WARNING = "warning", _("Warning")
    NOTICE = "notice", _("Public notice")
    RECTIFICATION = "rectification", _("Rectification")
    LIMIT_SCALE = "limit_scale", _("Limit of scale")
    REDUCED_FUNDS = "reduced_funds", _("Reduced funds")
    YELLOW_CARD = "yellow_card", _("Yellow card")
    DELISTING = "delisting", _("Delisting")


class Standing(FSMModelMixin, models.Model):
    """A TEO's standing in the pilot: in good standing, warned with a yellow card, or delisted.

    Delisting is final: the TEO's certificates take no new negotiation, its published schedules are
    withdrawn, what it issued stays valid, and what it owes the colleges is settled first
    (`workflows.supervision`).
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("In the pilot")
        YELLOW_CARD = "yellow_card", _("Yellow card")
        DELISTED = "delisted", _("Delisted")

    teo = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="standing",
                               limit_choices_to={"kind": "teo"})
    state = FSMField(default=State.ACTIVE, choices=State.choices, protected=True)
    yellow_card_at = models.DateTimeField(null=True, blank=True)
    delisted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.teo} {self.get_state_display()}"

    @transition(field=state, source=State.ACTIVE, target=State.YELLOW_CARD)
    def show_yellow_card(self, at):
        self.yellow_card_at = at

    @transition(field=state, source=[State.ACTIVE, State.YELLOW_CARD], target=State.DELISTED)
    def delist(self, at):
        self.delisted_at = at


class AssessmentPlan(models.Model):
    """A TEO's assessment plan for one province and month of September–December (考核计划安排)."""

    MONTHS = (9, 10, 11, 12)

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessment_plans",
                            limit_choices_to={"kind": "teo"})
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="assessment_plans")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(help_text="9 to 12")
    sittings = models.PositiveIntegerField(help_text="the sittings planned in the month")
    headcount = models.PositiveIntegerField(help_text="the people planned to be assessed in the month")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["teo", "province", "year", "month"], name="one_plan_per_month"),
            models.CheckConstraint(condition=Q(month__gte=9, month__lte=12), name="plan_september_to_december"),
        ]

    def __str__(self) -> str:
        return f"{self.teo} {self.province} {self.year}-{self.month:02d}: {self.sittings} × {self.headcount}"


class TrainingSession(models.Model):
    """A teacher-training session a TEO held in a province (师资培训): the yellow-card rule reads these."""

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="training_sessions",
                            limit_choices_to={"kind": "teo"})
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="training_sessions")
    starts_on = models.DateField()
    ends_on = models.DateField()
    teachers_trained = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="training_ends_after_it_starts")]
        indexes = [models.Index(fields=["teo", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.teo} {self.province} {self.starts_on}–{self.ends_on} × {self.teachers_trained}"


class TeachersSent(models.Model):
    """The teachers a college sent to a TEO's training session (派送师资参加培训)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="teachers_sent")
    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teachers_sent",
                                limit_choices_to={"kind": "college"})
    teachers = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "college"], name="one_sending_per_session"),
                       models.CheckConstraint(condition=Q(teachers__gte=1), name="teachers_sent_at_least_one")]

    def __str__(self) -> str:
        return f"{self.college} → {self.session}: {self.teachers}"


class ProgressReport(models.Model):
    """A TEO's monthly progress report (按月调度), against its plan."""

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="progress_reports",
                            limit_choices_to={"kind": "teo"})
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    training_sessions = models.PositiveIntegerField(help_text="teacher-training sessions held in the month")
    sittings = models.PositiveIntegerField(help_text="assessment sittings held in the month")
    assessed = models.PositiveIntegerField(help_text="people assessed in the month")
    certified = models.PositiveIntegerField(help_text="certificates issued in the month")
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False, help_text="submitted after its reminder or escalation")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["teo", "year", "month"], name="one_report_per_month"),
                       models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month")]

    def __str__(self) -> str:
        return f"{self.teo} {self.year}-{self.month:02d}"


class Ground(models.TextChoices):
    """The grounds on which a TEO is cleared out of the pilot (涉及…等坚决予以清退)."""

    BUNDLED_SALES = "bundled_sales", _("Bundled equipment sales")
    EXCESSIVE_FEES = "excessive_fees", _("Excessive fees")
    LAX_ASSESSMENT = "lax_assessment", _("Lax assessment")
    POOR_PROGRESS = "poor_progress", _("Poor progress")


class Complaint(FSMModelMixin, models.Model):
    """A complaint against a TEO by a college, a province or a student, with its evidence."""

    class State(models.TextChoices):
        LODGED = "lodged", _("Lodged")
        INVESTIGATING = "investigating", _("Under investigation")
        DECIDED = "decided", _("Measure decided")
        DISMISSED = "dismissed", _("Dismissed")

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="complaints",
                            limit_choices_to={"kind": "teo"})
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=20, choices=Ground.choices)
    account = models.TextField(help_text="what happened, in the complainant's words")
    evidence = models.JSONField(default=list, help_text="the evidence given: texts (a document number, a link, "
                                "what a witness said)")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField()
    state = FSMField(default=State.LODGED, choices=State.choices, protected=True)
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    findings = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.teo} {self.get_ground_display()}"

    @transition(field=state, source=State.LODGED, target=State.INVESTIGATING)
    def investigate(self, by):
        self.investigated_by = by

    @transition(field=state, source=State.INVESTIGATING, target=State.DECIDED)
    def decide(self, findings: str):
        self.findings = findings

    @transition(field=state, source=State.INVESTIGATING, target=State.DISMISSED)
    def dismiss(self, findings: str):
        self.findings = findings


class SupervisionMeasure(models.Model):
    """A measure the ministry decided against a TEO, with its reasons: shown on the TEO's public page."""

    teo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="measures",
                            limit_choices_to={"kind": "teo"})
    kind = models.CharField(max_length=20, choices=Measure.choices)
    reasons = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="measures")
    proposed = models.BooleanField(default=False, help_text="proposed by the supervision rules (a missed training "
                                   "start or follow-up), not by a complaint")

    class Meta:
        indexes = [models.Index(fields=["teo", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.teo} {self.get_kind_display()}"


class Replacement(models.Model):
    """A delisted TEO's certificate handed to a TEO of the next batch (及时补充、吸纳…第四批申报证书来替代).

    The replacement is a certificate of its own, with the successor as its TEO: what was negotiated,
    agreed and issued under the delisted one stays with it, and the successor's published schedule
    starts new negotiations.
    """

    withdrawn = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="replacement")
    successor = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="replaces")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.withdrawn.code} → {self.successor.code}"


# --- attachments (附件): files kept with a business object ----------------------------------------


def attachment_storage():
    """The storage attachments are kept in: STORAGES["attachments"], files under var/ unless configured."""
    return storages["attachments"]


class Attachment(models.Model):
    """A file kept with one business object: the signed agreement's scan, a TEO's assessment plan, a
    complaint's evidence, a payment's voucher (`workflows.attachments`).

    Exactly one of the four objects is set, which the schema holds. The file's type is what its first
    bytes say, never what its name or the client claimed; its SHA-256 is in the object's audit trail.
    """

    class ContentType(models.TextChoices):
        PDF = "application/pdf", _("PDF document")
        JPEG = "image/jpeg", _("JPEG image")
        PNG = "image/png", _("PNG image")

    NAME_MAX = 120
    OBJECTS = ("agreement", "plan", "complaint", "payment")

    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="attachments")
    plan = models.ForeignKey(AssessmentPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="attachments")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="attachments")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=attachment_storage, max_length=200,
                            help_text="the name in the attachments storage, chosen by the system")
    original_name = models.CharField(max_length=NAME_MAX, help_text="the uploaded file's name, made safe to show")
    content_type = models.CharField(max_length=20, choices=ContentType.choices,
                                    help_text="as detected from the file's first bytes")
    size = models.PositiveBigIntegerField(help_text="bytes")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(agreement__isnull=False, plan__isnull=True, complaint__isnull=True, payment__isnull=True)
                           | Q(agreement__isnull=True, plan__isnull=False, complaint__isnull=True,
                               payment__isnull=True)
                           | Q(agreement__isnull=True, plan__isnull=True, complaint__isnull=False,
                               payment__isnull=True)
                           | Q(agreement__isnull=True, plan__isnull=True, complaint__isnull=True,
                               payment__isnull=False)),
                name="attachment_of_exactly_one_object"),
            models.CheckConstraint(condition=Q(size__gte=1), name="attachment_not_empty"),
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                                   name="attachment_pdf_jpeg_or_png"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def kind(self) -> str:
        """Which object it is kept with: agreement, plan, complaint or payment."""
        return next(name for name in self.OBJECTS if getattr(self, f"{name}_id") is not None)

    @property
    def target(self) -> models.Model:
        return getattr(self, self.kind)
# --- provincial allocation of subsidy funds (完善分配因素，及时将有关资金拨付至试点院校) --------------------


class SubsidyFactor(models.TextChoices):
    """What a province may weigh its colleges by; a headcount may be a factor, the result is still a grant."""

    FILED_STUDENTS = "filed_students", _("Students filed to take part")
    PEOPLE_ASSESSED = "people_assessed", _("People assessed")
    CERTIFICATES_ISSUED = "certificates_issued", _("Certificates issued")
    EQUAL_SHARE = "equal_share", _("An equal share per college")


class SubsidyRound(FSMModelMixin, models.Model):
    """One subsidy amount a province allocates to its pilot colleges by factors it weighs, then releases."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("subsidy round state", "Draft")
        RELEASED = "released", pgettext_lazy("subsidy round state", "Released")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="subsidy_rounds")
    year = models.PositiveSmallIntegerField(help_text="the pilot year whose figures the factors read")
    title = models.CharField(max_length=200)
    total = models.DecimalField(**MONEY)
    weights = models.JSONField(help_text="factor -> weight in percent, summing to 100")
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="subsidy_round_total_positive")]

    def __str__(self) -> str:
        return f"{self.province} {self.year} {self.title}"

    @transition(field=state, source=State.DRAFT, target=State.RELEASED)
    def release(self, by, at):
        self.released_by = by
        self.released_at = at


class SubsidyAllocation(models.Model):
    """One college's share of a round: as the factors computed it, and as the province set it, with why."""

    round = models.ForeignKey(SubsidyRound, on_delete=models.CASCADE, related_name="allocations")
    college = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="subsidy_allocations",
                                limit_choices_to={"kind": "college"})
    figures = models.JSONField(help_text="factor -> the college's figure when the split was computed")
    computed = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    reasons = models.TextField(blank=True, help_text="why the province set an amount other than the computed one")
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    adjusted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "college"], name="one_allocation_per_college"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.college} {self.amount}"

    @property
    def adjusted(self) -> bool:
        return self.amount != self.computed
