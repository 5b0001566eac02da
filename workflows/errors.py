"""Domain refusals: each names the rule it enforces and the numbers, in the reader's language.

The message is an English text with `%(name)s` placeholders, marked with `gettext_lazy`, its
Chinese in the catalogue; the numbers travel as `params`, so the text is rendered in whatever
language is active where it is shown (the page's, or the API request's Accept-Language).
"""
from django.utils.functional import Promise

from bpmn.errors import TranslatedMessage


class RuleViolation(TranslatedMessage, Exception):
    """A business rule said no. Nothing was changed."""

    def __init__(self, rule: str, message: str | Promise, status: int = 400, **params):
        super().__init__(rule)
        self.rule = rule
        self.template = message
        self.status = status
        self.params = params

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "params": self.shown_params()}
