"""A request's effects are visible to the next request, whichever server process answers it.

Eight clients signed in as the same lead college, against four worker processes, each start a
lifecycle (201), list their tasks, and must find that lifecycle's first task there at once; then
they complete it. The clients share one inbox, so each picks its own task by its lifecycle, never
"the first task of the list": one client completing another's task is what makes a task vanish
from a list that was just shown it, not the database.
"""
import os
import time
from concurrent.futures import ThreadPoolExecutor

from .test_multiprocess import Run, database, template  # noqa: F401  (fixtures: the server's own database)

CLIENTS = 8
CYCLES = int(os.environ.get("READ_YOUR_WRITES_CYCLES", "6"))  # per client; raise it to soak
LEAD, INVITEES, CERTIFICATE = "college_42_1", ("college_42_2", "college_42_3"), "X-WEB-01"


def _cycle(clients, certificate_id: int, college_ids: list[int], number: int) -> int:
    """Start, list, complete; return how many tasks the list held."""
    status, created = clients(LEAD, "POST", "/api/v1/alliances/", {"certificate_id": certificate_id,
                                                                    "name": f"读写一致 {number}"})
    assert status == 201, created
    status, listed = clients(LEAD, "GET", "/api/v1/tasks/?process=alliance_formation")
    assert status == 200, listed
    mine = [t for t in listed["results"] if t["negotiation_id"] == created["id"] and t["task_name"] == "invite_members"]
    assert mine, f"lifecycle {created['id']} created (201) but its first task is not in the next list: {listed}"
    status, done = clients(LEAD, "POST", f"/api/v1/tasks/{mine[0]['task_id']}/complete/",
                           {"data": {"college_ids": college_ids}})
    assert status == 200, done
    return listed["count"]


def test_each_new_lifecycles_first_task_is_in_the_creators_next_list_on_four_workers(database):  # noqa: F811
    run = Run(database, [])
    run.start()
    try:
        run.clients.sign_in([LEAD])
        status, schedules = run.clients(None, "GET", "/api/v1/fee-schedules/")
        certificate_id = next(s["certificate_id"] for s in schedules["results"] if s["certificate"] == CERTIFICATE)
        college_ids = [database.colleges[u] for u in INVITEES]
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            counts = list(pool.map(lambda n: _cycle(run.clients, certificate_id, college_ids, n),
                                   range(CLIENTS * CYCLES)))
        seconds = time.monotonic() - started
    finally:
        run.server.stop()
    assert len(counts) == CLIENTS * CYCLES
    print(f"\n[read your writes] {len(counts)} start + list + complete cycles by {CLIENTS} clients in "
          f"{seconds:.1f} s; the shared inbox held up to {max(counts)} tasks; 0 missing")
