"""The can-i-deploy decision, as pure functions over resolved selectors and matrix rows.

The repository resolves selectors to versions and loads pact publications and verifications;
everything that decides *what the answer is and why* lives here, free of the database, so that
every rule of the Ruby broker's matrix (see ``reference/broker-api.md`` §4) has a unit test.

Version ids stand in for the broker's version ``order`` and creation dates: all pacticipants'
versions live in one table whose ids grow with creation, so a larger id is a newer version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

LatestBy = Literal["cvpv", "cvp", "cp"]

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
class ResolvedSelector:
    """A matrix selector resolved to (at most) one version.

    A selector that matches several versions (a tag without ``latest``, an environment with
    several deployed versions) is resolved into one ``ResolvedSelector`` per version, each with
    ``one_of_many=True``. One that matches none keeps ``version_id=None`` with ``missing=True``:
    the "non-existing version" marker that makes a specified selector non-deployable.

    Attributes:
        pacticipant_id: The pacticipant's id.
        pacticipant_name: The pacticipant's name, for descriptions.
        version_id: The resolved version, or None for "every version" and for missing ones.
        version_number: The resolved version's number.
        specified: True if the user asked for it, False if inferred from an integration.
        missing: True when the criteria matched no version.
        latest: The ``latest`` flag of the original selector.
        tag: The ``tag`` of the original selector.
        branch: The ``branch`` of the original selector (for ``mainBranch``, the name of the
            main branch when it is known).
        main_branch: The ``mainBranch`` flag of the original selector.
        environment: The ``environment`` of the original selector.
        requested_version: The version number the original selector asked for.
        ignore: True when an ignore selector matches this selector.
        one_of_many: True when the original selector resolved to several versions.
    """

    pacticipant_id: int
    pacticipant_name: str
    version_id: int | None = None
    version_number: str | None = None
    specified: bool = True
    missing: bool = False
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False
    environment: str | None = None
    requested_version: str | None = None
    ignore: bool = False
    one_of_many: bool = False

    @property
    def only_pacticipant(self) -> bool:
        """True when the selector names every version of the pacticipant."""
        return (
            self.version_id is None
            and not self.missing
            and self.requested_version is None
            and not (self.latest or self.tag or self.branch or self.main_branch)
            and self.environment is None
        )

    def matches(self, pacticipant_id: int, version_id: int | None) -> bool:
        """Whether a version is selected by this selector.

        Args:
            pacticipant_id: The pacticipant of the version.
            version_id: The version, or None for "no version" (an unverified row's provider).

        Returns:
            True for any version of the pacticipant when the selector names only the
            pacticipant, else True only for the resolved version.
        """
        if pacticipant_id != self.pacticipant_id:
            return False
        if self.only_pacticipant:
            return True
        return version_id is not None and version_id == self.version_id

    def description(self) -> str:
        """Describe the selector the way the Ruby broker's reasons do.

        The branches follow ``ResolvedSelector#description`` in the same order, because the
        first criterion that applies decides the wording.

        Returns:
            E.g. "version 1.2.3 of Foo" or "the latest version of Bar with tag prod (4.5.6)".
        """
        name = self.pacticipant_name
        # Like the broker, a missing version keeps the number the user asked for.
        number = self.requested_version if self.missing else self.version_number
        found = number is not None and not self.missing
        version = f"({number})"
        if self.latest and self.tag is not None:
            suffix = version if found else "(no such version exists)"
            return f"the latest version of {name} with tag {self.tag} {suffix}"
        if self.main_branch and not found:
            which = "the latest version" if self.latest else "any version"
            return f"{which} of {name} from the main branch (no versions exist for this branch)"
        if self.branch is not None or self.main_branch:
            # A main-branch selector reads like a branch selector once its version is found;
            # the branch name is only known if the resolver recorded it.
            where = f"branch {self.branch}" if self.branch is not None else "the main branch"
            if self.latest or self.main_branch:
                suffix = version if found else "(no such version exists)"
                return f"the latest version of {name} from {where} {suffix}"
            if found:
                prefix = "one of the versions" if self.one_of_many else "the version"
                return f"{prefix} of {name} from {where} {version}"
            return f"a version of {name} from {where} (no such version exists)"
        if self.latest:
            suffix = version if found else "(no such version exists)"
            return f"the latest version of {name} {suffix}"
        if self.tag is not None:
            suffix = version if found else "(no such version exists)"
            return f"a version of {name} with tag {self.tag} {suffix}"
        if self.environment is not None:
            if found:
                prefix = "one of the versions" if self.one_of_many else "the version"
                return f"{prefix} of {name} currently in {self.environment} {version}"
            return (
                f"a version of {name} currently in {self.environment} (no version is currently "
                "recorded as deployed/released in this environment)"
            )
        if number is not None and self.missing:
            return f"version {number} of {name} (no such version exists)"
        if number is not None:
            return f"version {number} of {name}"
        return f"any version of {name}"

    def missing_reason(self) -> str:
        """Why a specified selector that matched nothing cannot be deployed.

        Returns:
            The text of ``ResolvedSelector#version_does_not_exist_description``.
        """
        name = self.pacticipant_name
        if self.tag is not None:
            return f"No version with tag {self.tag} exists for {name}"
        if self.main_branch:
            return f"No version of {name} from the main branch exists"
        if self.branch is not None:
            return f"No version of {name} from branch {self.branch} exists"
        if self.environment is not None:
            return (
                f"No version of {name} is currently recorded as deployed or released in "
                f"environment {self.environment}"
            )
        if self.requested_version is not None:
            return (
                "No pacts or verifications have been published for version "
                f"{self.requested_version} of {name}"
            )
        return f"No pacts or verifications have been published for {name}"


@dataclass(frozen=True)
class Publication:
    """The current revision of a consumer version's pact with a provider."""

    id: int
    consumer_id: int
    consumer_name: str
    consumer_version_id: int
    consumer_version_number: str
    provider_id: int
    provider_name: str
    pact_version_id: int


@dataclass(frozen=True)
class VerificationRef:
    """The latest verification of a pact version by one provider version."""

    id: int
    pact_version_id: int
    provider_version_id: int
    provider_version_number: str
    success: bool


@dataclass(frozen=True)
class Row:
    """One line of the matrix: a pact and (maybe) its verification by a provider version."""

    publication: Publication
    verification: VerificationRef | None
    ignored: bool = False

    @property
    def success(self) -> bool | None:
        """The verification outcome, None when the pact has no (matching) verification."""
        return None if self.verification is None else self.verification.success

    @property
    def provider_version_id(self) -> int | None:
        """The verifying provider version, None when unverified."""
        return None if self.verification is None else self.verification.provider_version_id

    @property
    def provider_version_number(self) -> str | None:
        """The verifying provider version's number, None when unverified."""
        return None if self.verification is None else self.verification.provider_version_number


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


def _last_action_key(row: Row) -> tuple[int, int, int]:
    """Sort key of the broker's "order by last action date desc" (used reversed).

    The last action is the newer of the consumer and provider versions' creation; ties go to
    the newer publication, then the newer verification.
    """
    pub = row.publication
    provider_version = row.provider_version_id
    newest = max(pub.consumer_version_id, provider_version or pub.consumer_version_id)
    return (newest, pub.id, row.verification.id if row.verification is not None else -1)


def _in_last_action_order(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=_last_action_key, reverse=True)


def build_rows(
    selectors: Sequence[ResolvedSelector],
    publications: Iterable[Publication],
    verifications: Iterable[VerificationRef],
) -> list[Row]:
    """Join publications to verifications following the broker's row rules.

    With exactly one resolved selector: rows whose consumer version it selects (with every
    verification of them), plus rows whose verification's provider version it selects. With
    several: rows whose consumer version is selected and whose provider is among the selectors'
    pacticipants, joined to verifications by selected provider versions only (so a pact that
    no selected provider version verified still gives a row, unverified); kept when the
    consumer or the provider is a specified pacticipant.

    Args:
        selectors: Every resolved selector (specified and inferred).
        publications: Current pact revisions that may appear in rows.
        verifications: The latest verification per (pact content, provider version).

    Returns:
        The rows, most recent last action first.
    """
    by_pact_version: dict[int, list[VerificationRef]] = {}
    for verification in verifications:
        by_pact_version.setdefault(verification.pact_version_id, []).append(verification)
    pubs = list(publications)
    rows: list[Row] = []
    seen: set[tuple[int, int | None]] = set()

    def add(pub: Publication, verification: VerificationRef | None) -> None:
        key = (pub.id, None if verification is None else verification.id)
        if key not in seen:
            seen.add(key)
            rows.append(Row(pub, verification))

    def selects(pacticipant_id: int, version_id: int | None) -> bool:
        return any(s.matches(pacticipant_id, version_id) for s in selectors)

    # The broker switches on the number of *resolved* selectors, not of pacticipants: a tag
    # resolving to two versions of one pacticipant already uses the several-selector query.
    if len(selectors) == 1:
        (only,) = selectors
        for pub in pubs:
            verifs = by_pact_version.get(pub.pact_version_id, [])
            if only.matches(pub.consumer_id, pub.consumer_version_id):
                for verification in verifs:
                    add(pub, verification)
                if not verifs:
                    add(pub, None)
            else:
                for verification in verifs:
                    if only.matches(pub.provider_id, verification.provider_version_id):
                        add(pub, verification)
        return _in_last_action_order(rows)

    pacticipant_ids = {s.pacticipant_id for s in selectors}
    specified_ids = {s.pacticipant_id for s in selectors if s.specified}
    for pub in pubs:
        if pub.provider_id not in pacticipant_ids:
            continue
        if not selects(pub.consumer_id, pub.consumer_version_id):
            continue
        if pub.consumer_id not in specified_ids and pub.provider_id not in specified_ids:
            continue
        matching = [
            v
            for v in by_pact_version.get(pub.pact_version_id, [])
            if selects(pub.provider_id, v.provider_version_id)
        ]
        for verification in matching:
            add(pub, verification)
        if not matching:
            add(pub, None)
    return _in_last_action_order(rows)


def _latest_by_key(row: Row, latest_by: LatestBy) -> tuple[int | None, ...]:
    pub = row.publication
    if latest_by == "cvpv":
        return (pub.consumer_id, pub.consumer_version_id, pub.provider_id, row.provider_version_id)
    if latest_by == "cvp":
        return (pub.consumer_id, pub.consumer_version_id, pub.provider_id)
    return (pub.consumer_id, pub.provider_id)


def apply_latest_by(rows: Sequence[Row], latest_by: LatestBy | None) -> list[Row]:
    """Keep one row per ``latestby`` group, as the broker's post-filter does.

    Groups are (consumer, consumer version, provider, provider version) for ``cvpv``,
    (consumer, consumer version, provider) for ``cvp`` and (consumer, provider) for ``cp``.
    In each group the row with the newest provider version wins, except that a group whose
    first row (in last-action order) is unverified is kept as that row: the newest thing that
    happened to the group is a pact nobody has verified yet.

    Args:
        rows: Matrix rows, in any order.
        latest_by: The grouping, or None for no filtering.

    Returns:
        The kept rows, most recent last action first.
    """
    ordered = _in_last_action_order(rows)
    if latest_by is None:
        return ordered
    groups: dict[tuple[int | None, ...], list[Row]] = {}
    for row in ordered:
        groups.setdefault(_latest_by_key(row, latest_by), []).append(row)
    kept: list[Row] = []
    for group in groups.values():
        first = group[0]
        if first.verification is None:
            kept.append(first)
            continue
        # max() keeps the first of equal provider versions, i.e. the most recent row.
        kept.append(max(group, key=lambda r: r.provider_version_id or -1))
    return _in_last_action_order(kept)


def filter_success(rows: Sequence[Row], success: Sequence[bool | None] | None) -> list[Row]:
    """Keep rows whose verification outcome is one of ``success`` (``success[]`` query).

    Args:
        rows: Rows after ``latestby``; the filter must come after it, or a failed newest
            verification would let an older successful one through.
        success: Accepted outcomes (None for unverified rows); empty or None for no filter.

    Returns:
        The rows that pass the filter.
    """
    if not success:
        return list(rows)
    return [row for row in rows if row.success in success]


def mark_ignored(rows: Sequence[Row], ignores: Sequence[ResolvedSelector]) -> list[Row]:
    """Flag rows whose consumer or provider an ignore selector matches.

    An ignore selector naming only a pacticipant matches all its versions (and an unverified
    row's missing provider version); one with a version matches that exact version.

    Args:
        rows: The rows to flag.
        ignores: The resolved ignore selectors.

    Returns:
        Copies of the rows, with ``ignored`` set where an ignore selector matches.
    """
    if not ignores:
        return list(rows)

    def ignored(row: Row) -> bool:
        pub = row.publication
        return any(
            s.matches(pub.consumer_id, pub.consumer_version_id)
            or s.matches(pub.provider_id, row.provider_version_id)
            for s in ignores
        )

    return [replace(row, ignored=ignored(row)) for row in rows]


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
    ignored = [row for row in rows if row.ignored]
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

    errors: list[Reason] = []
    if missing:
        # A version that does not exist makes every other reason moot; the broker says only that.
        errors = [Reason(ReasonCode.MISSING_VERSION, s.missing_reason(), "error") for s in missing]
    else:
        for integration in missing_integrations:
            consumer = _describe(
                selectors, integration.consumer_id, integration.consumer_name, None
            )
            provider = _describe(
                selectors, integration.provider_id, integration.provider_name, None
            )
            text = f"There is no verified pact between {consumer} and {provider}"
            errors.append(Reason(ReasonCode.NO_ROW_FOR_REQUIRED_INTEGRATION, text, "error"))
        for row in failed_rows:
            consumer, provider = _row_pair(row, selectors)
            text = f"The verification for the pact between {consumer} and {provider} failed"
            errors.append(Reason(ReasonCode.VERIFICATION_FAILED, text, "error"))
        for row in unknown_rows:
            consumer, provider = _row_pair(row, selectors)
            text = f"There is no verified pact between {consumer} and {provider}"
            errors.append(Reason(ReasonCode.NOT_VERIFIED, text, "error"))

    outcome: list[Reason]
    if errors:
        outcome = _unique(errors)
    elif considered:
        text = "All required verification results are published and successful"
        outcome = [Reason(ReasonCode.SUCCESS, text, "success")]
    else:
        text = "There are no missing dependencies"
        outcome = [Reason(ReasonCode.NO_DEPENDENCIES, text, "success")]

    warning_reasons = [Reason(ReasonCode.IGNORED, text, "warning") for text in warnings]
    return DeploymentStatus(
        deployable=deployable,
        reasons=[*warning_reasons, *outcome],
        success=sum(1 for r in considered if r.success is True),
        failed=len(failed_rows),
        unknown=len(unknown_rows) + len(missing_integrations),
        ignored=len(ignored),
        rows=list(rows),
    )


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
