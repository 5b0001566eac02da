import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from bpmn import engine, signals
from bpmn.models import ProcessInstance


class Command(BaseCommand):
    help = "Advance instances whose timers are due; with --loop, keep polling."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop=False, interval=5.0, **options):
        while True:
            moved = engine.fire_due_timers()
            signals.timers_checked.send(sender=ProcessInstance, now=timezone.now())
            if moved or not loop:
                self.stdout.write(f"advanced {moved} instance(s)")
            if not loop:
                return
            time.sleep(interval)
