"""Everyone sees only what concerns them: owner, lesser colleague, outsider."""
import pytest

from workflows.permissions import can_view, visible_negotiations

from .walk import Walk, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_negotiations(world):
    hubei = Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2",))
    jiangsu = Walk("X-PLC-03", lead="college_32_1", invite=("college_32_2",))
    return hubei.negotiation, jiangsu.negotiation


def test_teo_sees_only_its_own_certificates_negotiations(two_negotiations):
    hubei, jiangsu = two_negotiations
    assert list(visible_negotiations(user("teo_1"))) == [hubei]
    assert list(visible_negotiations(user("teo_2"))) == [jiangsu]
    assert not can_view(user("teo_2"), hubei)


def test_reviewer_sees_only_their_province(two_negotiations):
    hubei, jiangsu = two_negotiations
    assert list(visible_negotiations(user("reviewer_42"))) == [hubei]
    assert not can_view(user("reviewer_32"), hubei)


def test_colleges_see_their_alliances_once_invited_and_outsiders_nothing(two_negotiations):
    hubei, _ = two_negotiations
    assert can_view(user("college_42_1"), hubei)  # the lead
    assert can_view(user("finance_42_1"), hubei)  # a lesser role of the lead college
    assert not can_view(user("college_42_3"), hubei)  # same province, not a member
    assert not can_view(user("student"), hubei)


def test_ministry_sees_all_and_anonymous_sees_none(two_negotiations):
    from django.contrib.auth.models import AnonymousUser

    assert visible_negotiations(user("ministry")).count() == 2
    assert visible_negotiations(AnonymousUser()).count() == 0
