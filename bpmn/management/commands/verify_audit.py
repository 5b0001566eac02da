import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bpmn import audit


class Command(BaseCommand):
    help = (
        "Walk every audit chain (each process instance's audit rows, and the admin's changes of reference "
        "data) and report, per chain, the first row whose content no longer matches its hash or that does "
        "not link to the row before it, and chains that end short of their head; exit non-zero when any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anchors", metavar="FILE", help="the anchors written earlier with --write-anchors: "
                            "each anchored row must still carry its hash (a history rewritten whole is found)")
        parser.add_argument("--write-anchors", metavar="FILE",
                            help="write every chain's head now, to keep outside the database")

    def handle(self, *args, anchors=None, write_anchors=None, **options):
        report = audit.verify()
        for found in report.breaks:
            self.stdout.write(f"审计链断裂 / broken: {found}")
        self.stdout.write(f"chain heads digest {report.heads_digest}")
        if anchors:
            kept = json.loads(Path(anchors).read_text(encoding="utf-8"))
            moved = audit.anchor_breaks(kept)
            for found in moved:
                self.stdout.write(f"与锚点不符 / unlike its anchor: {found}")
            if moved:
                raise CommandError(f"审计记录被改写 / audit history rewritten: {len(moved)} of {len(kept)} "
                                   "anchored chain(s) no longer carry their anchored hash")
            self.stdout.write(f"锚点相符 / anchors hold: {len(kept)} chain(s)")
        if write_anchors:
            written = audit.anchors()
            Path(write_anchors).write_text(json.dumps(written, indent=1, sort_keys=True), encoding="utf-8")
            self.stdout.write(f"anchors of {len(written)} chain(s) written to {write_anchors}")
        if not report.intact:
            raise CommandError(
                f"审计记录被改动 / audit trail altered: {len(report.breaks)} of {report.chains} "
                f"chain(s) broken, {report.rows} row(s) verified before the breaks"
            )
        self.stdout.write(f"审计记录完整 / audit trail intact: {report.chains} chain(s), {report.rows} row(s)")
