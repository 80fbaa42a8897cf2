"""The pipeline's Invoke tasks, for any repository: `ns = namespace(root=Path(__file__).parent)`.

A repository declares its pacticipants in the `pipeline` section of its Invoke configuration
(`invoke.yaml` beside `tasks.py`; see the README's settings table): a consumer (its name and
how its Pact tests run), a provider (its name and its adapter, `module:function`), or both.
Each task is thin wiring to [`Pipeline`][pact_pipeline.runner.Pipeline]; `ci` runs the stages
that apply to what is declared (for a provider, `pipeline.provider.contract_testing` says
whether it verifies pacts, publishes its OpenAPI document as a provider contract, or both).

Without `PACT_BROKER_BASE_URL` the tasks start the embedded broker in the background (its data
in `.pact-broker/`) and reuse it on later runs; `invoke broker-stop` stops it.
"""

from __future__ import annotations

import os
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke.collection import Collection
from invoke.exceptions import Exit
from invoke.tasks import task

from pact_pipeline import embedded
from pact_pipeline.errors import PipelineError
from pact_pipeline.runner import Pipeline
from pact_pipeline.settings import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from invoke.context import Context

# Pact's libraries send anonymous usage telemetry unless told not to.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

ENV_HELP = "Target environment (default: pipeline.environment, i.e. prod)."
PACTICIPANT_HELP = "Only this pacticipant (default: each one of this repository, provider first)."
VERSION_HELP = "Version to check (default: the current short git sha, or GIT_COMMIT)."
CI_HELP = {"env": ENV_HELP, "deploy-any-branch": "Deploy from any branch, not only main."}


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Turn the pipeline's expected failures into one `error: …` line and exit code 1."""
    try:
        yield
    except PipelineError as error:
        message = f"error: {error}"
        raise Exit(message, code=1) from None
    except OSError as error:
        # A file or directory the settings name that cannot be used (a file where a
        # directory should be, no permission, a full disk): the user's to fix, in one line.
        where = f": {error.filename}" if error.filename else ""
        message = f"error: {error.strerror or error}{where}"
        raise Exit(message, code=1) from None
    except KeyboardInterrupt:
        message = "interrupted"
        raise Exit(message, code=130) from None


def settings_of(c: Context) -> Settings:
    """Read the settings from Invoke's `pipeline` config section and the environment."""
    config = plain(c.config.get("pipeline", {}))
    root = Path(config.pop("root", "."))
    return load_settings(config, os.environ, root=root)


def plain(value: Any) -> Any:
    """Invoke's configuration (nested `DataProxy` objects) as plain dicts and lists."""
    if hasattr(value, "keys"):
        return {str(key): plain(value[key]) for key in value}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


@contextmanager
def pipeline_of(c: Context) -> Iterator[Pipeline]:
    """The pipeline for a task; its errors exit cleanly and its broker client is closed."""
    with errors_as_exit(), Pipeline(settings_of(c)) as pipeline:
        yield pipeline


@task(help={"pytest-args": "Extra pytest arguments, e.g. '-x -k products'."})
def test(c: Context, pytest_args: str = "") -> None:
    """Run the consumer's Pact tests (they write the pacts) and the provider's tests."""
    with pipeline_of(c) as pipeline:
        pipeline.test(shlex.split(pytest_args))


@task(iterable=["tag"], help={"tag": "Also tag the consumer version (repeatable)."})
def publish(c: Context, tag: list[str] | None = None) -> None:
    """Publish the consumer's pacts to the broker for this version and branch."""
    with pipeline_of(c) as pipeline:
        pipeline.publish(tag or [])


@task(
    name="publish-provider-contract",
    iterable=["tag"],
    help={"tag": "Also tag the provider version (repeatable)."},
)
def publish_provider_contract(c: Context, tag: list[str] | None = None) -> None:
    """Test the provider against its OpenAPI document and publish both (bi-directional)."""
    with pipeline_of(c) as pipeline:
        pipeline.publish_provider_contract(tag or [])


@task(
    help={
        "publish": "Publish results to the broker (default: only when CI is set).",
        "allow-empty": "Succeed when the broker selects no pact (a provider's first build).",
    }
)
def verify(c: Context, publish: bool = False, allow_empty: bool = False) -> None:
    """Verify the provider against the pacts the broker selects for it."""
    with pipeline_of(c) as pipeline:
        pipeline.verify(publish=True if publish else None, allow_empty=allow_empty)


@task(
    name="can-i-deploy",
    help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP},
)
def can_i_deploy(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Ask the broker if this version can be deployed (and what would make it yes)."""
    with pipeline_of(c) as pipeline:
        pipeline.can_i_deploy(env or None, pacticipant=pacticipant or None, version=version or None)


@task(help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP})
def deploy(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Deploy if can-i-deploy says yes, and record the deployment in the broker."""
    with pipeline_of(c) as pipeline:
        pipeline.deploy(env or None, pacticipant=pacticipant or None, version=version or None)


@task(help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP})
def release(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Release if can-i-deploy says yes (a mobile app, a library), and record the release."""
    with pipeline_of(c) as pipeline:
        pipeline.release(env or None, pacticipant=pacticipant or None, version=version or None)


@task(
    name="support-ended",
    help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP},
)
def support_ended(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Record that a released version is no longer supported in the environment."""
    with pipeline_of(c) as pipeline:
        pipeline.support_ended(
            env or None, pacticipant=pacticipant or None, version=version or None
        )


@task(help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP})
def undeploy(c: Context, env: str = "", pacticipant: str = "") -> None:
    """Record that the deployed version is gone from the environment (before a rollback)."""
    with pipeline_of(c) as pipeline:
        pipeline.undeploy(env or None, pacticipant=pacticipant or None)


@task(help=CI_HELP)
def ci(c: Context, env: str = "", deploy_any_branch: bool = False) -> None:
    """Run the pipeline: test, publish, verify, can-i-deploy, deploy (main only)."""
    with pipeline_of(c) as pipeline:
        pipeline.ci(env or None, deploy_any_branch=deploy_any_branch)


@task(name="fake-ci", help=CI_HELP)
def fake_ci(c: Context, env: str = "", deploy_any_branch: bool = False) -> None:
    """Run ci like a CI server: CI=true and a unique version (sha+epoch)."""
    with pipeline_of(c) as pipeline:
        pipeline.fake_ci(env or None, deploy_any_branch=deploy_any_branch)


@task(
    name="ci-webhook",
    help={
        "pact-url": "The pact to verify (default: PACT_URL, the webhook's pactUrl).",
        "publish": "Publish results to the broker (default: only when CI is set).",
    },
)
def ci_webhook(c: Context, pact_url: str = "", publish: bool = False) -> None:
    """Verify the one pact a broker webhook names (PACT_URL)."""
    with pipeline_of(c) as pipeline:
        pipeline.ci_webhook(pact_url or None, publish=True if publish else None)


@task(
    name="fake-ci-webhook",
    help={"pact-url": "The pact to verify (default: PACT_URL, the webhook's pactUrl)."},
)
def fake_ci_webhook(c: Context, pact_url: str = "") -> None:
    """Run ci-webhook like a webhook-triggered CI build: CI=true, a unique version, publish."""
    with pipeline_of(c) as pipeline:
        pipeline.fake_ci_webhook(pact_url or None)


@task(name="create-or-update-pact-changed-webhook")
def create_or_update_pact_changed_webhook(c: Context) -> None:
    """Make the broker call the CI when a pact needs verifying (idempotent; fixed uuid)."""
    with pipeline_of(c) as pipeline:
        pipeline.create_or_update_pact_changed_webhook()


@task(name="test-pact-changed-webhook")
def test_pact_changed_webhook(c: Context) -> None:
    """Execute the pact-changed webhook now, with the latest pact, and show the CI's answer."""
    with pipeline_of(c) as pipeline:
        pipeline.test_pact_changed_webhook()


@task(
    name="ci-server",
    help={"port": "Port to listen on (default: pipeline.ci_server_port, i.e. 9393)."},
)
def ci_server(c: Context, port: int = 0) -> None:
    """Run the local CI the pact-changed webhook calls (Ctrl-C stops it)."""
    with pipeline_of(c) as pipeline:
        try:
            pipeline.ci_server(port=port or None)
        except KeyboardInterrupt:
            print("local CI stopped")


@task(
    help={
        "env": "Only this environment (default: every one; can-i-deploy to pipeline.environment)."
    }
)
def reconcile(c: Context, env: str = "") -> None:
    """Run the verifications can-i-deploy is waiting for, then ask it again."""
    with pipeline_of(c) as pipeline:
        pipeline.reconcile(env or None)


@task(
    help={
        "pause": "Wait for Enter between the chapters.",
        "report": "Write a Markdown report of the run here (default: .pact-ci/simulation.md).",
        "keep": "Tell the story in this directory and keep it (default: a throwaway one).",
    }
)
def simulate(c: Context, pause: bool = False, report: str = "", keep: str = "") -> None:
    """Watch the whole workflow happen: three teams, a broker, a webhook and a local CI."""
    with pipeline_of(c) as pipeline:
        path = Path(report) if report else pipeline.settings.ci_server_dir / "simulation.md"
        pipeline.simulate(pause=pause, report=path, keep=Path(keep) if keep else None)


@task(help={"port": "Port to listen on (default: pipeline.broker_port, i.e. 9292)."})
def broker(c: Context, port: int = 0) -> None:
    """Run the embedded Pact Broker in the foreground (Ctrl-C stops it)."""
    with errors_as_exit():
        settings = settings_of(c)
        if port:
            settings = settings.replace(broker_port=port)
        command, environment = embedded.serve_command(settings)
    result = c.run(shlex.join(command), pty=sys.stdout.isatty(), env=environment, warn=True)
    if result is not None and result.failed:
        message = f"error: the embedded Pact Broker exited with code {result.exited} (see above)"
        raise Exit(message, code=1)


@task(name="broker-stop")
def broker_stop(c: Context) -> None:
    """Stop the embedded Pact Broker that tasks started in the background."""
    with errors_as_exit():
        stopped = embedded.stop(settings_of(c))
    print("stopped the embedded Pact Broker" if stopped else "no embedded Pact Broker running")


@task(
    name="broker-clean",
    iterable=["keep"],
    help={
        "dry-run": "Report what would be deleted; delete nothing.",
        "keep": 'A keep selector as JSON, e.g. \'{"branch": true, "latest": true}\' '
        "(repeatable; default: PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS, else the "
        "Pact Broker's defaults).",
    },
)
def broker_clean(c: Context, dry_run: bool = False, keep: list[str] | None = None) -> None:
    """Delete old versions (and their pacts, verifications...) from the embedded broker's data."""
    with errors_as_exit():
        database, _, _ = embedded.paths(settings_of(c))
    if not database.is_file():
        msg = f"error: no embedded Pact Broker database at {database}"
        raise Exit(msg, code=1)
    command = [sys.executable, "-m", "pact_pipeline.broker", "clean"]
    command += ["--database-url", f"sqlite:///{database}"]
    command += [f"--keep={selector}" for selector in keep or ()]
    command += ["--dry-run"] if dry_run else []
    result = c.run(shlex.join(command), warn=True)
    if result is not None and result.failed:
        raise Exit(code=result.exited)


def namespace(root: Path) -> Collection:
    """The pipeline's tasks for the repository at `root` (where `tasks.py` is).

    Args:
        root:
            The repository root: relative paths in the configuration are relative to it.

    Returns:
        The collection; add a repository's own tasks to it as usual.
    """
    collection = Collection(
        test,
        publish,
        publish_provider_contract,
        verify,
        can_i_deploy,
        deploy,
        release,
        support_ended,
        undeploy,
        ci,
        fake_ci,
        ci_webhook,
        fake_ci_webhook,
        create_or_update_pact_changed_webhook,
        test_pact_changed_webhook,
        ci_server,
        reconcile,
        simulate,
        broker,
        broker_stop,
        broker_clean,
    )
    collection.configure({"pipeline": {"root": str(root)}})
    return collection
