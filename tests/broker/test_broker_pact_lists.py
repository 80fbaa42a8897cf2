"""The provider's pact lists (``pb:latest-provider-pacts`` and friends) filter by the consumer
version's tag and branch, as the Ruby broker's do."""

from __future__ import annotations

import pytest

from pact_pipeline.broker.testing import TestData
from tests.broker.broker_support import InProcessBroker


def listed(broker: InProcessBroker, path: str) -> list[str]:
    """(consumer, version) of each listed pact, from its href."""
    response = broker.client.get(path)
    assert response.status_code == 200, response.text
    return sorted(link["href"].rsplit("/", 1)[-1] for link in response.json()["_links"]["pacts"])


@pytest.fixture
def history(api: InProcessBroker) -> InProcessBroker:
    td = TestData(api.db).create_consumer("Foo").create_provider("Bar")
    td.create_consumer_version("1", branch="main", tags=("prod",)).create_pact()
    td.create_consumer_version("2", branch="main").random_pact()
    td.create_consumer_version("3", branch="feat").random_pact()
    return api


@pytest.mark.parametrize(
    ("path", "versions"),
    [
        pytest.param("/pacts/provider/Bar/latest", ["3"], id="latest"),
        pytest.param("/pacts/provider/Bar/latest/prod", ["1"], id="latest-with-tag"),
        pytest.param("/pacts/provider/Bar", ["1", "2", "3"], id="all"),
        pytest.param("/pacts/provider/Bar/tag/prod", ["1"], id="all-with-tag"),
        pytest.param("/pacts/provider/Bar/branch", ["1", "2"], id="main-branch"),
        pytest.param("/pacts/provider/Bar/branch/latest", ["2"], id="latest-main-branch"),
        pytest.param("/pacts/provider/Bar/branch/feat", ["3"], id="branch"),
        pytest.param("/pacts/provider/Bar/branch/main/latest", ["2"], id="latest-on-branch"),
    ],
)
def test_lists(history: InProcessBroker, path: str, versions: list[str]) -> None:
    assert listed(history, path) == versions


def test_an_unknown_provider_is_a_404(api: InProcessBroker) -> None:
    assert api.client.get("/pacts/provider/Nobody/latest").status_code == 404
