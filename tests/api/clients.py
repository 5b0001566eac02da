"""Signed-in API clients and the few calls every API test makes."""
from rest_framework.test import APIClient

from tests.workflows.walk import user


def api(username: str | None = None) -> APIClient:
    """A client signed in as the demo user (session-equivalent), or signed out."""
    client = APIClient()
    if username:
        client.force_authenticate(user(username))
    return client


def call(username: str | None, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
    """One request by the demo user through the in-process client: the lifecycle driver's `call`."""
    client = api(username)
    response = client.get(path) if method == "GET" else getattr(client, method.lower())(path, body, format="json")
    return response.status_code, response.json()


def inbox_task(username: str, name: str, negotiation_id: int, organization_id: int | None = None) -> dict:
    """Find a task in the user's own inbox, as a client would: by name and lifecycle."""
    listed = api(username).get("/api/v1/tasks/").json()["results"]
    found = [t for t in listed if t["task_name"] == name and t["negotiation_id"] == negotiation_id
             and organization_id in (None, t["organization_id"])]
    assert found, f"{username} has no {name} for negotiation {negotiation_id}: {listed}"
    return found[0]


def listed(username: str, path: str, **params) -> list[dict]:
    body = api(username).get(path, params).json()
    assert {"count", "next", "previous", "results"} <= set(body), body
    return body["results"]
