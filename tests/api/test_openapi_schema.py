"""The schema says what the API answers: null where a field can be null, every refusal, lists as lists.

What schemathesis found against the live schema (tests/api/test_schemathesis.py, make test-services)
held here without a server: fields that default to None typed as plain strings and integers, the
tasks waiting on others typed as one task, the certificates an issue answers typed as a page, a
refused cap check typed without its rule, and refusals (401, 404, ...) that no operation named.
"""
import inspect

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from api import serializers as api_serializers

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _response_schema(operation: dict, status: str) -> dict:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def _fields_defaulting_to_none():
    for name, serializer in inspect.getmembers(api_serializers, inspect.isclass):
        if issubclass(serializer, serializers.Serializer) and serializer.__module__ == api_serializers.__name__:
            for field_name, field in serializer().fields.items():
                if field.default is None:
                    yield f"{name}.{field_name}", field


@pytest.mark.parametrize("name, field", list(_fields_defaulting_to_none()))
def test_a_field_that_defaults_to_none_is_nullable(name, field):
    assert field.allow_null, f"{name} answers null when its source is missing; the schema must say nullable"


@pytest.mark.parametrize("component, field", [("Task", "claimed_by"), ("Audit", "actor"), ("Baseline", "reviewer"),
                                              ("Payment", "headcount"), ("Agreement", "filing_no")])
def test_the_fields_found_null_are_nullable_in_the_schema(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_the_tasks_waiting_on_others_are_a_page_of_tasks(schema):
    answer = _response_schema(schema["paths"]["/api/v1/tasks/waiting/"]["get"], "200")
    assert answer == {"$ref": "#/components/schemas/PaginatedTaskList"}


def test_an_act_answering_several_objects_answers_an_array_not_a_page(schema):
    answer = _response_schema(schema["paths"]["/api/v1/sittings/{id}/certificates/"]["post"], "201")
    assert answer == {"type": "array", "items": {"$ref": "#/components/schemas/IssuedCertificate"}}
    pages = [(path, method) for path, method, operation in _operations(schema) if method != "get"
             and any("Paginated" in str(response) for response in operation["responses"].values())]
    assert pages == []


def test_a_refused_cap_check_names_its_rule_and_the_cap(schema):
    refused = _response_schema(schema["paths"]["/api/v1/negotiations/{id}/cap-check/"]["post"], "400")
    component = schema["components"]["schemas"][refused["$ref"].rsplit("/", 1)[1]]
    assert {"rule", "message"} <= set(component["required"]) and {"ok", "cap"} <= set(component["properties"])


def test_every_operation_documents_the_refusals_it_can_answer(schema):
    missing = {}
    for path, method, operation in _operations(schema):
        expected = {"401"} | ({"404"} if "{" in path else set()) | ({"400", "403", "409"} if method != "get" else set())
        absent = expected - set(operation["responses"])
        if absent:
            missing[f"{method.upper()} {path}"] = sorted(absent)
        for status in expected & set(operation["responses"]):
            assert "Refusal" in str(_response_schema(operation, status)), (method, path, status)
    assert missing == {}


def test_a_refusal_body_is_described_with_what_every_refusal_sends(schema):
    refusal = schema["components"]["schemas"]["Refusal"]
    assert set(refusal["required"]) == {"rule", "message"}
    assert {"params", "fields", "detail"} <= set(refusal["properties"])
