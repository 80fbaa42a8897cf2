"""The benchmark's seeder keeps the broker's invariants, and its scenarios run (tiny scale)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from bench.__main__ import argument_problem, parse_args, scales, workers_curve
from bench.run import (
    DatasetResult,
    Report,
    Timing,
    attribute_gc,
    count_answers,
    count_statements,
    default_workers_curve,
    markdown,
    percentile,
    run,
)
from bench.scenarios import BASELINE, scenarios
from bench.seed import seed
from bench.server import GcPause, live_broker, read_gc_log
from bench.shape import STEADY_MIN, Dataset, Shape, steady_verifications
from bench.targets import evaluate, targets_markdown
from bench.throughput import publish_throughput
from pact_pipeline.broker import models
from pact_pipeline.broker.content import content_sha
from pact_pipeline.broker.db import Base, Database

TINY = 0.02
#: The scenarios issue 13's targets added (each must answer over the seeded data).
NEW_SCENARIOS = (
    "matrix, cvp",
    "matrix, cvp to environment",
    "matrix, branch latest",
    "can-i-deploy, branch latest",
    "for-verification, no pending",
    "for-verification, #487 provider",
    "integrations",
)


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


def test_the_487_pact_never_changes_and_is_verified_hundreds_of_times(tiny: Dataset) -> None:
    assert steady_verifications(4) == 15_000
    assert steady_verifications(1) == 3_750
    assert steady_verifications(TINY) == STEADY_MIN
    targets = tiny.targets
    assert targets.steady_pact is not None
    consumer_name, provider_name = targets.steady_pact
    # A provider the pacts-for-verification scenarios ask about serves it.
    assert provider_name == targets.providers[0]
    db = Database(tiny.url)
    try:
        with db.read() as session:
            ids = {
                name: session.scalar(
                    select(models.Pacticipant.id).where(models.Pacticipant.name == name)
                )
                for name in targets.steady_pact
            }
            consumer, provider = ids[consumer_name], ids[provider_name]
            # One pact version for every publication of the integration: content never changes.
            pact_versions = session.scalars(
                select(models.PactPublication.pact_version_id)
                .where(
                    models.PactPublication.consumer_id == consumer,
                    models.PactPublication.provider_id == provider,
                )
                .distinct()
            ).all()
            assert len(pact_versions) == 1
            rows = session.execute(
                select(
                    models.Verification.success,
                    models.Verification.created_at,
                    models.Verification.provider_version_id,
                ).where(models.Verification.pact_version_id == pact_versions[0])
            ).all()
            # The scheduled runs, plus the provider builds' own verifications of it.
            assert len(rows) >= targets.steady_verifications >= 0.9 * STEADY_MIN
            assert sum(1 for r in rows if r.success) >= targets.steady_verifications
            # Spread over the history: runs in its first and its last tenth.
            versions = session.scalars(select(models.Version.created_at)).all()
            start, end = min(versions), max(versions)
            tenth = (end - start) / 10
            times = [r.created_at for r in rows]
            assert min(times) < start + tenth
            assert max(times) > end - tenth
            # The scheduled runs: successful, by main-branch versions of the provider.
            main_versions = set(
                session.scalars(
                    select(models.BranchVersion.version_id)
                    .join(models.Branch, models.Branch.id == models.BranchVersion.branch_id)
                    .where(models.Branch.pacticipant_id == provider, models.Branch.name == "main")
                )
            )
            scheduled = [r for r in rows if r.success and r.provider_version_id in main_versions]
            assert len(scheduled) >= targets.steady_verifications
            # Verification ids still grow with their creation time.
            created = session.scalars(
                select(models.Verification.created_at).order_by(models.Verification.id)
            ).all()
            assert list(created) == sorted(created)
    finally:
        db.dispose()


def test_every_scenario_answers_over_the_seeded_data(tiny: Dataset) -> None:
    statements = count_statements(tiny.url, scenarios(tiny.targets, "test"))
    assert statements["GET /"] == 0
    assert all(n > 0 for name, n in statements.items() if name != "GET /")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dataset, str, Path]]:
    """A tiny dataset of its own (the throughput test adds versions) and a live broker over
    it, its garbage collections logged."""
    folder = tmp_path_factory.mktemp("bench-live")
    dataset = seed(f"sqlite:///{folder / 'live.sqlite'}", TINY)
    gc_log = folder / "gc.log"
    with live_broker(dataset.url, gc_log=gc_log) as base_url:
        yield dataset, base_url, gc_log


def test_every_scenario_answers_a_live_broker(live: tuple[Dataset, str, Path]) -> None:
    dataset, base_url, gc_log = live
    items = scenarios(dataset.targets, "live")
    assert set(NEW_SCENARIOS) <= {s.name for s in items}
    answered = {}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for scenario in items:
            response = scenario.request(client, 0)
            assert response.status_code == scenario.status, (scenario.name, response.text)
            answered[scenario.name] = response
    integrations = answered["integrations"].json()["_embedded"]["integrations"]
    assert len(integrations) == dataset.integrations
    matrix = answered["matrix, cvp"].json()
    assert matrix["matrix"]
    assert "summary" in answered["can-i-deploy, branch latest"].json()
    answers = count_answers(base_url, items)
    assert set(answers) == {"for-verification", "for-verification, #487 provider"}
    assert all(n >= 0 for n in answers.values())
    # The probe logged the broker's collections as "start seconds generation" lines.
    assert gc_log.exists()
    assert all(p.seconds >= 0 and p.generation in (0, 1, 2) for p in read_gc_log(gc_log))


def test_publish_throughput_runs_without_errors(live: tuple[Dataset, str, Path]) -> None:
    dataset, base_url, _ = live
    result = publish_throughput(
        base_url, dataset.targets, clients=2, seconds=1.0, run_id="test", workers=1
    )
    assert result.errors == 0, result.error_samples
    assert result.requests > 0
    assert result.publications == result.requests * len(dataset.targets.publish_contents)
    assert result.publications_per_second > 0
    assert result.seconds >= 1.0
    assert 0 < result.p50_ms <= result.p95_ms
    assert result.to_json()["errors"] == 0


def test_gc_pauses_are_given_to_the_requests_they_fall_in() -> None:
    timings = {
        "a": Timing("a", samples=[10.0, 10.0], starts=[100.0, 100.02]),
        "b": Timing("b", samples=[5.0], starts=[100.01]),
    }
    pauses = [
        GcPause(100.004, 0.004, 2),  # 4 ms inside a's first request
        GcPause(100.0145, 0.001, 0),  # half in b's request (ends at 100.015)
        GcPause(101.0, 0.5, 1),  # after every request
    ]
    summary = attribute_gc(timings, pauses)
    assert timings["a"].gc_ms == pytest.approx([4.0, 0.0])
    assert timings["b"].gc_ms == pytest.approx([0.5])
    assert summary.pauses == 2
    assert summary.by_generation == {2: 1, 0: 1}
    assert summary.longest_ms == pytest.approx(4.0)
    assert summary.in_requests_ms == pytest.approx(4.5)


def _timing(name: str, ms: float, gc_ms: float = 0.0, count: int = 20) -> Timing:
    """``count`` requests of ``ms``, the slowest two (the p95 and above) also collecting
    garbage for ``gc_ms``."""
    return Timing(
        name,
        samples=[ms] * (count - 2) + [ms + gc_ms] * 2,
        sizes=[100] * count,
        starts=[float(i) for i in range(count)],
        gc_ms=[0.0] * (count - 2) + [gc_ms] * 2,
    )


def _result(dataset: Dataset, ms: dict[str, float], answers: dict[str, int]) -> DatasetResult:
    timings = {name: _timing(name, value) for name, value in ms.items()}
    return DatasetResult(
        dataset,
        timings,
        dict.fromkeys(ms, 7),
        dict.fromkeys(ms, ""),
        answers=answers,
        gc=attribute_gc({}, []),
    )


def test_the_targets_table_judges_a_small_result(tiny: Dataset) -> None:
    small_dataset = Dataset(tiny.url, 1, tiny.shape, 88, tiny.counts, tiny.targets)
    large_dataset = Dataset(tiny.url, 4, tiny.shape, 88, tiny.counts, tiny.targets)
    small = _result(
        small_dataset,
        {BASELINE: 2.0, "can-i-deploy": 5.0, "for-verification": 8.0, "publish": 9.0},
        {"for-verification": 10},
    )
    large = _result(
        large_dataset,
        # can-i-deploy: 2.5x and flat; WIP: 9x (> 5x), grows 2.25x against an answer of 3x.
        {BASELINE: 2.0, "can-i-deploy": 5.0, "for-verification": 18.0, "publish": 9.0},
        {"for-verification": 30},
    )
    # publish: a p95 of 12 ms (6x: > 5x), 3 ms of it a garbage collection the p50 does not see.
    large.timings["publish"] = _timing("publish", 9.0, gc_ms=3.0)
    report = Report([small, large], rounds=20, machine="test", database="sqlite")
    rows = {row.scenario: row for row in evaluate(report)}
    assert rows["can-i-deploy"].met is True
    assert rows["can-i-deploy"].figures["growth_p50_ratio"] == 1.0
    wip = rows["for-verification"]
    assert (wip.met, wip.missed) == (False, "p95")
    assert wip.figures["answer_growth"] == 3.0
    assert "10 → 30 WIP pacts" in wip.growth
    assert (rows["publish"].met, rows["publish"].figures["p95_ratio"]) == (False, 6.0)
    gc_row = rows["every scenario"]
    assert (gc_row.met, gc_row.figures["worst_scenario"]) == (False, "publish")
    assert gc_row.figures["worst_gc_tail_share"] == 0.25
    assert rows["publish (unchanged content)"].met is None  # throughput not measured
    text_ = markdown(report)
    assert text_.split("\n")[2].startswith("### Targets (issue 13)")
    assert "| can-i-deploy and the matrix for a version | can-i-deploy |" in text_
    assert targets_markdown(report)[0] in text_
    document = report.to_json()
    assert document["targets"][0]["scenario"] == "can-i-deploy"
    assert {"machine", "database", "rounds", "datasets"} <= set(document)
    assert document["datasets"][1]["scenarios"]["for-verification"]["answer"] == 30


def test_workers_curve_options() -> None:
    assert workers_curve("1,2,4") == [1, 2, 4]
    with pytest.raises(argparse.ArgumentTypeError):
        workers_curve("1,0")
    with pytest.raises(argparse.ArgumentTypeError):
        workers_curve("one")
    assert default_workers_curve(None) == [1]
    assert default_workers_curve("sqlite:///x.sqlite") == [1]
    assert default_workers_curve("postgresql+psycopg://u:p@h/db") == [1, 2, 4]
    args = parse_args(["--workers-curve", "1,2", "--throughput-seconds", "0"])
    assert (args.workers_curve, args.throughput_seconds) == ([1, 2], 0)
    assert argument_problem(parse_args(["--throughput-seconds", "-1"])) is not None


@pytest.mark.slow
def test_a_whole_run_reports_ratios_for_two_scales(tmp_path: Path) -> None:
    report = run([TINY, 2 * TINY], rounds=3, workdir=tmp_path, throughput_seconds=1)
    text_ = markdown(report)
    assert "### Growth from scale 0.02 to 0.04" in text_
    assert "| can-i-deploy |" in text_
    assert "### Targets (issue 13)" in text_
    assert report.results[-1].throughput[0].errors == 0
    assert [r.dataset.scale for r in report.results] == [TINY, 2 * TINY]
