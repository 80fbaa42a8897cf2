"""This repository's tasks: the pipeline of the example system, plus two for maintainers.

The pipeline's tasks (`test`, `publish`, `publish-provider-contract`, `verify`, `can-i-deploy`,
`deploy`, `ci`, `fake-ci`, `ci-webhook`, `broker`, `broker-stop`, …) come from
`pact_pipeline.tasks`; the example system
they build — FrontendWebsite → ProductService — is declared in `invoke.yaml`. A repository of
your own needs only the first two statements below and an `invoke.yaml` of its own.
Run `invoke --list` for the tasks and `invoke --help <task>` for their options.
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from pact_pipeline.tasks import namespace

ns = namespace(root=Path(__file__).resolve().parent)


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
        "workers-curve": "Broker workers to measure publish throughput with, e.g. 1,2,4 "
        "(default: 1,2,4 on PostgreSQL, 1 on SQLite).",
        "throughput-seconds": "Seconds of publishing per throughput measurement; 0 skips it "
        "(default 10).",
        "bdct": "Only the bi-directional comparison engine (python -m bench.bdct), ROUNDS times.",
    }
)
def bench(
    _c: Context,
    scale: float = 1.0,
    compare: float = 4.0,
    rounds: int = 30,
    database_url: str = "",
    output: str = "",
    workers_curve: str = "",
    throughput_seconds: float = 10.0,
    bdct: bool = False,
) -> None:
    """Benchmark the broker over seeded #872-shaped data (the tables in BENCHMARKS.md), with
    issue 13's targets first."""
    # Imported here: the benchmark pulls in the whole broker, which other tasks do not need.
    from bench.__main__ import main as bench_main
    from bench.bdct import main as bdct_main

    if bdct:
        code = bdct_main(["--rounds", str(rounds), *(["--json", output] if output else [])])
        if code:
            raise Exit(code=code)
        return
    argv = ["--scale", str(scale), "--compare", str(compare), "--rounds", str(rounds)]
    argv += ["--database-url", database_url] if database_url else []
    argv += ["--json", output] if output else []
    argv += ["--workers-curve", workers_curve] if workers_curve else []
    argv += ["--throughput-seconds", str(throughput_seconds)]
    code = bench_main(argv)
    if code:
        raise Exit(code=code)


ns.add_task(conformance)
ns.add_task(bench)
