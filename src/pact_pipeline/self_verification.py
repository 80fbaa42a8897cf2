"""The provider contract's self-verification: schemathesis against the running provider.

A provider contract is only worth comparing pacts with if the provider really behaves as its
OpenAPI document says. PactFlow leaves that test to the provider ("self-verification") and
records its result with the contract. Here it is a property-based test of the running app
against the document: [schemathesis](https://schemathesis.readthedocs.io/) (its CLI, `st run`)
generates requests from the document (examples, boundary values, fuzzing and stateful
sequences through the document's links) and checks every response against it: documented
status, content type, headers and body schema, no server error, invalid input refused,
authentication enforced. Its text report and exit code are the self-verification's content and
outcome.

schemathesis runs in a subprocess (its own Hypothesis state, no event loop shared with the
served app) in a temporary directory, so its cache (`.schemathesis/`) never lands in the
repository; a `schemathesis.toml` at the repository root is used when there is one (auth
hooks, extra checks, per-operation settings).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from pact_pipeline.errors import PipelineError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from pact_pipeline.openapi_document import ProviderDocument

VERIFIER = "schemathesis"

#: schemathesis' exit codes: 0 no issue found, 1 failures (or errors reaching the API);
#: anything else means it could not test (no operations, a document it cannot load…).
_PASSED, _FAILED = 0, 1

#: Seconds a self-verification may take before it is abandoned.
TIMEOUT = 600.0


@dataclass(frozen=True)
class SelfVerification:
    """What testing the running provider against its document found.

    Attributes:
        success:
            Whether schemathesis found no issue.

        report:
            Its text report (no colour codes), as published with the contract.

        verifier_version:
            The schemathesis version.

        seconds:
            How long the run took.

        command:
            The command line, as the report shows it (credentials left out).
    """

    success: bool
    report: str
    verifier_version: str
    seconds: float
    command: str

    @property
    def summary(self) -> str:
        """schemathesis' last line, e.g. "No issues found in 0.96s" or "2 failures in 0.7s"."""
        lines = [line.strip(" =") for line in self.report.splitlines() if line.strip(" =")]
        return lines[-1] if lines else "no report"

    @property
    def test_cases(self) -> str | None:
        """The "Test cases:" line of the report, e.g. "160 generated, 160 passed"."""
        lines = [line.strip() for line in self.report.splitlines()]
        for index, line in enumerate(lines[:-1]):
            if line == "Test cases:":
                return lines[index + 1]
        return None


def schemathesis_version() -> str:
    """The installed schemathesis' version.

    Raises:
        PipelineError:
            If schemathesis is not installed.
    """
    try:
        return version("schemathesis")
    except PackageNotFoundError:
        msg = (
            "publish-provider-contract tests the provider against its OpenAPI document with "
            "schemathesis, which is not installed: pip install schemathesis"
        )
        raise PipelineError(msg) from None


def self_verify(
    document: ProviderDocument,
    base_url: str,
    *,
    headers: Mapping[str, str],
    examples: int,
    root: Path,
    timeout: float = TIMEOUT,
) -> SelfVerification:
    """Run schemathesis against the provider at `base_url` with `document`.

    Args:
        document:
            The provider's OpenAPI document.

        base_url:
            Where the provider is served.

        headers:
            Headers sent with every request (the adapter's credentials).

        examples:
            Test cases per operation and phase (`--max-examples`).

        root:
            The repository root (a `schemathesis.toml` there is used).

        timeout:
            Seconds before the run is abandoned.

    Returns:
        The outcome; a failed self-verification is returned, not raised.

    Raises:
        PipelineError:
            If schemathesis is not installed, cannot test the document (it has no
            operations, say), or does not finish in time.
    """
    verifier_version = schemathesis_version()
    config = root / "schemathesis.toml"
    with tempfile.TemporaryDirectory(prefix="pact-self-verification-") as work:
        path = Path(work) / f"openapi{document.suffix}"
        path.write_bytes(document.content)
        if not config.is_file():
            # No crash files to keep (the directory goes), so no `st replay` hints that
            # could not work: the report's curl lines reproduce a failure instead.
            config = Path(work) / "schemathesis.toml"
            config.write_text("[cache]\nenabled = false\n")
        command = schemathesis_command(path, base_url, examples=examples, config=config)
        credentials = [
            part for name, value in headers.items() for part in ("-H", f"{name}: {value}")
        ]
        started = time.perf_counter()
        try:
            with _quiet_server_warnings():
                completed = subprocess.run(
                    [*command, *credentials],
                    cwd=work,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
        except subprocess.TimeoutExpired:
            msg = f"schemathesis did not finish testing {document.source} within {timeout:g}s"
            raise PipelineError(msg) from None
        seconds = time.perf_counter() - started
    report = completed.stdout + (f"\n{completed.stderr}" if completed.stderr.strip() else "")
    shown = " ".join(["st", *command[3:]]).replace(str(path), f"<{document.source}>")
    outcome = SelfVerification(
        completed.returncode == _PASSED, report, verifier_version, seconds, shown
    )
    if completed.returncode not in (_PASSED, _FAILED):
        msg = (
            f"schemathesis could not test {base_url} against {document.source} (exit code "
            f"{completed.returncode}): {outcome.summary}"
        )
        raise PipelineError(msg)
    return outcome


def schemathesis_command(
    document: Path, base_url: str, *, examples: int, config: Path | None = None
) -> list[str]:
    """The `st run` command line of a self-verification (without the credentials).

    Every check schemathesis has (`--checks all`), at most `examples` cases per operation,
    deterministic generation (the same cases every run: a CI gate must not flip on luck; it
    also means no example database).

    Args:
        document:
            The document's file.

        base_url:
            Where the provider is served.

        examples:
            Test cases per operation (`--max-examples`).

        config:
            A `schemathesis.toml` to use.

    Returns:
        The arguments, starting with this interpreter.
    """
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        *(["--config-file", str(config)] if config is not None else []),
        "run",
        str(document),
        "--url",
        base_url,
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--generation-deterministic",
    ]


@contextmanager
def _quiet_server_warnings() -> Iterator[None]:
    """Silence uvicorn's "Invalid HTTP request received." while the fuzzer sends just that.

    The provider is served in this process; its server logs each malformed request it
    refuses, which is the fuzzer doing its job, not news.
    """
    logger = logging.getLogger("uvicorn.error")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
