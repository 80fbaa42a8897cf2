"""Contract-testing pipeline: test → publish → verify → can-i-deploy → deploy.

Each task is thin wiring to [`pact_pipeline.runner.Pipeline`][pact_pipeline.runner.Pipeline]; the
logic and its tests live in `pipeline/`. Run `invoke --list` for the tasks and
`invoke --help <task>` for their options.

Without `PACT_BROKER_BASE_URL`, tasks start the embedded broker in the background
(`.pact-broker/`) and reuse it on later runs; `invoke broker-stop` stops it.
Settings come from Invoke's `pipeline` config section (defaults in
`pact_pipeline.settings.DEFAULTS`, registered below; override them in `invoke.yaml` or with
`INVOKE_PIPELINE_*`) and from the usual Pact/CI variables (see `pipeline/settings.py`).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Pact's libraries send anonymous usage telemetry unless told not to; set it before any
# stage imports pact.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from pact_pipeline import embedded
from pact_pipeline.errors import PipelineError
from pact_pipeline.runner import Pipeline
from pact_pipeline.settings import DEFAULTS, Settings, check, load_settings

ROOT = Path(__file__).resolve().parent

ENV_HELP = "Target environment (default: pipeline.environment, i.e. prod)."
PACTICIPANT_HELP = "Only this pacticipant (default: ProductService, then FrontendWebsite)."
VERSION_HELP = "Version to check (default: the current short git sha, or GIT_COMMIT)."


@contextmanager
def _errors_as_exit() -> Iterator[None]:
    """Turn the pipeline's expected failures into a one-line `error: …` and exit code 1."""
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


def _settings(c: Context) -> Settings:
    """Read the settings from Invoke's `pipeline` config section and the environment."""
    return load_settings(c.config.get("pipeline", {}), os.environ, root=ROOT)


@contextmanager
def _pipeline(c: Context) -> Iterator[Pipeline]:
    """Build the pipeline for a task; errors exit cleanly, the broker client is closed."""
    with _errors_as_exit(), Pipeline(_settings(c)) as pipeline:
        yield pipeline


@task(help={"pytest-args": "Extra pytest arguments, e.g. '-x -k products'."})
def test(c: Context, pytest_args: str = "") -> None:
    """Run the consumer and provider tests (the consumer tests write pacts/)."""
    with _pipeline(c) as pipeline:
        pipeline.test(shlex.split(pytest_args))


@task(iterable=["tag"], help={"tag": "Also tag the consumer version (repeatable)."})
def publish(c: Context, tag: list[str] | None = None) -> None:
    """Publish pacts/ to the broker for this version and branch."""
    with _pipeline(c) as pipeline:
        pipeline.publish(tag or [])


@task(
    help={
        "publish": "Publish results to the broker (default: only when CI is set).",
        "allow-empty": "Succeed when the broker selects no pact (a provider's first build).",
    }
)
def verify(c: Context, publish: bool = False, allow_empty: bool = False) -> None:
    """Verify ProductService against the pacts the broker selects for it."""
    with _pipeline(c) as pipeline:
        pipeline.verify(publish=True if publish else None, allow_empty=allow_empty)


@task(
    name="can-i-deploy",
    help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP},
)
def can_i_deploy(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Ask the broker if this version can be deployed (and what would make it yes)."""
    with _pipeline(c) as pipeline:
        pipeline.can_i_deploy(env or None, pacticipant=pacticipant or None, version=version or None)


@task(help={"env": ENV_HELP, "pacticipant": PACTICIPANT_HELP, "version": VERSION_HELP})
def deploy(c: Context, env: str = "", pacticipant: str = "", version: str = "") -> None:
    """Deploy if can-i-deploy says yes, and record the deployment in the broker."""
    with _pipeline(c) as pipeline:
        pipeline.deploy(env or None, pacticipant=pacticipant or None, version=version or None)


CI_HELP = {"env": ENV_HELP, "deploy-any-branch": "Deploy from any branch, not only main."}


@task(help=CI_HELP)
def ci(c: Context, env: str = "", deploy_any_branch: bool = False) -> None:
    """Run the pipeline: test, publish, verify, can-i-deploy, deploy (main only)."""
    with _pipeline(c) as pipeline:
        pipeline.ci(env or None, deploy_any_branch=deploy_any_branch)


@task(name="fake-ci", help=CI_HELP)
def fake_ci(c: Context, env: str = "", deploy_any_branch: bool = False) -> None:
    """Run ci like a CI server: CI=true and a unique version (sha+epoch)."""
    with _pipeline(c) as pipeline:
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
    with _pipeline(c) as pipeline:
        pipeline.ci_webhook(pact_url or None, publish=True if publish else None)


@task(help={"port": "Port to listen on (default: pipeline.broker_port, i.e. 9292)."})
def broker(c: Context, port: int = 0) -> None:
    """Run the embedded Pact Broker in the foreground (Ctrl-C stops it)."""
    with _errors_as_exit():
        settings = _settings(c)
        if port:
            settings = settings.replace(broker_port=port)
            check(settings)
        command, environment = embedded.serve_command(settings)
    result = c.run(shlex.join(command), pty=sys.stdout.isatty(), env=environment, warn=True)
    if result is not None and result.failed:
        message = f"error: the embedded Pact Broker exited with code {result.exited} (see above)"
        raise Exit(message, code=1)


@task(name="broker-stop")
def broker_stop(c: Context) -> None:
    """Stop the embedded Pact Broker that tasks started in the background."""
    with _errors_as_exit():
        stopped = embedded.stop(_settings(c))
    print("stopped the embedded Pact Broker" if stopped else "no embedded Pact Broker running")


@task(
    iterable=["file"],
    help={
        "file": "A pact file name in conformance/pacts (repeatable; default: the client pacts).",
        "verbose": "Print the verifier's output for files that fall short.",
    },
)
def conformance(_c: Context, file: list[str] | None = None, verbose: bool = False) -> None:
    """Verify the official Pact Broker clients' pacts against the embedded broker."""
    from pact_pipeline.broker.conformance.runner import PACTS_DIR, report

    missing = [name for name in file or [] if not (PACTS_DIR / name).is_file()]
    if missing:
        known = ", ".join(sorted(path.name for path in PACTS_DIR.glob("*.json")))
        message = f"error: no pact file {', '.join(missing)} in {PACTS_DIR} (there: {known})"
        raise Exit(message, code=1)
    if report(file or [], out=sys.stdout, verbose=verbose):
        message = "error: the broker does not satisfy every interaction"
        raise Exit(message, code=1)


@task(
    help={
        "scale": "Dataset scale: 1 is ~50k versions and 40k publications (default 1).",
        "compare": "Also measure scale x COMPARE, to show how costs grow; 0 skips it (default 4).",
        "rounds": "Requests per endpoint and dataset (default 30).",
        "database-url": "A THROWAWAY PostgreSQL database instead of SQLite (tables are dropped).",
        "output": "Also write the figures to this JSON file.",
    }
)
def bench(
    _c: Context,
    scale: float = 1.0,
    compare: float = 4.0,
    rounds: int = 30,
    database_url: str = "",
    output: str = "",
) -> None:
    """Benchmark the broker over seeded #872-shaped data (the tables in BENCHMARKS.md)."""
    # Imported here: the benchmark pulls in the whole broker, which other tasks do not need.
    from bench.__main__ import main as bench_main

    argv = ["--scale", str(scale), "--compare", str(compare), "--rounds", str(rounds)]
    argv += ["--database-url", database_url] if database_url else []
    argv += ["--json", output] if output else []
    code = bench_main(argv)
    if code:
        raise Exit(code=code)


ns = Collection(
    test,
    publish,
    verify,
    can_i_deploy,
    deploy,
    ci,
    fake_ci,
    ci_webhook,
    broker,
    broker_stop,
    conformance,
    bench,
)
ns.configure({"pipeline": DEFAULTS})
