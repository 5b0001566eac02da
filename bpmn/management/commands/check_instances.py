from django.core.management.base import BaseCommand, CommandError

from bpmn import caches, integrity


class Command(BaseCommand):
    help = (
        "Restore every running instance from its row in this process (every cache dropped first) and "
        "report any whose ready tasks, timers or subscriptions differ from the projections, or that is "
        "stuck; exit non-zero when any is."
    )

    def handle(self, *args, **options):
        caches.drop_all()
        checked = failed = 0
        for instance in integrity.running_instances().iterator():
            checked += 1
            found = integrity.problems(instance)
            if found:
                failed += 1
                self.stdout.write(f"{instance.pk} {instance.business_key} ({instance.definition.process_id} "
                                  f"v{instance.definition.version}):")
                for problem in found:
                    self.stdout.write(f"  - {problem}")
        self.stdout.write(f"checked {checked} running instance(s), {failed} with problems")
        if failed:
            raise CommandError(f"{failed} instance(s) out of step with their rows")
