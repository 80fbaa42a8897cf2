"""The benchmark's seeder keeps the broker's invariants, and its scenarios run (tiny scale)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.__main__ import scales
from bench.run import count_statements, markdown, percentile, run
from bench.scenarios import scenarios
from bench.seed import seed
from bench.shape import Dataset, Shape
from pact_pipeline.broker import models
from pact_pipeline.broker.content import content_sha
from pact_pipeline.broker.db import Base, Database

TINY = 0.02


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("bench")
    return seed(f"sqlite:///{folder / 'tiny.sqlite'}", TINY)


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 21)]
    assert percentile(samples, 0.5) == 10
    assert percentile(samples, 0.95) == 19
    assert percentile([3.0], 0.95) == 3
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 0.5)


def test_scales_compare_the_base_with_a_multiple() -> None:
    assert scales(1, 4) == [1, 4]
    assert scales(0.5, 0) == [0.5]
    with pytest.raises(ValueError, match="positive"):
        scales(0, 4)


def test_shape_grows_history_not_pacticipants() -> None:
    small, large = Shape.at_scale(1), Shape.at_scale(4)
    assert small.pacticipants == large.pacticipants == 50
    assert (small.versions, small.branches, small.publications, small.verifications) == (
        50_000,
        1_000,
        40_000,
        20_000,
    )
    assert large.versions == 4 * small.versions


def test_seeded_data_keeps_the_services_invariants(tiny: Dataset) -> None:
    db = Database(tiny.url)
    try:
        with db.read() as session:
            assert session.scalar(text("SELECT version_num FROM alembic_version")) is not None
            counts = {
                t.name: session.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables
            }
            for table in ("versions", "pact_publications", "verifications", "deployed_versions"):
                assert counts[table] == tiny.counts[table] > 0
            # Every version is on exactly one branch.
            assert counts["branch_versions"] == counts["versions"]
            # Revision numbers count 1, 2, ... per (consumer version, provider), in id order.
            revisions: dict[tuple[int, int], list[int]] = {}
            for cv, provider, revision in session.execute(
                select(
                    models.PactPublication.consumer_version_id,
                    models.PactPublication.provider_id,
                    models.PactPublication.revision_number,
                ).order_by(models.PactPublication.id)
            ):
                revisions.setdefault((cv, provider), []).append(revision)
            assert all(r == list(range(1, len(r) + 1)) for r in revisions.values())
            # Verification numbers count 1, 2, ... per pact version, in id order.
            numbers: dict[int, list[int]] = {}
            for pact_version_id, number in session.execute(
                select(models.Verification.pact_version_id, models.Verification.number).order_by(
                    models.Verification.id
                )
            ):
                numbers.setdefault(pact_version_id, []).append(number)
            assert all(n == list(range(1, len(n) + 1)) for n in numbers.values())
            # The stored SHA is the one the broker computes from the content.
            for sha, content in session.execute(
                select(models.PactVersion.sha, models.PactVersion.content)
            ):
                assert sha == content_sha(json.loads(content))
            # At most one current deployment per pacticipant and environment.
            current = session.execute(
                select(func.count())
                .select_from(models.DeployedVersion)
                .where(models.DeployedVersion.undeployed_at.is_(None))
                .group_by(
                    models.DeployedVersion.pacticipant_id, models.DeployedVersion.environment_id
                )
            ).scalars()
            assert set(current) == {1}
            # Ids grow with creation time.
            created = session.scalars(
                select(models.Version.created_at).order_by(models.Version.id)
            ).all()
            assert list(created) == sorted(created)
    finally:
        db.dispose()


def test_every_scenario_answers_over_the_seeded_data(tiny: Dataset) -> None:
    statements = count_statements(tiny.url, scenarios(tiny.targets, "test"))
    assert statements["GET /"] == 0
    assert all(n > 0 for name, n in statements.items() if name != "GET /")


@pytest.mark.slow
def test_a_whole_run_reports_ratios_for_two_scales(tmp_path: Path) -> None:
    report = run([TINY, 2 * TINY], rounds=3, workdir=tmp_path)
    text_ = markdown(report)
    assert "### Growth from scale 0.02 to 0.04" in text_
    assert "| can-i-deploy |" in text_
    assert [r.dataset.scale for r in report.results] == [TINY, 2 * TINY]
