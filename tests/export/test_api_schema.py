"""The API checked against its own OpenAPI document (schemathesis): every operation, valid and invalid
inputs, answers with documented status codes, content types, headers and schemas, never a 5xx."""
from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coordination.directory import search
from coordination.testing.factories import make_organisation, make_place
from export import openapi

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]


# Invalid input exists only where there are query parameters to get wrong (any path id is a valid
# string: an unknown one is a documented 404, drawn in the positive mode).
RUNS = [pytest.param(f"{method} {path}", mode, id=f"{mode.value}-{method} {path}")
        for path, method, operation in openapi.operations(openapi.document())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if mode is GenerationMode.POSITIVE or any(p["in"] == "query" for p in operation.get("parameters", ()))]


@pytest.fixture
def api_schema(app, db, monkeypatch):
    """A small directory (one place of each kind of record the API can return) and its text index."""
    monkeypatch.setitem(app.config, "RATELIMIT_API", "100000 per minute")
    organisation = make_organisation()
    make_place(organisation, name="Atelier tablettes", services=["Aide aux démarches administratives"],
               summary="Un résumé", description="Le détail", itinerance=["Fixe"], other_labels=["Label local"])
    make_place(organisation, latitude=None, longitude=None, insee_code=None, phone=None, emails=[],
               opening_hours=None, services=[], fees=[], support_modes=[])
    make_place(organisation, published=False)
    make_place(organisation, deleted_at=datetime(2026, 1, 1), published=False)
    make_place(make_organisation(status="suspended"))
    search.reindex()
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    search.close_searchers()


# schemathesis.pytest.from_fixture does not run under pytest 9 (it reads request.node._nodeid, gone):
# each operation's strategy is drawn by a Hypothesis test of our own instead.
@pytest.mark.parametrize(("label", "mode"), RUNS)
def test_api_conforms_to_its_openapi_document(api_schema, label, mode):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the document schemathesis loaded"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()
