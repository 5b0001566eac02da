"""What a person typed survives a sign-in: a refused POST (session expired, cookies gone) is kept.

The form's fields are kept in the session under the page's path; after signing in again the page
takes them back once and shows the form as it was typed. Passwords and the CSRF token are never
kept, and only pages with a form that loses work are covered.
"""
from django.http import QueryDict
from django.urls import Resolver404, resolve

FORM_PAGES = {"task", "alliances", "schedules", "supersede", "record-sitting", "issue"}
NEVER_KEPT = {"csrfmiddlewaretoken", "password"}
MAX_CHARACTERS = 20_000  # a form of this product, generously; anything larger is not a form's draft
SESSION_KEY = "drafts"


def is_form_page(path: str) -> bool:
    try:
        return resolve(path).url_name in FORM_PAGES
    except Resolver404:
        return False


def keep(request) -> bool:
    """Keep the POSTed fields of a form page in the session; return whether they were kept."""
    if request.method != "POST" or not is_form_page(request.path):
        return False
    fields = {key: request.POST.getlist(key) for key in request.POST if key not in NEVER_KEPT}
    if sum(len(key) + sum(map(len, values)) for key, values in fields.items()) > MAX_CHARACTERS:
        return False
    request.session[SESSION_KEY] = {**request.session.get(SESSION_KEY, {}), request.path: fields}
    return True


def take(request) -> QueryDict | None:
    """Return (and forget) what was kept for this page, as the POST it came from."""
    drafts = request.session.get(SESSION_KEY, {})
    fields = drafts.pop(request.path, None)
    if fields is None:
        return None
    request.session[SESSION_KEY] = drafts
    posted = QueryDict(mutable=True)
    for key, values in fields.items():
        posted.setlist(key, values)
    return posted


class KeepDraftsMiddleware:
    """A signed-out POST (the session expired mid-form) keeps its fields for after the sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            keep(request)
        return self.get_response(request)
