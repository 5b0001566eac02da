from django.shortcuts import render

from workflows.models import Person


def home(request):
    """List the demo accounts, one per role, until the role pages arrive."""
    people = Person.objects.select_related("user", "organization").order_by("role", "user__username")
    return render(request, "webapp/home.html", {"people": people})
