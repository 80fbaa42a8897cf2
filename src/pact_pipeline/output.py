"""Console output of the pipeline: one line per stage with its time, tables, a summary.

All user-facing text goes through [`Output`][pact_pipeline.output.Output] so stages stay
testable (tests pass a `Console` that records) and the look is consistent: `▶ stage`
when a stage starts, `✔ stage (1.2s)` / `✘ stage failed (0.3s)` when it ends, and a
summary table at the end of `ci`.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from rich.console import RenderableType

#: Rich styles for the broker's notice types (publish and matrix notices).
NOTICE_STYLES = {
    "success": "green",
    "info": "cyan",
    "warning": "yellow",
    "error": "red",
    "danger": "red",
    "prompt": "bold",
    "debug": "dim",
}


#: Table width when writing to a CI log (not a terminal) and COLUMNS is not set.
LOG_WIDTH = 120


def _log_width() -> int | None:
    """Let rich measure a terminal; give pipes and CI logs a width fit for tables."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return LOG_WIDTH


def colour_wanted(fd: int = 1, environ: Mapping[str, str] | None = None) -> bool:
    """Whether output written to file descriptor `fd` may carry colour codes.

    The convention rich and most tools follow: never when `NO_COLOR` is set (no-color.org),
    always when `FORCE_COLOR` is, otherwise only on a terminal, so piped output and CI logs
    carry no raw escape codes. For writers rich does not drive, such as pact's verifier,
    which prints straight to file descriptor 1.

    Args:
        fd:
            The file descriptor written to.

        environ:
            The environment (default: `os.environ`).

    Returns:
        Whether to colour.
    """
    variables = os.environ if environ is None else environ
    if variables.get("NO_COLOR"):
        return False
    if variables.get("FORCE_COLOR"):
        return True
    return os.isatty(fd)


@dataclass(frozen=True)
class StageResult:
    """How a stage ended.

    Attributes:
        name:
            The stage's name.

        status:
            `passed`, `failed` or `skipped`.

        seconds:
            How long it took.

        note:
            Why it was skipped, or a short outcome.
    """

    name: str
    status: str
    seconds: float
    note: str = ""


class Output:
    """Prints stage progress, messages and tables, and remembers stage results."""

    def __init__(self, console: Console | None = None) -> None:
        """Create the output.

        Args:
            console:
                Where to print; a fresh stdout console by default.
        """
        # soft_wrap: long lines (URLs, broker messages) stay whole in CI logs instead of
        # being folded; tables get 120 columns there rather than rich's default of 80.
        self.console = console or Console(highlight=False, soft_wrap=True, width=_log_width())
        self.results: list[StageResult] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Announce a stage, time it, and print how it ended.

        Args:
            name:
                The stage's name, e.g. `publish`.

        Yields:
            Nothing; the stage runs inside the `with` block.
        """
        self.console.print(f"[bold blue]▶ {escape(name)}[/]")
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            seconds = time.perf_counter() - started
            self.results.append(StageResult(name, "failed", seconds))
            self.console.print(f"[bold red]✘ {escape(name)} failed[/] [dim]({seconds:.1f}s)[/]")
            raise
        seconds = time.perf_counter() - started
        self.results.append(StageResult(name, "passed", seconds))
        self.console.print(f"[bold green]✔ {escape(name)}[/] [dim]({seconds:.1f}s)[/]")

    def skip(self, name: str, reason: str) -> None:
        """Record and print a stage that did not run.

        Args:
            name:
                The stage's name.

            reason:
                Why it was skipped.
        """
        self.results.append(StageResult(name, "skipped", 0.0, reason))
        self.console.print(f"[bold yellow]⏭ {escape(name)} skipped:[/] {escape(reason)}")

    def info(self, message: str) -> None:
        """Print an informational line."""
        self.console.print(f"  {escape(message)}")

    def success(self, message: str) -> None:
        """Print a line that reports something good."""
        self.console.print(f"  [green]{escape(message)}[/]")

    def warn(self, message: str) -> None:
        """Print a warning line."""
        self.console.print(f"  [yellow]warning:[/] {escape(message)}")

    def error(self, message: str) -> None:
        """Print an error line (the stage's exception still decides the exit code)."""
        self.console.print(f"  [red]{escape(message)}[/]")

    def notice(self, kind: str, text: str) -> None:
        """Print a broker notice, coloured by its type.

        Args:
            kind:
                The notice type (`success`, `info`, `warning`, `error`, `prompt`, `debug`).

            text:
                The text; may span several lines.
        """
        style = NOTICE_STYLES.get(kind, "")
        for line in text.splitlines() or [""]:
            self.console.print(f"  [{style}]{escape(line)}[/]" if style else f"  {escape(line)}")

    def show(self, renderable: RenderableType) -> None:
        """Print a table or any other rich renderable."""
        self.console.print(renderable)

    def summary(self) -> None:
        """Print a table of every stage recorded so far, with status and time."""
        table = Table(title="Pipeline summary", title_justify="left")
        table.add_column("stage")
        table.add_column("result")
        table.add_column("time", justify="right")
        table.add_column("note")
        styles = {"passed": "green", "failed": "red", "skipped": "yellow"}
        for result in self.results:
            table.add_row(
                escape(result.name),
                f"[{styles.get(result.status, '')}]{result.status}[/]",
                f"{result.seconds:.1f}s",
                escape(result.note),
            )
        total = sum(result.seconds for result in self.results)
        table.add_row("[bold]total[/]", "", f"[bold]{total:.1f}s[/]", "")
        self.console.print(table)
