"""ASGI entry point: HTTP through Django (static files included), WebSockets through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from notifications.origins import SiteOriginValidator  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

# One process serves pages, vendored scripts and sockets; a deployment behind a proxy may
# serve /static/ itself (collectstatic into STATIC_ROOT) and this handler is then never hit.
# Sockets: the Origin header must be one of the site's origins exactly (scheme, host and port:
# settings.SOCKET_ORIGINS), and the session decides who it is.
application = ProtocolTypeRouter({
    "http": ASGIStaticFilesHandler(django_asgi_app),
    "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
