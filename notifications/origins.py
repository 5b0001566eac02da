"""The WebSocket's Origin check: the page that opens a socket must come from the site itself, exactly.

A browser sends the page's origin with every WebSocket handshake and sends the session cookie
whatever that origin is, so a page of another site, or of another service on the same host (a
different port or scheme), could otherwise open a socket in the signed-in person's name. The
allowed origins are `settings.SOCKET_ORIGINS` (from XCERT_SITE_ORIGINS, by default SITE_URL's):
scheme, host and port must all match one of them; a default port may be written or left out. A
handshake without an Origin is refused too: browsers always send one.
"""
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalized(origin: str, site: bool = False) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, its default port filled in; None for anything that is no origin.

    A configured `site` address may carry a path (SITE_URL of a site served under one): its origin counts.
    """
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    extra = parts.query or parts.fragment or parts.username or (parts.path not in ("", "/") and not site)
    if scheme not in DEFAULT_PORTS or not host or extra:
        return None
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def allowed(origin: str | None, origins=None) -> bool:
    """Whether an Origin header names one of the site's origins exactly."""
    configured = settings.SOCKET_ORIGINS if origins is None else origins
    wanted = {normalized(o, site=True) for o in configured} - {None}
    return origin is not None and normalized(origin) in wanted


def _origin(scope) -> str | None:
    found = [value for name, value in scope.get("headers", []) if name == b"origin"]
    if len(found) != 1:  # none, or two that could each be read differently downstream
        return None
    try:
        return found[0].decode("ascii")
    except UnicodeDecodeError:
        return None


class SiteOriginValidator:
    """ASGI middleware: hand a WebSocket on only when its Origin is one of the site's; deny it otherwise."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not allowed(_origin(scope)):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
