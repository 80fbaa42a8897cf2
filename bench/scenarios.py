"""The requests the benchmark times: what CI asks a broker most, plus a baseline.

Each scenario turns a request index into one HTTP request against a seeded dataset; requests
that change data (publish, record-deployment) use a fresh version number or another version each
time, as successive CI builds do.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import httpx

from bench.shape import Targets

#: The environment can-i-deploy and record-deployment use.
ENVIRONMENT = "prod"
#: How far back WIP pacts are included (most of the seeded history is older).
WIP_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class Scenario:
    """One kind of request.

    Attributes:
        name: Short name used in reports.
        description: What the request is.
        request: Sends request number ``i`` with a client and returns the response.
        status: The status code a correct answer has.
        answer: How big the answer is, counted in its own terms (e.g. the WIP pacts of a
            pacts-for-verification response), for scenarios whose cost may rightly grow
            with it; ``None`` if not counted.
        rotation: How many successive request numbers cover every target once (the answer
            is summed over them).
    """

    name: str
    description: str
    request: Callable[[httpx.Client, int], httpx.Response]
    status: int = 200
    answer: Callable[[httpx.Response], int] | None = None
    rotation: int = 1


BASELINE = "GET /"


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(p, safe="") for p in parts)


def publish_contracts(targets: Targets) -> list[dict[str, str]]:
    """The publisher's current main-branch pacts, as ``POST /contracts/publish`` carries them."""
    return [
        {
            "consumerName": targets.publisher,
            "providerName": provider,
            "specification": "pact",
            "contentType": "application/json",
            "content": base64.b64encode(json.dumps(content).encode()).decode(),
        }
        for provider, content in sorted(targets.publish_contents.items())
    ]


def wip_pacts(response: httpx.Response) -> int:
    """The WIP pacts of a pacts-for-verification response (``verificationProperties.wip``)."""
    pacts = response.json().get("_embedded", {}).get("pacts", [])
    return sum(1 for p in pacts if p.get("verificationProperties", {}).get("wip") is True)


def for_verification_body(
    *, pending: bool, wip_since: str | None, selectors: list[dict[str, object]] | None = None
) -> dict[str, object]:
    """The body a provider build's verifier posts (pact-js/pact-python/the Rust verifier)."""
    body: dict[str, object] = {
        "consumerVersionSelectors": selectors
        or [{"mainBranch": True}, {"deployedOrReleased": True}, {"matchingBranch": True}],
        "providerVersionBranch": "main",
    }
    if pending:
        body["includePendingStatus"] = True
    if wip_since is not None:
        body["includeWipPactsSince"] = wip_since
    return body


class _Requests:
    """The requests of one benchmark run over one dataset, one method per scenario."""

    def __init__(self, targets: Targets, run_id: str) -> None:
        self.targets = targets
        self.run_id = run_id
        self.since = (datetime.now(UTC) - WIP_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.contracts = publish_contracts(targets)

    def index(self, client: httpx.Client, _i: int) -> httpx.Response:
        return client.get("/")

    def metrics(self, client: httpx.Client, _i: int) -> httpx.Response:
        return client.get("/metrics", headers={"Accept": "application/json"})

    def matrix(self, client: httpx.Client, i: int) -> httpx.Response:
        pacticipant, version = self.targets.can_i_deploy[i % len(self.targets.can_i_deploy)]
        query = urlencode(
            [
                ("q[][pacticipant]", pacticipant),
                ("q[][version]", version),
                ("latestby", "cvpv"),
                ("environment", ENVIRONMENT),
            ]
        )
        return client.get(f"/matrix?{query}")

    def matrix_cvp(self, environment: bool) -> Callable[[httpx.Client, int], httpx.Response]:
        """``latestby=cvp``: the version's rows against the latest version of each other
        pacticipant (one row per consumer version and provider). What ``pact-broker
        can-i-deploy --pacticipant X --version V`` sends without ``--to-environment`` (one
        selector: ``latestby=cvp&latest=true``); with ``environment``, what the older CLIs
        (0.7.1: ``cvp`` whenever there is one selector) send with ``--to-environment prod``."""

        def request(client: httpx.Client, i: int) -> httpx.Response:
            pacticipant, version = self.targets.can_i_deploy[i % len(self.targets.can_i_deploy)]
            pairs = [("q[][pacticipant]", pacticipant), ("q[][version]", version)]
            pairs.append(("latestby", "cvp"))
            pairs.append(("environment", ENVIRONMENT) if environment else ("latest", "true"))
            return client.get(f"/matrix?{urlencode(pairs)}")

        return request

    def _branch_head(self, i: int) -> str:
        heads = self.targets.branch_heads or [p for p, _ in self.targets.can_i_deploy]
        return heads[i % len(heads)]

    def matrix_branch_latest(self, client: httpx.Client, i: int) -> httpx.Response:
        """``pact-broker can-i-deploy --pacticipant X --branch main --latest --to-environment
        prod`` (the Rust CLI's order: pacticipant, latest, branch; ``cvpv`` with an
        environment)."""
        pacticipant = self._branch_head(i)
        query = urlencode(
            [
                ("q[][pacticipant]", pacticipant),
                ("q[][latest]", "true"),
                ("q[][branch]", "main"),
                ("latestby", "cvpv"),
                ("environment", ENVIRONMENT),
            ]
        )
        return client.get(f"/matrix?{query}")

    def can_i_deploy(self, client: httpx.Client, i: int) -> httpx.Response:
        pacticipant, version = self.targets.can_i_deploy[i % len(self.targets.can_i_deploy)]
        query = urlencode(
            {"pacticipant": pacticipant, "version": version, "environment": ENVIRONMENT}
        )
        return client.get(f"/can-i-deploy?{query}")

    def can_i_deploy_branch_latest(self, client: httpx.Client, i: int) -> httpx.Response:
        """The broker's shortcut for a branch's newest version (``/can-i-deploy`` itself
        wants a version number, here as in the Pact Broker)."""
        pacticipant = self._branch_head(i)
        path = _path("pacticipants", pacticipant, "branches", "main", "latest-version")
        return client.get(path + _path("can-i-deploy", "to-environment", ENVIRONMENT))

    def for_verification(
        self, *, wip: bool, pending: bool = True, providers: list[str] | None = None
    ) -> Callable[[httpx.Client, int], httpx.Response]:
        asked = providers or self.targets.providers

        def request(client: httpx.Client, i: int) -> httpx.Response:
            provider = asked[i % len(asked)]
            body = for_verification_body(pending=pending, wip_since=self.since if wip else None)
            path = _path("pacts", "provider", provider, "for-verification")
            return client.post(path, json=body)

        return request

    def integrations(self, client: httpx.Client, _i: int) -> httpx.Response:
        return client.get("/integrations", headers={"Accept": "application/hal+json"})

    def publish(self, client: httpx.Client, i: int) -> httpx.Response:
        body = {
            "pacticipantName": self.targets.publisher,
            "pacticipantVersionNumber": f"bench-{self.run_id}-{i}",
            "branch": "main",
            "contracts": self.contracts,
        }
        return client.post("/contracts/publish", json=body)

    def page(self, which: str) -> Callable[[httpx.Client, int], httpx.Response]:
        """A browser's GET of one of the broker's pages (HTML)."""

        def request(client: httpx.Client, i: int) -> httpx.Response:
            targets = self.targets
            providers = sorted(targets.publish_contents)
            provider = providers[i % len(providers)]
            consumer = targets.publisher
            pacticipant, version = targets.can_i_deploy[i % len(targets.can_i_deploy)]
            paths = {
                "home": "/",
                "graph": "/graph",
                "pacticipant": _path("pacticipants", provider),
                "pact": _path("pacts", "provider", provider, "consumer", consumer, "latest"),
                "matrix": _path("matrix", "provider", provider, "consumer", consumer),
                "can-i-deploy": "/can-i-deploy?"
                + urlencode(
                    {"pacticipant": pacticipant, "version": version, "environment": ENVIRONMENT}
                ),
            }
            return client.get(paths[which], headers={"Accept": "text/html"})

        return request

    def versions_page(self, client: httpx.Client, i: int) -> httpx.Response:
        """The first page of a service's versions (services have a version per build)."""
        pacticipants = sorted({p for p, _ in self.targets.can_i_deploy})
        pacticipant = pacticipants[i % len(pacticipants)]
        return client.get(_path("pacticipants", pacticipant, "versions") + "?pageSize=100")

    def record_deployment(self, client: httpx.Client, i: int) -> httpx.Response:
        targets = self.targets
        version = targets.deploy_versions[i % len(targets.deploy_versions)]
        environment = targets.environments[ENVIRONMENT]
        path = _path(
            "pacticipants", targets.deployer, "versions", version, "deployed-versions"
        ) + _path("environment", environment)
        return client.post(path, json={})


def scenarios(targets: Targets, run_id: str) -> list[Scenario]:
    """The benchmark's scenarios for a dataset.

    Args:
        targets: What the seeder chose to ask about.
        run_id: Distinguishes version numbers this run publishes from earlier runs'.

    Returns:
        The baseline first, then the endpoints under test.
    """
    requests = _Requests(targets, run_id)
    rotation = len(targets.providers)
    steady_provider = targets.steady_pact[1] if targets.steady_pact else targets.providers[0]
    return [
        Scenario(BASELINE, "the index resource (no database work)", requests.index),
        Scenario(
            "metrics",
            "GET /metrics (the JSON counts: aggregate queries over every table)",
            requests.metrics,
        ),
        Scenario(
            "matrix",
            "GET /matrix?q[][pacticipant]=X&q[][version]=V&latestby=cvpv&environment=prod",
            requests.matrix,
        ),
        Scenario(
            "can-i-deploy",
            "GET /can-i-deploy?pacticipant=X&version=V&environment=prod",
            requests.can_i_deploy,
        ),
        Scenario(
            "for-verification",
            "POST pacts for verification: mainBranch, deployedOrReleased, matchingBranch, "
            f"pending, WIP pacts of the last {WIP_WINDOW.days} days",
            requests.for_verification(wip=True),
            answer=wip_pacts,
            rotation=rotation,
        ),
        Scenario(
            "for-verification, no WIP",
            "the same without WIP pacts (whose number grows with the branches active in the "
            "window)",
            requests.for_verification(wip=False),
        ),
        Scenario(
            "publish",
            f"POST /contracts/publish (new version, {len(requests.contracts)} pacts)",
            requests.publish,
        ),
        Scenario(
            "versions, first page",
            "GET /pacticipants/{X}/versions?pageSize=100 (X: a service with many versions)",
            requests.versions_page,
        ),
        Scenario(
            "record-deployment",
            "POST .../deployed-versions/environment/{prod}",
            requests.record_deployment,
            status=201,
        ),
        Scenario(
            "matrix, cvp",
            "GET /matrix?q[][pacticipant]=X&q[][version]=V&latestby=cvp&latest=true "
            "(can-i-deploy without an environment: against the latest of each other)",
            requests.matrix_cvp(environment=False),
        ),
        Scenario(
            "matrix, cvp to environment",
            "GET /matrix?q[][pacticipant]=X&q[][version]=V&latestby=cvp&environment=prod "
            "(older CLIs' can-i-deploy --to-environment)",
            requests.matrix_cvp(environment=True),
        ),
        Scenario(
            "matrix, branch latest",
            "GET /matrix?q[][pacticipant]=X&q[][latest]=true&q[][branch]=main"
            "&latestby=cvpv&environment=prod",
            requests.matrix_branch_latest,
        ),
        Scenario(
            "can-i-deploy, branch latest",
            "GET /pacticipants/X/branches/main/latest-version/can-i-deploy/to-environment/prod",
            requests.can_i_deploy_branch_latest,
        ),
        Scenario(
            "for-verification, no pending",
            "POST pacts for verification: mainBranch, deployedOrReleased, matchingBranch, "
            "without pending status or WIP pacts",
            requests.for_verification(wip=False, pending=False),
        ),
        Scenario(
            "for-verification, #487 provider",
            "the WIP request for the provider whose one never-changing pact it has verified "
            f"{targets.steady_verifications:,} times (pact_broker#487)",
            requests.for_verification(wip=True, providers=[steady_provider]),
            answer=wip_pacts,
        ),
        Scenario(
            "integrations",
            "GET /integrations (HAL: every integration with its latest pact's date)",
            requests.integrations,
        ),
        *(
            Scenario(
                f"page: {which}",
                f"the {which} page, as a browser asks for it",
                requests.page(which),
            )
            for which in ("home", "graph", "pacticipant", "pact", "matrix", "can-i-deploy")
        ),
    ]
