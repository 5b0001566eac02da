"""Production is the default: a key is required, HTTPS is enforced, no demo accounts; the demo is opt-in."""

import json
import os
import stat
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

KEY = "k3y-for-the-deploy-check-only-" + "aZ9q" * 10
SHOWN = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SHOW_DEMO_ACCOUNTS",
    "XCERT_DEMO",
)


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    """A Django process with only PATH and `env` in its environment (not pytest's PYTEST_VERSION)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], **env},
    )


def settings_of(**env) -> dict:
    code = (
        "import os, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webapp.settings'); "
        "from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {SHOWN!r}}}))"
    )
    done = run(["-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_deploy_is_clean_with_only_secret_key_and_allowed_hosts():
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY=KEY, ALLOWED_HOSTS="xcert.example.org"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_a_server_does_not_start_without_secret_key_and_says_why():
    for args in (["manage.py", "check"], ["-c", "import webapp.asgi"]):
        done = run(args, ALLOWED_HOSTS="xcert.example.org")
        assert done.returncode != 0
        assert "SECRET_KEY is not set" in done.stderr and "XCERT_DEMO=1" in done.stderr


def test_production_defaults_to_https_only_and_no_demo():
    shown = settings_of(SECRET_KEY=KEY)
    assert shown == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": None,
        "SHOW_DEMO_ACCOUNTS": False,
        "XCERT_DEMO": False,
    }


def test_each_https_setting_has_its_own_override_and_the_proxy_header_is_opt_in():
    shown = settings_of(
        SECRET_KEY=KEY,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="60",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    assert (shown["SECURE_SSL_REDIRECT"], shown["SESSION_COOKIE_SECURE"]) == (False, True)
    assert shown["SECURE_HSTS_SECONDS"] == 60
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_demo_runs_on_plain_http_with_a_key_generated_once_per_machine(tmp_path):
    shown = settings_of(XCERT_DEMO="1", XCERT_VAR_DIR=str(tmp_path))
    assert shown["SECURE_SSL_REDIRECT"] is False and shown["SESSION_COOKIE_SECURE"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0 and shown["SHOW_DEMO_ACCOUNTS"] is True and shown["DEBUG"] is False
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    settings_of(XCERT_DEMO="1", XCERT_VAR_DIR=str(tmp_path))
    assert key_file.read_text() == key


@pytest.mark.django_db
@pytest.mark.parametrize("command", [["load_demo"], ["simulate", "--alliances", "1"], ["bench", "--lifecycles", "1"],
                                     ["bench_notifications", "--clients", "1"]])
def test_without_xcert_demo_no_command_creates_demo_accounts(deployed, command):
    assert settings.XCERT_DEMO is False
    with pytest.raises(CommandError, match="XCERT_DEMO=1"):
        call_command(*command, stdout=StringIO(), stderr=StringIO())
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_code(world):
    from django.test import Client

    client = Client()
    for url in ("/login/", "/disclosure/", "/api/schema/ui/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    client.login(username="college_42_1", password="demo12345")
    assert "default-src 'self'" in client.get("/tasks/")["Content-Security-Policy"]


def test_no_template_has_an_inline_script_style_or_handler():
    import re
    from pathlib import Path

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=\"", re.IGNORECASE)
    found = {
        str(path.relative_to(settings.BASE_DIR)): inline.findall(path.read_text(encoding="utf-8"))
        for app in ("portal", "notifications", "api", "webapp")
        for path in (Path(settings.BASE_DIR) / app).glob("templates/**/*.html")
    }
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_counts_shared_by_server_processes_live_in_the_redis_cache_when_one_is_named():
    code = (
        "import os, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webapp.settings'); "
        "from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
    )
    shared = run(["-c", code], SECRET_KEY=KEY, XCERT_CACHE_URL="redis://cache.internal:6379/1")
    alone = run(["-c", code], SECRET_KEY=KEY, REDIS_URL="redis://cache.internal:6379/0")
    assert json.loads(shared.stdout) == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                         "LOCATION": "redis://cache.internal:6379/1"}, shared.stderr
    assert json.loads(alone.stdout)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache", alone.stderr
