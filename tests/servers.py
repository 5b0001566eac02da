"""Real servers for tests: the ASGI app in a thread (shares the test database), or in a process."""
import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def threaded_server():
    """uvicorn serving webapp.asgi in a thread of this process; yields the base URL."""
    import uvicorn

    from webapp.asgi import application

    # Connections the server's threads open are closed after each use, so none outlives the test.
    saved_age = connections.settings[DEFAULT_DB_ALIAS].get("CONN_MAX_AGE", 0)
    connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = 0
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off",
                                           ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = saved_age


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def server_process(env: dict | None = None):
    """uvicorn serving webapp.asgi in its own process on the test's PostgreSQL database.

    The listening socket is bound here and handed over, so connections queue from the start
    and nobody polls for the port to open.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    environment = {**os.environ, "DATABASE_URL": _database_url(), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "webapp.asgi:application", "--fd", str(listener.fileno()),
         "--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning"],
        cwd=ROOT, env=environment, pass_fds=(listener.fileno(),))
    listener.close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
