import json
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tryout.management.demo_only import require_demo
from tryout.national_scale import build
from workflows import dashboards
from workflows.models import Baseline, Province


def _timed(call, repeat: int) -> dict:
    """The call's query count and its median and slowest time in milliseconds over `repeat` runs."""
    with CaptureQueriesContext(connection) as captured:
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": len(captured), "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


class Command(BaseCommand):
    help = "Build the national-scale data set and time each dashboard and table on it; print JSON."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--year", type=int, default=2026)

    def handle(self, *args, repeat=5, year=2026, **options):
        require_demo("bench_dashboards")
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        rows = build(year=year)
        built = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":  # the statistics autovacuum would have gathered by now
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        province = Province.objects.filter(code__startswith="N").order_by("code").first()
        certificate = Baseline.objects.filter(province=province, state="verified").values_list(
            "certificate_id", flat=True).first()
        calls = {
            "province dashboard": lambda: dashboards.province_dashboard(province.pk, year),
            "  coverage": lambda: dashboards.coverage(province.pk),
            "  baselines against caps": lambda: dashboards.baselines_against_caps(province.pk),
            "  spells (medians)": lambda: dashboards.spells(province.pk),
            "  payments by college": lambda: dashboards.payments_by_college(province.pk),
            "  colleges against plans": lambda: dashboards.assessed_against_plans(province.pk),
            "  flagged TEOs": lambda: dashboards.flagged_teos(province.pk, year),
            "national dashboard": lambda: dashboards.ministry_dashboard(year),
            "  fee spread": dashboards.fee_spread,
            "  fees by province": dashboards.fees_by_province,
            "  national counts": dashboards.national_counts,
            "  supervision board": lambda: dashboards.supervision_board(year),
            "reviewer's other provinces": lambda: dashboards.other_provinces(certificate, province.pk),
        }
        result = {"database": connection.vendor, "rows": rows, "built_s": built,
                  "timings": {name: _timed(call, repeat) for name, call in calls.items()}}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
