"""Run the benchmark: seed each scale, time every scenario against a live broker, report ratios.

Requests are interleaved (one of each scenario per round), so that whatever else the machine is
doing slows every scenario alike and the ratios to the ``GET /`` baseline stay meaningful. SQL
statements per request are counted separately, in-process, because they do not depend on the
machine at all: a count that stays flat as the data grows is the clearest sign of a cost that
does not grow with it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from bench.scenarios import BASELINE, Scenario, scenarios
from bench.seed import seed
from bench.server import live_broker
from bench.shape import Dataset
from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Base, Database, make_engine
from pact_pipeline.broker.settings import Settings
from pact_pipeline.serving import serve_app

WARMUP = 2
MIN_SAMPLES = 5


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a measured request).

    Args:
        samples: Measurements.
        fraction: 0.5 for the median, 0.95 for p95.

    Returns:
        The smallest sample with at least ``fraction`` of the samples at or below it.
    """
    if not samples:
        msg = "no samples"
        raise ValueError(msg)
    ordered = sorted(samples)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered) - 1e-9)))
    return ordered[rank - 1]


@dataclass
class Timing:
    """Latencies of one scenario over one dataset, in milliseconds."""

    scenario: str
    samples: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    @property
    def size(self) -> int:
        """The median response body size in bytes."""
        return int(percentile([float(n) for n in self.sizes], 0.5))


@dataclass
class DatasetResult:
    """Everything measured over one seeded dataset."""

    dataset: Dataset
    timings: dict[str, Timing]
    statements: dict[str, int]
    descriptions: dict[str, str]

    def ratio(self, name: str) -> float:
        """The scenario's p50 divided by the baseline's p50."""
        return self.timings[name].p50 / self.timings[BASELINE].p50


def _check(scenario: Scenario, response: httpx.Response) -> None:
    if response.status_code != scenario.status:
        msg = (
            f"{scenario.name}: expected {scenario.status}, got {response.status_code}: "
            f"{response.text[:500]}"
        )
        raise RuntimeError(msg)


def measure(
    base_url: str, items: Sequence[Scenario], *, rounds: int, budget: float
) -> dict[str, Timing]:
    """Time each scenario ``rounds`` times, one of each per round.

    Args:
        base_url: The live broker.
        items: The scenarios.
        rounds: Requests per scenario.
        budget: Seconds a scenario may spend in all; once spent (and at least
            ``MIN_SAMPLES`` taken) it is not sampled any more, so a very slow endpoint cannot
            stall the run.

    Returns:
        Timings by scenario name.
    """
    timings = {s.name: Timing(s.name) for s in items}
    spent = dict.fromkeys(timings, 0.0)
    with httpx.Client(base_url=base_url, timeout=600) as client:
        for scenario in items:
            for warm in range(WARMUP):
                _check(scenario, scenario.request(client, -1 - warm))
        for round_ in range(rounds):
            for scenario in items:
                timing = timings[scenario.name]
                if spent[scenario.name] > budget and len(timing.samples) >= MIN_SAMPLES:
                    continue
                started = time.perf_counter()
                response = scenario.request(client, round_)
                elapsed = time.perf_counter() - started
                _check(scenario, response)
                spent[scenario.name] += elapsed
                timing.samples.append(elapsed * 1000)
                timing.sizes.append(len(response.content))
    return timings


def count_statements(database_url: str, items: Sequence[Scenario]) -> dict[str, int]:
    """SQL statements each scenario's request runs, counted on the engine of an in-process
    broker (uvicorn in a thread: the count does not depend on timing).

    Args:
        database_url: The seeded database.
        items: The scenarios.

    Returns:
        Statements by scenario name.
    """
    db = Database(database_url)
    settings = Settings(
        database_url=database_url,
        auth_token=None,
        read_only_auth_token=None,
        basic_auth_username=None,
        basic_auth_password=None,
        basic_auth_read_only_username=None,
        basic_auth_read_only_password=None,
    )
    app = create_app(settings, database=db, webhooks_enabled=False)
    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    result: dict[str, int] = {}
    try:
        with serve_app(app) as base_url, httpx.Client(base_url=base_url, timeout=600) as client:
            for scenario in items:
                counter[0] = 0
                # An index no timed request uses: publish needs a new version number.
                _check(scenario, scenario.request(client, 1_000_003))
                result[scenario.name] = counter[0]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.dispose()
    return result


def _drop_broker_tables(engine: Engine) -> None:
    """Empty a server database for a new seed (every broker table and Alembic's)."""
    from pact_pipeline.broker import models  # noqa: F401 - registers the tables on Base.metadata

    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def bench_dataset(
    database_url: str, scale: float, *, rounds: int, budget: float, run_id: str
) -> DatasetResult:
    """Seed one dataset and measure it.

    Args:
        database_url: Where to seed: a new SQLite file, or a throwaway PostgreSQL database
            (its broker tables are dropped first).
        scale: The dataset scale.
        rounds: Requests per scenario.
        budget: Seconds each scenario may take in all.
        run_id: Makes published version numbers unique to this run.

    Returns:
        The dataset and its measurements.
    """
    if make_url(database_url).get_backend_name() != "sqlite":
        engine = make_engine(database_url)
        _drop_broker_tables(engine)
        engine.dispose()
    dataset = seed(database_url, scale)
    items = scenarios(dataset.targets, run_id)
    with live_broker(database_url) as base_url:
        timings = measure(base_url, items, rounds=rounds, budget=budget)
    statements = count_statements(database_url, items)
    return DatasetResult(dataset, timings, statements, {s.name: s.description for s in items})


@dataclass
class Report:
    """A whole run: one result per scale, smallest first."""

    results: list[DatasetResult]
    rounds: int
    machine: str
    database: str

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "database": self.database,
            "rounds": self.rounds,
            "datasets": [
                {
                    "scale": r.dataset.scale,
                    "seed_seconds": round(r.dataset.seconds, 2),
                    "integrations": r.dataset.integrations,
                    "counts": r.dataset.counts,
                    "shape": asdict(r.dataset.shape),
                    "scenarios": {
                        name: {
                            "requests": len(t.samples),
                            "p50_ms": round(t.p50, 2),
                            "p95_ms": round(t.p95, 2),
                            "p50_vs_baseline": round(r.ratio(name), 2),
                            "sql_statements": r.statements[name],
                            "response_bytes": t.size,
                        }
                        for name, t in r.timings.items()
                    },
                }
                for r in self.results
            ],
        }


def machine() -> str:
    """A one-line description of where the run happened."""
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def run(
    scales: Sequence[float],
    *,
    rounds: int = 30,
    budget: float = 60.0,
    database_url: str | None = None,
    workdir: Path | None = None,
    keep: bool = False,
) -> Report:
    """Seed and measure each scale in turn.

    Args:
        scales: Dataset scales, e.g. ``[1, 4]``.
        rounds: Requests per scenario and dataset.
        budget: Seconds each scenario may take per dataset.
        database_url: A throwaway server database to use instead of SQLite files (its broker
            tables are dropped before each seed).
        workdir: Where the SQLite files go (default: a temporary folder).
        keep: Keep the SQLite files.

    Returns:
        The report.
    """
    folder = workdir or Path(tempfile.mkdtemp(prefix="broker-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:8]
    results = []
    try:
        for scale in scales:
            url = database_url or f"sqlite:///{folder / f'bench-x{scale:g}.sqlite'}"
            if database_url is None:
                for stale in folder.glob(f"bench-x{scale:g}.sqlite*"):
                    stale.unlink()
            results.append(bench_dataset(url, scale, rounds=rounds, budget=budget, run_id=run_id))
    finally:
        if not keep and workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    backend = make_url(database_url).get_backend_name() if database_url else "sqlite"
    return Report(results, rounds, machine(), backend)


# --- Markdown ---------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _x(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def markdown(report: Report) -> str:
    """The report as Markdown tables (what BENCHMARKS.md quotes)."""
    lines = [f"Machine: {report.machine}; database: {report.database}; rounds: {report.rounds}."]
    for result in report.results:
        d = result.dataset
        c = d.counts
        lines += [
            "",
            f"### Scale {d.scale:g}: {c['pacticipants']} pacticipants, {d.integrations} "
            f"integrations, {c['versions']:,} versions, {c['branches']:,} branches, "
            f"{c['pact_publications']:,} publications ({c['pact_versions']:,} pact versions), "
            f"{c['verifications']:,} verifications, {c['tags']:,} tags, "
            f"{c['deployed_versions']:,} deployments (seeded in {d.seconds:.1f} s)",
            "",
            "| endpoint | requests | p50 ms | p95 ms | p50 ÷ `GET /` p50 | SQL statements "
            "| response KB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, timing in result.timings.items():
            lines.append(
                f"| {name} | {len(timing.samples)} | {_ms(timing.p50)} | {_ms(timing.p95)} | "
                f"{_x(result.ratio(name))} | {result.statements[name]} | "
                f"{timing.size / 1024:.1f} |"
            )
    if len(report.results) > 1:
        small, large = report.results[0], report.results[-1]
        growth = large.dataset.scale / small.dataset.scale
        lines += [
            "",
            f"### Growth from scale {small.dataset.scale:g} to {large.dataset.scale:g} "
            f"({growth:g}x the history, same integrations)",
            "",
            "| endpoint | p50 growth | p50 ÷ baseline growth | p95 growth | SQL statements "
            "| response growth |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in small.timings:
            a, b = small.timings[name], large.timings[name]
            lines.append(
                f"| {name} | {_x(b.p50 / a.p50)} | {_x(large.ratio(name) / small.ratio(name))} "
                f"| {_x(b.p95 / a.p95)} | {small.statements[name]} → {large.statements[name]} "
                f"| {_x(b.size / a.size)} |"
            )
    return "\n".join(lines) + "\n"


def write_json(report: Report, path: Path) -> None:
    """Save the report's figures as JSON."""
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
