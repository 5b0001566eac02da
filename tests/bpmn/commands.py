"""Run a management command as its operator would: the exit status and what it printed."""
from io import StringIO

from django.core.management import CommandError, call_command


def command_result(name: str, *args) -> tuple[int, str]:
    """Return 0 and the output, or 1 and the output followed by the refusal."""
    out = StringIO()
    try:
        call_command(name, *args, stdout=out)
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()
