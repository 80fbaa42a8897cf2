"""The test stage: run the consumer and provider tests, which write `pacts/`.

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
from typing import TYPE_CHECKING

from pact_pipeline.errors import PipelineError, StageFailed
from pact_pipeline.stages.publish import find_pact_files

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings

#: The test directories of the pacticipants, relative to the repository root.
TEST_DIRECTORIES = ("tests/consumer", "tests/provider")

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


def pytest_command(directories: Sequence[str], extra_args: Sequence[str] = ()) -> list[str]:
    """Build the pytest command line.

    Args:
        directories:
            The test directories.

        extra_args:
            More pytest arguments (e.g. `-x`, `-k name`).

    Returns:
        The command.
    """
    return [sys.executable, "-m", "pytest", *directories, *extra_args]


def run_tests(settings: Settings, out: Output, *, extra_args: Sequence[str] = ()) -> None:
    """Run the consumer and provider tests; the consumer tests write the pacts.

    Args:
        settings:
            The settings (repository root, pacts directory, CI flag).

        out:
            Where to print.

        extra_args:
            More pytest arguments.

    Raises:
        PipelineError:
            If there is no test directory, the tests fail, or no pact file was written.
    """
    directories = [name for name in TEST_DIRECTORIES if (settings.root / name).is_dir()]
    if not directories:
        msg = f"no test directories ({', '.join(TEST_DIRECTORIES)}) in {settings.root}"
        raise PipelineError(msg)
    removed = clean_pacts(settings.pacts_dir)
    if removed:
        out.info(f"removed {len(removed)} old pact file(s) so stale interactions cannot survive")
    environment = {
        **os.environ,
        "PACT_DIR": str(settings.pacts_dir),
        "PACT_DO_NOT_TRACK": os.environ.get("PACT_DO_NOT_TRACK", "true"),
    }
    if settings.ci:
        environment["CI"] = "true"
    command = pytest_command(directories, extra_args)
    out.info(" ".join(["pytest", *directories, *extra_args]))
    sys.stdout.flush()
    code = subprocess.run(command, cwd=settings.root, env=environment, check=False).returncode
    if code == _NO_TESTS_COLLECTED:
        msg = f"pytest collected no tests in {', '.join(directories)}"
        raise StageFailed(msg)
    if code != 0:
        msg = f"the consumer/provider tests failed (pytest exit code {code}) — see the output above"
        raise StageFailed(msg)
    written = find_pact_files(settings.pacts_dir)
    if not written:
        msg = f"the tests passed but wrote no pact file to {settings.pacts_dir}"
        raise StageFailed(msg)
    out.info("pacts written: " + ", ".join(path.name for path in written))
