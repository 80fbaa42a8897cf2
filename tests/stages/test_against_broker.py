"""The pipeline's broker stages against the real embedded broker (`python -m pact_pipeline.broker`).

One broker per module, started by the pipeline's own `embedded.ensure_running` on a free
port with a temporary database, so this also covers the embedded-broker start-up. Each
test uses its own pacticipant names so tests do not depend on each other's data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pact_pipeline import embedded
from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.errors import NotDeployable, StageFailed
from pact_pipeline.git import Revision
from pact_pipeline.serving import free_port
from pact_pipeline.settings import ConsumerSettings, ProviderSettings, Settings
from pact_pipeline.stages.advice import Repository
from pact_pipeline.stages.can_i_deploy import DeployContext, can_i_deploy
from pact_pipeline.stages.deploy import deploy
from pact_pipeline.stages.matrix import Target
from pact_pipeline.stages.publish import collect_pacts, publish
from pact_pipeline.stages.selection import for_verification_request, parse_selected
from pact_pipeline.stages.verify import check_published, verify
from tests.helpers import REPOSITORY, FakeSleep, RecordedOutput


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
        self.provider = f"Api-{suffix}"


@pytest.fixture
def names() -> Names:
    return Names()


def settings_for(tmp_path: Path, names: Names, **changes: Any) -> Settings:
    return Settings(
        root=tmp_path,
        consumer=ConsumerSettings(name=names.consumer),
        provider=ProviderSettings(name=names.provider, adapter="unused:adapter"),
        pacts_dir=tmp_path / "pacts",
        can_i_deploy_retries=0,
    ).replace(**changes)


def write_pact(settings: Settings, status: int = 200) -> None:
    assert settings.consumer is not None and settings.provider is not None
    settings.pacts_dir.mkdir(parents=True, exist_ok=True)
    pact = {
        "consumer": {"name": settings.consumer.name},
        "provider": {"name": settings.provider.name},
        "interactions": [
            {
                "description": "get all products",
                "providerState": "products exist",
                "request": {"method": "GET", "path": "/products"},
                "response": {"status": status, "body": []},
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    path = settings.pacts_dir / f"{settings.consumer.name}-{settings.provider.name}.json"
    path.write_text(json.dumps(pact), encoding="utf-8")


def publish_consumer(
    settings: Settings,
    broker: BrokerClient,
    out: RecordedOutput,
    version: str = "c1",
    status: int = 200,
) -> None:
    write_pact(settings, status)
    publish(collect_pacts(settings), broker, Revision(version, "main"), out)


def selected_pact_urls(settings: Settings, broker: BrokerClient) -> list[str]:
    request = for_verification_request(branch="main", wip_since="2024-01-01")
    provider = settings.require_provider("verify").name
    selected = parse_selected(broker.pacts_for_verification(provider, request))
    return [pact.url for pact in selected]


def post_verification(
    broker: BrokerClient, pact_url: str, provider_version: str, *, success: bool
) -> None:
    """Publish a verification result the way pact's verifier does (test set-up only)."""
    pact = broker.get(pact_url, action="read the pact")
    href = pact["_links"]["pb:publish-verification-results"]["href"]
    response = httpx.post(
        href, json={"success": success, "providerApplicationVersion": provider_version}
    )
    assert response.status_code == 201, response.text


def test_publish_prints_the_broker_notices_and_creates_the_version(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)

    publish_consumer(settings, broker, out)

    assert f"publishing {names.consumer} c1 (branch main) pacts with {names.provider}" in out.text
    assert "published" in out.text.lower()
    version = broker.version(names.consumer, "c1")
    assert version is not None
    assert version["number"] == "c1"


def test_changed_content_under_the_same_version_says_how_to_get_a_new_one(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_consumer(settings, broker, out)
    write_pact(settings, status=201)

    with pytest.raises(StageFailed) as raised:
        publish(collect_pacts(settings), broker, Revision("c1", "main"), out)

    assert "(409 on POST /contracts/publish)" in str(raised.value)
    assert "run `invoke fake-ci` for a unique one" in str(raised.value)


def test_environments_are_created_once(broker: BrokerClient) -> None:
    name = f"env{uuid.uuid4().hex[:6]}"

    first = broker.ensure_environment(name, production=True)
    second = broker.ensure_environment(name, production=True)

    assert first["uuid"] == second["uuid"]
    assert [env["name"] for env in broker.environments()].count(name) == 1
    assert first["production"] is True


def test_selected_pacts_and_published_results_are_read_back(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_consumer(settings, broker, out)
    (pact_url,) = selected_pact_urls(settings, broker)

    with pytest.raises(StageFailed, match="were not published by version p1"):
        check_published(broker, [pact_url], "p1", out)
    post_verification(broker, pact_url, "p1", success=True)
    check_published(broker, [pact_url], "p1", out)

    assert "published verification result (success)" in out.text


def test_consumer_waits_for_the_provider_then_both_deploy(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput, fake_sleep: FakeSleep
) -> None:
    settings = settings_for(tmp_path, names, can_i_deploy_retries=1, can_i_deploy_interval=3.0)
    publish_consumer(settings, broker, out)
    (pact_url,) = selected_pact_urls(settings, broker)
    post_verification(broker, pact_url, "p1", success=True)
    consumer, provider = Target(names.consumer, "c1"), Target(names.provider, "p1")

    here = Repository(names.consumer, names.provider, "p1")

    context = DeployContext(settings, broker, out, here, fake_sleep)

    with pytest.raises(NotDeployable) as raised:
        can_i_deploy(context, [consumer], "prod")
    assert f"deploy {names.provider} to prod first" in str(raised.value)
    assert fake_sleep.calls == [], "no provider version in prod: no verification can arrive"
    assert f"no version of {names.provider} is deployed to prod" in out.text

    deploy(context, [provider, consumer], "prod")

    assert f"recorded the deployment of {provider} to prod" in out.text
    assert f"recorded the deployment of {consumer} to prod" in out.text
    assert broker.currently_in_environment("prod", names.provider) == ["p1"]


def test_a_failed_verification_blocks_the_provider_with_a_reason(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_consumer(settings, broker, out)
    (pact_url,) = selected_pact_urls(settings, broker)
    post_verification(broker, pact_url, "p1", success=True)
    context = DeployContext(settings, broker, out, Repository(names.consumer, names.provider, "p2"))
    deploy(context, [Target(names.provider, "p1"), Target(names.consumer, "c1")], "prod")
    post_verification(broker, pact_url, "p2", success=False)

    with pytest.raises(NotDeployable) as raised:
        can_i_deploy(context, [Target(names.provider, "p2")], "prod")

    assert f"{names.provider} p2 fails the pact of {names.consumer} c1 (http" in str(raised.value)
    assert f"{names.provider} p2 failed to verify this pact" in out.text


def test_unknown_is_asked_again_only_while_a_verification_can_arrive(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput, fake_sleep: FakeSleep
) -> None:
    settings = settings_for(tmp_path, names, can_i_deploy_retries=2, can_i_deploy_interval=3.0)
    here = Repository(names.consumer, names.provider, "c2")
    context = DeployContext(settings, broker, out, here, fake_sleep)
    publish_consumer(settings, broker, out)
    (pact_url,) = selected_pact_urls(settings, broker)
    post_verification(broker, pact_url, "p1", success=True)
    deploy(context, [Target(names.provider, "p1"), Target(names.consumer, "c1")], "prod")
    # A new consumer version with new content: p1, in prod, must verify it.
    publish_consumer(settings, broker, out, version="c2", status=201)

    with pytest.raises(NotDeployable):
        can_i_deploy(context, [Target(names.consumer, "c2")], "prod")

    assert fake_sleep.calls == [3.0, 3.0]
    assert f"unknown until {names.provider} p1 to verify {names.consumer} c2" in out.text


def test_deploying_a_version_the_broker_does_not_know_is_refused(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    publish_consumer(settings, broker, out)

    here = Repository(names.consumer, names.provider, "c1")

    with pytest.raises(NotDeployable) as raised:
        deploy(DeployContext(settings, broker, out, here), [Target(names.consumer, "nope")], "test")

    assert f"the broker knows nothing of {names.consumer} nope" in str(raised.value)


def test_verifying_when_the_broker_selects_nothing_fails_unless_allowed(
    tmp_path: Path, names: Names, broker: BrokerClient, out: RecordedOutput
) -> None:
    settings = settings_for(tmp_path, names)
    # The provider exists but no consumer has published a pact for it.
    created = httpx.post(f"{broker.base_url}/pacticipants", json={"name": names.provider})
    assert created.status_code == 201, created.text

    with pytest.raises(StageFailed, match="no pacts selected for verification"):
        verify(settings, broker, Revision("p1", "main"), out, publish=False, allow_empty=False)
    verify(settings, broker, Revision("p1", "main"), out, publish=False, allow_empty=True)

    assert "nothing to verify (--allow-empty)" in out.text
