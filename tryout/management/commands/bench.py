import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tryout.demo import load_demo
from tryout.engine_bench import BareRun, ServiceRun, summary
from tryout.management.demo_only import require_demo
from workflows.models import Certificate, Organization, Person


class Command(BaseCommand):
    help = "Time lifecycles through the services against the same process on bare SpiffWorkflow; print JSON."

    def add_arguments(self, parser):
        parser.add_argument("--lifecycles", type=int, default=20)
        parser.add_argument("--bare", type=int, default=50)

    def handle(self, *args, lifecycles=20, bare=50, **options):
        require_demo("bench")
        call_command("migrate", verbosity=0)
        call_command("deploy_processes", stdout=open("/dev/null", "w"))
        load_demo()
        services_run, service_lifecycles = ServiceRun(), []
        leads = Person.objects.filter(role="college", organization__province__code="42").order_by("pk")
        certificates = list(Certificate.objects.order_by("code"))
        for index in range(lifecycles):
            lead = leads[index % leads.count()].user
            lead_org = lead.person.organization
            invitees = list(Organization.objects.filter(kind="college", province=lead_org.province)
                            .exclude(pk=lead_org.pk))
            started = time.perf_counter()
            services_run.lifecycle(certificates[index % len(certificates)], lead, invitees)
            service_lifecycles.append(time.perf_counter() - started)
        bare_run, bare_lifecycles = BareRun(), []
        for _ in range(bare):
            started = time.perf_counter()
            bare_run.lifecycle()
            bare_lifecycles.append(time.perf_counter() - started)
        result = {
            "database": "sqlite",
            "services": {"lifecycle": summary(service_lifecycles), "task": summary(services_run.task_times)},
            "bare_spiffworkflow": {"lifecycle": summary(bare_lifecycles), "task": summary(bare_run.task_times)},
        }
        result["ratio_task_median"] = round(
            result["services"]["task"]["median_ms"] / result["bare_spiffworkflow"]["task"]["median_ms"], 2)
        result["ratio_lifecycle_median"] = round(
            result["services"]["lifecycle"]["median_ms"] / result["bare_spiffworkflow"]["lifecycle"]["median_ms"], 2)
        self.stdout.write(json.dumps(result, indent=2))

