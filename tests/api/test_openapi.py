"""The OpenAPI document is complete and true: schemathesis generates requests for every
operation from it (in-process, ASGI) and the service never answers with a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api, close, make_api

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def fuzzed(mini_plan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    api = make_api(
        mini_plan_dir,
        tmp_path_factory.mktemp("fuzz-var"),
        register=False,
        public_rate_limit_per_minute=100_000,
    )
    yield api
    close(api)


def operations(app: object) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


MINE = ("/v1/checks", "/v1/precheck", "/v1/plans", "/v1/kbli", "/ogc")
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def explore(op: schemathesis.APIOperation, headers: dict[str, str]) -> int:
    """Run hypothesis over one operation; the number of cases it sent. Operations of this
    API must also answer as documented (status, media type, schema, headers)."""
    sent = 0
    checks = [not_a_server_error, *(CONFORMANCE if op.path.startswith(MINE) else [])]

    @given(case=op.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=checks)

    run()
    return sent


def test_no_server_error_on_any_operation(fuzzed: Api) -> None:
    """Hypothesis explores every operation with a staff key (which may call them all)."""
    ops = operations(fuzzed.client.app)
    assert len(ops) >= 20
    failures = {}
    for op in ops:
        try:
            assert explore(op, fuzzed.auth("staff")) > 0
        except BaseException as exc:  # every operation's failure (groups too), reported together
            failures[f"{op.method.upper()} {op.path}"] = exc
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_operations_document_summaries_examples_and_problems(fuzzed: Api) -> None:
    doc = fuzzed.client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        if not path.startswith(MINE):
            continue
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            for code, answer in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert "application/problem+json" in answer["content"], (path, code)
            if method == "post" and path != "/v1/plans/{plan_id}/rollback":
                assert {"401", "403"} & set(op["responses"]) or path == "/v1/precheck"
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert "400" in op["responses"], (method, path)  # body-unreadable
                name = body["schema"]["$ref"].rsplit("/", 1)[1]
                assert schemas[name].get("examples"), (path, name)


def test_operations_that_take_a_key_document_the_three_schemes(fuzzed: Api) -> None:
    """A wrong key is a 401 exactly on the operations that document the key schemes
    (a key present but wrong is refused on public operations too)."""
    doc = fuzzed.client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey",
        "description": "Kunci API / API key: `kkpr_<id>_<secret>` (kkpr keys create)",
        "in": "header",
        "name": "X-API-Key",
    }
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyCookie"] == {
        "type": "apiKey",
        "description": "Staff session from the login form",
        "in": "cookie",
        "name": "kkpr_staff",
    }
    everything = [{"APIKeyHeader": []}, {"HTTPBearer": []}, {"APIKeyCookie": []}]
    wrong = {"X-API-Key": "kkpr_nokey_wrongsecret"}
    guarded = 0
    for path, ops in doc["paths"].items():
        url = path.replace("{", "").replace("}", "")  # every path parameter a plain word
        for method, op in ops.items():
            status = fuzzed.client.request(method.upper(), url, headers=wrong).status_code
            assert (status == 401) == ("security" in op), (method, path, status)
            if "security" in op:
                guarded += 1
                assert op["security"] == everything, (method, path)
    assert guarded >= 15
    assert doc["paths"]["/v1/checks"]["post"]["security"] == everything
    assert "security" not in doc["paths"]["/healthz"]["get"]
