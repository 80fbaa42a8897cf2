"""Provider states of the Pact Broker clients' pacts, as test-data builders.

Each state sets the broker's data up through the service layer, with the names, versions and
UUIDs the state names (mirroring the Ruby broker's own provider states).
"""

from __future__ import annotations

from collections.abc import Callable

from pact_pipeline.broker.testing import TestData

StateBuilder = Callable[[TestData], object]

PRICING_REPOSITORY = "git@git.realestate.com.au:business-systems/pricing-service"
FOO_SHA = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
TEST_ENV_UUID = "16926ef3-590f-4e3f-838e-719717aa88c9"
DEPLOY_ENV_UUID = "cb632df3-0a0d-4227-aac3-60114dd36479"
DEPLOYED_VERSION_UUID = "ff3adecf-cfc5-4653-a4e3-f1861092f8e0"
WEBHOOK_UUID = "696c5f93-1b7f-44bc-8d03-59440fcaa9a0"
CONTACTS = [{"name": "Foo team", "details": {"emailAddress": "foo@bar.com"}}]


def _nothing(_td: TestData) -> None:
    """States that only assert what every broker has (index relations) or an absence."""


def _verified_with_later_version(consumer: str) -> StateBuilder:
    def build(td: TestData) -> None:
        (
            td.create_pact_with_hierarchy(consumer, "1.2.3", "Bar")
            .revise_pact()
            .create_verification("4.5.6")
            .create_verification("7.8.9")
            .create_consumer_version("2.0.0")
            .create_pact()
            .revise_pact()
            .create_verification("4.5.6")
        )

    return build


def _pricing_service(td: TestData) -> None:
    td.create_provider("Pricing Service", repositoryUrl=PRICING_REPOSITORY).create_provider_version(
        "1.3.0"
    )


def _condor_pact(td: TestData) -> None:
    td.create_consumer("Condor").create_consumer_version("1.3.0").create_provider(
        "Pricing Service"
    ).create_pact()


def _condor_prod_pact(td: TestData) -> None:
    (
        td.create_consumer("Condor")
        .create_consumer_version("1.3.0")
        .create_consumer_version_tag("prod")
        .create_provider("Pricing Service")
        .create_pact()
    )


def _success_then_failure(td: TestData, *, tag_provider: bool) -> None:
    td.create_pact_with_hierarchy("Foo", "1.2.3", "Bar").revise_pact().create_verification("4.5.6")
    if tag_provider:
        td.use_provider_version("4.5.6").create_provider_version_tag("prod")
    td.create_consumer_version("1.2.4").create_pact().revise_pact().create_verification(
        "9.9.9", success=False
    )


def _ignore_scenario(td: TestData) -> None:
    (
        td.create_consumer("Foo")
        .create_provider("Bar")
        .create_consumer_version("1.2.3")
        .create_consumer_version_tag("prod")
        .create_pact()
        .create_verification("4.5.6")
        .create_consumer_version("3.4.5")
        .create_consumer_version_tag("prod")
        .random_pact()
        .create_verification("4.5.6", success=False)
    )


def _foo_version_with_environments(*names: str, uuid: str | None = None) -> StateBuilder:
    def build(td: TestData) -> None:
        td.create_consumer("Foo").create_consumer_version(FOO_SHA)
        for name in names:
            td.create_environment(name, uuid=uuid if len(names) == 1 else None)

    return build


def _deployed_with_target(td: TestData) -> None:
    (
        td.create_environment("test", uuid=TEST_ENV_UUID)
        .create_consumer("Foo")
        .create_consumer_version(FOO_SHA)
        .deploy("Foo", FOO_SHA, "test", uuid=DEPLOYED_VERSION_UUID, target="customer-1")
    )


def _currently_deployed(td: TestData) -> None:
    (
        td.create_environment("test", uuid=DEPLOY_ENV_UUID)
        .create_consumer("Foo")
        .create_consumer_version(FOO_SHA)
        .deploy("Foo", FOO_SHA, "test", uuid=DEPLOYED_VERSION_UUID)
    )


STATES: dict[str, StateBuilder] = {
    "": _nothing,
    "the pacticipant relations are present": _nothing,
    "the pb:environments relation exists in the index resource": _nothing,
    "the pb:latest-tagged-version relation exists in the index resource": _nothing,
    "the pb:latest-version relation exists in the index resource": _nothing,
    "the pb:pacticipant-branch relation exists in the index resource": _nothing,
    "the pb:pacticipant-version and pb:environments relations exist in the index resource": _nothing,
    "the pb:publish-contracts relations exists in the index resource": _nothing,
    "'Condor' does not exist in the pact-broker": _nothing,
    # PactFlow-only features (provider contracts, teams, its UI): nothing to build here, so
    # those interactions show what this broker does not offer.
    "the pb:publish-provider-contract relation exists in the index resource": _nothing,
    "there is a pf:ui href in the response": _nothing,
    "a team with UUID 2abbc12a-427d-432a-a521-c870af1739d9 exists": _nothing,
    "the 'Pricing Service' does not exist in the pact-broker": _nothing,
    "no pact between Condor and the Pricing Service exists": _nothing,
    "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6": _verified_with_later_version(
        "Foo Thing"
    ),
    "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6": _verified_with_later_version(
        "Foo"
    ),
    "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6": lambda td: (
        td.create_pact_with_hierarchy("Foo", "1.2.3", "Bar")
        .revise_pact()
        .create_verification("4.5.6")
        .create_consumer_version("1.2.4")
        .create_pact()
        .revise_pact()
        .create_verification("4.5.6")
    ),
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9": (
        lambda td: _success_then_failure(td, tag_provider=False)
    ),
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9": (
        lambda td: _success_then_failure(td, tag_provider=True)
    ),
    "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7": lambda td: (
        td.create_pact_with_hierarchy("Foo", "1.2.3", "Bar")
        .revise_pact()
        .create_verification("4.5.6")
        .create_verification("5.6.7")
    ),
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7": lambda td: (
        td.create_pact_with_hierarchy("Foo", "1.2.3", "Bar")
        .create_verification("4.5.6")
        .use_provider_version("4.5.6")
        .create_provider_version_tag("prod")
        .create_verification("5.6.7")
    ),
    "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod": _ignore_scenario,
    "the 'Pricing Service' already exists in the pact-broker": _pricing_service,
    "the 'Pricing Service' and 'Condor' already exist in the pact-broker": lambda td: (
        td.create_consumer("Condor").create_provider("Pricing Service")
    ),
    "a pact between Condor and the Pricing Service exists": _condor_pact,
    "a latest pact between Condor and the Pricing Service exists": _condor_pact,
    "the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0": _condor_pact,
    "tagged as prod pact between Condor and the Pricing Service exists": _condor_prod_pact,
    "a pact between Condor and the Pricing Service exists for the production version of Condor": _condor_prod_pact,
    "'Condor' exists in the pact-broker": lambda td: td.create_consumer(
        "Condor"
    ).create_consumer_version("1.3.0"),
    "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'": lambda td: (
        td.create_consumer("Condor")
        .create_consumer_version("1.3.0")
        .create_consumer_version_tag("prod")
    ),
    "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3": lambda td: (
        td.create_consumer("Condor")
        .create_consumer_version("1.2.3")
        .create_consumer_version_tag("production")
        .create_consumer_version("2.0.0")
    ),
    "'Condor' exists in the pact-broker with the latest version 1.2.3": lambda td: (
        td.create_consumer("Condor")
        .create_consumer_version("1.0.0")
        .create_consumer_version("1.2.3")
    ),
    "a pacticipant with name Foo exists": lambda td: td.create_consumer("Foo"),
    "a branch named main exists for pacticipant Foo": lambda td: td.create_consumer(
        "Foo"
    ).create_consumer_version("1", branch="main"),
    "a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists": lambda td: (
        td.create_consumer("Condor")
        .create_provider("Pricing Service")
        .create_webhook(uuid=WEBHOOK_UUID)
    ),
    "an environment exists": lambda td: td.create_environment(
        "test", display_name="Test", contacts=CONTACTS
    ),
    "an environment with name test exists": lambda td: td.create_environment("test"),
    "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists": lambda td: (
        td.create_environment("test", uuid=TEST_ENV_UUID)
    ),
    "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1": _deployed_with_target,
    "a currently deployed version exists": _currently_deployed,
    "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment": (
        _foo_version_with_environments("test", uuid=DEPLOY_ENV_UUID)
    ),
    "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release": (
        _foo_version_with_environments("test", uuid=TEST_ENV_UUID)
    ),
    "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with 2 environments that aren't test available for deployment": (
        _foo_version_with_environments("prod", "dev")
    ),
}


def stateless_seed(provider: str, consumer: str) -> StateBuilder:
    """Data for pacts whose interactions name no provider state (the compatibility-suite
    fixtures): one pact between ``consumer`` and ``provider``, as their mock broker held."""

    def build(td: TestData) -> None:
        td.create_consumer(consumer).create_consumer_version("1.0.0").create_provider(
            provider
        ).create_pact()

    return build
