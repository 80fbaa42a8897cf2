"""What a verifier run found, per interaction and per pact, in words and tables.

pact's verifier reports one result per interaction, naming the consumer but not the pact
(the consumer version): with two pacts of one consumer selected (its main branch and a
feature branch, say) the rows would look duplicated, and "honours 2 pacts" could follow a
pending pact's failure. So each result is attributed to the pacts whose interactions carry
its `interactionId` (the `_id` a broker gives every interaction), and the stage reports per
pact: passed, failed, or failed but pending (which does not fail the build).

Everything here is pure: parsing the verifier's JSON, attributing, rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass(frozen=True)
class InteractionResult:
    """The verifier's verdict on one interaction.

    Attributes:
        consumer:
            The consumer.

        description:
            The interaction's description.

        passed:
            Whether it verified.

        pending:
            Whether it belongs to a pending pact (a failure does not fail the build).

        mismatch:
            The first mismatch, in words, when it failed.

        interaction_id:
            The interaction's `_id` in the pact, when the pact came from a broker.
    """

    consumer: str
    description: str
    passed: bool
    pending: bool
    mismatch: str = ""
    interaction_id: str | None = None


@dataclass(frozen=True)
class VerifiedPact:
    """A pact the verifier was given, as the report names it.

    Attributes:
        label:
            E.g. "FrontendWebsite 1a2b".

        pending:
            Whether the broker said it is pending for this provider version.

        interaction_ids:
            The `_id`s of its interactions (empty when unknown).
    """

    label: str
    pending: bool = False
    interaction_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PactOutcome:
    """How one pact fared.

    Attributes:
        pact:
            The pact.

        results:
            The results of its interactions.
    """

    pact: VerifiedPact
    results: tuple[InteractionResult, ...]

    @property
    def failed(self) -> int:
        """How many of its interactions failed."""
        return sum(not result.passed for result in self.results)

    @property
    def passed(self) -> bool:
        """Whether every interaction of it verified (and there was at least one)."""
        return bool(self.results) and self.failed == 0


@dataclass(frozen=True)
class VerificationOutcome:
    """What a verifier run produced.

    Attributes:
        passed:
            Whether the verifier succeeded (pending failures do not count).

        interactions:
            The per-interaction results.

        pacts:
            The per-pact outcomes (empty when the results could not be attributed).
    """

    passed: bool
    interactions: tuple[InteractionResult, ...] = field(default_factory=tuple)
    pacts: tuple[PactOutcome, ...] = field(default_factory=tuple)

    @property
    def failures(self) -> tuple[InteractionResult, ...]:
        """The failed interactions that fail the build (not pending)."""
        return tuple(
            result for result in self.interactions if not result.passed and not result.pending
        )


def parse_results(results: Mapping[str, Any]) -> tuple[InteractionResult, ...]:
    """Read `Verifier.results` into per-interaction results.

    Args:
        results:
            The verifier's JSON results.

    Returns:
        One result per verified interaction.
    """
    items = results.get("interactionResults") or []
    return tuple(_parse_result(item) for item in items if isinstance(item, dict))


def _parse_result(item: Mapping[str, Any]) -> InteractionResult:
    mismatch_body = item.get("mismatch")
    mismatches = (mismatch_body or {}).get("mismatches") or []
    first = mismatches[0] if mismatches and isinstance(mismatches[0], dict) else {}
    mismatch = " ".join(
        part for part in (str(first.get("path", "")), str(first.get("mismatch", ""))) if part
    )
    if not mismatch and isinstance(mismatch_body, dict):
        mismatch = str(mismatch_body.get("message") or mismatch_body.get("type", ""))
    interaction_id = item.get("interactionId")
    return InteractionResult(
        consumer=str(item.get("consumer", "")),
        description=str(item.get("description", "")),
        passed=item.get("result") == "OK",
        pending=item.get("pending") is True,
        mismatch=mismatch,
        interaction_id=interaction_id if isinstance(interaction_id, str) else None,
    )


def attribute(
    results: Sequence[InteractionResult], pacts: Sequence[VerifiedPact]
) -> tuple[PactOutcome, ...]:
    """Group the results by the pact they verified.

    A result belongs to a pact when its `interactionId` is one of the pact's and its pending
    flag is the pact's (two pacts may hold the same interaction; the verifier then reports it
    once for each). With a single pact every result is its own.

    Args:
        results:
            The per-interaction results.

        pacts:
            The pacts given to the verifier.

    Returns:
        One outcome per pact, in the given order; empty if some result fits no pact.
    """
    if len(pacts) == 1:
        return (PactOutcome(pacts[0], tuple(results)),)
    outcomes = tuple(
        PactOutcome(
            pact,
            tuple(
                result
                for result in results
                if result.interaction_id in pact.interaction_ids and result.pending == pact.pending
            ),
        )
        for pact in pacts
    )
    attributed = sum(len(outcome.results) for outcome in outcomes)
    return outcomes if attributed >= len(results) else ()


def results_table(outcome: VerificationOutcome) -> Table:
    """Render per-interaction results, with their pact, flagging pending failures.

    Args:
        outcome:
            The verification outcome.

    Returns:
        The table.
    """
    table = Table(title="Verification results", title_justify="left")
    for column in ("pact", "interaction", "result", "counts?", "mismatch"):
        table.add_column(column)
    rows = (
        [(pact.pact.label, result) for pact in outcome.pacts for result in pact.results]
        if outcome.pacts
        else [(result.consumer, result) for result in outcome.interactions]
    )
    for label, result in rows:
        table.add_row(
            escape(label),
            escape(result.description),
            "[green]passed[/]" if result.passed else "[red]failed[/]",
            "no (pending)" if result.pending and not result.passed else "yes",
            escape(result.mismatch),
        )
    return table


def pact_lines(outcome: VerificationOutcome) -> list[tuple[str, str]]:
    """Say, pact by pact, what passed and what failed.

    Args:
        outcome:
            The verification outcome.

    Returns:
        (kind, text) pairs: kind is "success", "error" or "warn" (a pending pact's failure).
    """
    lines = []
    for pact in outcome.pacts:
        total = len(pact.results)
        if pact.passed:
            lines.append(("success", f"{pact.pact.label}: passed ({total}/{total} interactions)"))
        elif pact.pact.pending:
            lines.append(
                (
                    "warn",
                    f"{pact.pact.label} (pending): failed {pact.failed} of {total} interactions; "
                    "pending, so it does not fail the build",
                )
            )
        else:
            lines.append(
                ("error", f"{pact.pact.label}: failed {pact.failed} of {total} interactions")
            )
    return lines


def verdict(provider: str, version: str, outcome: VerificationOutcome) -> str:
    """The closing line of `provider` `version`'s verification when it did not fail the build.

    E.g. "ProductService 1a2b honours 1 of 2 pact(s) (1 pending pact(s) failed: they do not
    fail the build)".
    """
    pacts = outcome.pacts
    if not pacts:
        pending = sum(not result.passed for result in outcome.interactions)
        suffix = f" ({pending} pending interaction(s) failed)" if pending else ""
        return f"{provider} {version} passed verification{suffix}"
    honoured = sum(pact.passed for pact in pacts)
    pending_failed = len(pacts) - honoured
    suffix = (
        f" ({pending_failed} pending pact(s) failed: they do not fail the build)"
        if pending_failed
        else ""
    )
    return f"{provider} {version} honours {honoured} of {len(pacts)} pact(s){suffix}"


def failure_message(provider: str, version: str, outcome: VerificationOutcome) -> str:
    """Summarise `provider` `version`'s failed verification in one line.

    E.g. "verification of ProductService 1a2b failed: 2 of 6 interactions (first: get all
    products: $[0] Actual map is missing the following keys: name)".
    """
    failures = outcome.failures
    if not failures:
        return f"verification of {provider} {version} failed — see the verifier's report above"
    first = failures[0]
    return (
        f"verification of {provider} {version} failed: {len(failures)} of "
        f"{len(outcome.interactions)} interactions (first: {first.description}: "
        f"{first.mismatch or 'see the report above'})"
    )
