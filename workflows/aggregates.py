"""Figures per row, counted by the database: an aggregate of related rows as an annotation of each outer row.

The dashboards, the ministry's overview and the subsidies' factors annotate provinces, colleges or TEOs
with these, so one query answers every row at once, 0 where there is nothing to count.
"""
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

CENT = Decimal("0.01")


def per_row(queryset: QuerySet, outer: str, aggregate, output_field):
    """The aggregate of `queryset`'s rows whose `outer` is the outer row, 0 when there are none."""
    grouped = (queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
               .annotate(figure=aggregate).values("figure"))
    return Coalesce(Subquery(grouped, output_field=output_field), 0, output_field=output_field)


def count_per_row(queryset: QuerySet, outer: str):
    return per_row(queryset, outer, Count("pk"), IntegerField())


def sum_per_row(queryset: QuerySet, outer: str, field: str, output_field=None):
    return per_row(queryset, outer, Sum(field), output_field or IntegerField())


def quantized(amount) -> Decimal:
    """An amount in yuan to the fen, as every database returns it (SQLite drops the trailing zeros)."""
    return Decimal(amount or 0).quantize(CENT)
