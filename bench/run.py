"""Run the benchmark: seed each scale, time every scenario against a live broker, report ratios.

Requests are interleaved (one of each scenario per round), so that whatever else the machine is
doing slows every scenario alike and the ratios to the ``GET /`` baseline stay meaningful. SQL
statements per request are counted separately, in-process, because they do not depend on the
machine at all: a count that stays flat as the data grows is the clearest sign of a cost that
does not grow with it.

The timed broker logs its garbage collections (:mod:`bench.server`), so each timed request
knows how long the broker spent collecting while it waited, and a p95 that collections make can
be told from one the work makes. At the largest scale, publish throughput is measured too
(:mod:`bench.throughput`), with each number of broker workers asked for. The issue-13 targets
are judged from all of it (:mod:`bench.targets`).
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
from bench.server import GcPause, live_broker, read_gc_log, running_broker
from bench.shape import Dataset
from bench.throughput import Throughput, publish_throughput
from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Base, Database, make_engine
from pact_pipeline.broker.settings import Settings
from pact_pipeline.serving import serve_app

WARMUP = 2
MIN_SAMPLES = 5
#: Publishers of the throughput measurement (the issue's "8 concurrent clients").
THROUGHPUT_CLIENTS = 8


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
    #: When each request was sent (``time.perf_counter()``), to match the broker's GC log.
    starts: list[float] = field(default_factory=list)
    #: Milliseconds the broker spent collecting garbage during each request (if logged).
    gc_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    def _without_gc(self, fraction: float) -> float:
        if len(self.gc_ms) != len(self.samples):
            return percentile(self.samples, fraction)
        return percentile([t - g for t, g in zip(self.samples, self.gc_ms, strict=True)], fraction)

    @property
    def gc_tail_ms(self) -> float | None:
        """How much more the broker's garbage collections add to the p95 than to the p50
        (ms): the part of the tail that collections make. ``None`` if they were not logged."""
        if len(self.gc_ms) != len(self.samples) or not self.samples:
            return None
        p95_gc = self.p95 - self._without_gc(0.95)
        p50_gc = self.p50 - self._without_gc(0.5)
        return max(0.0, p95_gc - p50_gc)

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
    #: The size of each counted scenario's answer (e.g. WIP pacts), summed over its targets.
    answers: dict[str, int] = field(default_factory=dict)
    #: The broker's garbage collections during the timed rounds (None if not logged).
    gc: GcSummary | None = None
    #: Publish throughput, one per number of broker workers (largest scale only).
    throughput: list[Throughput] = field(default_factory=list)

    def ratio(self, name: str) -> float:
        """The scenario's p50 divided by the baseline's p50."""
        return self.timings[name].p50 / self.timings[BASELINE].p50

    def p95_ratio(self, name: str) -> float:
        """The scenario's p95 divided by the baseline's p95 (the issue's "floor")."""
        return self.timings[name].p95 / self.timings[BASELINE].p95


@dataclass
class GcSummary:
    """The broker's garbage collections while the scenarios were timed.

    Attributes:
        pauses: Logged collections (those of at least ``GC_LOG_MIN_SECONDS``) in the window.
        by_generation: Their count per generation.
        longest_ms: The longest.
        total_ms: Their sum.
        in_requests_ms: The part of them that fell inside timed requests.
    """

    pauses: int
    by_generation: dict[int, int]
    longest_ms: float
    total_ms: float
    in_requests_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "pauses": self.pauses,
            "by_generation": {str(g): n for g, n in sorted(self.by_generation.items())},
            "longest_ms": round(self.longest_ms, 2),
            "total_ms": round(self.total_ms, 2),
            "in_requests_ms": round(self.in_requests_ms, 2),
        }


def attribute_gc(timings: dict[str, Timing], pauses: Sequence[GcPause]) -> GcSummary:
    """Give each timed request the collection time that overlapped it, and summarise the
    collections of the timed window.

    Args:
        timings: Timings with ``starts`` recorded; their ``gc_ms`` are filled in.
        pauses: The broker's logged collections.

    Returns:
        The collections between the first request's start and the last one's end.
    """
    windows = sorted(
        (start, start + ms / 1000, name, index)
        for name, timing in timings.items()
        for index, (start, ms) in enumerate(zip(timing.starts, timing.samples, strict=True))
    )
    for timing in timings.values():
        timing.gc_ms = [0.0] * len(timing.samples)
    if not windows:
        return GcSummary(0, {}, 0.0, 0.0, 0.0)
    first, last = windows[0][0], max(w[1] for w in windows)
    inside = sorted(
        (p for p in pauses if p.end >= first and p.start <= last), key=lambda p: p.start
    )
    in_requests = 0.0
    # Requests do not overlap (one client, one request at a time): walk both in time order.
    cursor = 0
    for start, end, name, index in windows:
        while cursor < len(inside) and inside[cursor].end < start:
            cursor += 1
        k = cursor
        while k < len(inside) and inside[k].start <= end:
            overlap = min(end, inside[k].end) - max(start, inside[k].start)
            if overlap > 0:
                timings[name].gc_ms[index] += overlap * 1000
                in_requests += overlap * 1000
            k += 1
    by_generation: dict[int, int] = {}
    for pause in inside:
        by_generation[pause.generation] = by_generation.get(pause.generation, 0) + 1
    return GcSummary(
        pauses=len(inside),
        by_generation=by_generation,
        longest_ms=max((p.seconds * 1000 for p in inside), default=0.0),
        total_ms=sum(p.seconds * 1000 for p in inside),
        in_requests_ms=in_requests,
    )


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
                timing.starts.append(started)
    return timings


def count_answers(base_url: str, items: Sequence[Scenario]) -> dict[str, int]:
    """The size of each counted scenario's answer, summed over one rotation of its targets.

    Args:
        base_url: The live broker.
        items: The scenarios (those without ``answer`` are skipped).

    Returns:
        Answer sizes by scenario name.
    """
    result: dict[str, int] = {}
    with httpx.Client(base_url=base_url, timeout=600) as client:
        for scenario in items:
            if scenario.answer is None:
                continue
            total = 0
            for i in range(scenario.rotation):
                response = scenario.request(client, i)
                _check(scenario, response)
                total += scenario.answer(response)
            result[scenario.name] = total
    return result


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


def measure_throughput(
    database_url: str,
    dataset: Dataset,
    *,
    workers_curve: Sequence[int],
    seconds: float,
    clients: int,
    run_id: str,
) -> list[Throughput]:
    """Publish throughput against a broker with each number of workers, one after the other.

    Args:
        database_url: The seeded database.
        dataset: Its targets (the publisher and its pacts).
        workers_curve: Broker worker counts, e.g. ``[1, 2, 4]``.
        seconds: How long each measurement publishes.
        clients: Concurrent publishers.
        run_id: Makes version numbers unique to this run.

    Returns:
        One throughput per worker count.
    """
    found = []
    for workers in workers_curve:
        with running_broker(database_url, workers=workers) as broker:
            found.append(
                publish_throughput(
                    broker.url,
                    dataset.targets,
                    clients=clients,
                    seconds=seconds,
                    run_id=f"{run_id}-w{workers}",
                    workers=workers,
                    broker_pgid=broker.process.pid,
                )
            )
    return found


def bench_dataset(
    database_url: str,
    scale: float,
    *,
    rounds: int,
    budget: float,
    run_id: str,
    workers_curve: Sequence[int] = (),
    throughput_seconds: float = 0.0,
    throughput_clients: int = THROUGHPUT_CLIENTS,
) -> DatasetResult:
    """Seed one dataset and measure it.

    Args:
        database_url: Where to seed: a new SQLite file, or a throwaway PostgreSQL database
            (its broker tables are dropped first).
        scale: The dataset scale.
        rounds: Requests per scenario.
        budget: Seconds each scenario may take in all.
        run_id: Makes published version numbers unique to this run.
        workers_curve: Broker worker counts to measure publish throughput with (none: skip).
        throughput_seconds: How long each throughput measurement publishes (0: skip).
        throughput_clients: Concurrent publishers.

    Returns:
        The dataset and its measurements.
    """
    if make_url(database_url).get_backend_name() != "sqlite":
        engine = make_engine(database_url)
        _drop_broker_tables(engine)
        engine.dispose()
    dataset = seed(database_url, scale)
    items = scenarios(dataset.targets, run_id)
    with tempfile.TemporaryDirectory(prefix="broker-bench-gc-") as folder:
        gc_log = Path(folder) / "gc.log"
        with live_broker(database_url, gc_log=gc_log) as base_url:
            timings = measure(base_url, items, rounds=rounds, budget=budget)
            answers = count_answers(base_url, items)
        gc_summary = attribute_gc(timings, read_gc_log(gc_log))
    throughput = (
        measure_throughput(
            database_url,
            dataset,
            workers_curve=workers_curve,
            seconds=throughput_seconds,
            clients=throughput_clients,
            run_id=run_id,
        )
        if throughput_seconds > 0
        else []
    )
    statements = count_statements(database_url, items)
    return DatasetResult(
        dataset,
        timings,
        statements,
        {s.name: s.description for s in items},
        answers=answers,
        gc=gc_summary,
        throughput=throughput,
    )


@dataclass
class Report:
    """A whole run: one result per scale, smallest first."""

    results: list[DatasetResult]
    rounds: int
    machine: str
    database: str

    def to_json(self) -> dict[str, Any]:
        from bench.targets import evaluate

        return {
            "machine": self.machine,
            "database": self.database,
            "rounds": self.rounds,
            "targets": [row.to_json() for row in evaluate(self)],
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
                            "p95_vs_baseline_p95": round(r.p95_ratio(name), 2),
                            **(
                                {"gc_tail_ms": round(t.gc_tail_ms, 2)}
                                if t.gc_tail_ms is not None
                                else {}
                            ),
                            **({"answer": r.answers[name]} if name in r.answers else {}),
                        }
                        for name, t in r.timings.items()
                    },
                    "targets": {
                        k: v
                        for k, v in asdict(r.dataset.targets).items()
                        if k != "publish_contents"
                    },
                    **({"gc": r.gc.to_json()} if r.gc is not None else {}),
                    "throughput": [t.to_json() for t in r.throughput],
                }
                for r in self.results
            ],
        }


def default_workers_curve(database_url: str | None) -> list[int]:
    """Broker workers to measure publish throughput with: 1, 2 and 4 on a server database,
    1 on SQLite (one writer; the broker's several workers want PostgreSQL)."""
    if database_url and make_url(database_url).get_backend_name() != "sqlite":
        return [1, 2, 4]
    return [1]


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
    workers_curve: Sequence[int] | None = None,
    throughput_seconds: float = 0.0,
    throughput_clients: int = THROUGHPUT_CLIENTS,
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
        workers_curve: Broker worker counts for publish throughput at the largest scale
            (default: 1, 2 and 4 on PostgreSQL, 1 on SQLite).
        throughput_seconds: How long each throughput measurement publishes (0: none).
        throughput_clients: Concurrent publishers.

    Returns:
        The report.
    """
    curve = list(workers_curve or default_workers_curve(database_url))
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
            largest = scale == max(scales)
            results.append(
                bench_dataset(
                    url,
                    scale,
                    rounds=rounds,
                    budget=budget,
                    run_id=run_id,
                    workers_curve=curve if largest else (),
                    throughput_seconds=throughput_seconds if largest else 0.0,
                    throughput_clients=throughput_clients,
                )
            )
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
    """The report as Markdown tables (what BENCHMARKS.md quotes): the issue-13 targets
    first, then each scale's figures, the growth between scales and the publish
    throughput."""
    from bench.targets import targets_markdown

    lines = [f"Machine: {report.machine}; database: {report.database}; rounds: {report.rounds}."]
    lines += ["", *targets_markdown(report)]
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
    lines += _throughput_markdown(report)
    lines += _gc_markdown(report)
    return "\n".join(lines) + "\n"


def _throughput_markdown(report: Report) -> list[str]:
    measured = [(r, t) for r in report.results for t in r.throughput]
    if not measured:
        return []
    lines = [
        "",
        f"### Publish throughput ({report.database}, unchanged content, new versions on main)",
        "",
        "| scale | broker workers | clients | seconds | publications/s | requests/s | errors "
        "| p50 ms | p95 ms | client CPU | broker CPU | machine busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result, t in measured:
        broker = "" if t.broker_cpu_share is None else f"{t.broker_cpu_share:.2f} cores"
        busy = "" if t.machine_busy_share is None else f"{t.machine_busy_share:.0%}"
        bound = " (client-bound)" if t.client_bound else ""
        lines.append(
            f"| {result.dataset.scale:g} | {t.workers} | {t.clients} | {t.seconds:.1f} | "
            f"{t.publications_per_second:.0f} | {t.requests_per_second:.1f} | {t.errors} | "
            f"{_ms(t.p50_ms)} | {_ms(t.p95_ms)} | {t.client_cpu_share:.2f} cores{bound} | "
            f"{broker} | {busy} |"
        )
    return lines


def _gc_markdown(report: Report) -> list[str]:
    lines = []
    for result in report.results:
        gc_ = result.gc
        if gc_ is None:
            continue
        tails = {
            name: t.gc_tail_ms for name, t in result.timings.items() if t.gc_tail_ms is not None
        }
        worst = max(tails, key=lambda n: tails[n] / result.timings[n].p95, default=None)
        generations = ", ".join(f"gen {g}: {n}" for g, n in sorted(gc_.by_generation.items()))
        worst_text = (
            f"; the most GC-made tail: {worst}, +{tails[worst]:.1f} ms on its p95 "
            f"({tails[worst] / result.timings[worst].p95:.0%})"
            if worst is not None
            else ""
        )
        lines.append(
            f"Scale {result.dataset.scale:g}, the broker's garbage collections while timed "
            f"(those of 0.1 ms or more): {gc_.pauses} ({generations or 'none'}), longest "
            f"{gc_.longest_ms:.1f} ms, {gc_.in_requests_ms:.0f} of {gc_.total_ms:.0f} ms "
            f"inside timed requests{worst_text}."
        )
    return ["", *lines] if lines else []


def write_json(report: Report, path: Path) -> None:
    """Save the report's figures as JSON."""
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
