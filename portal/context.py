"""Template context: the signed-in person, for the header and the navigation."""
from workflows.permissions import person_of


def person(request) -> dict:
    # Pages behind role_required have looked the person up already.
    found = getattr(request, "person", None)
    return {"person": found if found is not None else person_of(getattr(request, "user", None))}
