"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib: no gettext tools needed."""
import os
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the message catalogues (.po -> .mo); refuses untranslated or fuzzy entries."

    def handle(self, *args, **options):
        compiled = 0
        for directory in settings.LOCALE_PATHS:
            for source in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(source))
                unfinished = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
                if unfinished:
                    raise CommandError(f"{source}: {len(unfinished)} untranslated or fuzzy, first: {unfinished[0]!r}")
                _save_mo(catalogue, source.with_suffix(".mo"))
                compiled += 1
        self.stdout.write(f"compiled {compiled} catalogue(s)")


def _save_mo(catalogue: polib.POFile, target: Path) -> None:
    """Write the .mo beside its target and move it into place: a process reading it never sees half a file."""
    handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        catalogue.save_as_mofile(scratch)
        os.chmod(scratch, 0o644)
        os.replace(scratch, target)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
