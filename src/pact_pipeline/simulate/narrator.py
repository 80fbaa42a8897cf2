"""Running the story's steps: each prints who acts, what they run and what the broker said."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from pact_pipeline.errors import StageFailed

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pact_pipeline.output import Output
    from pact_pipeline.simulate.workspaces import Workspace

#: Lines of a task's output worth showing in the story: answers, decisions and notices.
_TELLING = (
    "yes:",
    "no:",
    "unknown:",
    "error:",
    "Events detected",
    "Webhook",
    "Pact successfully",
    "Pact content",
    "recorded",
    "pending",
    "failed",
    "verified",
    "stored the CI token",
    "created webhook",
    "updated webhook",
    "what would make it yes",
    "  • ",
    "⏭",
    "self-verification",
    "provider contract",
    "compatible with",
)
_HIDDEN = ("Pact Broker:", "version ", "▶", "✔", "┃", "warning: PACT_", "The pact at", "This pact")

#: Variables from the user's shell that would point the story's tasks elsewhere.
_NOT_INHERITED = (
    "PACT_BROKER_BASE_URL",
    "PACT_BROKER_TOKEN",
    "PACT_BROKER_USERNAME",
    "PACT_BROKER_PASSWORD",
    "PACT_URL",
    "GIT_COMMIT",
    "GIT_BRANCH",
    "BUILD_URL",
    "CI",
)


@dataclass
class StepResult:
    """One step of the story as it happened."""

    number: int
    team: str
    command: str
    expected: str
    outcome: str
    seconds: float
    said: list[str] = field(default_factory=list)

    @property
    def as_expected(self) -> bool:
        """Whether the step ended as the story says it must."""
        return self.outcome == self.expected


class Narrator:
    """Runs tasks in the teams' repositories and tells what happens."""

    def __init__(
        self,
        out: Output,
        environ: Mapping[str, str],
        *,
        pause: Callable[[], None] | None = None,
    ) -> None:
        """Create the narrator; `environ` is added to every task's environment."""
        self.out = out
        self.results: list[StepResult] = []
        self.environ = {
            **{k: v for k, v in os.environ.items() if k not in _NOT_INHERITED},
            **environ,
        }
        self._pause = pause
        self._chapter = ""

    def chapter(self, title: str, story: str) -> None:
        """Start a part of the story."""
        if self._pause is not None and self.results:
            self._pause()
        self._chapter = title
        self.out.console.rule(f"[bold]{escape(title)}")
        self.out.console.print(f"[italic]{escape(story)}[/]")

    def say(self, text: str) -> None:
        """A line of narration."""
        self.out.console.print(f"  [cyan]{escape(text)}[/]")

    def run(self, workspace: Workspace, *arguments: str, expect: str = "passes") -> StepResult:
        """Run `invoke <arguments>` as `workspace`'s team; fail the story if it ends otherwise."""
        command = "invoke " + " ".join(arguments)
        branch = workspace.git("rev-parse", "--abbrev-ref", "HEAD")
        self.out.console.print(
            f"\n[bold magenta]{escape(workspace.team)}[/] ({escape(workspace.pacticipant)}, "
            f"{escape(branch)} @ {workspace.version}) $ [bold]{escape(command)}[/]"
        )
        started = time.perf_counter()
        completed = subprocess.run(  # the user's own interpreter and tasks
            [sys.executable, "-m", "invoke", *arguments],
            cwd=workspace.root,
            env=self.environ,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        output = completed.stdout + completed.stderr
        said = [line.rstrip() for line in output.splitlines() if _telling(line)]
        for line in said[:14]:
            self.out.console.print(f"    [dim]│[/] {escape(line.strip())}")
        outcome = "passes" if completed.returncode == 0 else "fails"
        result = StepResult(
            len(self.results) + 1, workspace.team, command, expect, outcome, seconds, said
        )
        self.results.append(result)
        verdict = "[green]as expected[/]" if result.as_expected else "[bold red]NOT as expected[/]"
        self.out.console.print(f"    → {outcome} ({seconds:.1f}s), {verdict}")
        if not result.as_expected:
            tail = "\n".join(output.splitlines()[-40:])
            self.out.console.print(f"[dim]{escape(tail)}[/]")
            msg = (
                f"step {result.number} ({command} by {workspace.team}) {outcome}, expected {expect}"
            )
            raise StageFailed(msg)
        return result

    def summary(self) -> Table:
        """Every step, its outcome and time."""
        table = Table(title="The story, step by step", title_justify="left")
        for column in ("#", "who", "ran", "expected", "happened", "time"):
            table.add_column(column)
        for r in self.results:
            style = "green" if r.as_expected else "red"
            table.add_row(
                str(r.number),
                escape(r.team),
                escape(r.command),
                r.expected,
                f"[{style}]{r.outcome}[/]",
                f"{r.seconds:.1f}s",
            )
        return table


def _telling(line: str) -> bool:
    text = line.strip()
    if not text or any(text.startswith(h) for h in _HIDDEN):
        return False
    return any(marker.strip() in text for marker in _TELLING)
