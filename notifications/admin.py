from django.contrib import admin

from bpmn.admin import AuditedAdmin, ViewOnlyAdmin
from notifications.models import Delivery, Notification, Preference


class DeliveryInline(admin.TabularInline):
    """A notification's outbox entries, as the product wrote them."""

    model = Delivery
    fields = readonly_fields = ["channel", "status", "attempts", "claimed_at", "sent_at", "error"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ["created_at", "recipient", "event", "title_zh", "read_at"]
    list_filter = ["event", "deliveries__status"]
    search_fields = ["recipient__username", "title_zh", "title_en"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdmin):
    """The outbox: what is pending, sent or failed, with the attempts and the last error."""

    list_display = ["notification", "channel", "status", "attempts", "claimed_at", "sent_at", "error"]
    list_filter = ["channel", "status"]
    search_fields = ["notification__recipient__username", "error"]
    list_select_related = ["notification__recipient"]


@admin.register(Preference)
class PreferenceAdmin(AuditedAdmin):
    list_display = ["user", "email"]
    list_filter = ["email"]
