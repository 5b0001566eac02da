"""The documents as PDF from the pages: the agreement, the filing register, a released payment's voucher.

Each is looked up as its page looks it up (`workflows.permissions`, the page's roles and filters), so
exactly who reads the page downloads the document, and anyone else gets what the page answers them:
another organization's object is a 404, a missing role a 403.
"""
from documents import responses
from portal.access import role_required, visible_or_404
from portal.errors import refused
from portal.views import filings
from workflows import permissions
from workflows.filters import FilingFilter
from workflows.refusals import REFUSED


@role_required()
def agreement_pdf(request, pk):
    return responses.agreement_pdf(visible_or_404(permissions.visible_agreements(request.user), pk=pk))


@role_required(*permissions.FILING_REGISTER_ROLES)
def filing_register_pdf(request):
    """The register under the filters of the page's address; filters that are not valid get the page's 400."""
    found = FilingFilter(request.GET, queryset=permissions.visible_filings(request.user), request=request)
    if not found.is_valid():
        return filings(request)
    return responses.filing_register_pdf(found, request.user)


@role_required(*permissions.PAYMENTS_ROLES)
def payment_voucher_pdf(request, pk):
    payment = visible_or_404(permissions.visible_payments(request.user), pk=pk)
    try:
        return responses.payment_voucher_pdf(payment)
    except REFUSED as error:
        return refused(request, error)
