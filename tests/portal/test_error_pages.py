"""Errors are the product's own pages in the user's language; a signed-out POST keeps what was typed."""
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.workflows.walk import open_task

pytestmark = pytest.mark.django_db


def test_debug_is_off_unless_asked_for():
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='webapp.settings'; django.setup(); " \
           "from django.conf import settings; print(settings.DEBUG)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "DEBUG"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    on = subprocess.run([sys.executable, "-c", code], env={**env, "DEBUG": "1"}, capture_output=True, text=True,
                        cwd=settings.BASE_DIR)
    assert (off.stdout.strip(), on.stdout.strip()) == ("False", "True")


def test_a_server_error_reaches_the_servers_stderr_with_debug_off():
    # Django's own logging writes a request's traceback only with DEBUG on: a 500 left no trace.
    code = "import django, os, logging; os.environ['DJANGO_SETTINGS_MODULE']='webapp.settings'; django.setup(); " \
           "logging.getLogger('django.request').error('Internal Server Error: /boom/')"
    env = {k: v for k, v in __import__("os").environ.items() if k != "DEBUG"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert "ERROR django.request" in done.stderr and "Internal Server Error: /boom/" in done.stderr


def test_another_provinces_negotiation_is_the_products_404_in_chinese_then_english(browser, jiangsu):
    url = f"/negotiations/{jiangsu.negotiation.pk}/"
    zh = browser.as_("teo_1").get(url)
    en = browser.get(url, headers={"accept-language": "en"})
    assert zh.status_code == en.status_code == 404
    assert "页面不存在，或您无权查看。" in zh.content.decode()
    assert "This page does not exist" in en.content.decode() and "页面不存在" not in en.content.decode()
    assert "URLconf" not in zh.content.decode() and 'data-rule="not_found"' in zh.content.decode()


def test_an_unknown_api_path_answers_json(browser):
    response = browser.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["rule"] == "not_found"


def test_a_server_error_is_the_products_page_without_a_traceback(settings, world):
    settings.ROOT_URLCONF = "tests.portal.boom_urls"
    client = Client(raise_request_exception=False)
    page = client.get("/boom/")
    assert page.status_code == 500
    body = page.content.decode()
    assert 'data-rule="server_error"' in body and "系统出现故障" in body and "RuntimeError" not in body
    api = client.get("/api/v1/boom/", headers={"accept-language": "en"})
    assert api.status_code == 500 and api.json() == {"rule": "server_error",
                                                     "message": "Something went wrong on our side."}


def _counter_offer(hubei):
    hubei.form()
    hubei.do("screen_services", {"training_content": "师资培训"})
    return open_task(hubei.negotiation, "alliance_responds")


TYPED = {"decision": "counter", "fee": "170.00", "line_question_bank": "170.00", "comment": "请再考虑题库成本"}


def test_a_session_expired_mid_form_comes_back_as_typed_after_signing_in(browser, hubei):
    respond = _counter_offer(hubei)
    page = f"/tasks/{respond.task_id}/"
    browser.as_("college_42_1").get(page)
    browser.client.session.flush()  # the session expired on the server
    browser.client.cookies.pop(settings.SESSION_COOKIE_NAME)
    sent = browser.post(page, TYPED)
    assert sent.status_code == 302 and sent.url.startswith("/login/?next=")
    signed_in = browser.post(sent.url, {"username": "college_42_1", "password": "demo12345"})
    assert signed_in.status_code == 302 and signed_in.url == page
    body = browser.get(page).content.decode()
    assert "请再考虑题库成本" in body and 'value="170.00"' in body and "登录已过期" in body
    assert "请再考虑题库成本" not in browser.get(page).content.decode()  # taken back once


def test_cookies_gone_is_not_the_csrf_debug_page_and_keeps_what_was_typed(hubei, world):
    respond = _counter_offer(hubei)
    page = f"/tasks/{respond.task_id}/"
    client = Client(enforce_csrf_checks=True)
    sent = client.post(page, {**TYPED, "csrfmiddlewaretoken": "stale"})
    assert sent.status_code == 302 and sent.url.startswith("/login/?next=")
    login_page = client.get(sent.url)
    token = login_page.cookies["csrftoken"].value
    signed_in = client.post(sent.url, {"username": "college_42_1", "password": "demo12345",
                                       "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302 and signed_in.url == page
    assert "请再考虑题库成本" in client.get(page).content.decode()


def test_a_signed_in_post_with_a_stale_token_keeps_the_fields_and_never_the_password(hubei, world):
    respond = _counter_offer(hubei)
    page = f"/tasks/{respond.task_id}/"
    client = Client(enforce_csrf_checks=True)
    client.login(username="college_42_1", password="demo12345")
    sent = client.post(page, {**TYPED, "password": "secret", "csrfmiddlewaretoken": "stale"})
    assert sent.status_code == 302 and sent.url == page
    assert "password" not in client.session["drafts"][page]
    body = client.get(page).content.decode()
    assert "请再考虑题库成本" in body


def test_a_stale_token_on_a_page_without_a_form_worth_keeping_is_a_product_page(world):
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": "stale"})
    assert refused.status_code == 403
    assert 'data-rule="csrf_failed"' in refused.content.decode()
