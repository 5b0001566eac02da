"""Lists cost a fixed number of queries whatever their length; negotiations pay two a row for rounds."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workflows.walk import Walk

from .clients import api

pytestmark = pytest.mark.django_db

CERTIFICATES = ("X-WEB-01", "X-CLOUD-02", "X-PLC-03")
FLAT = ["alliances", "baselines", "agreements", "filings", "payments", "sittings", "process-instances"]


def _queries(path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api("ministry").get(f"/api/v1/{path}/").status_code == 200
    return len(captured.captured_queries)


def _lifecycles(first: int, last: int) -> None:
    for index in range(first, last + 1):
        Walk(CERTIFICATES[index - 1], lead=f"college_42_{index}", invite=tuple(
            f"college_42_{other}" for other in (1, 2, 3) if other != index)).through_filing()


@pytest.mark.parametrize("path", FLAT)
def test_a_list_of_three_costs_what_a_list_of_one_costs(world, path):
    _lifecycles(1, 1)
    one = _queries(path)
    _lifecycles(2, 3)
    assert _queries(path) == one


def test_negotiations_cost_two_queries_a_row_for_their_rounds_and_one_per_assessment_mode(world):
    _lifecycles(1, 1)
    one = _queries("negotiations")
    _lifecycles(2, 3)  # two more rows, each certificate with a mode of its own
    assert _queries("negotiations") == one + 2 * 2 + 2
