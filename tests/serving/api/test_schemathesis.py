"""Property-based requests from the OpenAPI document: no 5xx, and every response matches what the schema says."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviewlens.serving.api.main import create_app
from reviewlens.serving.api.settings import Settings

# Collection needs the schema before fixtures exist, so the app gets a lazily injected analyzer.
app = create_app(Settings(max_text_chars=20_000, max_batch=4, request_timeout_s=20))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@pytest.fixture(autouse=True)
def _inject_analyzer(analyzer) -> None:
    app.state.analyzer = analyzer


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case) -> None:
    case.call_and_validate(checks=CHECKS)
