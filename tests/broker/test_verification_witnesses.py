"""Witnesses (``repository.verification_witnesses``) give the pending and WIP rules the answers
every successful verification would give, however many verifications a content has.

Random histories on a real database: for each content and each question the rules can ask, the
answer from one witness per question equals the answer from all the provider's successful
verifications; and a content verified thousands of times yields one fact per question.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from pact_pipeline.broker import migrate
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    PactVersion,
    Tag,
    Verification,
    Version,
)
from pact_pipeline.broker.selection import (
    ProviderFacts,
    VerificationFact,
    VerifiedOn,
    answer,
    questions,
)
from pact_pipeline.broker.testing import reset_database
from tests.broker.broker_support import database_url

START = datetime(2026, 1, 1, tzinfo=UTC)
LABELS = ("main", "feat-a", "feat-b")


def at(day: float) -> datetime:
    return START + timedelta(days=day)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(database_url(tmp_path))
    migrate.upgrade(database.engine)
    reset_database(database)  # a shared PostgreSQL database starts every test empty
    yield database
    database.dispose()


def _history(
    session: Session, rng: random.Random, contents: int, builds: int
) -> tuple[int, list[int]]:
    """A provider with branches created at different times, versions on zero to two branches
    with zero to two tags, and verifications (success or not, WIP or not) of a few contents."""
    consumer, provider = Pacticipant(name="Consumer"), Pacticipant(name="Provider")
    session.add_all([consumer, provider])
    session.flush()
    branches = {}
    for index, name in enumerate(LABELS):
        branches[name] = Branch(pacticipant_id=provider.id, name=name, created_at=at(index * 20))
    session.add_all(branches.values())
    pact_versions = [
        PactVersion(consumer_id=consumer.id, provider_id=provider.id, sha=f"sha{i}", content="{}")
        for i in range(contents)
    ]
    session.add_all(pact_versions)
    session.flush()
    numbers = dict.fromkeys(range(contents), 0)
    for build in range(builds):
        when = at(rng.uniform(0, 60))
        version = Version(pacticipant_id=provider.id, number=f"v{build}", created_at=when)
        session.add(version)
        session.flush()
        for name in rng.sample(LABELS, rng.choice((0, 1, 1, 2))):
            session.add(BranchVersion(branch_id=branches[name].id, version_id=version.id))
        for name in rng.sample(LABELS, rng.choice((0, 0, 1, 2))):
            session.add(Tag(version_id=version.id, pacticipant_id=provider.id, name=name))
        content = rng.randrange(contents)
        numbers[content] += 1
        session.add(
            Verification(
                number=numbers[content],
                pact_version_id=pact_versions[content].id,
                provider_version_id=version.id,
                consumer_id=consumer.id,
                provider_id=provider.id,
                success=rng.random() < 0.7,
                wip=rng.random() < 0.3,
                created_at=when,
            )
        )
    session.flush()
    return provider.id, [pv.id for pv in pact_versions]


def _facts(session: Session, rows: list[tuple[int, int, datetime, bool]]) -> ProviderFacts:
    branches, tags = repo.branch_and_tag_names(session, (row[1] for row in rows))
    successes: dict[int, list[VerificationFact]] = {}
    for pact_version_id, version_id, created_at, wip in rows:
        successes.setdefault(pact_version_id, []).append(
            VerificationFact(
                pact_version_id,
                created_at,
                frozenset(branches.get(version_id, ())),
                frozenset(tags.get(version_id, ())),
                wip,
            )
        )
    return ProviderFacts(name="Provider", successes=successes)


def _every_question() -> list[VerifiedOn]:
    asked = [VerifiedOn(None)]
    for kind in ("branch", "tag"):
        for label in (*LABELS, "never-created"):
            for started in (None, at(10), at(30), at(55)):
                for include_wip in (True, False):
                    for since in (None, at(25), at(50)):
                        asked.append(VerifiedOn(kind, label, include_wip, since, started))
    return asked


@pytest.mark.parametrize("seed", range(6))
def test_one_witness_per_question_answers_as_every_verification_would(
    db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    with db.write() as session:
        provider_id, contents = _history(session, rng, contents=4, builds=120)
        everything = _facts(
            session, repo.successful_verification_rows(session, provider_id, contents)
        )
        compared = 0
        for question in _every_question():
            found = repo.verification_witnesses(session, provider_id, contents, question)
            witnessed = _facts(session, repo.witness_rows(session, found.values()))
            for content in contents:
                assert answer(witnessed, content, question) == answer(
                    everything, content, question
                ), (content, question)
                compared += 1
        assert compared == 4 * len(_every_question())


def test_the_questions_of_a_request_are_the_ones_the_rules_ask() -> None:
    created = {"feat": at(30)}
    first_used = {"prod": at(5)}
    cutoff = at(40)
    assert questions(
        provider_branch="feat",
        provider_tags=["prod"],
        branch_created_at=created,
        tag_first_used_at=first_used,
        wip_cutoff=cutoff,
    ) == [
        VerifiedOn("branch", "feat", started=at(30)),
        VerifiedOn("branch", "feat", include_wip=False, since=cutoff, started=at(30)),
    ]
    assert questions(
        provider_branch=None,
        provider_tags=["prod", "test"],
        branch_created_at=created,
        tag_first_used_at=first_used,
        wip_cutoff=None,
    ) == [VerifiedOn("tag", "prod", started=at(5)), VerifiedOn("tag", "test")]
    assert questions(
        provider_branch=None,
        provider_tags=[],
        branch_created_at={},
        tag_first_used_at={},
        wip_cutoff=cutoff,
    ) == [VerifiedOn(None)]


def test_a_content_verified_thousands_of_times_gives_one_fact_per_question(
    db: Database,
) -> None:
    """``pact_broker#487``: every provider build verifies the same content."""
    with db.write() as session:
        consumer, provider = Pacticipant(name="Consumer"), Pacticipant(name="Provider")
        session.add_all([consumer, provider])
        session.flush()
        main = Branch(pacticipant_id=provider.id, name="main", created_at=at(0))
        content = PactVersion(
            consumer_id=consumer.id, provider_id=provider.id, sha="same", content="{}"
        )
        session.add_all([main, content])
        session.flush()
        versions = [
            Version(pacticipant_id=provider.id, number=f"v{i}", created_at=at(i / 100))
            for i in range(3_000)
        ]
        session.add_all(versions)
        session.flush()
        session.add_all(BranchVersion(branch_id=main.id, version_id=v.id) for v in versions)
        session.add_all(
            Verification(
                number=i + 1,
                pact_version_id=content.id,
                provider_version_id=v.id,
                consumer_id=consumer.id,
                provider_id=provider.id,
                success=True,
                created_at=v.created_at,
            )
            for i, v in enumerate(versions)
        )
        session.flush()
        asked = questions(
            provider_branch="feat-new",
            provider_tags=[],
            branch_created_at={},
            tag_first_used_at={},
            wip_cutoff=at(25),
        ) + questions(
            provider_branch="main",
            provider_tags=[],
            branch_created_at={"main": at(0)},
            tag_first_used_at={},
            wip_cutoff=at(25),
        )
        witnesses = {
            q: repo.verification_witnesses(session, provider.id, [content.id], q) for q in asked
        }
        assert all(len(found) == 1 for found in witnesses.values()), witnesses
        rows = repo.witness_rows(
            session, {v for found in witnesses.values() for v in found.values()}
        )
        assert len(rows) <= len(asked)
        facts = _facts(session, rows)
        for question in asked:
            assert answer(facts, content.id, question)
