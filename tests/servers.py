"""Real servers for tests: the ASGI app in a thread (shares the test database), or in a process."""
import socket
import threading
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings


@contextmanager
def threaded_server():
    """uvicorn serving webapp.asgi in a thread of this process; yields the base URL."""
    import uvicorn

    from webapp.asgi import application

    # Connections the server's threads open are closed after each use, so none outlives the test.
    saved_age = connections.settings[DEFAULT_DB_ALIAS].get("CONN_MAX_AGE", 0)
    connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = 0
    # The socket is bound and listening before the thread starts: connections queue until it serves.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    base = f"http://127.0.0.1:{port}"
    # Its pages open sockets from its own origin: the one the socket accepts while it serves.
    origins = override_settings(SOCKET_ORIGINS=[base])
    origins.enable()
    thread.start()
    try:
        yield base
    finally:
        origins.disable()
        server.should_exit = True
        thread.join(10)
        listener.close()
        connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = saved_age


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def server_process(env: dict | None = None):
    """uvicorn serving webapp.asgi in its own process on the test's PostgreSQL database."""
    from tryout.notifications_bench import Server

    server = Server({"DATABASE_URL": _database_url(), **(env or {})})
    try:
        yield server.base
    finally:
        server.stop()
