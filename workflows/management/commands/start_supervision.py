from django.core.management.base import BaseCommand

from workflows import services, supervision_process


class Command(BaseCommand):
    help = "Start the supervision (teo_supervision) of every TEO in the pilot for a year, once."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the pilot year (default: this year, Beijing time)")

    def handle(self, *args, year=None, **options):
        year = year or services.today().year
        started = supervision_process.start_supervision_for_all(year)
        self.stdout.write(f"{len(started)} TEO(s) under supervision for {year}")
