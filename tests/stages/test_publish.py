"""Publishing: finding pact files and building the publish-contracts requests."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pact_pipeline.errors import PipelineError
from pact_pipeline.settings import ConsumerSettings, ProviderSettings, Settings
from pact_pipeline.stages.publish import collect_pacts, print_notices, publish_requests, read_pact
from tests.helpers import RecordedOutput

WEBSITE = ConsumerSettings(name="FrontendWebsite")


def write_pact(directory: Path, consumer: str, provider: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{consumer}-{provider}.json"
    pact: dict[str, Any] = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [{"description": "a request"}],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path.write_text(json.dumps(pact, indent=2), encoding="utf-8")
    return path


def test_no_pact_files_says_to_run_the_tests_first(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, pacts_dir=tmp_path / "pacts", consumer=WEBSITE)

    with pytest.raises(PipelineError) as raised:
        collect_pacts(settings)

    assert str(raised.value) == "no pact files in pacts/ — run `invoke test` first"


def test_a_file_that_is_not_a_pact_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")

    with pytest.raises(PipelineError, match=r"broken\.json is not a readable pact file"):
        read_pact(tmp_path / "broken.json")
    with pytest.raises(PipelineError, match=r"other\.json is not a pact file"):
        read_pact(tmp_path / "other.json")


def test_one_request_per_consumer_with_every_pact_base64_encoded(tmp_path: Path) -> None:
    files = [
        write_pact(tmp_path, "FrontendWebsite", "ProductService"),
        write_pact(tmp_path, "FrontendWebsite", "OrderService"),
        write_pact(tmp_path, "AdminPortal", "ProductService"),
    ]
    requests = publish_requests(
        [(path, read_pact(path)) for path in sorted(files)],
        version="abc123",
        branch="main",
        tags=["rc"],
        build_url="https://ci.example/7",
    )

    assert [request["pacticipantName"] for request in requests] == [
        "AdminPortal",
        "FrontendWebsite",
    ]
    website = requests[1]
    assert website["pacticipantVersionNumber"] == "abc123"
    assert website["branch"] == "main"
    assert website["tags"] == ["rc"]
    assert website["buildUrl"] == "https://ci.example/7"
    assert [c["providerName"] for c in website["contracts"]] == ["OrderService", "ProductService"]
    contract = website["contracts"][1]
    assert contract["consumerName"] == "FrontendWebsite"
    assert contract["specification"] == "pact"
    assert contract["contentType"] == "application/json"
    assert base64.b64decode(contract["content"]) == files[0].read_bytes()


def test_tags_and_build_url_are_left_out_when_not_given(tmp_path: Path) -> None:
    path = write_pact(tmp_path, "FrontendWebsite", "ProductService")

    (request,) = publish_requests([(path, read_pact(path))], version="1", branch="main")

    assert "tags" not in request
    assert "buildUrl" not in request


def test_broker_notices_are_printed_by_type(out: RecordedOutput) -> None:
    print_notices(
        {
            "notices": [
                {"type": "success", "text": "Pact successfully published for Foo version 1"},
                {"type": "prompt", "text": "  Next steps:\n    * verify it"},
            ]
        },
        out,
    )
    print_notices({"logs": [{"level": "info", "message": "old-style log line"}]}, out)

    assert "Pact successfully published for Foo version 1" in out.text
    assert "    * verify it" in out.text
    assert "old-style log line" in out.text


def test_a_pact_of_another_consumer_than_configured_is_refused(tmp_path: Path) -> None:
    settings = Settings(
        root=tmp_path, pacts_dir=tmp_path / "pacts", consumer=ConsumerSettings(name="OrderWeb")
    )
    write_pact(settings.pacts_dir, "FrontendWebsite", "ProductService")

    with pytest.raises(PipelineError) as raised:
        collect_pacts(settings)

    assert str(raised.value) == (
        "FrontendWebsite-ProductService.json is FrontendWebsite's pact with ProductService, but "
        "pipeline.consumer is 'OrderWeb': rename the consumer in the consumer tests too, or set "
        "pipeline.consumer to match"
    )


def test_pacts_none_of_which_is_with_the_configured_provider_are_refused(
    tmp_path: Path,
) -> None:
    settings = Settings(
        root=tmp_path,
        pacts_dir=tmp_path / "pacts",
        consumer=WEBSITE,
        provider=ProviderSettings(name="OrderService", adapter="orders:serve"),
    )
    write_pact(settings.pacts_dir, "FrontendWebsite", "ProductService")

    with pytest.raises(PipelineError) as raised:
        collect_pacts(settings)

    assert str(raised.value) == (
        "no pact in the pacts directory is with pipeline.provider 'OrderService' (they are "
        "with ProductService): rename the provider in the consumer tests too, or set "
        "pipeline.provider to match"
    )


def test_pacts_matching_the_configured_names_are_collected(tmp_path: Path) -> None:
    settings = Settings(
        root=tmp_path,
        pacts_dir=tmp_path / "pacts",
        consumer=WEBSITE,
        provider=ProviderSettings(name="ProductService", adapter="products:serve"),
    )
    write_pact(settings.pacts_dir, "FrontendWebsite", "ProductService")
    write_pact(settings.pacts_dir, "FrontendWebsite", "Payments")

    assert len(collect_pacts(settings)) == 2
