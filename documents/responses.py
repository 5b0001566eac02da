"""The three documents as downloads, one door each for the pages and the API.

The caller has looked the object up through `workflows.permissions` (and the filters, for the
register) and checked the role its page asks; each function here lays the document out and names
the file.
"""
from django.http import HttpResponse

from documents import content
from documents.rendering import pdf_response, render_pdf
from workflows import services
from workflows.filters import FilingFilter
from workflows.models import Agreement, Payment


def agreement_pdf(agreement: Agreement) -> HttpResponse:
    """The agreement as signed and filed, named by its formal number."""
    pdf = render_pdf("documents/agreement.html", content.agreement_document(agreement))
    return pdf_response(pdf, f"{agreement.number}.pdf")


def filing_register_pdf(found: FilingFilter, reader) -> HttpResponse:
    """The filing register under the reader's valid filters, dated."""
    pdf = render_pdf("documents/filing_register.html", content.filing_register(found, reader))
    return pdf_response(pdf, f"filing-register-{services.today():%Y%m%d}.pdf")


def payment_voucher_pdf(payment: Payment) -> HttpResponse:
    """A released payment's voucher; any other payment is refused (409 voucher_after_release)."""
    pdf = render_pdf("documents/payment_voucher.html", content.payment_voucher(payment))
    return pdf_response(pdf, f"payment-voucher-{payment.pk}.pdf")
