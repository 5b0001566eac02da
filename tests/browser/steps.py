"""Steps a person takes in the browser, shared by the browser tests."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("form button >> nth=-1")
    page.wait_for_url(f"{page.base}/tasks/")


def open_my_task(page, task_name: str) -> None:
    """Go to the inbox and open the task by following its row's link."""
    page.goto(f"{page.base}/tasks/")
    page.click(f"tr[data-task='{task_name}'] a >> nth=0")
    page.wait_for_selector("#task-title")


def signed_in(page, username: str) -> None:
    """Give the page a fresh session of that person, as signing in would (the sign-in page is tested elsewhere)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": page.base,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
