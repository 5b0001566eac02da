"""Generate, rotate, check and list the TEOs' certificate signing keys (README "Certificate seals")."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workflows import seals
from workflows.models import IssuedCertificate, Organization, SigningKey


class Command(BaseCommand):
    help = ("Give every TEO a signing key (private halves in CERTIFICATE_KEY_DIR, public ones in the database); "
            "--rotate a TEO's key, --sign-unsigned the certificates sealed before signing, --check the keys.")

    def add_arguments(self, parser):
        parser.add_argument("--rotate", metavar="TEO_ID", type=int, action="append", default=[],
                            help="retire this TEO's key (its certificates stay verifiable) and make the next")
        parser.add_argument("--sign-unsigned", action="store_true",
                            help="sign the certificates issued before signing (their old digest seal is replaced)")
        parser.add_argument("--check", action="store_true",
                            help="exit non-zero if a key in use has no readable private half matching its row")

    def handle(self, *args, rotate, sign_unsigned, check, **options):
        if check:
            problems = seals.check_keys()
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} signing key problem(s)")
        for teo_id in rotate:
            teo = Organization.objects.filter(pk=teo_id, kind=Organization.Kind.TEO).first()
            if teo is None:
                raise CommandError(f"no TEO with id {teo_id}")
            self.stdout.write(f"rotated {teo}: now {seals.rotate(teo).key_id}")
        for teo in Organization.objects.filter(kind=Organization.Kind.TEO).order_by("pk"):
            seals.key_in_use(teo)
        if sign_unsigned:
            signed, mismatched = self._sign_unsigned()
            self.stdout.write(f"signed {signed} certificate(s) sealed before signing")
            for certificate in mismatched:
                self.stderr.write(f"{certificate.serial_no}: its row no longer matches its old seal; not signed")
            if mismatched:
                raise CommandError(f"{len(mismatched)} certificate(s) sealed before signing were changed since; "
                                   "none of them was signed")
        for key in SigningKey.objects.select_related("teo").filter(retired_at=None).order_by("teo_id"):
            self.stdout.write(f"{key.teo_id}\t{key.teo}\t{key.key_id}\t{key.public_key}")
        self.stdout.write(f"private keys in {seals.key_dir()}")

    @transaction.atomic
    def _sign_unsigned(self) -> tuple[int, list]:
        """Sign each certificate whose row still says what its old digest seal sealed; list the others."""
        unsigned = IssuedCertificate.objects.select_for_update(of=("self",)).select_related(
            "sitting__agreement__negotiation__certificate").filter(signing_key=None).order_by("pk")
        signed, mismatched = 0, []
        for certificate in unsigned:
            if certificate.seal != seals.digest_seal(certificate):
                mismatched.append(certificate)
                continue
            seals.seal(certificate)
            certificate.save(update_fields=["seal", "signing_key"])
            signed += 1
        return signed, mismatched
