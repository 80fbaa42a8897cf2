"""[`Pipeline`][pact_pipeline.runner.Pipeline]: the stages wired together for `tasks.py`.

A `Pipeline` resolves, once per `invoke` run, what every stage needs — settings, the
version and branch, a broker client (starting the embedded broker when no
`PACT_BROKER_BASE_URL` is given) — and exposes one method per task. Each method wraps its
stage in [`Output.stage`][pact_pipeline.output.Output.stage] so every stage prints its time.

`ci` is a method rather than a chain of Invoke `pre=` tasks because its stages take
arguments (environment, whether to deploy) and need one shared version, which Invoke's
argument-less pre-tasks cannot pass along.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pact_pipeline import embedded
from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.errors import ConfigurationError, StageFailed
from pact_pipeline.git import Revision, resolve_revision
from pact_pipeline.local_ci.builds import BuildContext
from pact_pipeline.local_ci.server import serve_until_interrupted
from pact_pipeline.local_ci.token import ci_token
from pact_pipeline.output import Output
from pact_pipeline.settings import BrokerAuth
from pact_pipeline.stages import environments, reconcile, releases, webhook
from pact_pipeline.stages.advice import Repository
from pact_pipeline.stages.can_i_deploy import DeployContext, can_i_deploy
from pact_pipeline.stages.contract_tests import run_tests
from pact_pipeline.stages.deploy import deploy, record_deployment
from pact_pipeline.stages.matrix import Target
from pact_pipeline.stages.provider_contract import publish_provider_contract
from pact_pipeline.stages.publish import collect_pacts, publish
from pact_pipeline.stages.verify import verify, verify_pact_url

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from pact_pipeline.settings import Settings
    from pact_pipeline.stages.matrix import Target


class Pipeline:
    """The contract-testing pipeline of this repository, one method per task.

    Use it as a context manager so the broker connection is closed:

        with Pipeline(settings) as pipeline:
            pipeline.publish()
    """

    def __init__(
        self,
        settings: Settings,
        out: Output | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create the pipeline; nothing runs and no broker is contacted yet.

        Args:
            settings:
                The settings.

            out:
                Where to print (stdout by default).

            sleep:
                The sleep function for retries (tests pass a fake one).
        """
        self.settings = settings
        self.out = out or Output()
        self._sleep = sleep
        self._revision: Revision | None = None
        self._broker: BrokerClient | None = None

    def __enter__(self) -> Pipeline:
        """Return the pipeline itself."""
        return self

    def __exit__(self, *_exception: object) -> None:
        """Close the broker connection."""
        self.close()

    def close(self) -> None:
        """Close the broker connection, if one was opened."""
        if self._broker is not None:
            self._broker.close()
            self._broker = None

    # -- shared resources -------------------------------------------------------------

    @property
    def revision(self) -> Revision:
        """The version and branch of this run (resolved once; warnings printed once)."""
        if self._revision is None:
            self._revision = resolve_revision(
                self.settings.root,
                commit_override=self.settings.commit_override,
                branch_override=self.settings.branch_override,
            )
            for warning in self._revision.warnings:
                self.out.warn(warning)
            self.out.info(
                f"version {self._revision.version} on branch {self._revision.branch}"
                + (" (CI)" if self.settings.ci else "")
            )
        return self._revision

    @property
    def broker(self) -> BrokerClient:
        """The broker client; starts the embedded broker when no broker URL is configured."""
        if self._broker is None:
            if self.settings.broker_url:
                url, auth = self.settings.broker_url, self.settings.auth
            else:
                # The embedded broker is local and unauthenticated; credentials meant for a
                # remote broker must not leak to it (or make it refuse us).
                url = embedded.ensure_running(self.settings, notify=self.out.info)
                auth = BrokerAuth()
            self._broker = BrokerClient(
                url,
                auth=auth,
                attempts=self.settings.broker_retries + 1,
                sleep=self._sleep,
                on_retry=self.out.warn,
            )
            self.out.info(f"Pact Broker: {url}")
        return self._broker

    def targets(self, pacticipant: str | None = None, version: str | None = None) -> list[Target]:
        """The pacticipant versions a can-i-deploy or deploy is about.

        Args:
            pacticipant:
                One pacticipant, or `None` for both of this repository's (provider first).

            version:
                The version, or `None` for this run's version.

        Returns:
            The targets.
        """
        names = [pacticipant] if pacticipant else list(self.settings.pacticipants)
        if not names:
            msg = (
                "this repository declares no pacticipant: set pipeline.consumer and/or "
                "pipeline.provider in invoke.yaml, or pass --pacticipant"
            )
            raise ConfigurationError(msg)
        number = version or self.revision.version
        return [Target(name, number) for name in names]

    @property
    def here(self) -> Repository:
        """What this checkout can act on: its pacticipants at this run's version."""
        consumer, provider = self.settings.consumer, self.settings.provider
        return Repository(
            consumer.name if consumer else None,
            provider.name if provider else None,
            self.revision.version,
            provider.contract_testing if provider else "pacts",
        )

    @property
    def deploy_context(self) -> DeployContext:
        """What can-i-deploy and deploy need, for this run."""
        return DeployContext(self.settings, self.broker, self.out, self.here, self._sleep)

    # -- one method per task ----------------------------------------------------------

    def test(self, extra_args: Sequence[str] = ()) -> None:
        """Run the consumer and provider tests (they write `pacts/`)."""
        with self.out.stage("test"):
            run_tests(self.settings, self.out, extra_args=extra_args)

    def publish(self, tags: Sequence[str] = ()) -> None:
        """Publish `pacts/` for this version and branch."""
        with self.out.stage("publish"):
            pacts = collect_pacts(self.settings)
            publish(
                pacts,
                self.broker,
                self.revision,
                self.out,
                tags=tags,
                build_url=self.settings.build_url,
            )

    def publish_provider_contract(self, tags: Sequence[str] = ()) -> None:
        """Self-verify the provider against its OpenAPI document and publish both."""
        with self.out.stage("publish provider contract"):
            publish_provider_contract(
                self.settings, self.broker, self.revision, self.out, tags=tags
            )

    def verify(self, *, publish: bool | None = None, allow_empty: bool = False) -> None:
        """Verify the provider against the broker's selected pacts.

        Args:
            publish:
                Publish results; defaults to "only in CI".

            allow_empty:
                Succeed when no pact is selected.
        """
        with self.out.stage("verify"):
            verify(
                self.settings,
                self.broker,
                self.revision,
                self.out,
                publish=self.settings.ci if publish is None else publish,
                allow_empty=allow_empty,
            )

    def ci_webhook(self, pact_url: str | None = None, *, publish: bool | None = None) -> None:
        """Verify the one pact a broker webhook names (`PACT_URL`).

        Args:
            pact_url:
                The pact's URL; defaults to `PACT_URL`.

            publish:
                Publish results; defaults to "only in CI".

        Raises:
            ConfigurationError:
                If no pact URL is given.
        """
        provider = self.settings.provider
        if provider is not None and not provider.verifies_pacts:
            self.out.skip(
                "verify (webhook)",
                f"{provider.name} does not run pacts (pipeline.provider.contract_testing: "
                f"{provider.contract_testing}): the broker compares them with its provider "
                "contract",
            )
            return
        url = pact_url or self.settings.pact_url
        if not url:
            msg = (
                "ci-webhook needs the pact to verify: set PACT_URL (the webhook's "
                "${pactbroker.pactUrl}) or pass --pact-url"
            )
            raise ConfigurationError(msg)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            msg = f"ci-webhook needs the pact's URL (http:// or https://), got {url!r}"
            raise ConfigurationError(msg)
        with self.out.stage("verify (webhook)"):
            verify_pact_url(
                self.settings,
                self.broker,
                self.revision,
                self.out,
                pact_url=url,
                publish=self.settings.ci if publish is None else publish,
            )

    def can_i_deploy(
        self,
        environment: str | None = None,
        *,
        pacticipant: str | None = None,
        version: str | None = None,
    ) -> None:
        """Fail unless the broker says the target(s) can be deployed to the environment."""
        self._towards(environment, "can-i-deploy to", can_i_deploy, pacticipant, version)

    def deploy(
        self,
        environment: str | None = None,
        *,
        pacticipant: str | None = None,
        version: str | None = None,
    ) -> None:
        """can-i-deploy, then record the deployment, for each target in turn."""
        self._towards(environment, "deploy to", deploy, pacticipant, version)

    def release(
        self,
        environment: str | None = None,
        *,
        pacticipant: str | None = None,
        version: str | None = None,
    ) -> None:
        """can-i-deploy, then record a release (several versions can be in use at once)."""

        def release_each(context: DeployContext, targets: Sequence[Target], env: str) -> None:
            for target in targets:
                can_i_deploy(context, [target], env)
                releases.record_release(context.broker, target, env, context.out)

        self._towards(environment, "release to", release_each, pacticipant, version)

    def support_ended(
        self,
        environment: str | None = None,
        *,
        pacticipant: str | None = None,
        version: str | None = None,
    ) -> None:
        """Record that a released version is no longer supported in the environment."""

        def end_each(context: DeployContext, targets: Sequence[Target], env: str) -> None:
            for target in targets:
                releases.end_support(context.broker, target, env, context.out)

        self._towards(environment, "end support in", end_each, pacticipant, version)

    def undeploy(self, environment: str | None = None, *, pacticipant: str | None = None) -> None:
        """Record that what is deployed of the pacticipant(s) in the environment is gone."""
        target_environment = environment or self.settings.environment
        environments.check_known(self.settings, target_environment)
        names = [pacticipant] if pacticipant else list(self.settings.pacticipants)
        with self.out.stage(f"undeploy from {target_environment}"):
            for name in names:
                releases.undeploy(self.broker, name, target_environment, self.out)

    def _towards(
        self,
        environment: str | None,
        stage: str,
        action: Callable[..., object],
        pacticipant: str | None,
        version: str | None,
    ) -> None:
        """Run `action` (can-i-deploy or deploy) for the targets, as a stage."""
        target_environment = environment or self.settings.environment
        environments.check_known(self.settings, target_environment)
        with self.out.stage(f"{stage} {target_environment}"):
            action(self.deploy_context, self.targets(pacticipant, version), target_environment)

    def ci(self, environment: str | None = None, *, deploy_any_branch: bool = False) -> None:
        """Run the whole pipeline, printing a summary at the end even when a stage fails.

        Stages, as far as this repository declares a consumer and a provider: test; publish
        the consumer's pacts; verify the provider and publish the results, and/or publish its
        provider contract (`pipeline.provider.contract_testing`); then for the provider and
        then the consumer, can-i-deploy and (on the main branch, or with `deploy_any_branch`)
        deploy.

        Args:
            environment:
                Where to deploy; defaults to the configured environment.

            deploy_any_branch:
                Deploy from any branch, not only the main one.
        """
        target_environment = environment or self.settings.environment
        environments.check_known(self.settings, target_environment)
        try:
            self._ci_stages(target_environment, deploy_any_branch=deploy_any_branch)
        finally:
            self.out.summary()

    def _ci_stages(self, environment: str, *, deploy_any_branch: bool) -> None:
        revision = self.revision
        if self.settings.tested:
            self.test()
        else:
            self.out.skip("test", "no tests declared (pipeline.consumer.tests, .provider.tests)")
        if self.settings.consumer is not None:
            self.publish()
        provider = self.settings.provider
        if provider is not None and provider.verifies_pacts:
            # A provider built before any consumer published has nothing to verify yet; its
            # version is still recorded, so it can deploy ("no consumers yet").
            self.verify(publish=True, allow_empty=self.settings.consumer is None)
        elif provider is not None:
            self.out.skip(
                "verify",
                f"{provider.name} runs no pacts (contract_testing: openapi): the broker compares "
                "them with its provider contract",
            )
        if provider is not None and provider.publishes_provider_contract:
            self.publish_provider_contract()
        deploying = deploy_any_branch or revision.branch == self.settings.main_branch
        for target in self.targets():
            with self.out.stage(f"can-i-deploy {target.pacticipant} to {environment}"):
                can_i_deploy(self.deploy_context, [target], environment)
            stage = f"deploy {target.pacticipant} to {environment}"
            if not deploying:
                self.out.skip(
                    stage,
                    f"branch {revision.branch} is not {self.settings.main_branch} "
                    "(pass --deploy-any-branch to deploy anyway)",
                )
                continue
            with self.out.stage(stage):
                self.out.info(f"deploying {target} (no real infrastructure in this demo)")
                record_deployment(self.broker, target, environment, self.out)

    def fake_ci(self, environment: str | None = None, *, deploy_any_branch: bool = False) -> None:
        """Run `ci` as CI would: CI=true and a unique version (short sha + "+epoch").

        Args:
            environment:
                Where to deploy.

            deploy_any_branch:
                Deploy from any branch.
        """
        unique = resolve_revision(
            self.settings.root, branch_override=self.settings.branch_override, unique=True
        )
        self.settings = self.settings.replace(ci=True, commit_override=unique.version)
        self._revision = None
        self.ci(environment, deploy_any_branch=deploy_any_branch)

    def fake_ci_webhook(self, pact_url: str | None = None) -> None:
        """Run `ci-webhook` as a webhook-triggered CI build would: CI=true, a unique version."""
        unique = resolve_revision(
            self.settings.root, branch_override=self.settings.branch_override, unique=True
        )
        self.settings = self.settings.replace(ci=True, commit_override=unique.version)
        self._revision = None
        self.ci_webhook(pact_url, publish=True)

    # -- the webhook loop -------------------------------------------------------------

    def create_or_update_pact_changed_webhook(self) -> None:
        """Put the pact-changed webhook (and the CI token secret it sends) in the broker."""
        with self.out.stage("create or update the pact-changed webhook"):
            webhook.create_or_update(self.settings, self.broker, self.out)

    def test_pact_changed_webhook(self) -> None:
        """Execute the pact-changed webhook now, with the latest matching pact."""
        with self.out.stage("test the pact-changed webhook"):
            if not webhook.test_webhook(self.settings, self.broker, self.out):
                msg = "the pact-changed webhook's request failed (its log is above)"
                raise StageFailed(msg)

    @property
    def build_context(self) -> BuildContext:
        """Where builds of the local CI (and reconcile) run, against this pipeline's broker."""
        return BuildContext(
            root=self.settings.root,
            broker_url=self.broker.base_url,
            embedded_broker=self.settings.broker_url is None,
            environ=dict(os.environ),
        )

    def ci_server(self, *, port: int | None = None) -> None:
        """Serve the local CI until interrupted (Ctrl-C).

        Args:
            port:
                The port; defaults to the `ci_server_port` setting.
        """
        self.settings.require_provider("ci-server")
        serve_until_interrupted(
            self.build_context,
            token=ci_token(self.settings),
            data_dir=self.settings.ci_server_dir,
            port=port or self.settings.ci_server_port,
            out=self.out,
        )

    def reconcile(self, environment: str | None = None) -> None:
        """Run the verifications can-i-deploy waits for that this checkout can run.

        Args:
            environment:
                Only this environment (default: every configured one) and, afterwards,
                can-i-deploy to it (default: the configured environment).
        """
        checked = [environment] if environment else list(self.settings.environments)
        for name in checked:
            environments.check_known(self.settings, name)
        failed = reconcile.reconcile(
            self.broker,
            self.settings,
            self.revision.version,
            checked,
            self.build_context,
            self.out,
        )
        # Ask only about versions the broker knows: a provider version that never verified
        # anything is not what this run was about.
        for target in self.targets():
            if self.broker.version(target.pacticipant, target.version) is not None:
                self.can_i_deploy(environment, pacticipant=target.pacticipant)
        if failed:
            msg = f"{len(failed)} of the verifications failed: {failed[0]}"
            raise StageFailed(msg)

    def simulate(
        self, *, pause: bool = False, report: Path | None = None, keep: Path | None = None
    ) -> None:
        """Tell the whole workflow as a story, in a throwaway directory (see `simulate`)."""
        from pact_pipeline.simulate.story import simulate  # the story is only needed here

        def wait() -> None:
            input("  ⏎ to go on ")

        with self.out.stage("simulate"):
            simulate(
                self.settings, self.out, pause=wait if pause else None, report=report, keep=keep
            )
