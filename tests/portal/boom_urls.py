"""The product's URLs plus one page that fails, to see the server-error page as a visitor would."""
from django.urls import path

from webapp.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a database error, say")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *urlpatterns]
