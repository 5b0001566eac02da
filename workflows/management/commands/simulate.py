import random

from django.core.management.base import BaseCommand
from tqdm import tqdm

from workflows.demo import load_demo
from workflows.models import Certificate, Organization, Person, Role
from workflows.simulation import Driver, Tally


class Command(BaseCommand):
    help = "Drive N complete lifecycles through the services with plausible random choices."

    def add_arguments(self, parser):
        parser.add_argument("--alliances", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, alliances=10, seed=1, **options):
        load_demo()
        rng = random.Random(seed)
        tally = Tally()
        certificates = list(Certificate.objects.order_by("code"))
        leads = list(Person.objects.filter(role=Role.COLLEGE).select_related("user", "organization"))
        with tqdm(total=alliances, unit="lifecycle", file=self.stderr._out) as bar:
            for _ in range(alliances):
                lead = rng.choice(leads)
                others = list(Organization.objects.filter(
                    kind=Organization.Kind.COLLEGE, province=lead.organization.province
                ).exclude(pk=lead.organization_id))
                Driver(rng, tally).run(lead.user, rng.choice(certificates), others)
                bar.update(1)
        self.stdout.write(
            f"completed {tally.completed}/{tally.lifecycles} lifecycles; tasks {tally.tasks}, "
            f"rounds {tally.rounds}, payments {tally.payments}, refused {tally.refusals}, "
            f"returns {tally.returns}; outcomes {dict(sorted(tally.outcomes.items()))}"
        )
