"""Template context: the signed-in person, for the header and the navigation."""
from workflows.permissions import person_of


def person(request) -> dict:
    return {"person": person_of(getattr(request, "user", None))}
