"""Retry the deliveries still pending (a failure earlier, a process stopped before sending) and report."""
from django.core.management.base import BaseCommand

from notifications import delivery, outbox


class Command(BaseCommand):
    help = "Retry pending notification pushes and e-mails (each at most NOTIFICATIONS_MAX_ATTEMPTS times) and report."

    def handle(self, *args, **options):
        sent = delivery.send_pending()
        left = ", ".join(f"{name} {count}" for name, count in outbox.counts().items())
        done = ", ".join(f"{channel} {count}" for channel, count in sent.items())
        self.stdout.write(f"sent: {done}; left: {left} (at most {outbox.max_attempts()} attempts each)")
