"""The pages keep the Content-Security-Policy; the check every browser test runs sees a refusal."""

import pytest

from tests.browser import conftest

pytestmark = pytest.mark.browser


def test_the_sign_in_page_loads_under_the_policy_and_an_inline_style_is_caught(page):
    page.goto(page.base + "/login/")
    page.wait_for_load_state("networkidle")
    policy = page.evaluate("() => fetch('/login/').then(r => r.headers.get('content-security-policy'))")
    assert "default-src 'self'" in policy
    assert conftest.CSP_REPORTS == []
    # What a template's inline style would do: chromium refuses it and the check records it.
    with page.expect_console_message(lambda message: message.text.startswith("securitypolicyviolation")):
        page.evaluate(
            "() => { const s = document.createElement('style'); s.textContent = 'body{color:red}';"
            " document.head.appendChild(s); }"
        )
    caught = list(conftest.CSP_REPORTS)
    conftest.CSP_REPORTS.clear()
    assert any("style-src" in report for report in caught), caught


def test_the_api_documentation_loads_under_the_policy(page):
    page.goto(page.base + "/api/schema/ui/")
    page.wait_for_selector(".swagger-ui .info")
