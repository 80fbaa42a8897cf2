"""Several uvicorn workers over one PostgreSQL database, hammered by concurrent writers.

``python -m pact_pipeline.broker serve --workers 3`` on a database of its own (on the server
named by ``PACT_BROKER_TEST_POSTGRES_URL``): every publish, deployment and verification succeeds
and reads back, whichever worker served it, and no worker reports an error.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.broker.broker_support import (
    POSTGRES_SKIP_REASON,
    broker_process,
    fresh_postgres_database,
    hammer,
    lost_writes,
    postgres_url,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def postgres_database() -> Iterator[str]:
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    with fresh_postgres_database(server) as url:
        yield url


def test_three_workers_take_concurrent_publishes(postgres_database: str, tmp_path: Path) -> None:
    with broker_process(postgres_database, tmp_path / "broker.log", workers=3) as broker:
        result = hammer(broker.url, writers=16, per_writer=25, consumers=4, providers=3)
        lost, _ = lost_writes(broker.url, result)
        output = broker.output()
    print(
        f"PostgreSQL, 3 workers, 16 writers: {len(result.acknowledged)} acknowledged, "
        f"{len(result.failures)} failed, {len(lost)} lost, {result.rate:.1f} publishes/s, "
        f"{output.count('retrying')} replayed after a conflict"
    )
    assert result.failures == [], "\n".join(result.failures[:5]) + "\n" + output[-6000:]
    assert len(result.acknowledged) == 400
    assert lost == []
    assert "Traceback" not in output


def test_three_workers_take_concurrent_deployments_and_verifications(
    postgres_database: str, tmp_path: Path
) -> None:
    """The other write paths race too: environments, deployments, verifications and tags,
    all on the same few rows."""
    with broker_process(postgres_database, tmp_path / "broker.log", workers=3) as broker:
        seeded = hammer(broker.url, writers=2, per_writer=3, consumers=1, providers=1)
        assert seeded.failures == []
        with httpx.Client(base_url=broker.url, timeout=60) as client:
            environment = client.post("/environments", json={"name": "prod", "production": True})
            assert environment.status_code == 201, environment.text
            uuid = environment.json()["uuid"]
            pact = client.get("/pacts/provider/Provider%2F0/consumer/Consumer%200/latest").json()
            results_url = pact["_links"]["pb:publish-verification-results"]["href"]
        failures: list[str] = []

        def work(index: int) -> None:
            with httpx.Client(base_url=broker.url, timeout=60) as client:
                for n in range(10):
                    version = f"{index % 3}.{n % 4}"  # shared versions: racing inserts
                    requests = [
                        (
                            "POST",
                            f"/pacticipants/Deployer/versions/{version}/deployed-versions/"
                            f"environment/{uuid}",
                            {"applicationInstance": f"i{index % 2}"},
                        ),
                        (
                            "PUT",
                            f"/pacticipants/Tagger/versions/{version}/tags/t{n % 2}",
                            None,
                        ),
                        (
                            "POST",
                            results_url,
                            {"success": n % 2 == 0, "providerApplicationVersion": version},
                        ),
                    ]
                    for method, url, body in requests:
                        if method == "POST" and "deployed" in url:
                            # Deploying needs the version: create it (racing the others).
                            client.put(f"/pacticipants/Deployer/versions/{version}", json={})
                        response = client.request(method, url, json=body)
                        if response.status_code >= 300:
                            failures.append(f"{method} {url}: {response.status_code}")

        threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with httpx.Client(base_url=broker.url, timeout=60) as client:
            deployed = client.get(
                f"/environments/{uuid}/deployed-versions/currently-deployed"
            ).json()["_embedded"]["deployedVersions"]
            tags = client.get("/pacticipants/Tagger/versions").json()
        output = broker.output()
    assert failures == [], "\n".join(failures[:10]) + "\n" + output[-6000:]
    # One current deployment per application instance survives all the racing.
    assert len(deployed) == 2
    assert len(tags["_embedded"]["versions"]) == 12
    assert "Traceback" not in output
