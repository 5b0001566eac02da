from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bpmn import engine
from bpmn.errors import ModelValidationError
from bpmn.parser import PROCESS_DIR


class Command(BaseCommand):
    help = (
        "Deploy the process models and make them the latest: a changed file set adds a version, a set "
        "deployed before becomes the latest again (roll back by restoring the files). A model with an "
        "unsafe or invalid expression is refused and nothing is deployed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, default=PROCESS_DIR,
            help="the folder of .bpmn and .dmn files (default: bpmn/processes)",
        )

    def handle(self, *args, directory: Path, **options):
        try:
            definitions = engine.deploy(directory)
        except ModelValidationError as exc:
            raise CommandError(exc.message) from None
        for definition in definitions:
            self.stdout.write(f"{definition.process_id} v{definition.version} {definition.content_hash[:12]}")
