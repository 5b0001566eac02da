"""The API of attachments (附件): each object's files listed and uploaded (multipart), and every file downloaded.

`agreements/{id}/attachments/`, `assessment-plans/{id}/attachments/`, `complaints/{id}/attachments/` and
`payments/{id}/attachments/` list an object's files (GET) and keep one more (POST, multipart, field `file`),
through the one act `workflows.attachments.attach` the pages call too; `attachments/` lists the files the
caller may read, `attachments/{id}/download/` sends one back. Refusals are the services' own.
"""
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.parsers import BoundedJSONParser
from api.serializers import RefusalSerializer
from webapp.downloads import attachment_response
from workflows import attachments, permissions
from workflows.models import Attachment

REFUSED = {code: OpenApiResponse(RefusalSerializer, description=text) for code, text in (
    (400, "the file is refused, naming the rule (none, empty, too large, not a PDF, JPEG or PNG by its content)"),
    (403, "your role may not attach to this object, or read its files"),
    (404, "not found, or not yours to see"),
    (409, "the object takes no file in its state, or keeps the most files already"))}


class AttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=attachments.KINDS, read_only=True,
                                   help_text="the object it is kept with: agreement, plan, complaint or payment")
    object_id = serializers.SerializerMethodField(help_text="the id of that object")
    name = serializers.CharField(source="original_name", help_text="the uploaded name, made safe")
    uploaded_by = serializers.SerializerMethodField(help_text="the uploader's name")
    uploaded_by_organization = serializers.CharField(source="uploaded_by.person.organization.name", default=None,
                                                     allow_null=True)
    download = serializers.SerializerMethodField(help_text="where the file is downloaded")

    class Meta:
        model = Attachment
        fields = ["id", "kind", "object_id", "name", "content_type", "size", "sha256", "uploaded_by",
                  "uploaded_by_organization", "uploaded_at", "download"]

    def get_object_id(self, attachment) -> int:
        return attachment.target.pk

    def get_uploaded_by(self, attachment) -> str:
        return permissions.display_name(attachment.uploaded_by)

    def get_download(self, attachment) -> str:
        return reverse("attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="a PDF, JPEG or PNG (recognised by its first bytes, not its name or type), "
                                 "at most XCERT_ATTACHMENT_MAX_MB (10 MB by default)")


def attachments_action(kind: str, what: str):
    """The `{id}/attachments/` action of a viewset whose objects keep files of `kind` (`what` they are)."""
    @extend_schema(methods=["GET"], summary=f"The files kept with it ({what}), for those who read them",
                   responses={200: AttachmentSerializer(many=True), 403: REFUSED[403], 404: REFUSED[404]})
    @extend_schema(methods=["POST"], summary=f"Attach a file ({what}): multipart, the field `file`; its SHA-256 "
                   "goes into the audit trail", request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer, **REFUSED})
    @action(detail=True, methods=["get", "post"], url_path="attachments", url_name="attachments",
            parser_classes=[MultiPartParser, FormParser, BoundedJSONParser], pagination_class=None, filter_backends=[])
    def attachments_of(self, request, pk=None):
        """An object's files: at most XCERT_ATTACHMENTS_PER_OBJECT, so listed whole; refusals name their rule."""
        if request.method == "POST":
            kept = attachments.attach(request.user, kind, pk, request.FILES.get("file"))
            return Response(AttachmentSerializer(kept).data, status=status.HTTP_201_CREATED)
        return Response(AttachmentSerializer(attachments.files_of(request.user, kind, pk), many=True).data)
    return attachments_of


@extend_schema_view(
    list=extend_schema(summary="The files I may read, newest first: of the agreements, plans, complaints and "
                               "payments I see (a complaint's evidence for its complainant's side and the ministry)"),
    retrieve=extend_schema(summary="One file's record", responses={
        200: AttachmentSerializer, 403: REFUSED[403], 404: REFUSED[404]}),
)
class AttachmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AttachmentSerializer

    def get_queryset(self):
        return permissions.readable_attachments(self.request.user).select_related(
            "agreement", "plan", "complaint", "payment").order_by("-pk")

    def retrieve(self, request, pk=None):
        return Response(AttachmentSerializer(attachments.readable(request.user, pk)).data)

    @extend_schema(summary="Download the file: sent as an attachment with the type its content was detected as",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, (200, "image/jpeg"): OpenApiTypes.BINARY,
                              (200, "image/png"): OpenApiTypes.BINARY, 403: REFUSED[403], 404: REFUSED[404]})
    @action(detail=True)
    def download(self, request, pk=None):
        return attachment_response(attachments.readable(request.user, pk), request)
