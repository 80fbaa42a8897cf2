"""The can-i-deploy decision, as pure functions over resolved selectors and matrix rows.

The repository resolves selectors to versions and loads pact publications and verifications;
everything that decides *what the answer is and why* lives here, free of the database, so that
every rule of the Ruby broker's matrix (see ``reference/broker-api.md`` §4) has a unit test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

LatestBy = Literal["cvpv", "cvp", "cp"]


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
    several deployed versions) is resolved into one ``ResolvedSelector`` per version. One that
    matches none keeps ``version_id=None`` with ``missing=True``: the "non-existing version"
    marker that makes a specified selector non-deployable.
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
        """Whether a version is selected by this selector."""
        if pacticipant_id != self.pacticipant_id:
            return False
        if self.only_pacticipant:
            return True
        return version_id is not None and version_id == self.version_id

    def description(self) -> str:
        """Describe the selector the way the Ruby broker's reasons do."""
        name = self.pacticipant_name
        number = f" ({self.version_number})" if self.version_number else ""
        if self.requested_version is not None:
            return f"version {self.requested_version} of {name}"
        if self.environment is not None:
            if self.missing:
                return (
                    f"a version of {name} currently in {self.environment} (no version is "
                    "currently recorded as deployed/released in this environment)"
                )
            return f"version {self.version_number} of {name} currently in {self.environment}"
        if self.main_branch:
            if self.missing:
                return f"the latest version of {name} from the main branch (no such version exists)"
            return f"the latest version of {name} from the main branch{number}"
        if self.branch is not None:
            prefix = "the latest version" if self.latest else "a version"
            if self.missing:
                return f"{prefix} of {name} from branch {self.branch} (no such version exists)"
            return f"{prefix} of {name} from branch {self.branch}{number}"
        if self.tag is not None:
            prefix = "the latest version" if self.latest else "a version"
            if self.missing:
                return f"{prefix} of {name} with tag {self.tag} (no such version exists)"
            return f"{prefix} of {name} with tag {self.tag}{number}"
        if self.latest:
            if self.missing:
                return f"the latest version of {name} (no such version exists)"
            return f"the latest version of {name}{number}"
        return f"any version of {name}"

    def missing_reason(self) -> str:
        """Why a specified selector that matched nothing cannot be deployed."""
        name = self.pacticipant_name
        if self.requested_version is not None:
            return f"No pacts or verifications have been published for version {self.requested_version} of {name}"
        if self.environment is not None:
            return f"No version of {name} is currently recorded as deployed or released in environment {self.environment}"
        if self.main_branch:
            return f"No version of {name} from the main branch exists"
        if self.branch is not None:
            return f"No version of {name} from branch {self.branch} exists"
        if self.tag is not None:
            return f"No version with tag {self.tag} exists for {name}"
        return f"No version of {name} exists"


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
        return None if self.verification is None else self.verification.success

    @property
    def provider_version_id(self) -> int | None:
        return None if self.verification is None else self.verification.provider_version_id


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
        return "\n".join(r.text for r in self.reasons)


def build_rows(
    selectors: Sequence[ResolvedSelector],
    publications: Iterable[Publication],
    verifications: Iterable[VerificationRef],
) -> list[Row]:
    """Join publications to verifications following the broker's row rules.

    With one selector: rows whose consumer version it selects (with every verification of
    them), plus rows whose verification's provider version it selects. With several: rows whose
    consumer version is selected and whose provider is among the selectors' pacticipants, joined
    to verifications by selected provider versions; kept when the consumer or the provider is a
    specified pacticipant.
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

    if len({s.pacticipant_id for s in selectors}) <= 1 and len(selectors) >= 1:
        for pub in pubs:
            consumer_selected = selects(pub.consumer_id, pub.consumer_version_id)
            verifs = by_pact_version.get(pub.pact_version_id, [])
            if consumer_selected:
                for verification in verifs:
                    add(pub, verification)
                if not verifs:
                    add(pub, None)
            else:
                for verification in verifs:
                    if pub.provider_id in {s.pacticipant_id for s in selectors} and selects(
                        pub.provider_id, verification.provider_version_id
                    ):
                        add(pub, verification)
        return rows

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
    return rows


def _row_order(row: Row) -> tuple[int, int]:
    return (row.publication.consumer_version_id, row.provider_version_id or -1)


def apply_latest_by(rows: Sequence[Row], latest_by: LatestBy | None) -> list[Row]:
    """Keep, per group, the row with the newest provider version (newest consumer for ``cp``)."""
    if latest_by is None:
        return list(rows)
    groups: dict[tuple[object, ...], Row] = {}
    for row in rows:
        pub = row.publication
        key: tuple[object, ...]
        if latest_by == "cvpv":
            key = (
                pub.consumer_id,
                pub.consumer_version_id,
                pub.provider_id,
                row.provider_version_id,
            )
        elif latest_by == "cvp":
            key = (pub.consumer_id, pub.consumer_version_id, pub.provider_id)
        else:
            key = (pub.consumer_id, pub.provider_id)
        current = groups.get(key)
        if current is None or _row_order(row) > _row_order(current):
            groups[key] = row
    return sorted(groups.values(), key=_row_order, reverse=True)


def filter_success(rows: Sequence[Row], success: Sequence[bool | None] | None) -> list[Row]:
    """Keep rows whose verification outcome is one of ``success`` (no filter when None)."""
    if not success:
        return list(rows)
    return [row for row in rows if row.success in success]


def mark_ignored(rows: Sequence[Row], ignores: Sequence[ResolvedSelector]) -> list[Row]:
    """Flag rows whose consumer or provider version an ignore selector matches."""
    if not ignores:
        return list(rows)

    def ignored(row: Row) -> bool:
        pub = row.publication
        return any(
            s.matches(pub.consumer_id, pub.consumer_version_id)
            or (
                s.matches(pub.provider_id, row.provider_version_id)
                if row.verification is not None
                else s.pacticipant_id == pub.provider_id and s.only_pacticipant
            )
            for s in ignores
        )

    return [replace(row, ignored=ignored(row)) for row in rows]


def _row_pair(row: Row, selectors: Sequence[ResolvedSelector]) -> tuple[str, str]:
    pub = row.publication
    consumer = next(
        (s for s in selectors if s.matches(pub.consumer_id, pub.consumer_version_id)), None
    )
    provider = next(
        (
            s
            for s in selectors
            if s.pacticipant_id == pub.provider_id
            and (row.verification is None or s.matches(pub.provider_id, row.provider_version_id))
        ),
        None,
    )
    consumer_text = (
        consumer.description()
        if consumer is not None and consumer.version_number == pub.consumer_version_number
        else f"version {pub.consumer_version_number} of {pub.consumer_name}"
    )
    if row.verification is not None:
        provider_text = f"version {row.verification.provider_version_number} of {pub.provider_name}"
        if (
            provider is not None
            and provider.version_number == row.verification.provider_version_number
        ):
            provider_text = provider.description()
    elif provider is not None and not provider.only_pacticipant:
        provider_text = provider.description()
    else:
        provider_text = f"{pub.provider_name}"
    return consumer_text, provider_text


def summarize(
    rows: Sequence[Row],
    selectors: Sequence[ResolvedSelector],
    integrations: Sequence[Integration],
    *,
    ignore_selectors: Sequence[ResolvedSelector] = (),
    warnings: Sequence[str] = (),
) -> DeploymentStatus:
    """Decide deployability (§4.5 of the reference): missing → no, unknown → null, else all pass."""
    considered = [row for row in rows if not row.ignored]
    ignored = [row for row in rows if row.ignored]
    errors: list[Reason] = []
    successes: list[Reason] = []

    missing = [s for s in selectors if s.specified and s.missing and not s.ignore]
    for selector in missing:
        errors.append(Reason(ReasonCode.MISSING_VERSION, selector.missing_reason(), "error"))

    unknown_rows = [row for row in considered if row.success is None]
    failed_rows = [row for row in considered if row.success is False]
    for row in unknown_rows:
        consumer_text, provider_text = _row_pair(row, selectors)
        errors.append(
            Reason(
                ReasonCode.NOT_VERIFIED,
                f"There is no verified pact between {consumer_text} and {provider_text}",
                "error",
            )
        )
    covered = {(r.publication.consumer_id, r.publication.provider_id) for r in rows}
    missing_integrations = [
        i for i in integrations if i.required and (i.consumer_id, i.provider_id) not in covered
    ]
    for integration in missing_integrations:
        consumer_sel = next(
            (s for s in selectors if s.pacticipant_id == integration.consumer_id), None
        )
        provider_sel = next(
            (s for s in selectors if s.pacticipant_id == integration.provider_id), None
        )
        consumer_text = consumer_sel.description() if consumer_sel else integration.consumer_name
        provider_text = provider_sel.description() if provider_sel else integration.provider_name
        errors.append(
            Reason(
                ReasonCode.NO_ROW_FOR_REQUIRED_INTEGRATION,
                f"There is no verified pact between {consumer_text} and {provider_text}",
                "error",
            )
        )
    for row in failed_rows:
        consumer_text, provider_text = _row_pair(row, selectors)
        errors.append(
            Reason(
                ReasonCode.VERIFICATION_FAILED,
                f"The verification for the pact between {consumer_text} and {provider_text} failed",
                "error",
            )
        )

    deployable: bool | None
    if missing:
        deployable = False
    elif unknown_rows or missing_integrations:
        deployable = None
    else:
        deployable = not failed_rows

    if deployable:
        if considered:
            successes.append(
                Reason(
                    ReasonCode.SUCCESS,
                    "All required verification results are published and successful",
                    "success",
                )
            )
        else:
            successes.append(
                Reason(ReasonCode.NO_DEPENDENCIES, "There are no missing dependencies", "success")
            )

    warning_reasons = [Reason(ReasonCode.IGNORED, text, "warning") for text in warnings]
    return DeploymentStatus(
        deployable=deployable,
        reasons=[*warning_reasons, *(errors if errors else successes)],
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
    ignore_selectors: Sequence[ResolvedSelector],
    unknown_ignores: Sequence[str],
) -> list[str]:
    """The WARN lines the Ruby broker adds to the reason."""
    warnings: list[str] = []
    specified = [s for s in selectors if s.specified]
    pacticipants = {s.pacticipant_id for s in specified}
    if len(pacticipants) == 1 and not has_target:
        warnings.append(
            "WARN: It is recommended to specify the environment into which you are deploying. "
            "Without the environment, the deployment will be checked against every version."
        )
    if (
        specified
        and all(s.requested_version is None for s in specified)
        and not any(
            s.latest or s.tag or s.branch or s.main_branch or s.environment for s in specified
        )
    ):
        warnings.append(
            "WARN: It is recommended to specify the version number (rather than the latest "
            "tag or branch) of the pacticipant you wish to deploy to avoid race conditions."
        )
    warnings.extend(f"WARN: Cannot ignore {text}" for text in unknown_ignores)
    del ignore_selectors
    return warnings
