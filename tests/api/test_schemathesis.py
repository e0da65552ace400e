"""Schemathesis against the API's own OpenAPI document: no server error, and no answer (status, content type,
headers or body) that the document does not allow; cases that break the document must be refused with a 4xx.

Schemathesis's pytest plugin does not run under this pytest, so the test drives its library API: one
hypothesis run per operation and generation mode, every built-in check on every answer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from tracker.api import services
from tracker.api import views as _registers_operations  # noqa: F401  (fills OPERATIONS)
from tracker.api.openapi import OPERATIONS
from tracker.api.schemas import SCOPES
from tracker.core.time import utcnow
from tracker.events.models import Event
from tracker.extensions import db
from tracker.participation.models import Asset

#: Generated cases per operation and mode (on each database).
EXAMPLES = 25


@pytest.fixture
def api_secret(app) -> str:
    """A token that may read everything, personal data included."""
    _token, secret = services.create_token(name="schemathesis", scopes=list(SCOPES),
                                           expires_on=(utcnow() + timedelta(days=30)).date(), member_state=None,
                                           by="test")
    db.session.commit()
    return secret


def test_every_operation_is_in_the_document(app):
    """The document lists exactly the operations the code registers, each with its scope."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert sorted(document["paths"]) == sorted(op.path for op in OPERATIONS)
    for op in OPERATIONS:
        assert document["paths"][op.path]["get"]["security"] == [{"bearerAuth": [op.scope]}]
    assert len(OPERATIONS) >= 10
    # The document itself is valid OpenAPI 3.1 (the meta-schema schemathesis ships).
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    assert [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document)] == []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("path", sorted(op.path for op in OPERATIONS))
def test_operation_conforms_to_the_document(app, api_secret, path, mode):
    """Generated requests to one operation: every schemathesis check passes on every answer."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path]["GET"]
    seen: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case):
        header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
        # A case whose headers are the broken part (Authorization left out, say) is sent as generated:
        # adding the token back would make it valid, and its 200 would read as "invalid data accepted".
        broken_headers = header is not None and header.mode == GenerationMode.NEGATIVE
        response = case.call_and_validate(headers=None if broken_headers else {"Authorization": f"Bearer {api_secret}"})
        seen.append(response.status_code)

    run()
    assert seen, "schemathesis generated no case"
    if mode == GenerationMode.POSITIVE:
        if "{" in path:
            # Random ids rarely exist: a real record's answer is validated by the same checks.
            response = operation.Case(path_parameters=_real(path)).call_and_validate(
                headers={"Authorization": f"Bearer {api_secret}"})
            seen.append(response.status_code)
        assert 200 in seen, f"no generated request to {path} was answered 200: {sorted(set(seen))}"


def _real(path: str) -> dict:
    """Path parameters naming a record of the demo campaign."""
    if path == "/events/{event_id}":
        return {"event_id": db.session.scalar(sa.select(Event.id).where(Event.audience != "staff").limit(1))}
    if path == "/assets/{asset_id}":
        return {"asset_id": db.session.scalar(sa.select(Asset.id).limit(1))}
    return {"code": "EE"}
