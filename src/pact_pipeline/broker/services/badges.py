"""Badges: what the Ruby broker's badge resources decide, each in one read transaction.

A badge never fails for want of data: an unknown pact, pacticipant, branch, version or
environment gets a grey badge saying so (a README shows it instead of a broken image).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from pact_pipeline.broker import badges
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import PactPublication, Verification
from pact_pipeline.broker.repository import badges as badge_repo
from pact_pipeline.broker.services import matrix as matrix_svc
from pact_pipeline.broker.services.matrix import MatrixQuery, SelectorInput


def _outcome(verification: Verification | None) -> badges.VerificationOutcome | None:
    if verification is None:
        return None
    return badges.VerificationOutcome(
        pact_version_id=verification.pact_version_id,
        success=verification.success,
        pact_pending=verification.pact_pending,
    )


def _comment(
    consumer_name: str,
    provider_name: str,
    pact: PactPublication | None,
    verification: Verification | None,
) -> str:
    """The versions the badge was decided from, as the Ruby broker notes them."""
    consumer_version = pact.consumer_version.number if pact else "?"
    revision = str(pact.revision_number) if pact else "?"
    provider_version = verification.provider_version.number if verification else "?"
    number = str(verification.number) if verification else "?"
    return (
        f"{consumer_name} version {consumer_version} revision {revision} "
        f"{provider_name} version {provider_version} number {number}"
    )


def _pact_badge(
    consumer_name: str,
    provider_name: str,
    pact: PactPublication | None,
    verification: Verification | None,
    request: badges.PactBadgeRequest,
) -> badges.Badge:
    comment = _comment(consumer_name, provider_name, pact, verification)
    if pact is None:
        return dataclasses.replace(badges.PACT_NOT_FOUND, comment=comment)
    status = badges.pseudo_branch_status(pact.pact_version_id, _outcome(verification))
    return badges.pact_badge(
        pact.consumer.name, pact.provider.name, status, request, comment=comment
    )


def _latest_pact(
    session: Session,
    consumer_name: str,
    provider_name: str,
    *,
    tag: str | None = None,
    untagged: bool = False,
) -> PactPublication | None:
    consumer = repo.find_pacticipant(session, consumer_name)
    provider = repo.find_pacticipant(session, provider_name)
    if consumer is None or provider is None:
        return None
    return repo.latest_publication(session, consumer, provider, tag=tag, untagged=untagged)


def pact_badge(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    request: badges.PactBadgeRequest,
    tag: str | None = None,
    untagged: bool = False,
) -> badges.Badge:
    """The verification status of the integration's latest pact (with ``tag``, or untagged):
    decided by the latest verification of the newest such pact that was ever verified."""
    with db.read() as session:
        pact = _latest_pact(session, consumer_name, provider_name, tag=tag, untagged=untagged)
        verification = None
        if pact is not None:
            verification = badge_repo.latest_verification_of_integration(
                session, pact.consumer_id, pact.provider_id, tag=tag, untagged=untagged
            )
        return _pact_badge(consumer_name, provider_name, pact, verification, request)


def matrix_badge(
    db: Database,
    *,
    provider_name: str,
    provider_tag: str,
    consumer_name: str,
    consumer_tag: str,
    request: badges.PactBadgeRequest,
) -> badges.Badge:
    """The status of the latest pact of the consumer version tagged ``consumer_tag`` as
    verified by the provider versions tagged ``provider_tag``; the tags follow the names."""
    titled = badges.PactBadgeRequest(
        label=request.label,
        initials=request.initials,
        consumer_tag=consumer_tag,
        provider_tag=provider_tag,
    )
    with db.read() as session:
        pact = _latest_pact(session, consumer_name, provider_name, tag=consumer_tag)
        verification = None
        if pact is not None:
            verification = badge_repo.latest_verification_for_tags(
                session, pact.consumer_id, pact.provider_id, consumer_tag, provider_tag
            )
        return _pact_badge(consumer_name, provider_name, pact, verification, titled)


def _deployable(session: Session, query: MatrixQuery) -> bool | None:
    """The can-i-deploy answer to ``query``, as ``GET /can-i-deploy`` gives it."""
    matrix_svc.validate(session, query)
    return matrix_svc.evaluate(session, query).status.deployable


def can_i_deploy_branch_to_environment_badge(
    db: Database,
    *,
    pacticipant_name: str,
    branch: str,
    environment: str,
    label: str | None,
) -> badges.Badge:
    """Whether the branch's latest version can be deployed to the environment: the answer of
    ``/can-i-deploy?pacticipant=P&version=<branch head>&environment=E`` (``latestby=cvpv``)."""
    with db.read() as session:
        pacticipant = repo.find_pacticipant(session, pacticipant_name)
        if pacticipant is None:
            return badges.not_found_badge("pacticipant")
        version = repo.branch_head(session, pacticipant, branch)
        if version is None:
            known_branch = repo.find_branch(session, pacticipant, branch) is not None
            return badges.not_found_badge("version" if known_branch else "branch")
        target = repo.find_environment_by_name(session, environment)
        if target is None:
            return badges.not_found_badge("environment")
        query = MatrixQuery(
            selectors=(SelectorInput(pacticipant=pacticipant.name, version=version.number),),
            latest_by="cvpv",
            environment=target.name,
        )
        return badges.can_i_deploy_badge(branch, environment, label, _deployable(session, query))


def can_i_deploy_tag_to_tag_badge(
    db: Database,
    *,
    pacticipant_name: str,
    tag: str,
    to: str,
    label: str | None,
) -> badges.Badge:
    """Whether the latest version with ``tag`` can be deployed to the versions tagged ``to``:
    the answer of ``/can-i-deploy?pacticipant=P&version=<latest with tag>&to=TO``
    (``latestby=cvp``)."""
    with db.read() as session:
        pacticipant = repo.find_pacticipant(session, pacticipant_name)
        if pacticipant is None:
            return badges.not_found_badge("pacticipant")
        version = repo.latest_version(session, pacticipant, tag=tag)
        if version is None:
            return badges.not_found_badge("version")
        query = MatrixQuery(
            selectors=(SelectorInput(pacticipant=pacticipant.name, version=version.number),),
            latest_by="cvp",
            latest=True,
            tag=to,
        )
        return badges.can_i_deploy_badge(tag, to, label, _deployable(session, query))
