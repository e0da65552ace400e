"""The API's operations, registered once: each one parses its query and serialises its answer through its
pydantic models, and the OpenAPI 3.1 document is built from the same registrations and models."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracker.api.schemas import SCOPES, Problem

#: The path every operation sits under.
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Operation:
    """One GET operation of the API, as the code serves it and the document describes it."""

    #: Flask rule under PREFIX ("/events/<int:event_id>").
    rule: str
    endpoint: str
    summary: str
    description: str
    #: The scope a token needs.
    scope: str
    #: The model each answer is validated against: a page model for lists.
    response: type[BaseModel]
    query: type[BaseModel] | None = None
    paginated: bool = False
    #: Path parameters: name -> JSON Schema.
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path, relative to the server URL that ends in PREFIX ("/events/{event_id}")."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


#: Every operation, in the order the document lists them.
OPERATIONS: list[Operation] = []

_REF = "#/components/schemas/{model}"


def _parameter_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: optional fields lose their "or null" (a query string has no null)."""
    schema = copy.deepcopy(schema)
    variants = schema.pop("anyOf", None)
    if variants:
        schema.update(next(v for v in variants if v.get("type") != "null"))
    schema.pop("title", None)
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation", ref_template=_REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _parameter_schema(prop)
        description = prop.pop("description", "")
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}}}


_HEADERS = {
    "ETag": {"description": "Entity tag of the answer; send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "Link": {"description": "RFC 8288 links to the first, previous, next and last pages.",
             "schema": {"type": "string"}},
}


def document(*, server_url: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    models = sorted({op.response for op in OPERATIONS} | {Problem}, key=lambda m: m.__name__)
    _, definitions = models_json_schema([(m, "serialization") for m in models], ref_template=_REF)
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        parameters = [{"name": name, "in": "path", "required": True, "schema": schema}
                      for name, schema in op.path_params.items()]
        if op.query is not None:
            parameters += _query_parameters(op.query)
        parameters.append({"name": "If-None-Match", "in": "header", "required": False,
                           "description": "An ETag from an earlier answer: 304 when nothing changed.",
                           "schema": {"type": "string"}})
        headers = {name: value for name, value in _HEADERS.items() if op.paginated or name == "ETag"}
        responses: dict[str, Any] = {
            "200": {"description": "OK", "headers": headers,
                    "content": {"application/json": {"schema": {"$ref": _REF.format(model=op.response.__name__)}}}},
            "304": {"description": "Not modified since the ETag sent in If-None-Match."},
            "400": _problem("A query parameter is malformed or out of range."),
            "401": _problem("No token, or one that is unknown, expired or revoked."),
            "403": _problem(f'The token lacks the "{op.scope}" scope.'),
            "404": _problem("Not found, or outside the token's country."),
        }
        paths[op.path] = {"get": {
            "operationId": op.endpoint, "summary": op.summary, "description": op.description,
            "tags": [op.scope], "parameters": parameters, "responses": responses,
            "security": [{"bearerAuth": [op.scope]}],
        }}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Twin it! campaign tracker API", "version": version,
            "description": (
                "Read-only access to the campaign \"Twin it! 3D for Europe's culture\" for its partners and "
                "for scripts. Every call needs a bearer token created by the secretariat; a token has scopes, "
                "an expiry, may be limited to one country, and every call made with it is logged. Lists are "
                "paginated (`page`, `per_page`) and every answer carries an ETag: send it back in "
                "`If-None-Match` to get 304 when nothing changed. Times are UTC (ISO 8601)."),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": scope, "description": str(text)} for scope, text in SCOPES.items() if scope != "personal"],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token from the secretariat: `Authorization: Bearer tt_...`. Scopes: "
                + "; ".join(f"`{scope}`: {text}" for scope, text in SCOPES.items()) + "."}},
        },
    }
