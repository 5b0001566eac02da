"""Paper copies after they are ordered: the TEO's list to dispatch from, and the acts on one order.

The TEO dispatches an order with the courier's tracking number, marks it delivered, or cancels
one not yet dispatched with a reason; the student confirms receipt or cancels their own from the
certificates page; the ministry reads the list. Each act is one call of `workflows.services`,
which decides visibility, role and state; a refusal shows the page it came from with the rule.
"""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import columns
from portal.access import role_required
from portal.views import _list_page, _refused, _refused_list, certificates_context
from workflows import filters, permissions, services
from workflows.models import Role
from workflows.refusals import REFUSED


def _visible(request):
    return permissions.visible_paper_orders(request.user).order_by("-ordered_at", "-pk")


@role_required(Role.TEO, Role.MINISTRY)
def paper_orders(request):
    """A TEO's paper orders to dispatch, by state and certificate; the ministry's, every one, read only."""
    return _list_page(request, "paper_orders", filters.PaperOrderFilter, _visible(request), {"nav": "paper_orders"},
                      export=(gettext_lazy("Paper certificate orders"), columns.PAPER_ORDERS))


@require_POST
@role_required()
def dispatch(request, pk):
    return _act(request, pk, "dispatch", lambda: services.dispatch_paper_order(
        request.user, pk, request.POST.get("tracking_no", "")),
        _("Paper copy dispatched with tracking number %(tracking_no)s; the student is told."))


@require_POST
@role_required()
def deliver(request, pk):
    return _act(request, pk, "deliver", lambda: services.deliver_paper_order(request.user, pk),
                _("Paper copy of %(serial)s delivered; the order is closed."))


@require_POST
@role_required()
def cancel(request, pk):
    return _act(request, pk, "cancel", lambda: services.cancel_paper_order(
        request.user, pk, request.POST.get("reason", "")),
        _("Order of %(serial)s cancelled; %(price)s is refunded."))


def _act(request, pk, act: str, change, done: str):
    try:
        order = change()
    except REFUSED as error:
        return _refused_act(request, pk, act, error)
    messages.success(request, done % {"tracking_no": order.tracking_no, "serial": order.certificate.serial_no,
                                      "price": f"¥{order.price:.2f}"})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)  # the list as it was filtered
    return redirect("certificates" if request.person.role == Role.STUDENT else "paper-orders")


def _refused_act(request, pk, act: str, error):
    """The page the act was asked from, with the rule and the form as it was typed.

    Another's order, or none at all, is the refusal page naming paper_order_not_found (as the
    API's 404), never the list: a page must not confirm that the order exists.
    """
    failed = {"failed_order": pk, "failed_act": act}
    if request.person.role == Role.STUDENT:
        return _refused(request, "portal/certificates.html", {**certificates_context(request), **failed}, error)
    return _refused_list(request, "paper_orders", filters.PaperOrderFilter, _visible(request),
                         {"nav": "paper_orders", **failed}, error)
