"""Steps a person takes in the browser, shared by the browser tests."""


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
