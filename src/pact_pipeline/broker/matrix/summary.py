"""The can-i-deploy answer: deployable (yes, no or unknown) and why, from the rows, the
selectors and the integrations the query covers.

The reasons' texts stay with the rules, unlike the wording of pacts for verification: each
reason is a code with its sentence, the sentences are the API's ``summary.reason`` word for
word (clients match on them), and the answer itself is built from them (a reason said twice
is said once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pact_pipeline.broker.matrix.rows import Row
from pact_pipeline.broker.matrix.selectors import ResolvedSelector

NO_ENVIRONMENT_WARNING = (
    "WARN: It is recommended to specify the environment into which you are deploying. "
    "Without the environment, this result will not be reliable."
)
NO_VERSION_WARNING = (
    "WARN: It is recommended to specify the version number (rather than the tag or branch) of "
    "the pacticipant you wish to deploy to avoid race conditions. Without a version number, "
    "this result will not be reliable."
)


class ReasonCode(StrEnum):
    """Machine-readable reasons, one per kind of matrix outcome."""

    SUCCESS = "SUCCESS"
    NO_DEPENDENCIES = "NO_DEPENDENCIES"
    VERIFICATION_FAILED = "VERIFICATION_FAILED"
    NOT_VERIFIED = "NOT_VERIFIED"
    MISSING_VERSION = "MISSING_VERSION"
    NO_ROW_FOR_REQUIRED_INTEGRATION = "NO_ROW_FOR_REQUIRED_INTEGRATION"
    IGNORED = "IGNORED"


@dataclass(frozen=True)
class Integration:
    """A consumer/provider pair the query covers; ``required`` if its absence blocks."""

    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str
    required: bool


@dataclass(frozen=True)
class Reason:
    """One line of the answer's reason, with its machine-readable code and notice level."""

    code: ReasonCode
    text: str
    level: Literal["success", "error", "warning", "info"]


@dataclass
class DeploymentStatus:
    """The answer: ``deployable`` is True, False or None (unknown), with its reasons."""

    deployable: bool | None
    reasons: list[Reason]
    success: int
    failed: int
    unknown: int
    ignored: int
    rows: list[Row] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        """The reasons joined by newlines, as the ``summary.reason`` field."""
        return "\n".join(r.text for r in self.reasons)


def _describe(
    selectors: Sequence[ResolvedSelector], pacticipant_id: int, name: str, number: str | None
) -> str:
    """The description of the selector that brought a pacticipant (version) into the answer.

    Mirrors ``DeploymentStatusSummary#selector_for``: the pacticipant's only selector if it has
    exactly one, else the one resolved to that version number, else a description of the
    version itself ("any version of X" when there is none).
    """
    found = [s for s in selectors if s.pacticipant_id == pacticipant_id]
    if len(found) == 1:
        return found[0].description()
    if number is not None:
        match = next((s for s in found if s.version_number == number), None)
        return match.description() if match is not None else f"version {number} of {name}"
    return f"any version of {name}"


def _row_pair(row: Row, selectors: Sequence[ResolvedSelector]) -> tuple[str, str]:
    pub = row.publication
    consumer = _describe(selectors, pub.consumer_id, pub.consumer_name, pub.consumer_version_number)
    provider = _describe(selectors, pub.provider_id, pub.provider_name, row.provider_version_number)
    return consumer, provider


def _unique(reasons: Iterable[Reason]) -> list[Reason]:
    result: list[Reason] = []
    for reason in reasons:
        if reason.text not in (r.text for r in result):
            result.append(reason)
    return result


def summarize(
    rows: Sequence[Row],
    selectors: Sequence[ResolvedSelector],
    integrations: Sequence[Integration],
    *,
    warnings: Sequence[str] = (),
) -> DeploymentStatus:
    """Decide deployability (§4.5 of the reference) and explain it.

    In order: a considered specified selector without a version makes the answer ``False``;
    else an unverified considered row, or a required integration without any row, makes it
    ``None`` (unknown wins over a failure elsewhere); else it is ``True`` iff every considered
    row succeeded (vacuously so without rows).

    Args:
        rows: The rows after ``latestby``, ``success[]`` and :func:`mark_ignored`.
        selectors: Every resolved selector, specified and inferred.
        integrations: The integrations the query covers.
        warnings: WARN lines (from :func:`selector_warnings`) to put before the reasons.

    Returns:
        The decision, its reasons and the row counts.
    """
    considered = [row for row in rows if not row.ignored]
    missing = [s for s in selectors if s.specified and s.missing and not s.ignore]
    unknown_rows = [row for row in considered if row.success is None]
    failed_rows = [row for row in considered if row.success is False]
    # Ignored rows still count as rows of their integration: ignoring Bar must not turn
    # "Bar's row failed" into "there is no row for Bar".
    covered = {(r.publication.consumer_id, r.publication.provider_id) for r in rows}
    missing_integrations = [
        i for i in integrations if i.required and (i.consumer_id, i.provider_id) not in covered
    ]

    deployable: bool | None
    if missing:
        deployable = False
    elif unknown_rows or missing_integrations:
        deployable = None
    else:
        deployable = not failed_rows

    if missing:
        # A version that does not exist makes every other reason moot; the broker says only that.
        errors = [Reason(ReasonCode.MISSING_VERSION, s.missing_reason(), "error") for s in missing]
    else:
        errors = _error_reasons(selectors, missing_integrations, failed_rows, unknown_rows)
    warning_reasons = [Reason(ReasonCode.IGNORED, text, "warning") for text in warnings]
    return DeploymentStatus(
        deployable=deployable,
        reasons=[*warning_reasons, *_outcome(errors, considered)],
        success=sum(1 for r in considered if r.success is True),
        failed=len(failed_rows),
        unknown=len(unknown_rows) + len(missing_integrations),
        ignored=sum(1 for row in rows if row.ignored),
        rows=list(rows),
    )


def _error_reasons(
    selectors: Sequence[ResolvedSelector],
    missing_integrations: Sequence[Integration],
    failed_rows: Sequence[Row],
    unknown_rows: Sequence[Row],
) -> list[Reason]:
    """Why the answer is not yes: integrations without rows, failed and unverified rows."""
    errors: list[Reason] = []
    for integration in missing_integrations:
        consumer = _describe(selectors, integration.consumer_id, integration.consumer_name, None)
        provider = _describe(selectors, integration.provider_id, integration.provider_name, None)
        text = f"There is no verified pact between {consumer} and {provider}"
        errors.append(Reason(ReasonCode.NO_ROW_FOR_REQUIRED_INTEGRATION, text, "error"))
    for row in failed_rows:
        consumer, provider = _row_pair(row, selectors)
        errors.append(
            Reason(ReasonCode.VERIFICATION_FAILED, _failure(row, consumer, provider), "error")
        )
    for row in unknown_rows:
        consumer, provider = _row_pair(row, selectors)
        text = f"There is no verified pact between {consumer} and {provider}"
        errors.append(Reason(ReasonCode.NOT_VERIFIED, text, "error"))
    return errors


def _failure(row: Row, consumer: str, provider: str) -> str:
    """Why a row failed: PactFlow's sentence for a comparison with a provider contract (with
    what was wrong, so a consumer sees which field the contract lacks), the Pact Broker's for
    a verification."""
    verification = row.verification
    if verification is not None and verification.kind == "BDCT":
        text = (
            f"The cross contract verification between the pact for {consumer} "
            f"and the oas for {provider} failed"
        )
        return f"{text}: {verification.detail}" if verification.detail else text
    return f"The verification for the pact between {consumer} and {provider} failed"


def _outcome(errors: Sequence[Reason], considered: Sequence[Row]) -> list[Reason]:
    if errors:
        return _unique(errors)
    if considered:
        text = "All required verification results are published and successful"
        return [Reason(ReasonCode.SUCCESS, text, "success")]
    text = "There are no missing dependencies"
    return [Reason(ReasonCode.NO_DEPENDENCIES, text, "success")]


def selector_warnings(
    selectors: Sequence[ResolvedSelector],
    *,
    has_target: bool,
    unknown_ignores: Sequence[str],
) -> list[str]:
    """The WARN lines the Ruby broker puts before the reasons.

    Args:
        selectors: The resolved selectors; only the specified ones are looked at.
        has_target: True when the query names a target: ``tag`` (``--to``), ``environment``
            or ``mainBranch``. The ``latest`` option alone is not a target.
        unknown_ignores: Descriptions of ignore selectors naming an unknown pacticipant or
            version, e.g. "version 2 of Foo (no such version exists)".

    Returns:
        "Cannot ignore" warnings, then the environment warning (exactly one specified
        resolved selector and no target), then the version warning (some specified selector
        is more than a pacticipant name, and none names a version number).
    """
    warnings = [f"WARN: Cannot ignore {text}" for text in unknown_ignores]
    specified = [s for s in selectors if s.specified]
    if len(specified) == 1 and not has_target:
        warnings.append(NO_ENVIRONMENT_WARNING)
    # A query of pacticipant names only is a matrix UI query, not a can-i-deploy one.
    if any(not s.only_pacticipant for s in specified) and all(
        s.requested_version is None for s in specified
    ):
        warnings.append(NO_VERSION_WARNING)
    return warnings
