"""Send each daily-digest reader one e-mail with the digest lines pending for them."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from notifications import outbox
from notifications.delivery import site_url
from notifications.models import Delivery


class Command(BaseCommand):
    help = "Send the daily notification digests (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        if not settings.NOTIFICATIONS_EMAIL:
            self.stdout.write("e-mail is off (NOTIFICATIONS_EMAIL=0): nothing sent")
            return
        outbox.release_stale()
        readers = Delivery.objects.filter(channel=Delivery.Channel.DIGEST, status=Delivery.Status.PENDING) \
            .values_list("notification__recipient", flat=True).distinct()
        sent = sum(_digest(user) for user in get_user_model().objects.filter(pk__in=readers).order_by("pk"))
        self.stdout.write(f"sent {sent} digest(s)")


def _digest(user) -> int:
    """Claim the reader's pending lines and send them as one e-mail; a failure keeps them for the next run."""
    claimed = outbox.claim(Delivery.objects.filter(channel=Delivery.Channel.DIGEST, notification__recipient=user))
    if not claimed:
        return 0  # another sender holds them
    rows = [entry.notification for entry in claimed]
    lines = [f"- {row.created_at:%Y-%m-%d %H:%M} {row.title_zh} / {row.title_en}\n  {site_url(row.link)}"
             for row in rows]
    try:
        if not user.email:
            raise ValueError("the account has no e-mail address")
        send_mail(subject=f"[1+X] 今日通知 {len(rows)} 条 / {len(rows)} notification(s) today",
                  message="\n".join(lines), from_email=None, recipient_list=[user.email])
    except Exception as error:  # the mail server, or an address removed since: kept, or failed at the bound
        outbox.settle(claimed, error)
        return 0
    outbox.settle(claimed)
    return 1
