"""Taking over a claimed task: the colleague's button on the task page, the same act through the API."""

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Notification
from tests.api.clients import api
from tests.portal.conftest import Browser
from tests.workflows.walk import open_task, user
from workflows import services
from workflows.models import Person

pytestmark = pytest.mark.django_db


def _claimed_screening(walk):
    """The Hubei lead's screening task, claimed by college_42_1; college_42_1_b is a colleague in the same lane."""
    walk.form()
    task = open_task(walk.negotiation, "screen_services")
    services.claim(user("college_42_1"), str(task.task_id))
    person = Person.objects.get(user__username="college_42_1")
    other = get_user_model().objects.create_user("college_42_1_b", password="demo12345")
    Person.objects.create(user=other, organization=person.organization, role=person.role)
    return task


def test_a_colleague_sees_the_take_over_button_and_takes_the_task_with_a_reason(hubei):
    task = _claimed_screening(hubei)
    browser = Browser().as_("college_42_1_b")
    page = browser.get(f"/tasks/{task.task_id}/").content.decode()
    assert f'<form id="take-over-form" method="post" action="/tasks/{task.task_id}/take-over/"' in page
    assert 'name="reason" form="take-over-form" required' in page
    taken = browser.post(f"/tasks/{task.task_id}/take-over/", {"reason": "王芳休假"})
    assert taken.status_code == 302 and taken["Location"] == f"/tasks/{task.task_id}/"
    assert open_task(hubei.negotiation, "screen_services").claimed_by.username == "college_42_1_b"
    told = Notification.objects.get(event="task_taken_over")
    assert told.recipient.username == "college_42_1" and "王芳休假" in told.title_zh
    # Now the previous holder reads the task as a colleague's: they may take it back, the new holder may not.
    assert 'id="take-over-form"' in Browser().as_("college_42_1").get(f"/tasks/{task.task_id}/").content.decode()
    assert 'id="take-over-form"' not in browser.get(f"/tasks/{task.task_id}/").content.decode()


@pytest.mark.parametrize("reader", ["college_42_1", "teo_1"])
def test_the_holder_and_other_lanes_see_no_take_over_button(hubei, reader):
    task = _claimed_screening(hubei)
    page = Browser().as_(reader).get(f"/tasks/{task.task_id}/")
    assert page.status_code == 200 and 'id="take-over-form"' not in page.content.decode()


def test_the_api_takes_over_with_a_reason_and_answers_the_task(hubei):
    task = _claimed_screening(hubei)
    answer = api("college_42_1_b").post(f"/api/v1/tasks/{task.task_id}/take-over/", {"reason": "出差"}, format="json")
    assert answer.status_code == 200
    assert open_task(hubei.negotiation, "screen_services").claimed_by.username == "college_42_1_b"
    assert Notification.objects.filter(event="task_taken_over", recipient=user("college_42_1")).count() == 1
