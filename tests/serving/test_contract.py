"""Schemathesis against the real server (gunicorn, real HTTP): the API keeps its contract, backend/serving/openapi.yaml.

For every operation in GET /openapi.json, Schemathesis sends the documented examples, the
boundaries of every schema (coverage) and random requests, valid and invalid (fuzzing), then
follows the documented links (POST /feedback -> the stored drawing) in a stateful run. No
answer may be a 5xx, a status the description does not list, or a body, content type or
required header other than it describes; data that breaks the schema must be refused (4xx).
The example count is kept modest so this takes well under a minute.
"""

import copy
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from backend.serving.openapi import spec
from tests.support.server import HOST, running_server

ADMIN_TOKEN = "contract-test-admin-token"
MAX_EXAMPLES = 15  # per operation and phase: the whole run stays well under a minute on 2 quiet cores
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))

CONFIG = schemathesis.Config.from_dict(
    {
        "headers": {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
        },
    }
)
# The document GET /openapi.json serves (test_openapi.py checks that they are the same), read
# here so that pytest lists one test per operation; the requests go to the live server.
schema = schemathesis.openapi.from_dict(copy.deepcopy(spec()), config=CONFIG)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One worker, the admin endpoints on and no rate limit (so the fuzzer reaches /feedback's checks)."""
    env = {"DIGITS_ADMIN_TOKEN": ADMIN_TOKEN, "DIGITS_FEEDBACK_RATE_LIMIT": "off"}
    with running_server(tmp_path_factory.mktemp("contract"), workers=1, threads=4, env=env) as running:
        yield running
        status, _, _ = running.request("GET", "/health")
        assert status == 200, "the server is healthy after the run"
        assert "Traceback" not in running.log(), running.log()[-3000:]


@pytest.fixture(scope="module")
def base_url(server):
    return f"http://{HOST}:{server.port}"


@schema.parametrize()
@settings(**SETTINGS)
def test_every_operation_keeps_the_contract(case, base_url):
    case.call_and_validate(base_url=base_url)


def test_linked_operations_keep_the_contract(base_url):
    """POST /feedback (its example stores a shared drawing), then its links: the drawing, the admin's view, deletion."""

    class LinkedOperations(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": base_url}

    LinkedOperations.run(settings=settings(max_examples=10, stateful_step_count=4, **SETTINGS))


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01T00:00:00%2B01:00",  # an hour before the first moment Python can hold in UTC
        "until=9999-12-31T23:59:59-01:00",  # an hour after the last
        "since=0001-01-01T00:30%2B00:31",
    ],
)
@pytest.mark.parametrize("path", ["/admin/drawings", "/admin/export"])
def test_a_moment_with_no_utc_time_is_400_not_500(server, path, query):
    """Found while describing `since`/`until` for the contract: converting such a moment to UTC overflowed (500)."""
    status, _, body = server.request("GET", f"{path}?{query}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    error = json.loads(body)["error"]
    assert (status, error["code"]) == (400, "invalid_query")
    assert "out of range" in error["message"]
    status, _, body = server.request(
        "GET", f"{path}?since=0001-01-01T00:00:00%2B00:00", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert status == 200, body[:300]
