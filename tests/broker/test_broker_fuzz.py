"""Schemathesis against the live broker's own OpenAPI document (``/openapi.json``).

Every operation, with generated path and query parameters and (for the write endpoints, whose
bodies ``broker.api.openapi`` documents) generated JSON bodies: no response may be a 5xx, and
every response must have a documented status, media type and body shape. The default run is
short and deterministic (few examples per operation, derandomized); ``-m slow`` runs many more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from pact_pipeline.broker.app import STORAGE_REFUSAL, create_app
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import TestData, reset_database
from pact_pipeline.serving import serve_app
from tests.broker.broker_support import LiveBroker, database_url

QUICK_EXAMPLES = 4
LONG_EXAMPLES = 150


def validated_before_storage(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 400 from the database's refusal (the app's DataError handler), not from validation,
    means validation let an unstorable value through: a gap to close."""
    if response.status_code == 400 and STORAGE_REFUSAL in response.text:
        msg = f"validation let through a value the database refused: {case.method} {case.path}"
        raise AssertionError(msg)
    return None


CHECKS = [
    validated_before_storage,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The document comes from the app itself at collection time (no server needed to list the
# operations); the cases then run against a live server over HTTP.
DOCUMENT = create_app(Settings(database_url="sqlite://"), webhooks_enabled=False).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBroker]:
    """One broker with some data for every case of the module, so that fuzzed requests meet
    rows as well as empty tables (and the writes of earlier cases)."""
    url = database_url(tmp_path_factory.mktemp("fuzz"))
    db = Database(url)
    app = create_app(Settings(database_url=url), database=db, webhooks_enabled=False)
    if url.startswith("postgresql"):
        reset_database(db)
    data = TestData(db).create_pact_with_hierarchy("Foo", "1", "Bar")
    data.create_verification("2").create_consumer_version_tag("main")
    data.create_environment("prod", production=True).deploy("Foo", "1", "prod")
    data.create_webhook()
    with serve_app(app) as base_url, httpx.Client(base_url=base_url) as client:
        yield LiveBroker(base_url, db, client)
    db.dispose()
    statuses = {k: v for k, v in sorted(TALLY.items()) if k != "cases"}
    print(f"\nschemathesis: {TALLY['cases']} cases, statuses {statuses}")


BASE = settings(
    derandomize=True,  # the same cases every run: a failure reproduces, CI stays stable
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def run(case: Any, broker: LiveBroker) -> None:
    response = case.call_and_validate(base_url=broker.url, checks=CHECKS)
    TALLY["cases"] += 1
    TALLY[str(response.status_code)] += 1


@schema.parametrize()
@settings(BASE, max_examples=QUICK_EXAMPLES)
def test_fuzz_every_operation_briefly(case: Any, fuzz_target: LiveBroker) -> None:
    run(case, fuzz_target)


@pytest.mark.slow
@schema.parametrize()
@settings(BASE, max_examples=LONG_EXAMPLES)
def test_fuzz_every_operation_at_length(case: Any, fuzz_target: LiveBroker) -> None:
    run(case, fuzz_target)


def test_the_document_describes_the_write_bodies(live_broker: LiveBroker) -> None:
    document = live_broker.client.get("/openapi.json").json()
    publish = document["paths"]["/contracts/publish"]["post"]
    body = publish["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["pacticipantName", "pacticipantVersionNumber", "contracts"]
    with_bodies = [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_bodies) >= 20
    responses = {
        code
        for operations in document["paths"].values()
        for o in operations.values()
        for code in o["responses"]
    }
    assert responses == {"2XX", "204", "4XX"}
