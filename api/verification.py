"""Public verification over the API: a certificate by its serial, and the TEOs' public keys; no sign-in.

The same answer as the page (`workflows.verification`), counted against the same per-address
limit: over it, 429 naming the rule with Retry-After.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import RefusalSerializer
from webapp.signin import client_address
from workflows import verification
from workflows.errors import RuleViolation
from workflows.models import SigningKey
from workflows.refusals import refusal_of


class VerdictSerializer(serializers.Serializer):
    serial_no = serializers.CharField()
    status = serializers.ChoiceField(choices=[verification.VALID, verification.REVOKED, verification.INVALID,
                                              verification.UNKNOWN])
    message = serializers.CharField()
    holder = serializers.CharField(required=False, help_text="the holder's name, masked: 李*, 欧**明")
    certificate = serializers.CharField(required=False)
    certificate_name = serializers.CharField(required=False)
    teo = serializers.CharField(required=False)
    issued_on = serializers.DateField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)
    key_id = serializers.CharField(required=False)


class SigningKeySerializer(serializers.ModelSerializer):
    teo = serializers.CharField(source="teo.name")

    class Meta:
        model = SigningKey
        fields = ["key_id", "teo", "public_key", "created_at", "retired_at"]


class VerifyCertificate(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: VerdictSerializer, 429: OpenApiResponse(RefusalSerializer, description=(
        "too many look-ups from this address; Retry-After says when to try again"))},
        summary="Verify a certificate by its serial: valid, revoked, invalid (a seal that is not its TEO's "
                "signature) or unknown; no sign-in")
    def get(self, request, serial_no: str):
        try:
            verification.count_look_up(client_address(request))
        except RuleViolation as error:
            refusal = refusal_of(error)
            return Response(refusal.as_dict(), status=429, headers={"Retry-After": str(error.params["retry_after"])})
        return Response(verification.verify(serial_no).as_dict())


class SigningKeys(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: SigningKeySerializer(many=True)},
                   summary="Every TEO's public Ed25519 signing keys (base64, raw 32 bytes), in use and retired")
    def get(self, request):
        keys = SigningKey.objects.select_related("teo").order_by("teo__name", "-created_at")
        return Response(SigningKeySerializer(keys, many=True).data)
