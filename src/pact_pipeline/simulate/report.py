"""The Markdown report of a simulation run."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from rich.table import Table

    from pact_pipeline.local_ci.builds import Build
    from pact_pipeline.simulate.narrator import StepResult


def write_report(
    path: Path,
    steps: Sequence[StepResult],
    builds: Sequence[Build],
    matrix: Table,
    seconds: float,
) -> None:
    """Write what happened, step by step, with what the broker answered."""
    lines = ["# pact-pipeline simulation", "", f"{len(steps)} steps in {seconds:.1f}s.", ""]
    lines += ["| # | who | ran | expected | happened | time |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {s.number} | {s.team} | `{s.command}` | {s.expected} | {s.outcome} | {s.seconds:.1f}s |"
        for s in steps
    ]
    for step in steps:
        lines += ["", f"## {step.number}. {step.team}: `{step.command}`", ""]
        lines += ["```text", *(line.strip() for line in step.said), "```"]
    lines += ["", "## Local CI builds", ""]
    lines += [
        f"- #{b.number} {b.status}: {b.request.pact_url} as {b.request.provider_version}"
        for b in builds
    ]
    lines += ["", "## The final matrix", "", "```text", _plain(matrix), "```", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def _plain(table: Table) -> str:
    buffer = StringIO()
    Console(file=buffer, width=120, color_system=None).print(table)
    return buffer.getvalue().rstrip()
