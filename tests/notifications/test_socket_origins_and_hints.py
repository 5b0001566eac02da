"""The socket opens only from the site's own origin, and a page hint reaches only people who may see its negotiation."""
import pytest
from asgiref.sync import async_to_sync, sync_to_async

from notifications import origins
from notifications.consumers import groups_of
from notifications.delivery import hints
from tests.notifications.conftest import frames, socket
from tests.workflows.walk import Walk, user
from workflows import permissions
from workflows.models import Negotiation, Person

SITE = "http://127.0.0.1:8000"  # SITE_URL's default, the tests' settings

REFUSED_ORIGINS = [
    "http://127.0.0.1:8001",  # the same host on another port
    "http://127.0.0.1:80", "http://127.0.0.1",  # ... on the default port
    "https://127.0.0.1:8000",  # another scheme
    "ws://127.0.0.1:8000",
    "http://localhost:8000",  # another name of the host
    "http://127.0.0.1.evil.example:8000", "http://evil.example", "http://127.0.0.1:8000.evil.example",
    "http://user@127.0.0.1:8000", "http://127.0.0.1:8000/page", "null", "", "127.0.0.1:8000", "http://[::1]:8000",
]


def test_an_origin_counts_only_when_scheme_host_and_port_are_the_sites_exactly():
    assert origins.allowed(SITE, [SITE]) and origins.allowed("HTTP://127.0.0.1:8000", [SITE])
    assert origins.allowed("https://xcert.example.org", ["https://xcert.example.org:443/app/"])
    assert origins.allowed("https://xcert.example.org:443", ["https://xcert.example.org"])
    assert not origins.allowed(None, [SITE])
    through = [origin for origin in REFUSED_ORIGINS if origins.allowed(origin, [SITE])]
    assert through == [] and len(REFUSED_ORIGINS) == 15


@pytest.mark.django_db(transaction=True)
def test_a_socket_from_another_port_scheme_or_host_is_refused_and_the_sites_own_is_accepted(committed_world):
    tried = {origin: socket("teo_1", origin=(b"origin", origin.encode())) for origin in REFUSED_ORIGINS}
    tried["no Origin"] = socket("teo_1", origin=None)
    tried["two Origins"] = socket("teo_1")
    tried["two Origins"].scope["headers"].append((b"origin", b"http://evil.example"))
    site = socket("teo_1", origin=(b"origin", SITE.encode()))

    async def scenario():
        through = []
        for origin, communicator in tried.items():
            connected, _ = await communicator.connect()
            if connected:
                through.append(origin)
                await communicator.disconnect()
        assert through == [] and len(tried) == 17
        assert (await site.connect())[0]
        await site.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_the_allowed_origins_are_the_setting_and_nothing_else(committed_world, settings):
    settings.SOCKET_ORIGINS = ["https://xcert.example.org"]
    default = socket("teo_1", origin=(b"origin", SITE.encode()))
    other = socket("teo_1", origin=(b"origin", b"https://xcert.example.org"))

    async def scenario():
        assert not (await default.connect())[0]
        assert (await other.connect())[0]
        await other.disconnect()

    async_to_sync(scenario)()


def _hint_groups(negotiation) -> set[str]:
    return {group for group, _ in hints([negotiation])}


@pytest.mark.django_db
def test_every_person_hears_of_a_negotiation_exactly_when_they_may_see_it(world):
    Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2",)).form()
    Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).form()
    attempts, wrong = 0, []
    for negotiation in Negotiation.objects.select_related("alliance", "certificate"):
        groups = _hint_groups(negotiation)
        for person in Person.objects.select_related("user", "organization"):
            attempts += 1
            hears = bool(groups & set(groups_of(person.user)))
            if hears != permissions.can_view(person.user, negotiation):
                wrong.append((negotiation.pk, person.user.username, hears))
    assert wrong == []
    assert attempts == 2 * Person.objects.count() >= 36


@pytest.mark.django_db(transaction=True)
def test_no_page_hint_reaches_a_student_another_alliance_or_another_province(first_offer):
    walk = first_offer
    outsiders = ["student", "college_32_1", "finance_32_1", "reviewer_32", "teo_2"]
    insiders = ["college_42_1", "college_42_2", "finance_42_3", "teo_1", "reviewer_42", "ministry"]
    hint = {"type": "changed", "object": f"negotiation:{walk.negotiation.pk}"}

    sockets = {name: socket(name) for name in outsiders + insiders}

    async def scenario():
        for communicator in sockets.values():
            assert (await communicator.connect())[0]
        for fee in ("170.00", "165.00"):  # a counter-offer each way: two changes of the negotiation
            await sync_to_async(_counter)(walk, fee)
        got = {name: await frames(communicator) for name, communicator in sockets.items()}
        for communicator in sockets.values():
            await communicator.disconnect()
        return got

    got = async_to_sync(scenario)()
    heard = {name: sum(1 for f in frames_ if f == hint) for name, frames_ in got.items()}
    assert {name: heard[name] for name in outsiders} == dict.fromkeys(outsiders, 0)
    assert all(heard[name] == 2 for name in insiders), heard
    assert not any(f.get("type") == "notifications" for name in outsiders for f in got[name])


def _counter(walk: Walk, fee: str) -> None:
    from decimal import Decimal

    task = walk.tasks()[0]
    if task.task_name == "alliance_responds":
        walk.do("alliance_responds", {"decision": "counter", "fee": fee, "lines": walk.offer_lines(Decimal(fee))})
    else:
        walk.do("teo_responds", {"decision": "counter", "fee": fee, "lines": walk.offer_lines(Decimal(fee))},
                actor=user("teo_1"))
