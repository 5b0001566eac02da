"""The REST API: the same services, guards and refusals as the pages.

Lists and details go through `workflows.permissions` (another organization's object is a 404).
Every act is a thin adapter: it hands the user, the object's id and the body's fields as sent to
its one function in `workflows.services` (ACTS), which decides visibility (404), role and lane
(403), input and state (400/409), reading a form's text and a JSON value alike, so a wrongly typed
headcount, date or id is refused with the rule the page gives; `api.errors` turns each refusal
into a JSON body naming the rule. The request serializers of the acts describe the body for the
schema; the service reads it.
"""
import json
from collections.abc import Mapping

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api import serializers as s
from api.attachment_views import attachments_action
from api.negotiation import DocumentOrRefusal
from bpmn.models import AuditEntry, OpenTask, ProcessInstance
from documents import responses as documents
from workflows import contracts, inbox, participation, permissions, rules, services, subsidies
from workflows.errors import RuleViolation
from workflows.filters import (
    AgreementFilter,
    AllianceFilter,
    BaselineFilter,
    FeeScheduleFilter,
    FilingFilter,
    NegotiationFilter,
    PaperOrderFilter,
    PaymentFilter,
)
from workflows.funding import FundingPurpose
from workflows.models import CostItem, FeeSchedule, SupervisionMeasure
from workflows.payment_totals import alliance_totals
from workflows.proposals import offer_check

ENGINE_STATE_RESTRICTED = _lazy("The stored engine state is read by the system's technical staff only; the "
                                "process instance shows what your role may see.")
ALLIANCE_TOTALS_LEAD_ONLY = _lazy("The alliance's payment totals are read by its lead college; each member reads "
                                  "its own payment.")

REFUSALS = {code: OpenApiResponse(s.RefusalSerializer, description=text) for code, text in (
    (400, "a rule refused the input"), (403, "your role may not do this"),
    (404, "not found, or not yours to see"), (409, "the state does not allow it"))}


# A document's success is a PDF (the same file the page's 下载 PDF link gives); its refusals are JSON.
PDF_DOCUMENT = OpenApiResponse(OpenApiTypes.BINARY, description="the document as PDF, in the request's language")


def _role_among(user, roles) -> None:
    """Refuse a document to a role its page does not open to (403 role_required), as the page does."""
    if not permissions.has_role(user, roles):
        raise exceptions.PermissionDenied()


def _sent(serializer_class, data) -> dict:
    """The fields the serializer describes, as sent (a missing one is None), for the service to read."""
    if not isinstance(data, Mapping):
        raise RuleViolation("malformed_request", _lazy("The request body must be a JSON object."))
    return {name: data.get(name) for name in serializer_class().fields}


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    """List and retrieve through one of the permission module's visibility functions.

    A list's `filterset_class` (its page's own, from `workflows.filters`) narrows what is visible and
    never more; a value that is not one of a filter's choices is a 400 naming the field.
    """

    visible = None
    prefetch: tuple = ()
    filter_backends = (DjangoFilterBackend,)

    def get_queryset(self):
        return type(self).visible(self.request.user).prefetch_related(*self.prefetch).order_by("-pk")


@extend_schema_view(
    list=extend_schema(summary="My tasks and my group's claimable ones", parameters=[
        OpenApiParameter("process", str, description="process id, e.g. fee_negotiation"),
        OpenApiParameter("status", str, enum=list(inbox.STATUSES))]),
    retrieve=extend_schema(summary="One open task of a lifecycle I may see; can_act says whether it is mine "
                                   "to act on (the portal's task page shows the same)",
                           responses={200: s.TaskSerializer, **REFUSALS}),
)
class TaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TaskSerializer
    lookup_field = "task_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        status_ = self.request.query_params.get("status", "")
        return inbox.inbox(self.request.user, self.request.query_params.get("process", ""),
                           status_ if status_ in inbox.STATUSES else "")

    def retrieve(self, request, task_id=None):
        return Response(self._task(services.task_for(request.user, task_id)))

    def _task(self, task) -> dict:
        return s.TaskSerializer(task, context={"request": self.request}).data

    @extend_schema(summary="Open tasks held by others in lifecycles I started or acted in",
                   responses=s.TaskSerializer(many=True))
    @action(detail=False)
    def waiting(self, request):
        page = self.paginate_queryset(inbox.waiting_on_others(request.user))
        return self.get_paginated_response(s.TaskSerializer(page, many=True).data)

    @extend_schema(request=None, summary="Take a group task for myself", responses={200: s.TaskSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def claim(self, request, task_id=None):
        return Response(self._task(services.claim(request.user, task_id)))

    @extend_schema(request=None, summary="Give a claimed task back to the group",
                   responses={200: s.TaskSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def unclaim(self, request, task_id=None):
        return Response(self._task(services.unclaim(request.user, task_id)))

    @extend_schema(request=s.TakeOverSerializer, summary="Take over a task a colleague of my lane claimed, with a "
                   "reason: audited, and the previous holder is told", responses={200: s.TaskSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="take-over")
    def take_over(self, request, task_id=None):
        reason = _sent(s.TakeOverSerializer, request.data)["reason"]
        return Response(self._task(services.take_over(request.user, task_id, reason)))

    @extend_schema(request=s.CompleteSerializer, summary="Complete a task with its data; the answer is its outcome "
                   "and the lifecycle's next open tasks I may see", responses={200: s.OutcomeSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def complete(self, request, task_id=None):
        data = _valid(s.CompleteSerializer, request.data)["data"]
        contracts.refuse_unknown(request.data, ("data",), services.task_for(request.user, task_id).label)
        outcome = services.complete(task_id, request.user, json.loads(json.dumps(data)))
        return Response(s.OutcomeSerializer(outcome, context={"request": request}).data)


@extend_schema_view(create=extend_schema(request=s.AllianceCreateSerializer, responses={
    201: s.NegotiationSerializer, **REFUSALS}, summary="Form an alliance and start negotiating a certificate"))
class AllianceViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = s.AllianceSerializer
    visible = staticmethod(permissions.visible_alliances)
    filterset_class = AllianceFilter
    prefetch = ("memberships__college", "negotiations")

    def create(self, request):
        data = _sent(s.AllianceCreateSerializer, request.data)
        negotiation = services.start_lifecycle(request.user, data["certificate_id"], alliance_name=data["name"] or "")
        return Response(s.NegotiationSerializer(negotiation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Published fee schedules (公示), no sign-in needed"),
    create=extend_schema(request=s.PublishSerializer, responses={201: s.FeeScheduleSerializer, **REFUSALS},
                         summary="Publish a certificate's fee schedule in advance (its TEO only); "
                                 "replaces the one published before"),
)
class FeeScheduleViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.FeeScheduleSerializer
    queryset = FeeSchedule.objects.filter(state=FeeSchedule.State.PUBLISHED).select_related(
        "certificate__teo").order_by("certificate__code")
    filter_backends = (DjangoFilterBackend,)
    filterset_class = FeeScheduleFilter

    def get_permissions(self):
        return [AllowAny()] if self.action in ("list", "retrieve") else super().get_permissions()

    def create(self, request):
        data = _sent(s.PublishSerializer, request.data)
        schedule = services.publish_schedule(request.user, data["certificate_id"], data["fee"], data["lines"],
                                             paper_copy_price=data["paper_copy_price"],
                                             training_plan=data["training_plan"] or "", services=data["services"])
        return Response(s.FeeScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class NegotiationViewSet(ReadOnly):
    serializer_class = s.NegotiationSerializer
    visible = staticmethod(permissions.visible_negotiations)
    filterset_class = NegotiationFilter
    prefetch = ("certificate__teo",)

    @extend_schema(request=s.OfferSerializer, responses={
        200: s.CapCheckSerializer, 400: OpenApiResponse(s.CapRefusalSerializer, description="refused, naming the rule"),
        404: REFUSALS[404]},
                   summary="Check an offer against the cap and the cost lines; nothing is saved")
    @action(detail=True, methods=["post"], url_path="cap-check")
    def cap_check(self, request, pk=None):
        negotiation = self.get_object()
        offer = _valid(s.OfferSerializer, request.data)
        cap, refusal = offer_check(negotiation, offer["fee"], offer["lines"])
        if refusal is not None:
            return Response({"ok": False, "cap": f"{cap:.2f}", **refusal.as_dict()}, status=refusal.status)
        return Response({"ok": True, "cap": f"{cap:.2f}"})


class BaselineViewSet(ReadOnly):
    serializer_class = s.BaselineSerializer
    visible = staticmethod(permissions.visible_baselines)
    filterset_class = BaselineFilter
    prefetch = ("reviewer", "reviews__reviewer", "expert_opinions__asked_by", "expert_opinions__expert")

    @extend_schema(request=s.SupersedeSerializer, responses={200: s.ReopenedSerializer, **REFUSALS},
                   summary="Supersede a verified baseline; every agreement on it is re-opened")
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        reasons = _sent(s.SupersedeSerializer, request.data)["reasons"]
        reopened = services.supersede_baseline(request.user, pk, reasons)
        return Response({"reopened_agreements": [a.pk for a in reopened]})


class AgreementViewSet(ReadOnly):
    serializer_class = s.AgreementSerializer
    visible = staticmethod(permissions.visible_agreements)
    filterset_class = AgreementFilter
    prefetch = ("filing", "negotiation__alliance__province", "negotiation__alliance__lead",
                "alliance_signatory__person__organization", "teo_signatory__person__organization")
    attachments_of = attachments_action("agreement", "the signed agreement's scan: its lead or its TEO, once signed")

    @extend_schema(request=s.AssessmentCreateSerializer, responses={201: s.SittingSerializer, **REFUSALS},
                   summary="Record a college's sitting (the message its payment waits for, sent once); "
                           "a college already recorded is corrected or sits a make-up under sittings/")
    @action(detail=True, methods=["post"])
    def assessments(self, request, pk=None):
        data = _sent(s.AssessmentCreateSerializer, request.data)
        sitting = services.record_assessment(request.user, pk, data["college_id"], data["headcount"], data["held_on"])
        return Response(s.SittingSerializer(sitting).data, status=status.HTTP_201_CREATED)


    @extend_schema(responses={200: s.AllianceTotalsSerializer, **REFUSALS},
                   summary="The alliance's payments under the agreement, summed: for its lead college (and those "
                           "who see every college's); a member reads its own payment under payments/")
    @action(detail=True, url_path="payment-totals")
    def payment_totals(self, request, pk=None):
        agreement = self.get_object()
        if not permissions.sees_alliance_totals(request.user, agreement):
            raise RuleViolation("alliance_totals_lead_only", ALLIANCE_TOTALS_LEAD_ONLY, 403)
        return Response(s.AllianceTotalsSerializer(alliance_totals(agreement)).data)

    @extend_schema(responses={(200, "application/pdf"): PDF_DOCUMENT},
                   summary="The agreement as PDF: formal number, parties, certificate, verified terms, teacher "
                           "training, signatories and the filing acknowledgement")
    @action(detail=True, content_negotiation_class=DocumentOrRefusal)
    def pdf(self, request, pk=None):
        return documents.agreement_pdf(self.get_object())


class FilingViewSet(ReadOnly):
    serializer_class = s.FilingSerializer
    visible = staticmethod(permissions.visible_filings)
    filterset_class = FilingFilter

    @extend_schema(filters=True, responses={(200, "application/pdf"): PDF_DOCUMENT, 403: REFUSALS[403]},
                   summary="The filing register (备案登记) as PDF, under the list's filters: for the province's "
                           "reviewers and the ministry, as the page")
    @action(detail=False, url_path="pdf", pagination_class=None, content_negotiation_class=DocumentOrRefusal)
    def pdf(self, request):
        _role_among(request.user, permissions.FILING_REGISTER_ROLES)
        found = self.filterset_class(request.query_params, queryset=permissions.visible_filings(request.user),
                                     request=request)
        if not found.is_valid():
            raise exceptions.ValidationError(found.errors)
        return documents.filing_register_pdf(found, request.user)


@extend_schema_view(list=extend_schema(
    summary="The funding purposes (资金用途) a payment's share may name, with the sources that may pay each"))
class FundingPurposeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reference data, public like the fee schedules: the closed vocabulary of `funding[].purpose`."""

    serializer_class = s.FundingPurposeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return [_purpose_row(purpose) for purpose in FundingPurpose]


def _purpose_row(purpose: FundingPurpose) -> dict:
    """One purpose of the vocabulary: its label in the request's language, and in each language."""
    from django.utils import translation

    with translation.override("zh-hans"):
        zh = str(purpose.label)
    with translation.override("en"):
        en = str(purpose.label)
    return {"code": purpose.value, "label": str(purpose.label), "label_zh": zh, "label_en": en,
            "sources": [source.value for source in rules.sources_for(purpose)],
            "special_funds_forbidden": purpose in rules.FORBIDDEN_SPECIAL_FUND_USES}


class PaymentViewSet(ReadOnly):
    serializer_class = s.PaymentSerializer
    visible = staticmethod(permissions.visible_payments)
    filterset_class = PaymentFilter
    prefetch = ("allocations",)
    attachments_of = attachments_action("payment", "its voucher: the paying college's finance office, once due")

    def get_serializer(self, *args, **kwargs):
        """Each payment's open release task, looked up once for the page (or the one payment)."""
        shown = args[0] if args else []
        payments = list(shown) if isinstance(shown, list | tuple) else [shown]
        context = {**self.get_serializer_context(), "release_tasks": services.release_task_ids(payments)}
        return self.get_serializer_class()(*args, **{**kwargs, "context": context})

    @extend_schema(responses={(200, "application/pdf"): PDF_DOCUMENT, 403: REFUSALS[403], 409: REFUSALS[409]},
                   summary="A released payment's voucher (拨付凭证) as PDF: college, agreement, headcount, amount, "
                           "funding sources and purposes, who released it and when; for the roles of the "
                           "payments page (409 voucher_after_release before the release)")
    @action(detail=True, content_negotiation_class=DocumentOrRefusal)
    def pdf(self, request, pk=None):
        payment = self.get_object()  # visibility first (404), then the role (403), as every act of the API
        _role_among(request.user, permissions.PAYMENTS_ROLES)
        return documents.payment_voucher_pdf(payment)


@extend_schema_view(list=extend_schema(
    summary="Pilot colleges I may invite or review: my province's (a college, its finance office, a reviewer); "
            "every province's for the ministry"))
class CollegeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.CollegeSerializer

    def get_queryset(self):
        return permissions.visible_colleges(self.request.user).order_by("province__code", "name", "pk")


@extend_schema_view(list=extend_schema(summary="The cost items a fee's lines are given in, by position; "
                                               "no sign-in needed"))
class CostItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reference data, public like the fee schedules: the codes of `lines` in offers and schedules."""

    serializer_class = s.CostItemSerializer
    permission_classes = [AllowAny]
    queryset = CostItem.objects.order_by("position", "code")


class SittingViewSet(ReadOnly):
    serializer_class = s.SittingSerializer

    def get_queryset(self):
        # A college's own sitting; every college's for the TEO, the reviewers and the ministry.
        return permissions.visible_sittings(self.request.user).prefetch_related(
            "makeups").annotate(issued=Count("certificates")).order_by("-pk")

    @extend_schema(request=s.IssueSerializer, responses={201: s.IssuedCertificateSerializer(many=True), **REFUSALS},
                   summary="Issue certificates online, whatever the payment state, at most one per person assessed")
    @action(detail=True, methods=["post"])
    def certificates(self, request, pk=None):
        holders = _sent(s.IssueSerializer, request.data)["holders"]
        issued = services.issue_certificates(request.user, pk, holders)
        return Response(s.IssuedCertificateSerializer(issued, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CorrectionSerializer, responses={200: s.SittingSerializer, **REFUSALS},
                   summary="Correct the first sitting's headcount before the payment is released; "
                           "a payment already due is recomputed")
    @action(detail=True, methods=["post"])
    def correction(self, request, pk=None):
        data = _sent(s.CorrectionSerializer, request.data)
        sitting = services.correct_sitting(request.user, pk, data["headcount"], data["reason"] or "")
        return Response(s.SittingSerializer(self._fresh(sitting)).data)

    @extend_schema(request=s.MakeUpCreateSerializer, responses={201: s.SittingSerializer, **REFUSALS},
                   summary="Record a make-up sitting (补考): its people are added to the college's assessed "
                           "headcount before the payment is released")
    @action(detail=True, methods=["post"], url_path="make-ups")
    def make_ups(self, request, pk=None):
        data = _sent(s.MakeUpCreateSerializer, request.data)
        makeup = services.record_makeup(request.user, pk, data["headcount"], data["held_on"])
        return Response(s.SittingSerializer(self._fresh(makeup.sitting)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, sitting):
        return self.get_queryset().get(pk=sitting.pk)


class CertificateViewSet(ReadOnly):
    """A student's own certificates (issued under their name at their college); the ministry's, every one."""

    serializer_class = s.OwnCertificateSerializer
    visible = staticmethod(permissions.visible_certificates)
    prefetch = ("paper_orders",)

    @extend_schema(request=s.PaperOrderRequestSerializer, responses={201: s.PaperOrderSerializer, **REFUSALS},
                   summary="Order a paper copy of my certificate at the TEO's published price (≤ 40 CNY, "
                           "delivery included) to a delivery address; one open order per certificate")
    @action(detail=True, methods=["post"], url_path="paper-orders")
    def paper_orders(self, request, pk=None):
        data = _sent(s.PaperOrderRequestSerializer, request.data)
        if "price" in request.data:
            raise RuleViolation("paper_price_published",
                                _lazy("The price is the TEO's published paper-copy price: send the delivery address "
                                      "only."))
        order = services.order_paper_certificate(request.user, pk, data["recipient"], data["phone"],
                                                 data["address"])
        return Response(s.PaperOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PaperOrderCancelSerializer, responses={200: s.IssuedCertificateSerializer, **REFUSALS},
                   summary="Revoke a certificate it issued, with the reasons (the certificate's TEO); its "
                           "verification answers revoked")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        reason = _sent(s.PaperOrderCancelSerializer, request.data)["reason"]
        return Response(s.IssuedCertificateSerializer(services.revoke_certificate(request.user, pk, reason)).data)


class ProcessInstanceViewSet(ReadOnly):
    serializer_class = s.ProcessInstanceSerializer
    visible = staticmethod(permissions.visible_instances)
    prefetch = (Prefetch("open_tasks", OpenTask.objects.select_related("claimed_by").order_by("due_at", "pk")),
                Prefetch("audit_entries", AuditEntry.objects.select_related("actor__person")))

    @extend_schema(responses={200: OpenApiResponse(description="the stored SpiffWorkflow state, as JSON"),
                              403: REFUSALS[403], 404: REFUSALS[404]},
                   summary="The instance's stored engine state: for the system's technical staff (superusers) only")
    @action(detail=True)
    def state(self, request, pk=None):
        # The raw state holds every college's payment and funding, every task's data: no role reads it.
        if not request.user.is_superuser:
            self.get_object()  # a lifecycle the user may not see is not found
            raise RuleViolation("engine_state_restricted", ENGINE_STATE_RESTRICTED, 403)
        instance = get_object_or_404(ProcessInstance.objects.all(), pk=pk)
        return Response({"state_format": instance.state_format, "state": json.loads(instance.state)})


@extend_schema_view(
    list=extend_schema(summary="Paper orders: a TEO's of its certificates, a student's own, the ministry's every one"),
    retrieve=extend_schema(summary="One paper order", responses={200: s.PaperOrderListSerializer, **REFUSALS}),
)
class PaperOrderViewSet(ReadOnly):
    serializer_class = s.PaperOrderListSerializer
    visible = staticmethod(permissions.visible_paper_orders)
    filterset_class = PaperOrderFilter

    @extend_schema(request=s.PaperOrderDispatchSerializer, responses={200: s.PaperOrderListSerializer, **REFUSALS},
                   summary="Dispatch a paper copy with the courier's tracking number (the certificate's TEO); "
                           "the student is told")
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_order(self, request, pk=None):
        tracking_no = _sent(s.PaperOrderDispatchSerializer, request.data)["tracking_no"]
        return self._answer(services.dispatch_paper_order(request.user, pk, tracking_no))

    @extend_schema(request=None, responses={200: s.PaperOrderListSerializer, **REFUSALS},
                   summary="Confirm receipt of a dispatched paper copy (the student), or mark it delivered (the TEO)")
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._answer(services.deliver_paper_order(request.user, pk))

    @extend_schema(request=s.PaperOrderCancelSerializer, responses={200: s.PaperOrderListSerializer, **REFUSALS},
                   summary="Cancel an order not yet dispatched, its price refunded: the student their own, the "
                           "TEO with a reason")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = _sent(s.PaperOrderCancelSerializer, request.data)["reason"]
        return self._answer(services.cancel_paper_order(request.user, pk, reason))

    def _answer(self, order):
        return Response(s.PaperOrderListSerializer(order).data)


@extend_schema_view(
    list=extend_schema(summary="Participation filings (院校试点备案): a college its own, a province's reviewers the "
                               "province's, the ministry all"),
    create=extend_schema(request=s.ParticipationCreateSerializer, responses={
        201: s.ParticipationFilingSerializer, **REFUSALS}, summary="File my college's participation in the pilot "
        "for a certificate and year with its planned students: a filing, never an approval"),
)
class ParticipationFilingViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = s.ParticipationFilingSerializer
    visible = staticmethod(permissions.visible_participation_filings)

    def create(self, request):
        data = _sent(s.ParticipationCreateSerializer, request.data)
        filing = services.file_participation(request.user, data["certificate_id"], data["year"],
                                             data["planned_students"])
        return Response(s.ParticipationFilingSerializer(filing).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Planned students and colleges per province, certificate and year, with those assessed "
                   "so far", responses=s.ParticipationTotalsSerializer(many=True))
    @action(detail=False, pagination_class=None)  # every row at once: a few per province and certificate
    def totals(self, request):
        rows = participation.totals(permissions.visible_participation_filings(request.user))
        return Response(s.ParticipationTotalsSerializer(rows, many=True).data)


# --- complaints against a TEO (投诉) and the public measures -------------------------------------

COMPLAINT_UNKNOWN_KEY = _lazy("A complaint takes no %(keys)s. It takes: %(allowed)s.")


def _refuse_unknown_keys(serializer_class, data, rule: str, message) -> None:
    """A body key the act does not take is refused by name, as a task's contract refuses one."""
    if not isinstance(data, Mapping):
        raise RuleViolation("malformed_request", _lazy("The request body must be a JSON object."))
    allowed = tuple(serializer_class().fields)
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise RuleViolation(rule, message, keys=", ".join(unknown[:10])[:400], allowed=", ".join(allowed))


@extend_schema_view(
    list=extend_schema(summary="Complaints: a complainant its own, the TEO those against it (without who lodged "
                               "them), the ministry every one"),
    retrieve=extend_schema(summary="One complaint", responses={200: s.ComplaintSerializer, **REFUSALS}),
    create=extend_schema(request=s.ComplaintCreateSerializer, responses={201: s.ComplaintSerializer, **REFUSALS},
                         summary="Lodge a complaint against a TEO (a pilot college, a province or a student), with "
                                 "evidence; the ministry investigates it. Any other key is refused "
                                 "(complaint_unknown_key)"),
)
class ComplaintViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = s.ComplaintSerializer
    visible = staticmethod(permissions.visible_complaints)
    prefetch = ("measures",)
    attachments_of = attachments_action("complaint", "its evidence: the complainant, while it is open; the TEO "
                                        "complained about reads none")

    def create(self, request):
        _refuse_unknown_keys(s.ComplaintCreateSerializer, request.data, "complaint_unknown_key",
                             COMPLAINT_UNKNOWN_KEY)
        data = _sent(s.ComplaintCreateSerializer, request.data)
        complaint = services.lodge_complaint(request.user, data["teo_id"], data["ground"], data["account"],
                                             data["evidence"], certificate=data["certificate_id"])
        return Response(s.ComplaintSerializer(complaint, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Measures decided against TEOs, newest first, as the public supervision page shows "
                               "them (no sign-in; never who complained)"),
    retrieve=extend_schema(summary="One measure", responses={200: s.PublicMeasureSerializer, **REFUSALS}),
)
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PublicMeasureSerializer
    queryset = SupervisionMeasure.objects.select_related("teo__standing", "complaint").order_by("-decided_at", "-pk")
    permission_classes = (AllowAny,)


# --- provincial allocation of subsidy funds (补助资金分配) ----------------------------------------


def _shown_allocations(user):
    return Prefetch("allocations", queryset=permissions.visible_subsidy_allocations(user).order_by("college__name"),
                    to_attr="shown")


@extend_schema_view(
    list=extend_schema(summary="Subsidy rounds: a province's people their province's, the ministry every one, a "
                               "college the released ones with its own share"),
    retrieve=extend_schema(summary="One subsidy round with the allocations the caller may see",
                           responses={200: s.SubsidyRoundSerializer, **REFUSALS}),
    create=extend_schema(request=s.SubsidyRoundCreateSerializer, responses={201: s.SubsidyRoundSerializer,
                         **REFUSALS}, summary="Open a round (a province's finance division): the amount, the factors "
                         "weighed in percent (together 100); the split is computed to the fen"),
)
class SubsidyRoundViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = s.SubsidyRoundSerializer

    def get_queryset(self):
        return (permissions.visible_subsidy_rounds(self.request.user).distinct()
                .prefetch_related(_shown_allocations(self.request.user)).order_by("-pk"))

    def create(self, request):
        data = _sent(s.SubsidyRoundCreateSerializer, request.data)
        subsidy = subsidies.open_subsidy_round(request.user, data["year"], data["title"], data["total"],
                                               data["weights"])
        return Response(self._shown(subsidy.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.SubsidyRoundSerializer, **REFUSALS},
                   summary="Release a round whose allocations add up to its amount; each college is told its grant")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return Response(self._shown(subsidies.release_subsidy_round(request.user, pk).pk))

    @extend_schema(summary="Per college: the grants of released rounds of a year and what it paid since, by "
                           "funding source (绩效考评)", responses={200: s.SubsidyPerformanceSerializer(many=True),
                                                                  400: REFUSALS[400]},
                   parameters=[OpenApiParameter("year", int, description="the pilot year, this year by default"),
                               OpenApiParameter("province", str, description="a province's code (the ministry)")])
    @action(detail=False, pagination_class=None)
    def performance(self, request):
        year = participation.batch_year(request.query_params.get("year") or services.today().year,
                                        services.today().year)
        colleges = permissions.visible_subsidy_colleges(request.user, request.query_params.get("province") or None)
        return Response(s.SubsidyPerformanceSerializer(subsidies.performance(colleges, year), many=True).data)

    def _shown(self, pk):
        return s.SubsidyRoundSerializer(self.get_queryset().get(pk=pk), context={"request": self.request}).data


@extend_schema_view(
    list=extend_schema(summary="Subsidy allocations the caller may see: a college its own"),
    retrieve=extend_schema(summary="One allocation", responses={200: s.SubsidyAllocationSerializer, **REFUSALS}),
)
class SubsidyAllocationViewSet(ReadOnly):
    serializer_class = s.SubsidyAllocationSerializer
    visible = staticmethod(permissions.visible_subsidy_allocations)

    @extend_schema(request=s.SubsidyAdjustSerializer, responses={200: s.SubsidyAllocationSerializer, **REFUSALS},
                   summary="Set a college's amount in a draft round (the province's finance division), with reasons "
                           "when it differs from the computed one")
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        data = _sent(s.SubsidyAdjustSerializer, request.data)
        allocation = subsidies.adjust_subsidy_allocation(request.user, pk, data["amount"], data["reasons"] or "")
        return Response(s.SubsidyAllocationSerializer(allocation).data)
