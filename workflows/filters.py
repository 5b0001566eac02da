"""The lists' filters: one FilterSet per list, shared by its page and its API endpoint.

Each narrows a queryset that has already been through `workflows.permissions`, so a filter never
widens what a person may see: a Hubei reviewer filtering by 江苏 gets nothing. A value that is
not one of a filter's choices is invalid (the API answers 400 naming the field, the page 400 with
the form); a parameter that is not a filter is ignored by both.

Provinces and certificates are named by their codes (`?province=42&certificate=X-WEB-01`), the
TEO by its organization id, states by their stored values; `q` searches names and numbers.
"""
import django_filters as df
from django import forms
from django.db.models import Q, QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from workflows.models import (
    Agreement,
    Alliance,
    AssessmentMode,
    Baseline,
    Certificate,
    FeeSchedule,
    Filing,
    Negotiation,
    Organization,
    PaperCertificateOrder,
    Payment,
    Province,
)

ALL = _("all")


class FilterForm(forms.Form):
    """A filter form's own ids, so it never clashes with a page's other form (an alliance's `certificate`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)


class SearchInput(forms.TextInput):
    input_type = "search"


def _province(path: str) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(field_name=path, queryset=Province.objects.order_by("code"), to_field_name="code",
                                label=_("Province"), empty_label=ALL)


def _certificate(path: str, distinct: bool = False) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(field_name=path, queryset=Certificate.objects.order_by("code"), to_field_name="code",
                                label=_("Certificate"), empty_label=ALL, distinct=distinct)


def _teo(path: str, distinct: bool = False) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(field_name=path, label=_("Organization"), empty_label=ALL, distinct=distinct,
                                queryset=Organization.objects.filter(kind=Organization.Kind.TEO).order_by("name"))


class InLanguage(BaseChoiceIterator):
    """Choices whose gettext labels show in the active language, read at each render.

    An iterable rather than a callable, so the API schema still lists the values as an enum.
    """

    def __init__(self, choices):
        self.choices = list(choices)

    def __iter__(self):
        return iter([(value, str(text)) for value, text in self.choices])


def _state(states) -> df.ChoiceFilter:
    return df.ChoiceFilter(field_name="state", choices=InLanguage(states.choices), label=_("State"),
                           empty_label=ALL)


class SearchFilterSet(df.FilterSet):
    """`q`: every word must appear in one of `search_fields` (names and numbers), case-insensitively."""

    q = df.CharFilter(method="search", max_length=100, label=_("Search"), widget=SearchInput,
                      help_text="words that must each appear in a name or number")

    search_fields: tuple[str, ...] = ()
    # Searching through a to-many relation (an alliance's members, a negotiation's agreements)
    # would repeat a row once per related row that matches.
    search_distinct = False

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q.create([(f"{field}__icontains", word) for field in self.search_fields],
                                                connector=Q.OR))
        return queryset.distinct() if self.search_distinct and value.split() else queryset


class AllianceFilter(SearchFilterSet):
    province = _province("province")
    certificate = _certificate("negotiations__certificate", distinct=True)
    teo = _teo("negotiations__certificate__teo", distinct=True)
    state = _state(Alliance.State)

    search_fields = ("name", "registration_no", "lead__name", "memberships__college__name",
                     "negotiations__certificate__code", "negotiations__certificate__name",
                     "negotiations__agreements__filing__filing_no")
    search_distinct = True

    class Meta:
        model = Alliance
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class NegotiationFilter(SearchFilterSet):
    province = _province("alliance__province")
    certificate = _certificate("certificate")
    teo = _teo("certificate__teo")
    state = _state(Negotiation.State)

    search_fields = ("alliance__name", "alliance__registration_no", "alliance__lead__name",
                     "certificate__code", "certificate__name", "agreements__filing__filing_no")
    search_distinct = True

    class Meta:
        model = Negotiation
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class BaselineFilter(SearchFilterSet):
    province = _province("province")
    certificate = _certificate("certificate")
    teo = _teo("certificate__teo")
    state = _state(Baseline.State)

    search_fields = ("certificate__code", "certificate__name", "negotiation__alliance__name",
                     "negotiation__alliance__registration_no", "agreements__filing__filing_no")
    search_distinct = True

    class Meta:
        model = Baseline
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class AgreementFilter(SearchFilterSet):
    province = _province("negotiation__alliance__province")
    certificate = _certificate("negotiation__certificate")
    teo = _teo("negotiation__certificate__teo")
    state = _state(Agreement.State)

    search_fields = ("filing__filing_no", "negotiation__alliance__name", "negotiation__alliance__registration_no",
                     "negotiation__certificate__code", "negotiation__certificate__name")

    class Meta:
        model = Agreement
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class FilingFilter(SearchFilterSet):
    province = _province("agreement__negotiation__alliance__province")
    certificate = _certificate("agreement__negotiation__certificate")
    teo = _teo("agreement__negotiation__certificate__teo")
    state = _state(Filing.State)

    search_fields = ("filing_no", "agreement__negotiation__alliance__name",
                     "agreement__negotiation__alliance__registration_no",
                     "agreement__negotiation__certificate__code", "agreement__negotiation__certificate__name")

    class Meta:
        model = Filing
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class PaymentFilter(SearchFilterSet):
    # The paying college's province, as the ministry's overview counts it.
    province = _province("college__province")
    certificate = _certificate("agreement__negotiation__certificate")
    teo = _teo("agreement__negotiation__certificate__teo")
    state = _state(Payment.State)

    search_fields = ("college__name", "agreement__filing__filing_no", "agreement__negotiation__alliance__name",
                     "agreement__negotiation__alliance__registration_no",
                     "agreement__negotiation__certificate__code", "agreement__negotiation__certificate__name")

    class Meta:
        model = Payment
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm


class FeeScheduleFilter(SearchFilterSet):
    """The published schedules (公示): a schedule has no province, and only published ones are listed."""

    certificate = _certificate("certificate")
    teo = _teo("certificate__teo")
    mode = df.ChoiceFilter(field_name="certificate__assessment_mode", choices=InLanguage(AssessmentMode.choices),
                           label=_("Assessment mode"), empty_label=ALL)

    search_fields = ("certificate__code", "certificate__name", "certificate__teo__name")

    class Meta:
        model = FeeSchedule
        fields = ["certificate", "teo", "mode", "q"]
        form = FilterForm


class PaperOrderFilter(SearchFilterSet):
    """Paper copies ordered by students: a TEO's own to dispatch, every one for the ministry."""

    province = _province("certificate__sitting__college__province")
    certificate = _certificate("certificate__sitting__agreement__negotiation__certificate")
    teo = _teo("certificate__sitting__agreement__negotiation__certificate__teo")
    state = _state(PaperCertificateOrder.State)

    search_fields = ("certificate__serial_no", "certificate__holder_name", "recipient", "tracking_no",
                     "certificate__sitting__college__name")

    class Meta:
        model = PaperCertificateOrder
        fields = ["province", "certificate", "teo", "state", "q"]
        form = FilterForm
