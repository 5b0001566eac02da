"""The API of TEO supervision records: assessment plans, training sessions, teachers sent, hand-overs.

Each create reads only the fields its serializer declares (others are refused by the services' one
door as for every act) and answers what the portal's page answers for the same input.
"""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from api.attachment_views import attachments_action
from api.views import REFUSALS, ReadOnly, _sent
from workflows import teo_records
from workflows.models import AssessmentPlan, Replacement, TeachersSent, TrainingSession


class AssessmentPlanSerializer(serializers.ModelSerializer):
    teo_id = serializers.IntegerField(read_only=True)
    teo = serializers.CharField(source="teo.name")
    province_id = serializers.IntegerField(read_only=True)
    province = serializers.CharField(source="province.name")

    class Meta:
        model = AssessmentPlan
        fields = ["id", "teo_id", "teo", "province_id", "province", "year", "month", "sittings", "headcount",
                  "submitted_at"]


class AssessmentPlanCreateSerializer(serializers.Serializer):
    """A TEO's plan for one province and month (9—12月份考核计划安排); a second one for the month replaces it."""

    province_id = serializers.IntegerField()
    year = serializers.IntegerField(help_text="last year, this year or next")
    month = serializers.IntegerField(help_text="9 to 12")
    sittings = serializers.IntegerField(help_text=f"0 to {teo_records.SITTINGS_MAX:,}")
    headcount = serializers.IntegerField(help_text=f"0 to {teo_records.PLANNED_HEADCOUNT_MAX:,}; 0 only with 0 "
                                         "sittings")


class TrainingSessionSerializer(serializers.ModelSerializer):
    teo_id = serializers.IntegerField(read_only=True)
    teo = serializers.CharField(source="teo.name")
    province_id = serializers.IntegerField(read_only=True)
    province = serializers.CharField(source="province.name")

    class Meta:
        model = TrainingSession
        fields = ["id", "teo_id", "teo", "province_id", "province", "starts_on", "ends_on", "teachers_trained",
                  "recorded_at"]


class TrainingSessionCreateSerializer(serializers.Serializer):
    """A teacher-training session the TEO held (师资培训), recorded once it has started."""

    province_id = serializers.IntegerField()
    starts_on = serializers.DateField(help_text="YYYY-MM-DD, today or before")
    ends_on = serializers.DateField(required=False, help_text="YYYY-MM-DD, on or after starts_on; the start day "
                                    "when left out")
    teachers_trained = serializers.IntegerField(help_text=f"1 to {teo_records.TEACHERS_MAX:,}")


class TeachersSentSerializer(serializers.ModelSerializer):
    session_id = serializers.IntegerField(read_only=True)
    college_id = serializers.IntegerField(read_only=True)
    college = serializers.CharField(source="college.name")
    teo = serializers.CharField(source="session.teo.name")

    class Meta:
        model = TeachersSent
        fields = ["id", "session_id", "college_id", "college", "teo", "teachers", "recorded_at"]


class TeachersSentCreateSerializer(serializers.Serializer):
    """The teachers my college sent to a session in its province; all colleges' within those trained."""

    session_id = serializers.IntegerField()
    teachers = serializers.IntegerField(help_text="1 or more, within the session's teachers not yet accounted for")


class ReplacementSerializer(serializers.ModelSerializer):
    withdrawn = serializers.CharField(source="withdrawn.code")
    successor = serializers.CharField(source="successor.code")
    successor_teo = serializers.CharField(source="successor.teo.name")

    class Meta:
        model = Replacement
        fields = ["id", "withdrawn", "successor", "successor_teo", "decided_at"]


class ReplacementCreateSerializer(serializers.Serializer):
    """The ministry hands a delisted TEO's certificate to a TEO of the next batch, under a new code."""

    certificate_id = serializers.IntegerField()
    successor_teo_id = serializers.IntegerField()
    code = serializers.CharField(help_text=f"the successor's certificate code, new, ≤ {teo_records.CODE_MAX} chars")
    name = serializers.CharField(required=False, help_text="the successor's certificate name; the old one's when "
                                 "left out")


def _created(serializer_class, obj) -> Response:
    return Response(serializer_class(obj).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Assessment plans (考核计划安排): a TEO its own, a province's people those for its "
                               "colleges, the ministry all"),
    create=extend_schema(request=AssessmentPlanCreateSerializer, responses={201: AssessmentPlanSerializer,
                                                                            **REFUSALS},
                         summary="Submit my TEO's plan for a province and a month of September–December"),
)
class AssessmentPlanViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = AssessmentPlanSerializer
    visible = staticmethod(teo_records.visible_plans)
    attachments_of = attachments_action("plan", "the plan's document: its TEO, once its supervision has started")

    def create(self, request):
        data = _sent(AssessmentPlanCreateSerializer, request.data)
        return _created(AssessmentPlanSerializer, teo_records.submit_assessment_plan(
            request.user, data["province_id"], data["year"], data["month"], data["sittings"], data["headcount"]))


@extend_schema_view(
    list=extend_schema(summary="Teacher-training sessions: a TEO its own, a province's people those in the "
                               "province, the ministry all"),
    create=extend_schema(request=TrainingSessionCreateSerializer, responses={201: TrainingSessionSerializer,
                                                                             **REFUSALS},
                         summary="Record a teacher-training session my TEO held (the yellow-card rule reads them)"),
)
class TrainingSessionViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = TrainingSessionSerializer
    visible = staticmethod(teo_records.visible_sessions)

    def create(self, request):
        data = _sent(TrainingSessionCreateSerializer, request.data)
        return _created(TrainingSessionSerializer, teo_records.record_training_session(
            request.user, data["province_id"], data["starts_on"], data["ends_on"], data["teachers_trained"]))


@extend_schema_view(
    list=extend_schema(summary="Teachers sent to training: a college its own, a TEO those sent to its sessions, "
                               "a province's department its colleges', the ministry all"),
    create=extend_schema(request=TeachersSentCreateSerializer, responses={201: TeachersSentSerializer, **REFUSALS},
                         summary="Record the teachers my college sent to a training session in its province"),
)
class TeachersSentViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = TeachersSentSerializer
    visible = staticmethod(teo_records.visible_teachers_sent)

    def create(self, request):
        data = _sent(TeachersSentCreateSerializer, request.data)
        return _created(TeachersSentSerializer, teo_records.record_teachers_sent(
            request.user, data["session_id"], data["teachers"]))


@extend_schema_view(
    list=extend_schema(summary="Certificates of delisted TEOs handed to replacements, for every signed-in person"),
    create=extend_schema(request=ReplacementCreateSerializer, responses={201: ReplacementSerializer, **REFUSALS},
                         summary="Hand a delisted TEO's certificate to a TEO of the next batch (the ministry)"),
)
class ReplacementViewSet(mixins.CreateModelMixin, ReadOnly):
    serializer_class = ReplacementSerializer
    visible = staticmethod(lambda user: Replacement.objects.select_related("withdrawn", "successor__teo"))

    def create(self, request):
        data = _sent(ReplacementCreateSerializer, request.data)
        return _created(ReplacementSerializer, teo_records.hand_over(
            request.user, data["certificate_id"], data["successor_teo_id"], data["code"], data["name"]))
