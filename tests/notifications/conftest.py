import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from webapp.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def session_cookie(username: str) -> bytes:
    client = Client()
    assert client.login(username=username, password="demo12345")
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def socket(username: str | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [origin] if origin else []
    if username:
        headers.append((b"cookie", session_cookie(username)))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def frames(communicator: WebsocketCommunicator, timeout: float = 0.3) -> list[dict]:
    """Every frame that arrives until the socket has been quiet for `timeout` seconds."""
    received = []
    while not await communicator.receive_nothing(timeout=timeout):
        received.append(await communicator.receive_json_from())
    return received


@pytest.fixture
def committed_world(transactional_db):
    from bpmn import engine
    from tryout.demo import load_demo

    engine.deploy()
    return load_demo()


def items(received: list[dict]) -> list[dict]:
    """The notifications in a list of frames, each marked with whether it was replayed."""
    return [{**item, "replayed": frame["replayed"]} for frame in received if frame["type"] == "notifications"
            for item in frame["items"]]


@pytest.fixture
def first_offer(committed_world):
    """A committed Hubei lifecycle of X-WEB-01 with round 1 (the published fee) awaiting the alliance."""
    from tests.workflows.walk import Walk

    return Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2", "college_42_3")).to_first_offer()
