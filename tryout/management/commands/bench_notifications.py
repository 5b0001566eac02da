import json
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tryout import notifications_bench
from tryout.demo import load_demo
from tryout.management.demo_only import require_demo


class Command(BaseCommand):
    help = "Time commit -> WebSocket frame at 1, 100 and 1,000 clients, in-memory layer and Redis; print JSON."

    def add_arguments(self, parser):
        parser.add_argument("--clients", default="1,100,1000")
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                            help="the Redis of the second run; empty to measure the in-memory layer only")

    def handle(self, *args, clients="1,100,1000", rounds=5, redis="", **options):
        require_demo("bench_notifications")
        call_command("migrate", verbosity=0)
        call_command("deploy_processes", stdout=open("/dev/null", "w"))
        load_demo()
        counts = [int(n) for n in clients.split(",")]
        env = {"XCERT_VAR_DIR": str(settings.VAR_DIR), "REDIS_URL": "", "DATABASE_URL": ""}
        runs = [notifications_bench.run("in-memory", counts, rounds, env)]
        if redis:
            runs.append(notifications_bench.run("redis", counts, rounds, {**env, "REDIS_URL": redis}))
        self.stdout.write(json.dumps({"database": "sqlite", "runs": runs}, indent=2))
