from django.core.management.base import BaseCommand

from tryout.demo import PASSWORD, load_demo, load_demo_alliances, load_demo_subsidies, load_demo_supervision
from tryout.management.demo_only import require_demo


class Command(BaseCommand):
    help = "Load the demo provinces, colleges, TEOs, certificates, schedules and accounts."

    def handle(self, *args, **options):
        require_demo("load_demo")
        world = load_demo()
        alliances = load_demo_alliances()
        supervised = load_demo_supervision()
        rounds = load_demo_subsidies()
        self.stdout.write(
            f"demo loaded: {len(world['colleges'])} colleges, {len(world['teos'])} TEOs, "
            f"{len(world['certificates'])} certificates, {len(alliances)} alliances, "
            f"{supervised['plans']} assessment plans, {len(supervised['instances'])} TEOs under supervision, "
            f"{len(rounds)} subsidy round; "
            f"password for every account: {PASSWORD}"
        )
