"""Releases, end of support and undeployment: the rest of what the broker records.

A mobile app or a library is *released* (several versions can be in use at once) rather than
deployed; its team ends support for an old one when nobody may use it any longer, and from
then on can-i-deploy stops protecting it. A bad deployment is *undeployed*
(`record-undeployment`) before the previous version is deployed again. All three go through
the links the broker offers, as `pact-broker record-release`, `record-support-ended` and
`record-undeployment` do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pact_pipeline.errors import StageFailed
from pact_pipeline.hal import link_href

if TYPE_CHECKING:
    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.output import Output
    from pact_pipeline.stages.matrix import Target


def record_release(broker: BrokerClient, target: Target, environment: str, out: Output) -> None:
    """Record that `target` is released (and supported) in `environment`.

    Raises:
        StageFailed:
            If the broker does not know this version.
    """
    resource = broker.version(target.pacticipant, target.version)
    if resource is None:
        msg = f"{target} is not known to the Pact Broker: publish or verify it first"
        raise StageFailed(msg)
    broker.record_release(resource, environment)
    out.success(f"recorded the release of {target} to {environment}")


def end_support(broker: BrokerClient, target: Target, environment: str, out: Output) -> None:
    """Record that `target`, released in `environment`, is no longer supported there.

    Raises:
        StageFailed:
            If that version is not a supported release there.
    """
    releases = broker.currently_in(environment, target.pacticipant, released=True)
    matching = [r for r in releases if _number(r) == target.version]
    if not matching:
        supported = ", ".join(filter(None, map(_number, releases))) or "none"
        msg = f"{target} is not a supported release in {environment} (supported there: {supported})"
        raise StageFailed(msg)
    for release in matching:
        url = link_href(release, "self", where="released version")
        broker.patch(url, {"currentlySupported": False}, action="record support ended")
    out.success(f"recorded the end of support for {target} in {environment}")


def undeploy(broker: BrokerClient, pacticipant: str, environment: str, out: Output) -> list[str]:
    """Record that the versions of `pacticipant` deployed in `environment` are gone.

    Returns:
        The version numbers undeployed (empty if none was deployed).
    """
    undeployed = []
    for deployed in broker.currently_in(environment, pacticipant, released=False):
        url = link_href(deployed, "self", where="deployed version")
        broker.patch(url, {"currentlyDeployed": False}, action="record undeployment")
        undeployed.append(_number(deployed) or "?")
    if undeployed:
        out.success(
            f"recorded the undeployment of {pacticipant} {', '.join(undeployed)} from {environment}"
        )
    else:
        out.info(f"no version of {pacticipant} was deployed in {environment}")
    return undeployed


def _number(resource: dict[str, object]) -> str | None:
    version = resource.get("_embedded", {})
    version = version.get("version", {}) if isinstance(version, dict) else {}
    number = version.get("number") if isinstance(version, dict) else None
    return number if isinstance(number, str) else None
