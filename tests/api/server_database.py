"""A database of the server processes' own, outside the test's transaction: a SQLite file or a PostgreSQL database.

Built once per session the way `make run` builds one (`manage.py migrate`, `deploy_processes`,
`load_demo`, each in its own process), then copied for every test: the demo's twenty password
hashes alone take seconds. Whatever the test wants to know afterwards it asks a Django process
on that database (`manage.py check_instances`, `outcome()` below), never the test's own connection.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

SETUP = (["migrate", "--noinput"], ["deploy_processes"], ["load_demo"])


class ServerDatabase:
    """What a process needs in its environment to use the database, and a way to run one."""

    env: dict
    colleges: dict = {}  # each demo college account's organization id, the same in every clone

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run([str(Path(settings.BASE_DIR) / "manage.py"), *args], check)

    def ask(self, function: str):
        """The JSON answer of this module's `function()` run in a Django process on this database."""
        code = (f"import django, json; django.setup(); from tests.api import server_database; "
                f"print(json.dumps(server_database.{function}()))")
        return json.loads(self._run(["-c", code], True).stdout.splitlines()[-1])

    def _run(self, args: list[str], check: bool) -> subprocess.CompletedProcess:
        # A demo installation, as `make run` builds one: load_demo refuses anywhere else.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings", "XCERT_DEMO": "1", **self.env}
        done = subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0 or not check, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def build(self) -> "ServerDatabase":
        for command in SETUP:
            self.manage(*command)
        self.colleges = self.ask("college_ids")
        return self


class SqliteFile(ServerDatabase):
    """`var/db.sqlite3` of a var directory of its own (XCERT_VAR_DIR), in WAL mode like `make run`'s."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        # An empty DATABASE_URL means SQLite even under `make test-services`, which sets one.
        self.env = {"XCERT_VAR_DIR": str(var_dir), "DATABASE_URL": ""}

    def clone(self, var_dir: Path) -> "SqliteFile":
        var_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.var_dir / "db.sqlite3", var_dir / "db.sqlite3")  # closed cleanly: no WAL left
        clone = SqliteFile(var_dir)
        clone.colleges = self.colleges
        return clone

    def drop(self) -> None:
        """Nothing to do: the file goes with its tmp_path."""


class PostgresDatabase(ServerDatabase):
    """A database created for the test next to the one of DATABASE_URL, dropped after it."""

    def __init__(self, name: str, template: str | None = None):
        import psycopg
        from psycopg import sql

        self.name = name
        self.env = {"DATABASE_URL": _url(name)}
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            admin.execute(create)

    @classmethod
    def fresh(cls, prefix: str = "xcert_mp", template: str | None = None) -> "PostgresDatabase":
        return cls(f"{prefix}_{uuid.uuid4().hex[:10]}", template)

    def clone(self, _var_dir: Path) -> "PostgresDatabase":
        clone = PostgresDatabase.fresh(template=self.name)
        clone.colleges = self.colleges
        return clone

    def drop(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


def _url(database: str) -> str:
    """DATABASE_URL (of `make test-services`) with another database name."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()


class ConnectionPeak(threading.Thread):
    """Sample a PostgreSQL database's connection count every 100 ms until stopped; keep the largest."""

    def __init__(self, database: PostgresDatabase):
        super().__init__(daemon=True)
        self.database, self.peak, self.samples = database, 0, 0
        self._done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            while not self._done.wait(0.1):
                count = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                      [self.database.name]).fetchone()[0]
                self.peak, self.samples = max(self.peak, count), self.samples + 1

    def __enter__(self) -> "ConnectionPeak":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self.join(10)


# -- asked in a Django process on the database (`ServerDatabase.ask`) ---------------------------


def college_ids() -> dict:
    """Each demo college account's organization id: whom a lead invites."""
    from workflows.models import Person, Role

    return dict(Person.objects.filter(role=Role.COLLEGE).values_list("user__username", "organization_id"))


def outcome() -> dict:
    """Every instance, restored cold from its row, with its problems; every negotiation's end state."""
    from bpmn import caches, integrity
    from bpmn.models import ProcessInstance
    from workflows.models import IssuedCertificate, Negotiation, Payment

    caches.drop_all()
    instances = {
        i.business_key: {"status": i.status, "end_event": i.end_event, "problems": integrity.problems(i)}
        for i in ProcessInstance.objects.select_related("definition").order_by("pk")
    }
    negotiations = {
        n.pk: {
            "state": n.state,
            "payments": sorted(Payment.objects.filter(agreement__negotiation=n).values_list("state", flat=True)),
            "certificates": IssuedCertificate.objects.filter(sitting__agreement__negotiation=n).count(),
        }
        for n in Negotiation.objects.order_by("pk")
    }
    return {"instances": instances, "negotiations": negotiations}
