"""API tokens (django-rest-knox): issued by sign-in with an expiry, revoked by logout or a new password.

Only a hash of each token is stored. A token expires settings.REST_KNOX["TOKEN_TTL"] after it was
issued (10 hours unless XCERT_TOKEN_HOURS says otherwise); logout revokes the token it is sent
with, logout-all every token of the account, and a change of the account's password (by its owner,
in the admin or with manage.py changepassword) every token of that account. An account holds at most
REST_KNOX["TOKEN_LIMIT_PER_USER"] unexpired tokens: a sign-in beyond that is refused (429
token_limit_reached) until one is revoked or expires. A sign-in goes through django-axes like the
portal's: after the failure limit the account is locked for the client's address (429 sign_in_locked).
"""

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox import views as knox_views
from knox.models import get_token_model
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
                description="too many failed sign-ins: locked for this address until params.unlocks_at "
                "(sign_in_locked); or the account already holds params.limit unexpired tokens "
                "(token_limit_reached): revoke one with logout or logout-all first",
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
        _refuse_beyond_token_limit(user, self.get_token_limit_per_user())
        return super().post(request, format)


def _refuse_beyond_token_limit(user, limit: int | None) -> None:
    """Refuse a token beyond the account's limit in the API's refusal shape (knox's own is a bare 403)."""
    if limit is None:
        return
    unexpired = get_token_model().objects.filter(Q(expiry__gt=timezone.now()) | Q(expiry__isnull=True), user=user)
    if unexpired.count() >= limit:
        raise RuleViolation("token_limit_reached",
                            _("An account holds at most %(limit)s API tokens at once: sign out (logout or "
                              "logout-all) where one is no longer used, then sign in again."), status=429, limit=limit)


def note_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a user is saved: mark it when its password is another than the stored one.

    A hash that changes for the same password is no change: the account's other clients keep their
    tokens. set_password leaves the typed password on the instance to compare; an upgrade at sign-in
    (check_password's setter) leaves none but moves an outdated hash to the preferred hasher.
    """
    instance._password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    typed = getattr(instance, "_password", None)
    if typed is not None:
        instance._password_changed = not check_password(typed, stored)
    else:
        instance._password_changed = not _upgraded(stored, instance.password)


def _upgraded(stored: str, new: str) -> bool:
    """Whether `new` is what a sign-in's upgrade of the outdated hash `stored` looks like."""
    preferred = get_hasher("default")
    try:
        before, after = identify_hasher(stored), identify_hasher(new)
    except ValueError:  # an unusable password on either side
        return False
    outdated = before.algorithm != preferred.algorithm or preferred.must_update(stored)
    return outdated and after.algorithm == preferred.algorithm


def revoke_tokens_on_password_change(sender, instance, created=False, **kwargs) -> None:
    """After a user is saved with another password: revoke every API token of the account."""
    if getattr(instance, "_password_changed", False):
        get_token_model().objects.filter(user=instance).delete()
        instance._password_changed = False


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
