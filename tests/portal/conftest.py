import pytest
from django.test import Client


class Browser:
    """The Django test client signed in as one demo account after another."""

    def __init__(self):
        self.client = Client()
        self.who = None

    def as_(self, username: str) -> "Browser":
        if username != self.who:
            self.client.logout()
            assert self.client.login(username=username, password="demo12345")
            self.who = username
        return self

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        return self.client.post(url, data or {}, **kw)


@pytest.fixture
def browser(world) -> Browser:
    return Browser()
