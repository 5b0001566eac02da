from django.contrib import admin

from bpmn.admin import AuditedAdmin
from notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ["created_at", "recipient", "event", "title_zh", "read_at", "emailed_at"]
    list_filter = ["event"]
    search_fields = ["recipient__username", "title_zh", "title_en"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(AuditedAdmin):
    list_display = ["user", "email"]
    list_filter = ["email"]
