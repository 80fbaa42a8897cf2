"""A small, typed client for the Pact Broker HTTP API: the operations the pipeline uses.

Publishing contracts, pacts for verification, environments, versions and branches, recording
deployments, the matrix and verification results, each through the broker's HAL relations
([`HalClient`][pact_pipeline.hal_client.HalClient]). The one exception is `/matrix`, which
the broker does not link from its index; it is resolved against the base URL exactly as the
official `pact-broker` CLI does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

import httpx

from pact_pipeline.errors import BrokerFeatureMissing, BrokerProtocolError, BrokerRequestError
from pact_pipeline.hal import JsonObject, json_object, link_href, version_numbers
from pact_pipeline.hal_client import HalClient, QueryParams

if TYPE_CHECKING:
    from collections.abc import Mapping


class BrokerClient(HalClient):
    """A client for one Pact Broker; use it as a context manager so the connection closes.

    with BrokerClient("http://127.0.0.1:9292") as broker:
        broker.environments()
    """

    # -- Broker operations ------------------------------------------------------------

    def publish_contracts(self, body: Mapping[str, Any]) -> JsonObject:
        """Publish pacts for one consumer version (`POST pb:publish-contracts`).

        Args:
            body:
                The publish-contracts request (pacticipant, version, branch, contracts…).

        Returns:
            The broker's answer, with `notices` for the user.
        """
        return self.post(self.href("pb:publish-contracts"), body, action="publish contracts")

    def provider_contract_href(self, provider: str) -> str:
        """Where to publish the provider's contract (`pf:publish-provider-contract`, PactFlow's).

        Args:
            provider:
                The provider's name.

        Returns:
            The URL.

        Raises:
            BrokerFeatureMissing:
                If the broker's index has no such relation (an OSS Pact Broker).
        """
        relation = "pf:publish-provider-contract"
        if relation not in self.index().get("_links", {}):
            msg = (
                f"the Pact Broker at {self.base_url} does not support provider contracts (its "
                f"index has no {relation}): bi-directional contract testing needs PactFlow or "
                "this project's broker"
            )
            raise BrokerFeatureMissing(msg)
        return self.href(relation, provider=provider)

    def publish_provider_contract(self, url: str, body: Mapping[str, Any]) -> JsonObject:
        """Publish a provider contract with its self-verification (`POST` to `url`).

        Args:
            url:
                The relation's URL (see `provider_contract_href`).

            body:
                The version, branch, tags, build URL and the contract.

        Returns:
            The broker's answer, with `notices` for the user.
        """
        return self.post(url, body, action="publish the provider contract")

    def pacts_for_verification(self, provider: str, body: Mapping[str, Any]) -> list[JsonObject]:
        """Ask which pacts the provider must verify (`POST pb:provider-pacts-for-verification`).

        Args:
            provider:
                The provider's name.

            body:
                Selectors, pending/WIP options and the provider branch.

        Returns:
            The selected pacts (`_embedded.pacts`), possibly empty; an unknown provider
            (404) has, by definition, no pacts to verify.
        """
        url = self.href("pb:provider-pacts-for-verification", provider=provider)
        try:
            answer = self.post(url, body, action="select pacts for verification")
        except BrokerRequestError as error:
            if error.status == httpx.codes.NOT_FOUND:
                return []
            raise
        pacts = answer.get("_embedded", {}).get("pacts", [])
        return [pact for pact in pacts if isinstance(pact, dict)]

    def environments(self) -> list[JsonObject]:
        """List the broker's environments (`GET pb:environments`)."""
        answer = self.get(self.href("pb:environments"), action="list environments")
        environments = answer.get("_embedded", {}).get("environments", [])
        return [environment for environment in environments if isinstance(environment, dict)]

    def find_environment(self, name: str) -> JsonObject | None:
        """Return the environment called `name`, or `None`."""
        return next((env for env in self.environments() if env.get("name") == name), None)

    def ensure_environment(self, name: str, *, production: bool) -> JsonObject:
        """Return the environment called `name`, creating it first if needed (idempotent).

        Args:
            name:
                The environment's name (no spaces).

            production:
                Whether it is a production environment.

        Returns:
            The environment resource.
        """
        existing = self.find_environment(name)
        if existing is not None:
            return existing
        body = {"name": name, "displayName": name.capitalize(), "production": production}
        try:
            return self.post(self.href("pb:environments"), body, action="create environments")
        except BrokerRequestError as error:
            # Another pipeline may have created it between our GET and POST.
            created = self.find_environment(name)
            if created is None:
                raise error from None
            return created

    def version(self, pacticipant: str, version: str) -> JsonObject | None:
        """Return a pacticipant version resource (`pb:pacticipant-version`), or `None`."""
        url = self.href("pb:pacticipant-version", pacticipant=pacticipant, version=version)
        return self.get_optional(url, action=f"read version {version} of {pacticipant}")

    def record_branch_version(self, pacticipant: str, branch: str, version: str) -> JsonObject:
        """Record `version` of `pacticipant` on `branch`, creating both if need be.

        This is how a provider's first build, with no pact to verify, still leaves its
        version in the broker, so can-i-deploy can answer for it (`pb:pacticipant-branch-version`).

        Args:
            pacticipant:
                The pacticipant's name.

            branch:
                The branch.

            version:
                The version number.

        Returns:
            The branch version resource.
        """
        url = self.href(
            "pb:pacticipant-branch-version", pacticipant=pacticipant, branch=branch, version=version
        )
        return self.put(url, {}, action=f"record {pacticipant} {version} on branch {branch}")

    def record_deployment(self, version_resource: JsonObject, environment: str) -> JsonObject:
        """Record a deployment via the version's `pb:record-deployment` link for `environment`.

        Args:
            version_resource:
                The version resource (see
                [`version`][pact_pipeline.broker_client.BrokerClient.version]).

            environment:
                The environment's name.

        Returns:
            The deployed-version resource.

        Raises:
            BrokerProtocolError:
                If the version offers no deployment link for that environment.
        """
        href = self._environment_link(
            version_resource, "pb:record-deployment", environment, "record a deployment"
        )
        return self.post(href, {}, action="record deployments")

    def record_release(self, version_resource: JsonObject, environment: str) -> JsonObject:
        """Record a release via the version's `pb:record-release` link (see record_deployment)."""
        href = self._environment_link(
            version_resource, "pb:record-release", environment, "record a release"
        )
        return self.post(href, {}, action="record releases")

    def _environment_link(
        self, resource: JsonObject, relation: str, environment: str, action: str
    ) -> str:
        links = resource.get("_links", {}).get(relation, [])
        candidates = links if isinstance(links, list) else [links]
        href = next(
            (
                link.get("href")
                for link in candidates
                if isinstance(link, dict) and link.get("name") == environment
            ),
            None,
        )
        if not isinstance(href, str):
            msg = (
                f"the Pact Broker offers no way to {action} to '{environment}' "
                f"(does the environment exist?)"
            )
            raise BrokerProtocolError(msg)
        return urljoin(self._base_url + "/", href)

    def currently_in(
        self, environment: str, pacticipant: str, *, released: bool
    ) -> list[JsonObject]:
        """The deployed (or released and supported) version resources of `pacticipant`."""
        found = self.find_environment(environment)
        if found is None:
            return []
        resource = self.get(
            link_href(found, "self", where=self._base_url), action="read the environment"
        )
        relation, embedded = (
            ("pb:currently-supported-released-versions", "releasedVersions")
            if released
            else ("pb:currently-deployed-deployed-versions", "deployedVersions")
        )
        if relation not in resource.get("_links", {}):
            return []
        url = urljoin(self._base_url + "/", link_href(resource, relation, where="environment"))
        listing = self.get(url, action="read versions", params=[("pacticipant", pacticipant)])
        items = listing.get("_embedded", {}).get(embedded, [])
        return [item for item in items if isinstance(item, dict)]

    def patch(self, url: str, body: Mapping[str, Any], *, action: str) -> JsonObject:
        """PATCH a JSON body (`record-undeployment`, `record-support-ended`)."""
        response = self._send("PATCH", url, action=action, json=dict(body))
        return json_object(response, self._base_url)

    def matrix(self, pacticipant: str, version: str, environment: str) -> JsonObject:
        """Ask whether `pacticipant` at `version` can be deployed to `environment`.

        This is the query `pact-broker can-i-deploy --to-environment` sends:
        `GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E`.

        Args:
            pacticipant:
                The pacticipant's name.

            version:
                Its version number.

            environment:
                The target environment.

        Returns:
            The matrix (`summary`, `matrix` rows, `notices`).
        """
        params: QueryParams = [
            ("q[][pacticipant]", pacticipant),
            ("q[][version]", version),
            ("latestby", "cvpv"),
            ("environment", environment),
        ]
        return self.get(self._base_url + "/matrix", action="read the matrix", params=params)

    def consumer_version_matrix(self, consumer: str, version: str) -> JsonObject:
        """Every pact of `consumer` at `version` with every verification of it.

        `GET /matrix?q[][pacticipant]=C&q[][version]=V`: one row per (pact, verifying provider
        version), and a row without a provider version for a pact nobody verified.
        """
        params: QueryParams = [("q[][pacticipant]", consumer), ("q[][version]", version)]
        return self.get(self._base_url + "/matrix", action="read the matrix", params=params)

    def main_branch_head(self, pacticipant: str) -> tuple[str, str] | None:
        """The latest version on the pacticipant's main branch, as (branch, version), if any."""
        resource = self.get_optional(
            f"{self._base_url}/pacticipants/{quote(pacticipant, safe='')}",
            action=f"read {pacticipant}",
        )
        branch = (resource or {}).get("mainBranch")
        if not isinstance(branch, str) or not branch:
            return None
        latest = self.get_optional(
            f"{self._base_url}/pacticipants/{quote(pacticipant, safe='')}/branches/"
            f"{quote(branch, safe='')}/latest-version",
            action=f"read the head of {pacticipant}'s {branch}",
        )
        number = (latest or {}).get("number")
        return (branch, number) if isinstance(number, str) else None

    def webhooks(self) -> list[JsonObject]:
        """Every webhook the broker has (`GET /webhooks`, each fetched for its details)."""
        listing = self.get(self._base_url + "/webhooks", action="read the webhooks")
        links = listing.get("_links", {}).get("pb:webhooks", [])
        hrefs = [link.get("href") for link in links if isinstance(link, dict)]
        found = [self.get_optional(h, action="read a webhook") for h in hrefs if isinstance(h, str)]
        return [webhook for webhook in found if webhook is not None]

    def currently_in_environment(self, environment: str, pacticipant: str) -> list[str]:
        """Return the versions of `pacticipant` deployed or released (and supported) in it.

        Args:
            environment:
                The environment's name.

            pacticipant:
                The pacticipant's name.

        Returns:
            Version numbers; empty if none, or if the environment does not exist.
        """
        found = self.find_environment(environment)
        if found is None:
            return []
        resource = self.get(
            link_href(found, "self", where=self._base_url), action="read the environment"
        )
        versions: list[str] = []
        for relation, embedded in (
            ("pb:currently-deployed-deployed-versions", "deployedVersions"),
            ("pb:currently-supported-released-versions", "releasedVersions"),
        ):
            if relation not in resource.get("_links", {}):
                continue
            url = urljoin(self._base_url + "/", link_href(resource, relation, where="environment"))
            listing = self.get(
                url, action="read deployed versions", params=[("pacticipant", pacticipant)]
            )
            versions.extend(version_numbers(listing.get("_embedded", {}).get(embedded, [])))
        return versions

    def latest_verification(self, pact_url: str) -> JsonObject | None:
        """Return the latest verification result of a pact's content, or `None` if none.

        Args:
            pact_url:
                The pact's URL (e.g. a `_links.self.href` from pacts-for-verification).

        Returns:
            The verification result resource (`providerApplicationVersion`, `success`, …).
        """
        pact = self.get(pact_url, action="read the pact")
        links = pact.get("_links", {})
        if "pb:latest-verification-results" not in links:
            return None
        url = urljoin(
            self._base_url + "/", link_href(pact, "pb:latest-verification-results", where="pact")
        )
        return self.get_optional(url, action="read verification results")
