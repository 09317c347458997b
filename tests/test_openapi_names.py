"""Every schema in /api/v1/openapi.json is one class: two schemas of the same name would silently
overwrite each other in ``components.schemas`` (as the assistant's and the ledger's ``TableOut`` did)."""

from __future__ import annotations

import typing
from collections import defaultdict

from pydantic import BaseModel

from qingzhuang.api import api
from qingzhuang.orgs import api_errors


def _models_in(annotation, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, seen)


def all_api_models() -> set[type]:
    """The request and response models of every operation of every router, and all they nest."""
    seen: set[type] = set()
    # And the answers Ninja gives itself, which api_errors documents on every operation.
    for model in api_errors.COMMON_RESPONSE_MODELS:
        _models_in(model, seen)
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models_in(model, seen)
    return seen


def test_no_two_schemas_share_a_name(client, db):
    names = set(client.get("/api/v1/openapi.json").json()["components"]["schemas"])
    by_name: dict[str, set[type]] = defaultdict(set)
    for model in all_api_models():
        if model.__name__ in names:
            by_name[model.__name__].add(model)
    clashes = {name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
               for name, models in by_name.items() if len(models) > 1}
    assert clashes == {}
    # The walk finds what the schema names: every component comes from some operation's model.
    assert names <= set(by_name)


def test_the_table_schemas_are_both_published(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "TableOut" not in schemas
    assert set(schemas["ReportTableOut"]["properties"]) == {"headers", "rows", "total", "matched", "detail",
                                                            "truncated"}
    assert set(schemas["SummaryTableOut"]["properties"]) == {"headers", "rows", "total_rows"}
