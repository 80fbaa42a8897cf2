"""Matrix selectors resolved to versions, and how the answer's reasons describe them."""

from __future__ import annotations

from dataclasses import dataclass


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
