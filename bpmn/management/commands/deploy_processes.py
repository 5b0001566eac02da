from django.core.management.base import BaseCommand

from bpmn import engine


class Command(BaseCommand):
    help = "Deploy the process models in bpmn/processes; a changed file set adds a version."

    def handle(self, *args, **options):
        for definition in engine.deploy():
            self.stdout.write(f"{definition.process_id} v{definition.version} {definition.content_hash[:12]}")
