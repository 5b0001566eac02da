"""Send each daily-digest reader one e-mail with what they have not been mailed yet."""
from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from notifications.delivery import site_url
from notifications.models import Notification, Preference


class Command(BaseCommand):
    help = "Send the daily notification digests (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        if not settings.NOTIFICATIONS_EMAIL:
            self.stdout.write("e-mail is off (NOTIFICATIONS_EMAIL=0): nothing sent")
            return
        sent = 0
        readers = Preference.objects.filter(email=Preference.Email.DAILY).select_related("user")
        for preference in readers:
            sent += _digest(preference.user)
        self.stdout.write(f"sent {sent} digest(s)")


@transaction.atomic
def _digest(user) -> int:
    rows = list(Notification.objects.select_for_update().filter(recipient=user, emailed_at__isnull=True)
                .order_by("pk"))
    if not rows or not user.email:
        return 0
    lines = [f"- {row.created_at:%Y-%m-%d %H:%M} {row.title_zh} / {row.title_en}\n  {site_url(row.link)}"
             for row in rows]
    send_mail(subject=f"[1+X] 今日通知 {len(rows)} 条 / {len(rows)} notification(s) today",
              message="\n".join(lines), from_email=None, recipient_list=[user.email])
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
    return 1
