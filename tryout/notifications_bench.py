"""Benchmark: from the commit of a task completion to the frame arriving at every connected client.

A uvicorn process serves the application on 127.0.0.1 (the in-memory layer, or Redis with
REDIS_URL); N clients, each a TEO officer signed in with a real session, hold real WebSockets
to it. The alliance's counter-offer is posted to the server over HTTP, the server stamps each
pushed frame with the time of its commit, and every client records when the frame arrived.
"""
import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore

from tryout.engine_bench import ServiceRun, summary
from tryout.simulation import scaled_lines
from workflows.models import Certificate, Organization, Person, Role


def session_for(user) -> str:
    """A signed-in session made in the shared database, as the login page would make it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class HttpClient:
    """A signed-in browser without a browser: session cookie, CSRF token, form posts."""

    def __init__(self, base: str, user):
        self.base, self.cookie = base, session_for(user)
        response = self._open(urllib.request.Request(f"{base}/tasks/", headers={"Cookie": self.cookie}))
        self.csrf = next(value.split("=", 1)[1].split(";", 1)[0] for name, value in response.getheaders()
                         if name.lower() == "set-cookie" and value.startswith("csrftoken="))

    def _open(self, request):
        return urllib.request.urlopen(request, timeout=60)

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=body, headers={
            "Cookie": f"{self.cookie}; csrftoken={self.csrf}", "X-CSRFToken": self.csrf,
            "Referer": f"{self.base}{path}"})
        return self._open(request).status


class Server:
    """uvicorn in a process group of its own on a socket bound here (connections queue from the start)."""

    def __init__(self, env: dict, workers: int = 1):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(2048)
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "webapp.asgi:application", "--fd", str(self.listener.fileno()),
             "--workers", str(workers), "--ws", "websockets-sansio", "--lifespan", "off",
             "--log-level", "warning", "--backlog", "2048"],
            cwd=Path(settings.BASE_DIR), env={**os.environ, "XCERT_SITE_ORIGINS": self.base, **env},
            pass_fds=(self.listener.fileno(),),
            start_new_session=True)
        self.listener.close()

    def stop(self) -> None:
        """SIGTERM, and SIGKILL after a grace period: closing 1,000 sockets on Redis may outlast it."""
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.kill()  # whatever of the group outlived its parent, or the parent itself

    def kill(self) -> None:
        """SIGKILL the server and every worker at once, as a crash or the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def _officers(count: int) -> list:
    """`count` TEO officers of the first TEO, each with an account (created once)."""
    teo = Organization.objects.filter(kind=Organization.Kind.TEO).order_by("pk").first()
    User = get_user_model()
    existing = list(Person.objects.filter(organization=teo, role=Role.TEO, user__username__startswith="bench_")
                    .select_related("user")[:count])
    for index in range(len(existing), count):
        user = User.objects.create(username=f"bench_teo_{index:04d}")
        existing.append(Person.objects.create(user=user, organization=teo, role=Role.TEO))
    return [person.user for person in existing[:count]]


def _open_offer():
    """A fresh lifecycle of the first TEO's certificate waiting for the alliance's answer to round 1."""
    lead = Person.objects.filter(role=Role.COLLEGE, organization__province__code="42").order_by("pk").first().user
    lead_org = lead.person.organization
    certificate = Certificate.objects.filter(teo__kind="teo").order_by("teo_id", "code").first()
    invitees = list(Organization.objects.filter(kind="college", province=lead_org.province).exclude(pk=lead_org.pk))
    negotiation, only = ServiceRun().to_first_offer(certificate, lead, invitees)
    return lead, negotiation, only("alliance_responds").get()


async def _clients(base: str, cookies: list[str], rounds: int, post_round) -> list[float]:
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/ws/notifications/"
    latencies: list[float] = []
    arrivals: dict[int, asyncio.Queue] = {}

    async def client(number: int, cookie: str, ready: asyncio.Event, connected: list):
        queue = arrivals.setdefault(number, asyncio.Queue())
        async with connect(url, additional_headers={"Cookie": cookie}, origin=base, open_timeout=120,
                           max_queue=None) as ws:
            connected.append(number)
            if len(connected) == len(cookies):
                ready.set()
            async for raw in ws:
                received = time.time()
                if '"offer_countered"' not in raw:  # the client's own parsing is not what is measured
                    continue
                frame = json.loads(raw)
                if frame.get("type") == "notifications" and not frame["replayed"]:
                    if any(item["event"] == "offer_countered" for item in frame["items"]):
                        queue.put_nowait(received - frame["committed_at"])

    ready, connected = asyncio.Event(), []
    tasks = [asyncio.create_task(client(n, c, ready, connected)) for n, c in enumerate(cookies)]
    await asyncio.wait_for(ready.wait(), 300)
    for _ in range(rounds):
        await asyncio.to_thread(post_round)
        for number in range(len(cookies)):
            latencies.append(await asyncio.wait_for(arrivals[number].get(), 120))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies


def _summary(samples: list[float]) -> dict:
    lifecycle_style = summary(samples)  # the same median and p95 as the lifecycle bench
    return {"frames": lifecycle_style["n"], "p50_ms": lifecycle_style["median_ms"],
            "p95_ms": lifecycle_style["p95_ms"], "max_ms": round(max(samples) * 1000, 3)}


def run(layer: str, client_counts: list[int], rounds: int, env: dict) -> dict:
    """Measure each client count against one server process; returns {count: summary}."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    server = Server(env)
    results = {}
    try:
        for count in client_counts:
            cookies = [session_for(user) for user in _officers(count)]
            offers = [_open_offer() for _ in range(rounds)]
            posted = iter(offers)

            def post_round(posted=posted):
                lead, negotiation, respond = next(posted)
                offer = scaled_lines(negotiation.schedule.lines, Decimal("170.00"))
                lines = {f"line_{code}": amount for code, amount in offer.items()}
                status = HttpClient(server.base, lead).post(
                    f"/tasks/{respond.task_id}/", {"decision": "counter", "fee": "170.00", **lines})
                if status != 200:
                    raise RuntimeError(f"the counter-offer was refused: HTTP {status}")

            latencies = asyncio.run(_clients(server.base, cookies, rounds, post_round))
            results[str(count)] = _summary(latencies)
    finally:
        server.stop()
    return {"layer": layer, "rounds_per_count": rounds, "clients": results}
