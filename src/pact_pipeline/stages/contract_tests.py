"""The test stage: run the consumer's Pact tests, which write the pacts, and the provider's.

The tests run in a separate `python -m pytest` process rather than through `pytest.main`
in the `invoke` process: pact's FFI keeps global state (mock servers, loggers), and a fresh
interpreter guarantees that what `invoke test` runs is exactly what `pytest` runs.

`pacts/*.json` is emptied first: pact-python merges into existing pact files by default,
and a pact left over from a renamed consumer or a deleted test would otherwise be
published as if it were current.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pact_pipeline.errors import PipelineError, StageFailed
from pact_pipeline.stages.publish import find_pact_files

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings

#: pytest's exit code when it collected no test.
_NO_TESTS_COLLECTED = 5


def clean_pacts(pacts_dir: Path) -> list[Path]:
    """Delete the pact files in `pacts_dir` (and nothing else).

    Args:
        pacts_dir:
            The pacts directory.

    Returns:
        The deleted files.
    """
    removed = find_pact_files(pacts_dir)
    for path in removed:
        path.unlink()
    return removed


def pytest_command(arguments: Sequence[str], extra_args: Sequence[str] = ()) -> list[str]:
    """Build the pytest command line.

    Args:
        arguments:
            The pacticipant's test arguments (`tests:` in its configuration).

        extra_args:
            More pytest arguments (e.g. `-x`, `-k name`).

    Returns:
        The command.
    """
    return [sys.executable, "-m", "pytest", *arguments, *extra_args]


def run_tests(settings: Settings, out: Output, *, extra_args: Sequence[str] = ()) -> None:
    """Run the consumer's Pact tests (which write the pacts), then the provider's tests.

    Args:
        settings:
            The settings (the pacticipants' tests, repository root, pacts directory, CI).

        out:
            Where to print.

        extra_args:
            More pytest arguments.

    Raises:
        PipelineError:
            If nothing declares tests, the tests fail, or the consumer's wrote no pact file.
    """
    if not settings.tested:
        msg = (
            "no tests to run: declare pipeline.consumer.tests (or .command) and/or "
            "pipeline.provider.tests (or .command) in invoke.yaml"
        )
        raise PipelineError(msg)
    if settings.consumer is not None:
        removed = clean_pacts(settings.pacts_dir)
        if removed:
            out.info(
                f"removed {len(removed)} old pact file(s) so stale interactions cannot survive"
            )
    environment = {
        **os.environ,
        "PACT_DIR": str(settings.pacts_dir),
        "PACT_DO_NOT_TRACK": os.environ.get("PACT_DO_NOT_TRACK", "true"),
        **({"CI": "true"} if settings.ci else {}),
    }
    for side in settings.tested:
        _run_suite(side.name, side.tests, side.command, settings.root, environment, out, extra_args)
    if settings.consumer is not None:
        written = find_pact_files(settings.pacts_dir)
        if not written:
            msg = f"the tests passed but wrote no pact file to {settings.pacts_dir}"
            raise StageFailed(msg)
        out.info("pacts written: " + ", ".join(path.name for path in written))


def _run_suite(
    name: str,
    arguments: Sequence[str],
    command: str | None,
    root: Path,
    environment: dict[str, str],
    out: Output,
    extra_args: Sequence[str],
) -> None:
    """Run one pacticipant's tests: its shell command, or pytest with its arguments."""
    if command:
        out.info(f"{name}: {command}")
        sys.stdout.flush()
        code = subprocess.run(command, shell=True, cwd=root, env=environment, check=False)  # noqa: S602 - the repository's own configured command
    else:
        out.info(f"{name}: " + " ".join(["pytest", *arguments, *extra_args]))
        sys.stdout.flush()
        code = subprocess.run(
            pytest_command(arguments, extra_args), cwd=root, env=environment, check=False
        )
    if code.returncode == _NO_TESTS_COLLECTED and not command:
        msg = f"pytest collected no tests of {name} in {' '.join(arguments)}"
        raise StageFailed(msg)
    if code.returncode != 0:
        msg = f"the tests of {name} failed (exit code {code.returncode}) — see the output above"
        raise StageFailed(msg)
