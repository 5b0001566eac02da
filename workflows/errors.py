"""Domain refusals: each names the rule it enforces and the numbers, in the reader's language.

The message is an English text with `%(name)s` placeholders, marked with `gettext_lazy`, its
Chinese in the catalogue; the numbers travel as `params`, so the text is rendered in whatever
language is active where it is shown (the page's, or the API request's Accept-Language).
"""
from decimal import Decimal

from django.utils.functional import Promise


def display(value) -> str:
    """A parameter as a person reads it: amounts with two decimals, lazy labels translated."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


class RuleViolation(Exception):
    """A business rule said no. Nothing was changed."""

    def __init__(self, rule: str, message: str | Promise, status: int = 400, **params):
        super().__init__(rule)
        self.rule = rule
        self.template = message
        self.status = status
        self.params = params

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The message in the active language, with its numbers."""
        text = str(self.template)
        return text % {name: display(value) for name, value in self.params.items()} if self.params else text

    def shown_params(self) -> dict:
        return {name: display(value) for name, value in self.params.items()}

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "params": self.shown_params()}
