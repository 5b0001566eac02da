"""Request bodies read with bounds: JSON nested deeper than any task's data is refused with a rule."""
from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import JSONParser

from workflows.errors import RuleViolation

MAX_DEPTH = 32  # the deepest body of the schema nests 4 levels; a thousand overflowed the stack (a 500)


def _refused() -> RuleViolation:
    return RuleViolation("json_too_deep", _("The request body nests deeper than %(max)s levels."), max=MAX_DEPTH)


def check_depth(data, limit: int = MAX_DEPTH) -> None:
    """Refuse data nested more than `limit` lists or objects deep; walks without recursion."""
    level = [data]
    for _depth in range(limit):
        level = [child for node in level if isinstance(node, dict | list)
                 for child in (node.values() if isinstance(node, dict) else node)]
        if not level:
            return
    if any(isinstance(node, dict | list) for node in level):  # a list or object below the limit
        raise _refused()


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # the decoder's own recursion gave out first
            raise _refused() from None
        check_depth(data)
        return data
