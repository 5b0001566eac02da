"""The admin of accounts, API tokens and sign-in records: every change audited, nothing secret stored.

Accounts and groups are edited with every change (a password change included) appended to the
admin's audit chain; a password or a token appears there only as a fingerprint of its hash. API
tokens are issued by signing in, never here: the admin lists them and may revoke one (a delete,
audited). Sign-in failures may be cleared to unlock an account (audited); the logs are read only.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from knox.admin import AuthTokenAdmin
from knox.models import AuthToken

from bpmn import audit
from bpmn.admin import AuditedAdmin, ViewOnlyAdmin
from bpmn.models import AdminChange


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        before = audit.snapshot(user) if user is not None else {}
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and user is not None:
            user.refresh_from_db()
            audit.record_admin_change(request.user, user, AdminChange.Action.CHANGED, before, audit.snapshot(user))
        return response


class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


class RevocableTokenAdmin(AuditedAdmin, AuthTokenAdmin):
    list_display = ("token_key", "user", "created", "expiry")  # the key's first characters, never the digest
    search_fields = ["token_key", "user__username"]

    def has_add_permission(self, request) -> bool:
        return False  # a token is issued to the person signing in, who alone sees it

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AuditedAccessAttemptAdmin(AuditedAdmin, AccessAttemptAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False  # cleared (to unlock) or left, never rewritten


class AccessLogViewAdmin(ViewOnlyAdmin, AccessLogAdmin):
    pass


class AccessFailureLogViewAdmin(ViewOnlyAdmin, AccessFailureLogAdmin):
    pass


for model, model_admin in [
    (User, AuditedUserAdmin),
    (Group, AuditedGroupAdmin),
    (AuthToken, RevocableTokenAdmin),
    (AccessAttempt, AuditedAccessAttemptAdmin),
    (AccessLog, AccessLogViewAdmin),
    (AccessFailureLog, AccessFailureLogViewAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
