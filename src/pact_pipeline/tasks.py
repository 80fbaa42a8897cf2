"""The pipeline's Invoke tasks, for any repository: `ns = namespace(root=Path(__file__).parent)`.

A repository declares its pacticipants in the `pipeline` section of its Invoke configuration
(`invoke.yaml` beside `tasks.py`; see the README's settings table): a consumer (its name and
how its Pact tests run), a provider (its name and its adapter, `module:function`), or both.
Each task is thin wiring to [`Pipeline`][pact_pipeline.runner.Pipeline]; `ci` runs the stages
that apply to what is declared.

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


def namespace(root: Path) -> Collection:
    """The pipeline's tasks for the repository at `root` (where `tasks.py` is).

    Args:
        root:
            The repository root: relative paths in the configuration are relative to it.

    Returns:
        The collection; add a repository's own tasks to it as usual.
    """
    collection = Collection(
        test, publish, verify, can_i_deploy, deploy, ci, fake_ci, ci_webhook, broker, broker_stop
    )
    collection.configure({"pipeline": {"root": str(root)}})
    return collection
