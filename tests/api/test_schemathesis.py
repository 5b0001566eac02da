"""schemathesis against the live schema: no 5xx, every status and body as the schema says.

A uvicorn server runs on a PostgreSQL database of its own (`server_database`), built the way
`make run` builds one (the demo world and its two alliances) and carried on over HTTP by the
lifecycle driver: one lifecycle to the last payment with a student's paper copy ordered, one
awaiting the reviewer's verification, one with a payment released and one due. Then
`schemathesis run` (the CLI, seed 1) fuzzes `/api/schema/` with the checks not_a_server_error,
status_code_conformance and response_schema_conformance, signed in through the login page like a
browser (a session cookie and its CSRF token, so the API's token scheme does not matter here):

- every operation in the fuzzing phase (3 examples each) as each role, and signed out;
- every operation once in the coverage phase (boundary values, wrong types, missing and extra
  fields): the lists and pages as the ministry, each act as a role that takes it (ACTS);
- every operation with an id in the path once more with ids drawn at random (fuzzing phase).

A role's runs pin each path id to the first object of that kind the role sees, so detail pages
and acts on real objects are fuzzed, not only 404s.
"""
import http.cookiejar
import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tryout.demo import NAMES, PASSWORD, STUDENT_NUMBERS
from tryout.notifications_bench import Server

from .lifecycle_driver import Cast, Lifecycle, _today
from .server_database import PostgresDatabase

pytestmark = pytest.mark.services

SEED = 1
MAX_EXAMPLES = 3  # per operation in the fuzzing phase; the coverage phase's cases follow from the schema
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
RUN_TIMEOUT = 240  # seconds for one run of the CLI
# The run is latency-bound (a request waits on the database more than on a CPU): two server workers
# and two CLI workers each keep two requests in flight.
WORKERS = 2
# The passes are independent runs of the CLI (each its own account, config and seed), so two run at
# once: a pass mostly waits on the server, and the server on the database.
PASSES_AT_ONCE = 2
# One of each role the API serves, and nobody signed in.
ACCOUNTS = {
    "lead college": "college_42_1",
    "member college": "college_42_3",
    "TEO": "teo_1",
    "reviewer": "reviewer_42",
    "finance": "finance_32_3",
    "finance division": "finance_div_42",
    "student": "student",
    "ministry": "ministry",
    "signed out": None,
}
# Every act (each POST of the schema) goes through the coverage phase (boundary values, wrong
# types, missing and extra fields) as a role that takes it, on the first object of its kind that
# role sees; the lists and detail pages do as the ministry, who sees them all.
ACTS = {
    "lead college": r"^/api/v1/(alliances|negotiations|tasks|participation-filings|teachers-sent|complaints)/",
    "TEO": r"^/api/v1/(fee-schedules|agreements|sittings|certificates/\{id\}/revoke|paper-orders/\{id\}/dispatch|"
           r"assessment-plans|training-sessions)/",
    "reviewer": r"^/api/v1/(baselines|tasks)/",
    "finance": r"^/api/v1/(tasks|payments)/",
    "finance division": r"^/api/v1/subsidy-(rounds|allocations)/",
    "student": r"^/api/v1/(certificates/\{id\}/paper-orders|paper-orders/\{id\}/(deliver|cancel))/",
    "ministry": r"^/api/v1/replacements/",
    "signed out": r"^/api/v1/auth/",
}
PAGES_ROLE = "ministry"
# The file uploads (multipart/form-data with a binary part): schemathesis' coverage phase stops on them
# with a runtime error of its own (it validates the binary part's format as a JSON string), so they go
# through the fuzzing phase only, as every role, and their refusals through tests/api/test_one_door.py.
FUZZED_ONLY = r"/attachments/$"
# Where each lifecycle is left before the run (the step named is the first not taken).
LIFECYCLES = {
    Cast("X-CLOUD-02", "college_42_1", ("college_42_2", "college_42_3")): None,
    Cast("X-PLC-03", "college_42_2", ("college_42_1", "college_42_3")): "verify:vocational",
    Cast("X-WEB-01", "college_32_2", ("college_32_1", "college_32_3")): "pay:college_32_3",
}
ANY_ID_ROLE = "lead college"  # fuzzes the path ids themselves, once
DELIVERY = {"recipient": "李明", "phone": "13800000000", "address": "湖北省武汉市江夏区"}


class Sessions:
    """Demo accounts signed in through the login page over HTTP, each with its cookies and CSRF token."""

    def __init__(self, base: str):
        self.base, self.jars = base, {}

    def sign_in(self, username: str) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{self.base}/login/", timeout=60).read()
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self._cookies(jar)["csrftoken"]}
        opener.open(urllib.request.Request(f"{self.base}/login/", data=urllib.parse.urlencode(form).encode(),
                                           headers={"Referer": f"{self.base}/login/"}), timeout=60).read()
        assert "sessionid" in self._cookies(jar), f"{username} was not signed in"
        self.jars[username] = jar

    def headers(self, username: str | None) -> dict:
        """What a signed-in browser sends with a request: its cookies, and the CSRF token of an unsafe one."""
        if username is None:
            return {}
        cookies = self._cookies(self.jars[username])
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in sorted(cookies.items())),
                "X-CSRFToken": cookies["csrftoken"]}

    def __call__(self, username: str | None, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """One JSON request as the account: the lifecycle driver's `call`."""
        if username is not None and username not in self.jars:
            self.sign_in(username)
        headers = {"Accept": "application/json", "Content-Type": "application/json", **self.headers(username)}
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null")

    @staticmethod
    def _cookies(jar) -> dict:
        return {cookie.name: cookie.value for cookie in jar}


def _populate(sessions: Sessions, colleges: dict) -> None:
    """The lifecycles of LIFECYCLES; a paper copy of the student's certificate ordered by them; the last
    Jiangsu member's sitting recorded, so that its finance office has a payment to release."""
    full, _agreed, paying = (Lifecycle(sessions, cast, colleges.__getitem__).run(until)
                             for cast, until in LIFECYCLES.items())
    sittings = sessions("teo_1", "GET", "/api/v1/sittings/")[1]["results"]
    sitting = next(s for s in sittings if (s["agreement_id"], s["college_id"]) == (
        full.agreement_id, colleges["college_42_1"]))
    status, issued = sessions("teo_1", "POST", f"/api/v1/sittings/{sitting['id']}/certificates/", {"holders": [
        {"name": NAMES["student"], "student_no": STUDENT_NUMBERS["student"]}]})
    assert status == 201, issued
    status, order = sessions("student", "POST", f"/api/v1/certificates/{issued[0]['id']}/paper-orders/", DELIVERY)
    assert status == 201, order
    status, recorded = sessions(paying.cast.teo, "POST", f"/api/v1/agreements/{paying.agreement_id}/assessments/",
                                {"college_id": colleges["college_32_3"], "headcount": 12, "held_on": _today()})
    assert status == 201, recorded
    status, opened = sessions("finance_div_42", "POST", "/api/v1/subsidy-rounds/", {
        "year": int(_today()[:4]), "title": "鄂财教〔2026〕18号", "total": "90000.00", "weights": {"equal_share": 100}})
    assert status == 201, opened


@pytest.fixture(scope="module")
def live():
    """The server on its database, populated; its base URL and the signed-in sessions."""
    database = PostgresDatabase.fresh("xcert_fuzz")
    database.env["XCERT_DEMO"] = "1"
    _commit_without_waiting_for_the_disk(database.name)
    server = None
    try:
        database.build()
        # Errors only: a 500's traceback, not a line for every refusal.
        server = Server({**database.env, "XCERT_LOG_LEVEL": "ERROR"}, workers=WORKERS)
        sessions = Sessions(server.base)
        _wait_until_serving(server.base)
        _populate(sessions, database.colleges)
        for username in filter(None, ACCOUNTS.values()):
            if username not in sessions.jars:
                sessions.sign_in(username)
        yield server.base, sessions, server.process.pid
    finally:
        if server is not None:
            server.stop()
        database.drop()


def _commit_without_waiting_for_the_disk(name: str) -> None:
    # A database thrown away after the run: a commit need not wait for its WAL to reach the disk,
    # which was most of a request's time (the run is latency-bound: 160 CPU seconds in 416 s).
    import psycopg
    from psycopg import sql

    from .server_database import _url

    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name)))


def _wait_until_serving(base: str) -> None:
    # The socket is bound before the worker boots: the first request waits in its queue.
    with urllib.request.urlopen(f"{base}/api/schema/", timeout=120) as response:
        assert response.status == 200


# -- one role's run --------------------------------------------------------------------------


def _id_parameters(schema: dict) -> dict[str, tuple[str, str]]:
    """Each templated path of the schema -> (its id parameter, the list path whose results carry that id)."""
    found = {}
    for path in schema["paths"]:
        parts = path.strip("/").split("/")  # api, v1, resource, {id}, ...
        if len(parts) >= 4 and parts[3].startswith("{"):
            found[path] = (parts[3].strip("{}"), f"/{'/'.join(parts[:3])}/")
    return found


def _first_seen(sessions: Sessions, username: str, list_path: str, key: str):
    """The id of the first object the account sees in the list, or None."""
    status, body = sessions(username, "GET", list_path)
    return body["results"][0][key] if status == 200 and body["results"] else None


def _config(headers: dict, pins: dict) -> str:
    """schemathesis.toml: the seed, the bounds, the account's session, and the path ids pinned to real objects."""
    lines = [f"seed = {SEED}", "color = false", "[generation]", f"max-examples = {MAX_EXAMPLES}",
             'database = "none"', "with-security-parameters = false", "[phases.stateful]", "enabled = false",
             "[headers]", 'Accept = "application/json"']
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in headers.items()]
    for path, (key, value) in pins.items():
        lines += ["[[operations]]", f"include-path = {json.dumps(path)}",
                  f"parameters = {{ {json.dumps('path.' + key)} = {json.dumps(value)} }}"]
    return "\n".join(lines) + "\n"


def _pins(sessions: Sessions, username: str | None, schema: dict) -> dict:
    """Each templated path -> its id parameter and the first object of that kind the account sees."""
    if username is None:
        return {}
    seen = {}
    for path, (key, list_path) in _id_parameters(schema).items():
        if list_path not in seen:
            seen[list_path] = _first_seen(sessions, username, list_path, key if key == "task_id" else "id")
        if seen[list_path] is not None:
            seen[path] = (key, seen[list_path])
    return {path: pin for path, pin in seen.items() if isinstance(pin, tuple)}


def _run(base: str, config: str, workdir: Path, *options: str) -> tuple[dict, str]:
    """`schemathesis run` against the live schema; its JSON report and what it printed."""
    workdir.mkdir(parents=True)
    (workdir / "schemathesis.toml").write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(workdir / "schemathesis.toml"), "run",
               f"{base}/api/schema/", "--checks", ",".join(CHECKS), *options,
               "--workers", str(WORKERS), "--report", "json", "--report-json-path", str(workdir / "report.json"),
               "--no-color"]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    return report, done.stdout + done.stderr


def _operations(schema: dict, method: str | None = None, path_regex: str = "") -> list[str]:
    return [f"{m.upper()} {path}" for path, item in schema["paths"].items() for m in item
            if m in ("get", "post", "put", "patch", "delete") and method in (None, m.upper())
            and re.search(path_regex, path)]


def _passes(sessions: Sessions, schema: dict):
    """(name, account, config, CLI options, operations it must test), in the order they run.

    Every operation in the fuzzing phase as each role; the coverage phase once for every operation
    (the lists and pages as PAGES_ROLE, each act as its roles of ACTS); then the operations with an id
    in the path once more with ids drawn at random (no object's, or not even a number or a UUID).
    """
    configs = {role: _config(sessions.headers(username), _pins(sessions, username, schema))
               for role, username in ACCOUNTS.items()}
    for role, username in ACCOUNTS.items():
        yield f"{role}: fuzzing", username, configs[role], ("--phases", "fuzzing"), _operations(schema)
    yield f"{PAGES_ROLE}: coverage of GET", ACCOUNTS[PAGES_ROLE], configs[PAGES_ROLE], (
        "--phases", "coverage", "--include-name-regex", "^GET "), _operations(schema, "GET")
    for role, acts in ACTS.items():
        yield f"{role}: coverage of its acts", ACCOUNTS[role], configs[role], (
            "--phases", "coverage", "--include-name-regex", f"^POST {acts.removeprefix('^')}",
            "--exclude-path-regex", FUZZED_ONLY), [
            operation for operation in _operations(schema, "POST", acts) if not re.search(FUZZED_ONLY, operation)]
    templated = r"\{[a-z_]+\}"
    yield "random ids", ACCOUNTS[ANY_ID_ROLE], _config(sessions.headers(ACCOUNTS[ANY_ID_ROLE]), {}), (
        "--phases", "fuzzing", "--include-path-regex", templated), _operations(schema, None, templated)


def test_every_act_has_a_role_that_takes_it_through_the_coverage_phase():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = set(_operations(schema, "GET")).union(*(_operations(schema, "POST", acts) for acts in ACTS.values()))
    assert set(_operations(schema)) - covered == set()
    uploads = set(_operations(schema, "POST", FUZZED_ONLY))
    assert uploads and all("multipart/form-data" in schema["paths"][operation.split(" ")[1]]["post"]["requestBody"][
        "content"] for operation in uploads)  # only the file uploads are left to the fuzzing phase


@pytest.mark.long_running
def test_every_operation_fuzzed_as_every_role_answers_as_the_schema_says_and_never_5xx(live, tmp_path):
    base, sessions, server_pid = live
    schema = _schema(base)
    started, cases, failures, found, seconds = time.monotonic(), 0, Counter(), {}, {}
    cpu = _cpu_seconds(server_pid) + _cli_cpu_seconds()
    passes = list(_passes(sessions, schema))
    with ThreadPoolExecutor(PASSES_AT_ONCE) as pool:
        runs = list(pool.map(lambda number: _run(base, passes[number][2], tmp_path / f"{number:02d}",
                                                 *passes[number][3]), range(len(passes))))
    for (name, username, _, _, operations), (report, output) in zip(passes, runs, strict=True):
        cases += report["test_cases"]["generated"]
        seconds[name] = round(report["running_time"])
        assert operations and report["operations"]["tested"] == len(operations), (name, output[-20000:])
        failures.update({f"{f['code']} {f['title']}": f["count"] for f in report["failures"]})
        if report["failures"] or report["errors"]:
            found[name] = output[-20000:]
        if username is not None:
            # Signed in all along: its session is still good.
            assert sessions(username, "GET", "/api/v1/tasks/")[0] == 200, name
    # CPU seconds of the CLI and the server process (PostgreSQL's own are not counted); the wall-clock
    # time also counts the database and whatever else runs on the machine.
    cpu = _cpu_seconds(server_pid) + _cli_cpu_seconds() - cpu
    print(f"\n[schemathesis] {len(_operations(schema))} operations, {len(ACCOUNTS)} roles: {cases} test cases "
          f"(seed {SEED}, {MAX_EXAMPLES} examples per operation and role in fuzzing) in {cpu:.0f} CPU seconds, "
          f"{time.monotonic() - started:.0f} s wall clock {seconds}; failures {dict(failures) or 0}")
    assert not found, "\n\n".join(f"===== {name} =====\n{output}" for name, output in found.items())


def _cpu_seconds(group: int) -> float:
    """User and system CPU seconds so far of a process group's running processes: the server and its workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _cli_cpu_seconds() -> float:
    """CPU seconds of the child processes waited for: the CLI runs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _schema(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=60) as response:
        return json.loads(response.read())
