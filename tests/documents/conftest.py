import pytest

from tests.portal.conftest import Browser


@pytest.fixture
def browser(world) -> Browser:
    """The Django test client signed in as one demo account after another, as in tests/portal."""
    return Browser()

