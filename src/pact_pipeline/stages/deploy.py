"""The deploy stage: can-i-deploy, "deploy", then record the deployment in the broker.

Doing the check and the record in one stage closes a gap users hit with separate
commands: recording a deployment that can-i-deploy never approved, after which the other
side can never pass its own check. The record goes through the version resource's
`pb:record-deployment` link for the environment (what `pact-broker record-deployment`
does), after the environment has been created if needed.

This demo pipeline has no real infrastructure; the "deploy" step is a printed line where a
real project would call its deployment tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pact_pipeline.errors import StageFailed
from pact_pipeline.stages import environments
from pact_pipeline.stages.can_i_deploy import DeployContext, can_i_deploy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.output import Output
    from pact_pipeline.stages.matrix import Target


def deploy(context: DeployContext, targets: Sequence[Target], environment: str) -> None:
    """Deploy each target in order, each only if can-i-deploy says yes.

    Targets are handled one after the other (provider first by default) because the
    consumer's check depends on the provider version that was just deployed.

    Args:
        context:
            The settings, broker, output and checkout.

        targets:
            The pacticipant versions to deploy, in order.

        environment:
            The environment.

    Raises:
        PipelineError:
            If the environment is unknown, a target is not deployable, or the broker does
            not know the version.
    """
    environments.check_known(context.settings, environment)
    for target in targets:
        can_i_deploy(context, [target], environment)
        context.out.info(
            f"deploying {target} to {environment} (no real infrastructure in this demo)"
        )
        record_deployment(context.broker, target, environment, context.out)


def record_deployment(broker: BrokerClient, target: Target, environment: str, out: Output) -> None:
    """Record that `target` is now deployed to `environment`.

    Args:
        broker:
            The broker client.

        target:
            The deployed pacticipant version.

        environment:
            The environment (must exist in the broker).

        out:
            Where to print.

    Raises:
        StageFailed:
            If the broker does not know this version.
    """
    resource = broker.version(target.pacticipant, target.version)
    if resource is None:
        msg = (
            f"{target} is not known to the Pact Broker: publish its pacts (`invoke publish`) "
            "or verify it (`invoke verify --publish`) before deploying"
        )
        raise StageFailed(msg)
    broker.record_deployment(resource, environment)
    out.success(f"recorded the deployment of {target} to {environment}")
