"""A list's page holds every row that was committed before it was read, even after its count."""
import pytest
from django.conf import settings

from bpmn.models import OpenTask
from tests.workflows.walk import Walk, user
from webapp.pagination import CommitSafePaginator
from workflows import inbox

from .clients import api

pytestmark = pytest.mark.django_db


def test_a_task_committed_between_the_count_and_the_page_does_not_push_another_off_the_page(world):
    """The interleaving two server processes produced: the lead's new task vanished from its list."""
    Walk("X-WEB-01", lead="college_42_1", invite=("college_42_2",))
    page_of = CommitSafePaginator(inbox.inbox(user("college_42_1")), 50)
    assert page_of.count == 1  # the count is read first ...
    other = Walk("X-CLOUD-02", lead="college_42_2", invite=("college_42_1",))
    other.do("invite_members", {"college_ids": [user("college_42_1").person.organization_id]})  # ... a commit ...
    names = sorted(t.task_name for t in page_of.page(1))  # ... then the page
    assert names == ["invite_members", "respond_invitation"]


def test_the_api_and_the_list_pages_use_the_commit_safe_paginator(world):
    from webapp.pagination import PageNumberPagination

    assert settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] == "webapp.pagination.PageNumberPagination"
    assert PageNumberPagination.django_paginator_class is CommitSafePaginator
    listed = api("college_42_1").get("/api/v1/tasks/").json()
    lead = user("college_42_1").person.organization_id
    assert listed["count"] == OpenTask.objects.filter(organization_id=lead).count()
