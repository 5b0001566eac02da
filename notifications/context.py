"""Template context: the unread count for the inbox badge, and the newest id the page has seen."""
from notifications.models import Notification


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = Notification.objects.filter(recipient=user)
    return {
        "unread_notifications": rows.filter(read_at__isnull=True).count(),
        "last_notification": rows.order_by("-pk").values_list("pk", flat=True).first() or 0,
    }
