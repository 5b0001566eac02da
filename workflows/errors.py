"""Domain refusals: each names the rule it enforces, in Chinese and English, with the numbers."""


class RuleViolation(Exception):
    """A business rule said no. Nothing was changed."""

    def __init__(self, rule: str, message: str, status: int = 400):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.status = status

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}
