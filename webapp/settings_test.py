"""The tests' settings: production's (webapp.settings) on plain HTTP, with a key of this run's own.

Production reads no test marker; only a process that names this module in DJANGO_SETTINGS_MODULE
(pytest's configuration, and the servers the tests start, which inherit it) gets what follows.
The key is generated once per run and put in the environment, so the servers a test starts sign
sessions the way the test does; it is never written anywhere.
"""
import atexit
import os
import secrets
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
if "XCERT_ATTACHMENT_DIR" not in os.environ:
    # The run's attachments in a directory of its own, never var/; the processes it starts inherit it, and the
    # process that made it removes it when it ends.
    os.environ["XCERT_ATTACHMENT_DIR"] = tempfile.mkdtemp(prefix="xcert-attachments-")
    atexit.register(shutil.rmtree, os.environ["XCERT_ATTACHMENT_DIR"], True)

from webapp.settings import *  # noqa: E402, F403

# The tests' own servers listen on 127.0.0.1 over plain HTTP, like the demo.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# A test waiting on a row lock that is never released (a thread left holding it) fails within a minute
# with PostgreSQL's lock_timeout error, naming the statement, instead of stalling the run.
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=60000"  # noqa: F405
