"""The request body of POST /api/v1/tasks/{id}/complete/, described from the tasks' input contracts.

`data` is one of the tasks' inputs (`workflows.contracts`), which one the task in the path says: the
schema lists each as an object (titled by its process and task ids, no other properties allowed),
tasks taking the same keys once. The service refuses what the contract refuses with its rule.
"""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflows.contracts import CONTRACTS, Contract, Key, Kind
from workflows.funding import FundingPurpose, FundingSource
from workflows.money import AMOUNT_TEXT

AMOUNT = {"anyOf": [{"type": "string", "pattern": f"^{AMOUNT_TEXT.pattern}$", "example": "170.00"},
                    {"type": "number", "minimum": 0}],
          "description": "yuan: a decimal string (at most two decimals) or a JSON number"}


def _property(key: Key) -> dict:
    schema = {
        Kind.CHOICE: lambda: {"type": "string", "enum": list(key.choices)},
        Kind.TEXT: lambda: {"type": "string", "maxLength": key.max_length},
        Kind.BOOLEAN: lambda: {"type": "boolean"},
        Kind.AMOUNT: lambda: dict(AMOUNT),
        Kind.COST_LINES: lambda: {"type": "object", "additionalProperties": AMOUNT, "maxProperties": key.max_items,
                                  "description": "cost item code (GET /api/v1/cost-items/) -> amount"},
        Kind.IDS: lambda: {"type": "array", "items": {"type": "integer"}, "maxItems": key.max_items},
        Kind.ID: lambda: {"type": "integer"},
        Kind.COUNT: lambda: {"type": "integer", "minimum": 0, "maximum": key.maximum},
        Kind.DATETIME: lambda: {"type": "string", "format": "date-time", "maxLength": key.max_length},
        Kind.TEXTS: lambda: {"type": "array", "items": {"type": "string", "maxLength": key.max_length},
                             "maxItems": key.max_items},
        Kind.FUNDING: lambda: {"type": "array", "maxItems": key.max_items, "items": {
            "type": "object", "additionalProperties": False, "required": ["source", "amount"], "properties": {
                "source": {"type": "string", "enum": list(FundingSource.values)}, "amount": AMOUNT,
                "purpose": {"type": "string", "enum": list(FundingPurpose.values)}}}},
    }[key.kind]()
    if not key.required:
        schema["nullable"] = True
    return schema


def _object(tasks: list[Contract]) -> dict:
    contract = tasks[0]
    titles = ", ".join(f"{c.process_id}.{c.task_id}" for c in tasks)
    required = [key.name for key in contract.keys if key.required]
    return {"type": "object", "title": titles, "description": f"the input of {titles}",
            "properties": {key.name: _property(key) for key in contract.keys},
            **({"required": required} if required else {}), "additionalProperties": False}


def task_data_schema() -> dict:
    """The anyOf of every task's input object: the task in the path picks one, so branches may overlap."""
    groups: dict[tuple, list[Contract]] = {}
    for contract in CONTRACTS.values():
        groups.setdefault(contract.keys, []).append(contract)
    return {"anyOf": [_object(tasks) for tasks in groups.values()],
            "description": "the task's input (docs/processes.md, 'Task input'): only its keys, of their kinds; "
                           "a key the process owns is refused with task_input_process_owned, any other "
                           "with task_input_unknown_key"}


@extend_schema_field(task_data_schema())
class TaskDataField(serializers.DictField):
    """An object of the task's keys; the contract, not this field, decides which (the service reads it)."""
