"""Run the conformance verification: each pact file against a live embedded broker.

The broker runs in this process (uvicorn on a free port, a fresh SQLite database) so that the
provider states can build data through the service layer; data is cleared after every
interaction. Links are built for ``http://example.org``, the base URL the Ruby broker's own
conformance run uses, because some interactions compare absolute hrefs literally.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.conformance.states import STATES, StateBuilder, stateless_seed
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import TestData, reset_database

log = logging.getLogger("broker.conformance")

#: The official clients' pacts, in the repository (a checkout, not an installed wheel).
PACTS_DIR = Path(__file__).resolve().parents[4] / "conformance" / "pacts"
CONFORMANCE_BASE_URL = "http://example.org"

# Pact files verified by default, with the data their stateless interactions expect.
DEFAULT_FILES: dict[str, tuple[str, str] | None] = {
    "Pact Broker Client V2-Pact Broker.json": None,
    "pact_broker_client-pact_broker.json": None,
    "pact-broker_c1.json": ("p", "c_1"),
    "pact-broker_c2.json": ("p", "c_2"),
}

#: PactFlow's side of the clients' contracts: provider contracts (bi-directional contract
#: testing) are served here; its teams are not (see ``PACTFLOW_OUT_OF_SCOPE``).
PACTFLOW_FILES: dict[str, tuple[str, str] | None] = {
    "Pact Broker Client V2-PactFlow.json": None,
    "pact_broker_client-pactflow.json": None,
}
#: PactFlow interactions this broker does not serve, by description, and why.
PACTFLOW_OUT_OF_SCOPE = {
    "a request to create a webhook for a team": "teams are PactFlow's user management",
}


@dataclass
class FileResult:
    name: str
    verified: int
    total: int
    failures: list[str]
    output: str
    corrections: list[str]
    unknown_states: list[str]

    @property
    def line(self) -> str:
        return f"conformance: {self.verified}/{self.total} interactions verified ({self.name})"

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.verified == self.total and not self.unknown_states


def _handler(db: Database, seed: StateBuilder | None, unknown: list[str]) -> Any:
    def handle(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        del parameters
        if action == "teardown":
            reset_database(db)
            return
        builder = seed if not state and seed is not None else STATES.get(state or "")
        reset_database(db)
        if builder is None:
            # Raising would make the verifier retry the state change with back-off; record
            # it instead, and the file cannot pass.
            if state not in unknown:
                unknown.append(state)
            return
        builder(TestData(db))

    return handle


@contextmanager
def live_broker(database_url: str | None = None) -> Iterator[tuple[str, Database]]:
    """A broker in this process, on a free port, over a fresh database."""
    from pact_pipeline.serving import serve_app

    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'broker.sqlite'}"
        db = Database(url)
        settings = Settings(database_url=url, public_base_url=CONFORMANCE_BASE_URL)
        app = create_app(settings, database=db, webhooks_enabled=False)
        reset_database(db)
        try:
            with serve_app(app) as base_url:
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


#: The Ruby client's pact with PactFlow was written for Ruby's matcher, which finds a regex
#: anywhere in the value (``=~``); the Rust verifier matches the whole value.
RUBY_UNANCHORED = ("Pact Broker Client", "PactFlow")


def _ruby_unanchored(document: Any, corrections: Corrections) -> Any:
    """The Ruby client's PactFlow regexes read as Ruby reads them: ``http:\\/\\/.*{provider}``
    matches PactFlow's ``…/provider-contracts/provider/{provider}/publish`` there, so a
    pattern not anchored at its end gets ``.*`` (the same meaning under Ruby's rules)."""
    if isinstance(document, dict):
        result = {k: _ruby_unanchored(v, corrections) for k, v in document.items()}
        regex = result.get("regex")
        if isinstance(regex, str) and not regex.endswith(("$", ".*")):
            result["regex"] = regex + ".*"
            corrections.note("regexes of the Ruby client's PactFlow pact matched as Ruby does")
        return result
    if isinstance(document, list):
        return [_ruby_unanchored(item, corrections) for item in document]
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


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the verifier while it runs: the Rust core prints its report straight to file
    descriptor 1, pact-python's state callback server logs each call to stderr. The report is
    still available from ``Verifier.output()``."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(io.StringIO()):
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# The older Ruby client's pact names some paths by the HAL relation its mock broker returned
# ("HAL-REL-PLACEHOLDER-…"); the Ruby broker's harness maps them to real paths, and so do we.
PLACEHOLDER_PATHS = {
    "/HAL-REL-PLACEHOLDER-INDEX-PB-LATEST-TAGGED-VERSION-Condor-production": (
        "/pacticipants/Condor/latest-version/production"
    ),
    "/HAL-REL-PLACEHOLDER-INDEX-PB-LATEST-VERSION-Condor": "/pacticipants/Condor/latest-version",
    "/HAL-REL-PLACEHOLDER-PB-WEBHOOKS": "/webhooks",
    "/HAL-REL-PLACEHOLDER-PB-ENVIRONMENTS": "/environments",
    "/HAL-REL-PLACEHOLDER-PB-ENVIRONMENT-16926ef3-590f-4e3f-838e-719717aa88c9": (
        "/environments/16926ef3-590f-4e3f-838e-719717aa88c9"
    ),
    "/HAL-REL-PLACEHOLDER-PB-PACTICIPANT-VERSION-Foo-5556b8149bf8bac76bc30f50a8a2dd4c22c85f30": (
        "/pacticipants/Foo/versions/5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
    ),
    "/HAL-REL-PLACEHOLDER-PB-PUBLISH-CONTRACTS": "/contracts/publish",
    "/HAL-REL-PLACEHOLDER-PF-PUBLISH-PROVIDER-CONTRACT-Bar": (
        "/provider-contracts/provider/Bar/publish"
    ),
    "/HAL-REL-PLACEHOLDER-PB-RECORD-DEPLOYMENT-FOO-5556B8149BF8BAC76BC30F50A8A2DD4C22C85F30-TEST": (
        "/pacticipants/Foo/versions/5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
        "/deployed-versions/environment/cb632df3-0a0d-4227-aac3-60114dd36479"
    ),
    "/HAL-REL-PLACEHOLDER-PB-RECORD-RELEASE-FOO-5556B8149BF8BAC76BC30F50A8A2DD4C22C85F30-TEST": (
        "/pacticipants/Foo/versions/5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
        "/released-versions/environment/cb632df3-0a0d-4227-aac3-60114dd36479"
    ),
    "/HAL-REL-PLACEHOLDER-PB-PACTICIPANT-BRANCH-Foo-main": "/pacticipants/Foo/branches/main",
    "/PLACEHOLDER-DEPLOYED-VERSION-ff3adecf-cfc5-4653-a4e3-f1861092f8e0": (
        "/deployed-versions/ff3adecf-cfc5-4653-a4e3-f1861092f8e0"
    ),
    "/PLACEHOLDER-ENVIRONMENT-CURRENTLY-DEPLOYED-16926ef3-590f-4e3f-838e-719717aa88c9": (
        "/environments/16926ef3-590f-4e3f-838e-719717aa88c9/deployed-versions/currently-deployed"
    ),
}


def _placeholder_paths(document: dict[str, Any], corrections: Corrections) -> None:
    """Replace HAL-relation placeholder paths with the paths the relations lead to."""
    for interaction in document.get("interactions", []):
        request = interaction.get("request", {})
        real = PLACEHOLDER_PATHS.get(request.get("path", ""))
        if real is not None:
            request["path"] = real
            corrections.note("HAL-relation placeholder paths mapped to the relations' paths")


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
    parties = (document.get("consumer", {}).get("name"), document.get("provider", {}).get("name"))
    if parties == RUBY_UNANCHORED:
        document = _ruby_unanchored(document, corrections)
    _unmatched_example_links(document, corrections)
    _placeholder_paths(document, corrections)
    unknown_states: list[str] = []
    with tempfile.TemporaryDirectory(prefix="conformance-pact-") as tmp:
        source = Path(tmp) / path.name
        source.write_text(json.dumps(document))
        verifier = (
            Verifier(document["provider"]["name"], host="127.0.0.1")
            .add_transport(url=base_url)
            .add_source(str(source))
            .state_handler(_handler(db, builder, unknown_states), teardown=True)
        )
        failed_run = False
        with _quiet():
            try:
                verifier.verify()
            except RuntimeError:
                failed_run = True
        output = str(verifier.output(strip_ansi=True))
        failures = _failures(verifier.results)
    total = _interaction_count(path)
    if failed_run and not failures:
        failures.append("the verifier reported a failure it did not attribute to an interaction")
    verified = max(total - len(failures), 0)
    return FileResult(
        path.name, verified, total, failures, output, corrections.applied, unknown_states
    )


def run(files: Sequence[str] | None = None, *, pacts_dir: Path = PACTS_DIR) -> list[FileResult]:
    """Verify each pact file; returns one result per file."""
    names = list(files) if files else list(DEFAULT_FILES)
    results = []
    with live_broker() as (base_url, db):
        for name in names:
            results.append(verify_file(pacts_dir / name, base_url, db, DEFAULT_FILES.get(name)))
    return results


def report(files: Sequence[str], *, out: TextIO, verbose: bool = False) -> int:
    """Verify, print ``conformance: N/M interactions verified (file)`` per file, return an exit
    code: 0 when every file verified in full, 1 otherwise."""
    results = run(files or None)
    for result in results:
        print(result.line, file=out)
        for correction in result.corrections:
            print(f"  fixture correction: {correction}", file=out)
        for failure in result.failures:
            print(f"  failed: {failure}", file=out)
        for state in result.unknown_states:
            print(f"  no builder for provider state: {state}", file=out)
        if verbose and not result.ok:
            print(result.output, file=out)
    return 0 if all(r.ok for r in results) else 1
