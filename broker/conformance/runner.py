"""Run the conformance verification: each pact file against a live embedded broker.

The broker runs in this process (uvicorn on a free port, a fresh SQLite database) so that the
provider states can build data through the service layer; data is cleared after every
interaction. Links are built for ``http://example.org``, the base URL the Ruby broker's own
conformance run uses, because some interactions compare absolute hrefs literally.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broker.app import create_app
from broker.conformance.states import STATES, StateBuilder, stateless_seed
from broker.db import Database
from broker.settings import Settings
from broker.testing import TestData, reset_database

log = logging.getLogger("broker.conformance")

PACTS_DIR = Path(__file__).resolve().parents[2] / "conformance" / "pacts"
CONFORMANCE_BASE_URL = "http://example.org"

# Pact files verified by default, with the data their stateless interactions expect.
DEFAULT_FILES: dict[str, tuple[str, str] | None] = {
    "Pact Broker Client V2-Pact Broker.json": None,
    "pact-broker_c1.json": ("p", "c_1"),
    "pact-broker_c2.json": ("p", "c_2"),
}


@dataclass
class FileResult:
    name: str
    verified: int
    total: int
    failures: list[str]
    output: str
    corrections: list[str]

    @property
    def line(self) -> str:
        return f"conformance: {self.verified}/{self.total} interactions verified ({self.name})"

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.verified == self.total


class UnknownStateError(LookupError):
    """A pact names a provider state the harness has no builder for."""


def _handler(db: Database, seed: StateBuilder | None) -> Any:
    def handle(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        del parameters
        if action == "teardown":
            reset_database(db)
            return
        builder = seed if not state and seed is not None else STATES.get(state or "")
        if builder is None:
            msg = f"no builder for provider state {state!r}"
            raise UnknownStateError(msg)
        reset_database(db)
        builder(TestData(db))

    return handle


@contextmanager
def live_broker(database_url: str | None = None) -> Iterator[tuple[str, Database]]:
    """A broker in this process, on a free port, over a fresh database."""
    from provider.verification import serve  # the same in-process uvicorn runner the pipeline uses

    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'broker.sqlite'}"
        db = Database(url)
        settings = Settings(database_url=url, public_base_url=CONFORMANCE_BASE_URL)
        app = create_app(settings, database=db, webhooks_enabled=False)
        reset_database(db)
        try:
            with serve(app) as base_url:
                yield base_url, db
        finally:
            db.dispose()


def _interaction_count(path: Path) -> int:
    document = json.loads(path.read_text())
    return len(document.get("interactions", [])) + len(document.get("messages", []))


def _failures(results: Any) -> list[str]:
    """Names of the interactions the verifier reported as failed."""
    errors = (results or {}).get("errors", []) if isinstance(results, dict) else []
    return [str(error.get("interaction", "?")) for error in errors if isinstance(error, dict)]


JAVA_QUOTED = re.compile(r"\\Q(.*?)\\E", re.DOTALL)


@dataclass
class Corrections:
    """Fixture corrections applied before verifying, reported with the results.

    The pact-reference compatibility fixtures were written for a mock broker, not as a
    provider contract, and carry three defects no broker can satisfy under the Rust matcher;
    each correction keeps the fixture's evident meaning and is listed in the output.
    """

    applied: list[str]

    def note(self, text: str) -> None:
        if text not in self.applied:
            self.applied.append(text)


def _java_quoting(regex: str, corrections: Corrections) -> str:
    """Java's ``\\Q…\\E`` literal quoting, which the Rust matcher reads as plain ``Q``/``E``,
    rewritten as escaped literals (the same meaning under Java's rules)."""
    fixed = JAVA_QUOTED.sub(lambda m: re.escape(m.group(1)), regex)
    if fixed != regex:
        corrections.note("Java \\Q...\\E regex quoting rewritten as escaped literals")
    return fixed


def _broken_group(regex: str, corrections: Corrections) -> str:
    """``.(*`` (a typo that no regex engine compiles) read as ``.*(``."""
    if regex.startswith(".(*"):
        corrections.note("regex typo '.(*' read as '.*('")
        return ".*(" + regex[3:]
    return regex


def portable_regexes(document: Any, corrections: Corrections) -> Any:
    """Apply the regex corrections to every matcher of a pact document."""
    if isinstance(document, dict):
        result = {k: portable_regexes(v, corrections) for k, v in document.items()}
        if isinstance(result.get("regex"), str):
            result["regex"] = _broken_group(
                _java_quoting(result["regex"], corrections), corrections
            )
        return result
    if isinstance(document, list):
        return [portable_regexes(item, corrections) for item in document]
    return document


def _unmatched_example_links(document: dict[str, Any], corrections: Corrections) -> None:
    """Give ``_links.self.href`` values that are a mock server's example (host ``localhost:9876``
    and a ``{provider}`` template) the path regex the same fixture uses for that link elsewhere."""
    for interaction in document.get("interactions", []):
        response = interaction.get("response", {})
        content = response.get("body", {}).get("content")
        href = (
            content.get("_links", {}).get("self", {}).get("href")
            if isinstance(content, dict)
            else None
        )
        if not (
            isinstance(href, str) and href.startswith("http://localhost:9876/") and "{" in href
        ):
            continue
        rules = response.setdefault("matchingRules", {}).setdefault("body", {})
        if "$._links.self.href" in rules:
            continue
        path = interaction["request"]["path"]
        rules["$._links.self.href"] = {
            "combine": "AND",
            "matchers": [{"match": "regex", "regex": ".*(" + re.escape(path) + ")$"}],
        }
        corrections.note("mock-server example self link matched by the request's path")


def verify_file(
    path: Path, base_url: str, db: Database, seed: tuple[str, str] | None = None
) -> FileResult:
    """Verify one pact file with pact-python's Verifier; count the interactions that pass."""
    from pact import Verifier

    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    reset_database(db)
    builder = stateless_seed(*seed) if seed is not None else None
    corrections = Corrections([])
    document = portable_regexes(json.loads(path.read_text()), corrections)
    _unmatched_example_links(document, corrections)
    with tempfile.TemporaryDirectory(prefix="conformance-pact-") as tmp:
        source = Path(tmp) / path.name
        source.write_text(json.dumps(document))
        verifier = (
            Verifier(document["provider"]["name"], host="127.0.0.1")
            .add_transport(url=base_url)
            .add_source(str(source))
            .state_handler(_handler(db, builder), teardown=True)
        )
        failed_run = False
        try:
            verifier.verify()
        except RuntimeError:
            failed_run = True
        output = str(verifier.output(strip_ansi=True))
        failures = _failures(verifier.results)
    total = _interaction_count(path)
    if failed_run and not failures:
        failures.append("the verifier reported a failure it did not attribute to an interaction")
    return FileResult(
        path.name, max(total - len(failures), 0), total, failures, output, corrections.applied
    )


def run(files: Sequence[str] | None = None, *, pacts_dir: Path = PACTS_DIR) -> list[FileResult]:
    """Verify each pact file; returns one result per file."""
    names = list(files) if files else list(DEFAULT_FILES)
    results = []
    with live_broker() as (base_url, db):
        for name in names:
            results.append(verify_file(pacts_dir / name, base_url, db, DEFAULT_FILES.get(name)))
    return results
