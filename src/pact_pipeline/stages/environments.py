"""Deployment environments: which names are valid, and creating them on first use.

A fresh broker has no environments, and can-i-deploy / record-deployment against a missing
one fail with "Environment with name 'prod' does not exist" — the classic first-deploy trap.
So the environments this pipeline knows (`pipeline.environments`, default `test` and `prod`)
are created idempotently the first time they are used; `prod`/`production` are marked as
production environments. Any other name is a typo until proven otherwise and is rejected
before the broker is even contacted, with the list of valid names (an environment that
exists only in the broker, e.g. PactFlow's `production`, is enabled by adding it to
`PACT_PIPELINE_ENVIRONMENTS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pact_pipeline.errors import ConfigurationError
from pact_pipeline.settings import PRODUCTION_ENVIRONMENTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.hal import JsonObject
    from pact_pipeline.settings import Settings


def unknown_environment_message(name: str, known: Iterable[str]) -> str:
    """Explain that `name` is not an environment, listing the valid ones.

    Args:
        name:
            The requested environment.

        known:
            The valid environment names.

    Returns:
        A one-line message.
    """
    names = ", ".join(sorted(set(known))) or "none"
    return (
        f"unknown environment '{name}': known environments are {names} "
        "(add it to PACT_PIPELINE_ENVIRONMENTS or pipeline.environments)"
    )


def check_known(settings: Settings, name: str) -> None:
    """Fail early for an environment the pipeline is not configured for.

    This runs before any broker call, so a typo is reported even when the broker is down.

    Args:
        settings:
            The settings (known environments).

        name:
            The requested environment.

    Raises:
        ConfigurationError:
            If the environment is not one of `settings.environments`.
    """
    if name not in settings.environments:
        raise ConfigurationError(unknown_environment_message(name, settings.environments))


def ensure(settings: Settings, broker: BrokerClient, name: str) -> JsonObject:
    """Return the broker's environment `name`, creating it if it is a known one.

    Args:
        settings:
            The settings (known environments).

        broker:
            The broker client.

        name:
            The environment's name.

    Returns:
        The environment resource.

    Raises:
        ConfigurationError:
            If the environment is not configured here.
    """
    check_known(settings, name)
    return broker.ensure_environment(name, production=name in PRODUCTION_ENVIRONMENTS)
