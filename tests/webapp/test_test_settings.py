"""Production settings read no test marker: the tests' own settings module gives them plain HTTP and a key."""

import os

from django.conf import settings

from tests.webapp.test_deployment import KEY, run

SHOWN = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")
PYTEST_MARKER = {"PYTEST_VERSION": "8.4.2", "PYTEST_XDIST_WORKER": "gw0"}


def test_production_settings_under_pytest_still_refuse_to_start_without_a_key():
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'webapp.settings'; django.setup()"
    done = run(["-c", code], ALLOWED_HOSTS="xcert.example.org", **PYTEST_MARKER)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_production_settings_under_pytest_keep_https_only():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'webapp.settings'; django.setup(); "
        f"from django.conf import settings; print([getattr(settings, name) for name in {SHOWN!r}])"
    )
    done = run(["-c", code], SECRET_KEY=KEY, **PYTEST_MARKER)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[True, True, True, 31536000]"


def test_the_tests_run_on_plain_http_with_a_key_of_the_runs_own():
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "webapp.settings_test"
    assert [getattr(settings, name) for name in SHOWN] == [False, False, False, 0]
    # Generated for this run and handed to the servers it starts through the environment.
    assert settings.SECRET_KEY == os.environ["SECRET_KEY"] and len(settings.SECRET_KEY) >= 50
    assert "tests-only-key" not in settings.SECRET_KEY


def test_a_server_started_by_a_test_gets_the_tests_settings_and_key():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(settings.SECRET_KEY == {settings.SECRET_KEY!r}, [getattr(settings, name) for name in {SHOWN!r}])"
    )
    done = run(["-c", code], DJANGO_SETTINGS_MODULE="webapp.settings_test", SECRET_KEY=os.environ["SECRET_KEY"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True [False, False, False, 0]"
