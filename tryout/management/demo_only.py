"""The commands that create the demo accounts (every one with the published demo password) run on a demo only."""

from django.conf import settings
from django.core.management.base import CommandError


def require_demo(command: str) -> None:
    """Refuse to create demo accounts outside a demo installation (XCERT_DEMO=1, as `make run` sets)."""
    if not settings.XCERT_DEMO:
        raise CommandError(
            f"{command} creates the demo accounts, all with the published password demo12345: it runs only "
            "on a demo installation (XCERT_DEMO=1, as make run sets). Nothing was created."
        )
