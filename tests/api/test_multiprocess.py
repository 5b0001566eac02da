"""Whole lifecycles over real HTTP against four uvicorn worker processes, and across a kill -9 of them all.

Each worker parses the models itself, and a step lands on whichever worker accepts it, so a
lifecycle's steps are restored from their rows by processes that did not take the step before:
what a deployment sees, and what an in-process test cannot show (commit eba72f1: loops and
multi-instances restored in a fresh process never advanced). The server runs on a database of its
own (`server_database`); afterwards every instance there, restored cold, must be in step with its
rows (`check_instances` and `bpmn.integrity.problems`) and every lifecycle must have ended.
"""
import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tryout.demo import PASSWORD
from tryout.notifications_bench import Server

from .lifecycle_driver import Cast, Lifecycle
from .server_database import ConnectionPeak, PostgresDatabase, SqliteFile

WORKERS = 4
POOL_MAX_SIZE = 4  # DB_POOL_MAX_SIZE of webapp/settings.py, per server process
TIMEOUT = 30  # seconds for any one request; SQLite waits up to 20 s for its write lock
BOOT_TIMEOUT = 120  # for the first request, answered once a worker has booted

# One lead per college and a certificate per lead unique in its province: each lifecycle verifies a
# baseline of its own, so all of them can agree and complete side by side.
CASTS = [
    Cast("X-WEB-01", "college_42_1", ("college_42_2", "college_42_3")),
    Cast("X-CLOUD-02", "college_42_2", ("college_42_1", "college_42_3")),
    Cast("X-PLC-03", "college_42_3", ("college_42_1", "college_42_2")),
    Cast("X-PLC-03", "college_32_1", ("college_32_2", "college_32_3")),
    Cast("X-CNC-04", "college_32_2", ("college_32_1", "college_32_3")),
    Cast("X-WEB-01", "college_32_3", ("college_32_1", "college_32_2")),
]


def side_by_side(*steps) -> list:
    """Run the steps in threads at once; re-raise the first failure once all have ended."""
    with ThreadPoolExecutor(len(steps)) as pool:
        futures = [pool.submit(step) for step in steps]
    return [future.result() for future in futures]


class TokenClients:
    """Real HTTP clients, one token per demo account, against whichever server `base` names now."""

    def __init__(self, base: str):
        self.base, self.tokens, self.requests = base, {}, 0
        self._counting = threading.Lock()

    def sign_in(self, usernames) -> None:
        def token(username):
            status, body = self(None, "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD})
            assert status == 200, (username, status, body)
            self.tokens[username] = body["token"]

        side_by_side(*(lambda u=u: token(u) for u in sorted(set(usernames))))

    def __call__(self, username: str | None, method: str, path: str, body: dict | None = None,
                 timeout: float = TIMEOUT) -> tuple[int, object]:
        # Asking for JSON: a failure is a JSON body (a plain-text traceback under DEBUG), never an HTML page.
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if username:
            headers["Authorization"] = f"Token {self.tokens[username]}"
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers, method=method)
        with self._counting:
            self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            text = refused.read().decode(errors="replace")
            try:
                return refused.code, json.loads(text)
            except ValueError:
                return refused.code, text[:4000]


def _accounts(casts) -> set[str]:
    return {name for c in casts
            for name in (*c.members, *map(Cast.finance, c.members), c.teo, c.reviewer, c.provincial_finance)}


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def template(request, tmp_path_factory):
    """The demo world migrated, deployed and loaded once per backend, cloned by each test."""
    if request.param == "sqlite":
        yield SqliteFile(tmp_path_factory.mktemp("template")).build()
        return
    built = PostgresDatabase.fresh("xcert_mp_template")
    try:
        yield built.build()
    finally:
        built.drop()


@pytest.fixture
def database(template, tmp_path):
    clone = template.clone(tmp_path / "var")
    try:
        yield clone
    finally:
        clone.drop()


class Run:
    """A server of WORKERS processes on the database, its clients, and the lifecycles they drive."""

    def __init__(self, database, casts):
        self.database, self.server = database, None
        self.clients = TokenClients("")
        self.lifecycles = [Lifecycle(self.clients, cast, database.colleges.__getitem__, side_by_side)
                           for cast in casts]

    def __enter__(self) -> "Run":
        try:
            self.start()
            self.clients.sign_in(_accounts(lc.cast for lc in self.lifecycles))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.server is not None:
            self.server.stop()

    def start(self) -> None:
        self.server = Server({**self.database.env, "DB_POOL_MAX_SIZE": str(POOL_MAX_SIZE)}, workers=WORKERS)
        self.clients.base = self.server.base
        # Connections queue on the bound socket while the workers boot: the first answer says they serve.
        status, _ = self.clients(None, "GET", "/api/v1/fee-schedules/", timeout=BOOT_TIMEOUT)
        assert status == 200

    def restart(self) -> None:
        self.server.kill()
        # Each step is one transaction: killed between steps, every instance is as its last commit left it.
        checked = self.database.manage("check_instances", check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        self.start()

    def drive(self, until: dict | None = None) -> float:
        """Carry every lifecycle on side by side (each up to its step in `until`); return the seconds."""
        started = time.monotonic()
        side_by_side(*(lambda lc=lc: lc.run((until or {}).get(lc.cast)) for lc in self.lifecycles))
        return time.monotonic() - started

    def tasks_completed(self) -> int:
        return sum(len(lc.completed) for lc in self.lifecycles)

    def assert_all_ended(self) -> None:
        """check_instances passes; every instance is in step with its rows; every lifecycle completed."""
        checked = self.database.manage("check_instances", check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        found = self.database.ask("outcome")
        assert {key: i["problems"] for key, i in found["instances"].items() if i["problems"]} == {}
        for lc in self.lifecycles:
            assert found["instances"][f"negotiation:{lc.negotiation_id}"]["status"] == "completed", lc.cast
            assert found["negotiations"][str(lc.negotiation_id)] == {
                "state": "agreed", "payments": ["released"] * 3, "certificates": 3}, lc.cast
            assert len(lc.completed) == 14 and len(lc.issued) == 3, (lc.cast, lc.completed)


def test_six_lifecycles_over_http_on_four_workers_all_complete_with_every_instance_in_step(database):
    started = time.monotonic()
    peak = ConnectionPeak(database) if isinstance(database, PostgresDatabase) else None
    with Run(database, CASTS) as run, peak or contextlib.nullcontext():
        booted = time.monotonic() - started
        seconds = run.drive()
    run.assert_all_ended()

    print(f"\n[multiprocess {_backend(database)}] {len(CASTS)} lifecycles, {run.tasks_completed()} tasks completed, "
          f"{run.clients.requests} requests in {seconds:.1f} s on {WORKERS} workers; server start and "
          f"{len(run.clients.tokens)} sign-ins {booted:.1f} s, whole test {time.monotonic() - started:.1f} s"
          + (f"; at most {peak.peak} connections in {peak.samples} samples (DB_POOL_MAX_SIZE={POOL_MAX_SIZE})"
             if peak is not None else ""))
    if peak is not None:
        # Each worker's pool holds at most POOL_MAX_SIZE; a few more for autovacuum and the like.
        assert 0 < peak.peak <= WORKERS * POOL_MAX_SIZE + 3, peak.peak


# Where each lifecycle is when the server dies: an invitation answered and one open, the first
# offer countered with the TEO's answer open, agreed and awaiting verification, two of three paid.
HALF_WAY = {
    Cast("X-WEB-01", "college_42_1", ("college_42_2", "college_42_3")): "respond:college_42_3",
    Cast("X-CLOUD-02", "college_42_2", ("college_42_1", "college_42_3")): "accept",
    Cast("X-PLC-03", "college_32_1", ("college_32_2", "college_32_3")): "verify:vocational",
    Cast("X-CNC-04", "college_32_2", ("college_32_1", "college_32_3")): "pay:college_32_3",
}


def test_lifecycles_killed_half_way_finish_on_a_restarted_server(database):
    started = time.monotonic()
    with Run(database, list(HALF_WAY)) as run:
        before = run.drive(HALF_WAY)
        run.restart()
        after = run.drive()
    run.assert_all_ended()

    print(f"\n[restart {_backend(database)}] {len(HALF_WAY)} lifecycles, {run.tasks_completed()} tasks completed, "
          f"{before:.1f} s before the kill -9 and {after:.1f} s after the restart on {WORKERS} workers, "
          f"whole test {time.monotonic() - started:.1f} s")


def _backend(database) -> str:
    return "postgresql" if isinstance(database, PostgresDatabase) else "sqlite"
