"""Pages that are never cut short by a count read a moment before them.

Django's Paginator counts the rows in one statement and slices the page to that count in the next;
each statement reads its own snapshot (SQLite autocommit, PostgreSQL READ COMMITTED), so a row
committed between the two pushes the page's last row off it: a task the person was just given
vanished from their first page. Here the page is the next `per_page` rows whatever the count said;
the count may lag by a row, no row is ever lost.
"""
from django.core.paginator import Paginator
from rest_framework import pagination


class CommitSafePaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = CommitSafePaginator
