import random

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from bpmn import caches, integrity
from bpmn.models import ProcessInstance
from tryout.demo import load_demo
from tryout.management.demo_only import require_demo
from tryout.oversight import Oversight, OversightTally
from tryout.simulation import Driver, Tally
from workflows.models import Certificate, Organization, Person, Role


class Command(BaseCommand):
    help = "Drive N complete lifecycles through the services with plausible random choices."

    def add_arguments(self, parser):
        parser.add_argument("--alliances", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--complaints", type=int, default=3,
                            help="complaints against TEOs lodged and taken to a decision after the lifecycles")
        parser.add_argument("--cold", action="store_true",
                            help="drop every per-process cache after each step, as if each ran in a new process")

    def handle(self, *args, alliances=10, seed=1, cold=False, complaints=3, **options):
        require_demo("simulate")
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
                Driver(rng, tally, on_step=caches.drop_all if cold else None).run(
                    lead.user, rng.choice(certificates), others)
                bar.update(1)
        self.stdout.write(
            f"completed {tally.completed}/{tally.lifecycles} lifecycles; tasks {tally.tasks}, "
            f"rounds {tally.rounds}, payments {tally.payments}, refused {tally.refusals}, "
            f"returns {tally.returns}; outcomes {dict(sorted(tally.outcomes.items()))}"
        )
        self._oversee(rng, complaints, caches.drop_all if cold else None)
        self._check_every_instance()

    def _oversee(self, rng, complaints: int, on_step) -> None:
        """Every TEO's supervision for the pilot year, then complaints lodged by colleges, provinces and
        students, each taken to the ministry's decision."""
        tally = OversightTally()
        oversight = Oversight(rng, tally, on_step)
        year = oversight.supervise()
        oversight.lodge_complaints(complaints)
        oversight.settle()
        self.stdout.write(
            f"oversight: {tally.supervised} TEOs supervised for {year}, {tally.reports} progress reports; "
            f"{tally.complaints} complaints, tasks {tally.tasks}; outcomes "
            f"{dict(sorted(tally.outcomes.items()))}; measures {dict(sorted(tally.measures.items()))}")

    def _check_every_instance(self) -> None:
        """Restore every instance from its row in a cold process state; any problem fails the run."""
        caches.drop_all()
        instances = ProcessInstance.objects.select_related("definition")
        failing = {i.business_key: found for i in instances if (found := integrity.problems(i))}
        self.stdout.write(f"checked {instances.count()} instance(s) against their rows, {len(failing)} with problems")
        if failing:
            raise CommandError(f"instances out of step with their rows: {failing}")
