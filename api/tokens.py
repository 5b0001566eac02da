"""API tokens (django-rest-knox): issued by sign-in with an expiry, revoked by logout.

Only a hash of each token is stored. A token expires settings.REST_KNOX["TOKEN_TTL"] after it was
issued (10 hours unless XCERT_TOKEN_HOURS says otherwise); logout revokes the token it is sent
with, logout-all every token of the account. A sign-in goes through django-axes like the portal's:
after the failure limit the account is locked for the client's address (429 sign_in_locked).
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.serializers import RefusalSerializer
from workflows.errors import RuleViolation


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send as `Authorization: Token <token>`; shown only this once")
    expiry = serializers.DateTimeField(help_text="the token is refused (401) from this time on")


class LoginView(knox_views.LoginView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Sign in: a token that expires",
        request=SignInSerializer,
        auth=[],
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(RefusalSerializer, description="wrong user name or password"),
            429: OpenApiResponse(
                RefusalSerializer,
                description="too many failed sign-ins: locked for this address until params.unlocks_at",
            ),
        },
        tags=["auth"],
    )
    def post(self, request, format=None):
        sent = SignInSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        # The plain HttpRequest, so that axes marks a lockout where its middleware looks for it.
        user = authenticate(request._request, **sent.validated_data)
        if user is None:
            raise RuleViolation("sign_in_failed", _("Wrong user name or password."))
        request.user = user
        return super().post(request, format)


class LogoutView(knox_views.LogoutView):
    @extend_schema(
        summary="Revoke the token this request is sent with",
        request=None,
        responses={204: None, 401: RefusalSerializer},
        tags=["auth"],
    )
    def post(self, request, format=None):
        return super().post(request, format)


class LogoutAllView(knox_views.LogoutAllView):
    @extend_schema(
        summary="Revoke every token of my account",
        request=None,
        responses={204: None, 401: RefusalSerializer},
        tags=["auth"],
    )
    def post(self, request, format=None):
        return super().post(request, format)
