"""publish-provider-contract and bi-directional can-i-deploy, against the real embedded broker.

One broker per module (the pipeline's own `embedded.ensure_running`, a temporary database).
The provider contract is the example ProductService's FastAPI document, self-verified by
schemathesis against the app its adapter serves; consumers publish pacts the provider never
runs, and can-i-deploy answers from the broker's comparison of each pact with the document.
"""

from __future__ import annotations

import base64
import json
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pact_pipeline import embedded
from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.errors import (
    BrokerFeatureMissing,
    ConfigurationError,
    NotDeployable,
    StageFailed,
)
from pact_pipeline.git import Revision
from pact_pipeline.local_ci.builds import BuildContext
from pact_pipeline.openapi_document import document_of_app
from pact_pipeline.self_verification import SelfVerification
from pact_pipeline.serving import free_port
from pact_pipeline.settings import ConsumerSettings, ProviderSettings, Settings
from pact_pipeline.stages.advice import Repository
from pact_pipeline.stages.can_i_deploy import DeployContext, can_i_deploy
from pact_pipeline.stages.deploy import deploy, record_deployment
from pact_pipeline.stages.matrix import Target
from pact_pipeline.stages.provider_contract import (
    provider_contract_request,
    publish_provider_contract,
)
from pact_pipeline.stages.publish import collect_pacts, publish
from pact_pipeline.stages.reconcile import reconcile
from provider.app import create_app
from tests.helpers import REPOSITORY, RecordedOutput

ADAPTER = "provider.verification:served_for_verification"
PRODUCT_10 = {"id": "10", "type": "CREDIT_CARD", "name": "28 Degrees"}


@pytest.fixture(scope="module")
def broker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        root=REPOSITORY,
        broker_port=free_port(),
        broker_dir=tmp_path_factory.mktemp("broker"),
        broker_start_timeout=60.0,
    )
    try:
        yield embedded.ensure_running(settings)
    finally:
        embedded.stop(settings)


@pytest.fixture
def broker(broker_url: str) -> Iterator[BrokerClient]:
    with BrokerClient(broker_url) as client:
        yield client


class Names:
    """Unique pacticipant names for one test."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.consumer = f"Web-{suffix}"
        self.provider = f"Products-{suffix}"


@pytest.fixture
def names() -> Names:
    return Names()


def settings_for(tmp_path: Path, names: Names, **provider: Any) -> Settings:
    declared = {"adapter": ADAPTER, "openapi": "provider.app:app", "contract_testing": "openapi"}
    return Settings(
        root=REPOSITORY,
        consumer=ConsumerSettings(name=names.consumer),
        provider=ProviderSettings(name=names.provider, **{**declared, **provider}),
        pacts_dir=tmp_path / "pacts",
        can_i_deploy_retries=0,
        self_verification_examples=5,
    )


def publish_pact(settings: Settings, broker: BrokerClient, version: str, body: Any) -> None:
    """The consumer's pact: GET /product/10 answers `body` (the provider never runs it)."""
    assert settings.consumer is not None and settings.provider is not None
    settings.pacts_dir.mkdir(parents=True, exist_ok=True)
    pact = {
        "consumer": {"name": settings.consumer.name},
        "provider": {"name": settings.provider.name},
        "interactions": [
            {
                "description": "a request for product 10",
                "providerState": "product with ID 10 exists",
                "request": {
                    "method": "GET",
                    "path": "/product/10",
                    "headers": {"Authorization": "Bearer 2019-01-14T11:34:18.045Z"},
                },
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": body,
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    path = settings.pacts_dir / f"{settings.consumer.name}-{settings.provider.name}.json"
    path.write_text(json.dumps(pact), encoding="utf-8")
    publish(collect_pacts(settings), broker, Revision(version, "main"), RecordedOutput())


def context_for(settings: Settings, broker: BrokerClient, out: RecordedOutput) -> DeployContext:
    assert settings.consumer is not None and settings.provider is not None
    here = Repository(settings.consumer.name, settings.provider.name, "c1", "openapi")
    return DeployContext(settings, broker, out, here)


def test_the_provider_contract_is_published_with_its_self_verification(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)

    verification = publish_provider_contract(
        settings, broker, Revision("p1", "main"), out, tags=["blue"]
    )

    assert verification.success
    assert "self-verification passed — schemathesis 4." in out.text
    assert f"publishing {names.provider} p1 (branch main) provider contract" in out.text
    assert f"Published provider contract for {names.provider} version p1" in out.text, "notices"
    assert f"{names.provider} p1 published its provider contract, self-verified" in out.text
    stored = broker.get(
        f"{broker.base_url}/contracts/provider/{names.provider}/version/p1", action="read it"
    )
    assert json.loads(stored["content"]) == create_app().openapi()
    assert stored["contentType"] == "application/json"
    self_verification = stored["selfVerificationResults"]
    assert self_verification["success"] is True
    assert self_verification["verifier"] == "schemathesis"
    version = broker.version(names.provider, "p1")
    assert version is not None
    assert [tag["name"] for tag in version["_embedded"]["tags"]] == ["blue"]


def test_a_consumer_the_provider_never_ran_deploys_on_the_strength_of_the_comparison(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_provider_contract(settings, broker, Revision("p1", "main"), out)
    context = context_for(settings, broker, out)
    deploy(context, [Target(names.provider, "p1")], "prod")
    publish_pact(settings, broker, "c1", PRODUCT_10)

    (decision,) = can_i_deploy(context, [Target(names.consumer, "c1")], "prod")

    (row,) = decision.answer.rows
    assert (row.verified, row.verification_type) == (True, "BDCT")
    assert "cross-contract-verification-results" in (row.verification_url or "")
    assert f"fits {names.provider} p1's OpenAPI (self-verified)" in out.text
    assert f"yes: {names.consumer} c1 can be deployed to prod" in out.text


def test_a_pact_expecting_a_field_the_openapi_lacks_is_blocked_naming_the_field(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_provider_contract(settings, broker, Revision("p1", "main"), out)
    context = context_for(settings, broker, out)
    deploy(context, [Target(names.provider, "p1")], "prod")
    publish_pact(settings, broker, "c1", {**PRODUCT_10, "colour": "red"})

    with pytest.raises(NotDeployable) as raised:
        can_i_deploy(context, [Target(names.consumer, "c1")], "prod")

    assert f"the pact of {names.consumer} c1 uses what {names.provider} p1's OpenAPI" in str(
        raised.value
    )
    said = " ".join(out.text.split())  # the recording console folds long lines
    reason = said[said.index("broker: The cross contract verification between the pact") :]
    assert "must NOT have additional properties - colour" in reason[: reason.index("•")]
    assert "run `" not in out.text, "no command changes an incompatible pair"


def test_a_failed_self_verification_is_published_then_fails_and_blocks(
    tmp_path: Path,
    names: Names,
    broker: BrokerClient,
    out: RecordedOutput,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = f"broken_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(BROKEN_PROVIDER)
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = settings_for(tmp_path, names, adapter=f"{module}:serve", openapi=f"{module}:app")

    with pytest.raises(StageFailed) as raised:
        publish_provider_contract(settings, broker, Revision("p1", "main"), out)

    assert str(raised.value).startswith(
        f"the self-verification of {names.provider} p1 failed (1 failure in"
    )
    assert "it was published as failed, so can-i-deploy says no" in str(raised.value)
    assert "self-verification failed — schemathesis" in out.text
    assert "Undocumented status code" in out.text, "the report's failures are shown"
    assert f"Published provider contract for {names.provider} version p1" in out.text
    publish_pact(settings, broker, "c1", {"id": "1"})
    # Deployed by hand (can-i-deploy would refuse it): its consumer's question is the point.
    broker.ensure_environment("prod", production=True)
    record_deployment(broker, Target(names.provider, "p1"), "prod", out)
    context = context_for(settings, broker, out)
    with pytest.raises(NotDeployable):
        can_i_deploy(context, [Target(names.consumer, "c1")], "prod")
    said = " ".join(out.text.split())
    assert "the provider's self-verification against its contract failed" in said


BROKEN_PROVIDER = textwrap.dedent(
    """\
    from collections.abc import Iterator
    from contextlib import contextmanager

    from fastapi import FastAPI, HTTPException

    from pact_pipeline.serving import serve_app
    from pact_pipeline.verifier import ServedProvider


    def create_app() -> FastAPI:
        app = FastAPI(title="Things", version="1")

        @app.get("/things/{thing_id}")
        def thing(thing_id: str) -> dict[str, str]:
            if thing_id != "1":
                raise HTTPException(status_code=404)  # not in the document: a broken promise
            return {"id": "1"}

        return app


    app = create_app()


    @contextmanager
    def serve() -> Iterator[ServedProvider]:
        with serve_app(create_app()) as url:
            yield ServedProvider(url, {})
    """
)


def test_another_document_under_the_same_version_says_how_to_get_a_new_one(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_provider_contract(settings, broker, Revision("p1", "main"), out)
    document = dict(create_app().openapi())
    document["info"] = {**document["info"], "version": "1.0.1"}
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    changed = settings.replace(
        root=tmp_path, provider={**settings.model_dump()["provider"], "openapi": "openapi.json"}
    )

    with pytest.raises(StageFailed) as raised:
        publish_provider_contract(changed, broker, Revision("p1", "main"), out)

    assert "(409 on POST /provider-contracts/provider/" in str(raised.value)
    assert "run `invoke fake-ci` for a unique one" in str(raised.value)


def test_an_oss_pact_broker_says_it_does_not_support_provider_contracts(
    tmp_path: Path, names: Names, out: RecordedOutput
) -> None:
    index = {"_links": {"pb:publish-contracts": {"href": "http://oss/contracts/publish"}}}
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=index))
    settings = settings_for(tmp_path, names)

    with (
        BrokerClient("http://oss", transport=transport) as oss,
        pytest.raises(BrokerFeatureMissing) as raised,
    ):
        publish_provider_contract(settings, oss, Revision("p1", "main"), out)

    assert str(raised.value) == (
        "the Pact Broker at http://oss does not support provider contracts (its index has no "
        "pf:publish-provider-contract): bi-directional contract testing needs PactFlow or this "
        "project's broker"
    )
    assert "self-verification" not in out.text, "it fails before testing anything"


def test_a_provider_without_a_document_is_told_where_to_declare_it(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names, openapi=None, contract_testing="pacts")

    with pytest.raises(ConfigurationError) as raised:
        publish_provider_contract(settings, broker, Revision("p1", "main"), out)

    assert str(raised.value).startswith(
        f"publish-provider-contract needs {names.provider}'s OpenAPI document: set "
        "pipeline.provider.openapi"
    )


def test_the_request_is_the_one_pactflows_clients_send() -> None:
    document = document_of_app(create_app(), "provider.app:app")
    verification = SelfVerification(True, "No issues found", "4.1.0", 1.0, "st run")

    body = provider_contract_request(
        document, verification, version="p1", branch="main", tags=["t"], build_url="http://ci/1"
    )

    contract = body.pop("contract")
    assert body == {
        "pacticipantVersionNumber": "p1",
        "branch": "main",
        "tags": ["t"],
        "buildUrl": "http://ci/1",
    }
    assert base64.b64decode(contract.pop("content")) == document.content
    assert contract == {
        "contentType": "application/json",
        "specification": "oas",
        "selfVerificationResults": {
            "success": True,
            "content": base64.b64encode(b"No issues found").decode(),
            "contentType": "text/plain",
            "format": "text",
            "verifier": "schemathesis",
            "verifierVersion": "4.1.0",
        },
    }
    no_build = provider_contract_request(document, verification, version="p1", branch="main")
    assert "buildUrl" not in no_build
    assert no_build["tags"] == []


def test_reconcile_asks_an_openapi_provider_for_its_contract_not_a_verification(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names).replace(ci_server_dir=tmp_path / "ci")
    publish_provider_contract(settings, broker, Revision("p1", "main"), out)
    context = context_for(settings, broker, out)
    deploy(context, [Target(names.provider, "p1")], "prod")
    publish_pact(settings, broker, "c1", PRODUCT_10)
    deploy(context, [Target(names.consumer, "c1")], "prod")
    broker.record_branch_version(names.provider, "main", "p2")  # built, no contract yet
    builds = BuildContext(tmp_path, broker.base_url, embedded_broker=True, environ={})

    failed = reconcile(broker, settings, "p2", ["prod"], builds, out)

    assert failed == []
    said = " ".join(out.text.split())
    assert (
        f"not a verification: {names.provider} does not run pacts (contract_testing: openapi); "
        f"{names.provider} p2 must publish its provider contract"
    ) in said
    assert "verified and published" not in said, "no pact was run"
