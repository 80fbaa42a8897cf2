"""Issue 13's targets, judged from one benchmark run.

Every latency target is a ratio within the run: a scenario's p95 over the p95 of ``GET /``
(the "floor": the broker's fixed cost per request, no database work), at the largest scale.
Growth is the scenario's p50 ÷ ``GET /`` p50 at the largest scale over the same ratio at the
smallest (the p50, because on a shared machine the p95 of 20-30 requests moves more than the
costs being compared; the p95 ratio's growth is in the JSON too). SQL statements are those of
one request of each kind, at each scale. Throughput is publications per second of
:mod:`bench.throughput`; garbage collection is judged from the broker's GC log.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.scenarios import BASELINE

if TYPE_CHECKING:
    from bench.run import DatasetResult, Report


@dataclass(frozen=True)
class LatencyTarget:
    """A bound on scenarios' p95 ÷ floor at the largest scale, and on their growth.

    Attributes:
        name: The target as the issue words it.
        scenarios: The scenarios it covers.
        p95_bound: The largest p95 ÷ ``GET /`` p95.
        growth_bound: The largest growth of p50 ÷ ``GET /`` p50 between the scales (None: no
            bound).
        growth_vs_answer: The growth may be as large as that of the scenario's answer
            (e.g. the WIP pacts it returns), but at least ``FLAT`` is allowed.
    """

    name: str
    scenarios: tuple[str, ...]
    p95_bound: float
    growth_bound: float | None = None
    growth_vs_answer: bool = False


#: Growth counted as "does not grow" (the issue's 1.1x), also the noise allowance of the WIP
#: rule when its answer does not grow.
FLAT = 1.1
LATENCY_TARGETS = (
    LatencyTarget(
        "can-i-deploy and the matrix for a version",
        (
            "can-i-deploy",
            "matrix",
            "matrix, cvp",
            "matrix, cvp to environment",
            "matrix, branch latest",
            "can-i-deploy, branch latest",
        ),
        p95_bound=3,
        growth_bound=FLAT,
    ),
    LatencyTarget(
        "pacts for verification",
        ("for-verification, no WIP", "for-verification, no pending"),
        p95_bound=3,
    ),
    LatencyTarget(
        "pacts for verification with WIP",
        ("for-verification", "for-verification, #487 provider"),
        p95_bound=5,
        growth_vs_answer=True,
    ),
    LatencyTarget("publish", ("publish",), p95_bound=5),
    LatencyTarget(
        "GET /integrations and the home page: O(integrations)",
        ("integrations", "page: home"),
        p95_bound=5,
        growth_bound=FLAT,
    ),
)
#: Publications per second 8 concurrent publishers must reach on SQLite (synchronous=FULL).
PUBLICATIONS_PER_SECOND = 300.0
#: How much more 2 workers must publish than 1 on PostgreSQL to count as scaling.
SCALING = 1.3
#: The share of a p95 that garbage collections may make (beyond what they add to the p50).
GC_TAIL_SHARE = 0.10


@dataclass
class TargetRow:
    """One line of the targets table.

    Attributes:
        target: The issue's target.
        scenario: The scenario (or measurement) it is judged on.
        threshold: The bound, in words.
        measured: What was measured at the largest scale, in words.
        growth: The growth between the scales, in words ("" if none).
        statements: SQL statements per request at each scale ("" if none).
        met: Whether the bound holds; ``None`` if the run cannot tell (not measured, or
            informational only).
        missed: What missed it, in words.
        figures: The numbers behind the words, for the JSON.
    """

    target: str
    scenario: str
    threshold: str
    measured: str
    growth: str = ""
    statements: str = ""
    met: bool | None = None
    missed: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "scenario": self.scenario,
            "threshold": self.threshold,
            "measured": self.measured,
            "growth": self.growth,
            "statements": self.statements,
            "met": self.met,
            "missed": self.missed,
            **self.figures,
        }


def _x(value: float) -> str:
    if math.isinf(value):
        return "∞"
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _answer_growth(small: int, large: int) -> float:
    if small == 0:
        return 1.0 if large == 0 else math.inf
    return large / small


def _latency_rows(report: Report) -> list[TargetRow]:
    results = report.results
    large = results[-1]
    small = results[0] if len(results) > 1 else None
    rows = []
    for target in LATENCY_TARGETS:
        for name in target.scenarios:
            if name not in large.timings:
                continue
            rows.append(_latency_row(target, name, small, large, results))
    return rows


def _threshold(target: LatencyTarget) -> str:
    parts = [f"p95 ≤ {target.p95_bound:g}x `GET /` p95"]
    if target.growth_bound is not None:
        parts.append(f"growth ≤ {target.growth_bound:g}x")
    if target.growth_vs_answer:
        parts.append(f"growth ≤ its answer's (at least {FLAT:g}x allowed)")
    return "; ".join(parts)


def _latency_row(
    target: LatencyTarget,
    name: str,
    small: DatasetResult | None,
    large: DatasetResult,
    results: Sequence[DatasetResult],
) -> TargetRow:
    timing, floor = large.timings[name], large.timings[BASELINE]
    p95_ratio = large.p95_ratio(name)
    missed = []
    if p95_ratio > target.p95_bound:
        missed.append("p95")
    figures: dict[str, Any] = {
        "scale": large.dataset.scale,
        "p95_ms": round(timing.p95, 2),
        "floor_p95_ms": round(floor.p95, 2),
        "p95_ratio": round(p95_ratio, 2),
        "p95_bound": target.p95_bound,
        "statements_by_scale": [r.statements.get(name) for r in results],
    }
    growth_text = ""
    if small is not None and name in small.timings:
        growth = large.ratio(name) / small.ratio(name)
        p95_growth = p95_ratio / small.p95_ratio(name)
        figures |= {
            "small_scale": small.dataset.scale,
            "growth_p50_ratio": round(growth, 3),
            "growth_p95_ratio": round(p95_growth, 3),
        }
        growth_text = _x(growth)
        if target.growth_bound is not None and growth > target.growth_bound:
            missed.append("growth")
        if target.growth_vs_answer and name in small.answers and name in large.answers:
            a, b = small.answers[name], large.answers[name]
            answer_growth = _answer_growth(a, b)
            allowed = max(answer_growth, FLAT)
            figures |= {"answer_by_scale": [a, b], "answer_growth": _round(answer_growth)}
            growth_text += f" (answer {_x(answer_growth)}: {a} → {b} WIP pacts)"
            if growth > allowed:
                missed.append("growth")
    elif name in large.answers:
        growth_text = f"(answer: {large.answers[name]} WIP pacts)"
    return TargetRow(
        target=target.name,
        scenario=name,
        threshold=_threshold(target),
        measured=f"{_x(p95_ratio)} ({_ms(timing.p95)} ÷ {_ms(floor.p95)} ms)",
        growth=growth_text,
        statements=" → ".join(str(r.statements.get(name, "")) for r in results),
        met=not missed,
        missed=", ".join(missed),
        figures=figures,
    )


def _round(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 3)


def _throughput_rows(report: Report) -> list[TargetRow]:
    large = report.results[-1]
    name = "publish throughput, 8 concurrent clients"
    if not large.throughput:
        return [
            TargetRow(
                name,
                "publish (unchanged content)",
                f"≥ {PUBLICATIONS_PER_SECOND:g} publications/s",
                "not measured (--throughput-seconds 0)",
            )
        ]
    rows = []
    sqlite = report.database == "sqlite"
    by_workers = {t.workers: t for t in large.throughput}
    one = by_workers.get(1)
    for t in large.throughput:
        bound = " (client-bound: a floor)" if t.client_bound else ""
        measured = (
            f"{t.publications_per_second:.0f} publications/s ({t.requests_per_second:.1f} "
            f"requests/s), {t.clients} clients, p50/p95 {_ms(t.p50_ms)}/{_ms(t.p95_ms)} ms, "
            f"{t.errors} errors{bound}"
        )
        figures = {"scale": large.dataset.scale, **t.to_json()}
        missed = []
        if t.errors:
            missed.append("errors")
        if sqlite:
            threshold = f"≥ {PUBLICATIONS_PER_SECOND:g} publications/s, synchronous=FULL"
            if t.publications_per_second < PUBLICATIONS_PER_SECOND:
                missed.append("rate")
            met: bool | None = not missed
        else:
            scaled = (
                t.publications_per_second / one.publications_per_second
                if one is not None and one.publications_per_second > 0
                else None
            )
            if scaled is not None:
                measured += f"; {_x(scaled)} of 1 worker"
                figures["vs_one_worker"] = round(scaled, 2)
            if t.workers == 2:
                threshold = f"scales with workers: ≥ {SCALING:g}x 1 worker's rate"
                if scaled is None or scaled < SCALING:
                    missed.append("scaling")
                met = not missed
            elif t.workers > 2:
                threshold = "the curve (2 cores: flattens past 2 workers)"
                met = None if not missed else False
            else:
                threshold = "the curve's start"
                met = None if not missed else False
            measured += (
                f"; ≥ {PUBLICATIONS_PER_SECOND:g}/s: "
                f"{'yes' if t.publications_per_second >= PUBLICATIONS_PER_SECOND else 'no'}"
            )
        rows.append(
            TargetRow(
                name,
                f"publish, {t.workers} worker{'s' if t.workers != 1 else ''}",
                threshold,
                measured,
                met=met,
                missed=", ".join(missed),
                figures=figures,
            )
        )
    return rows


def _gc_row(report: Report) -> TargetRow:
    threshold = (
        f"GC adds ≤ {GC_TAIL_SHARE:.0%} of any p95 beyond what it adds to the p50 (every "
        "scenario, every scale)"
    )
    name = "no p95 outlier from garbage collection"
    worst: tuple[float, str, DatasetResult] | None = None
    for result in report.results:
        for scenario, timing in result.timings.items():
            tail = timing.gc_tail_ms
            if tail is None:
                continue
            share = tail / timing.p95 if timing.p95 > 0 else 0.0
            if worst is None or share > worst[0]:
                worst = (share, scenario, result)
    summaries = [r.gc for r in report.results if r.gc is not None]
    if worst is None or not summaries:
        return TargetRow(name, "every scenario", threshold, "not measured (no GC log)")
    share, scenario, result = worst
    tail = result.timings[scenario].gc_tail_ms or 0.0
    full = sum(s.by_generation.get(2, 0) for s in summaries)
    longest = max(s.longest_ms for s in summaries)
    measured = (
        f"worst: {scenario} at scale {result.dataset.scale:g}, +{tail:.1f} ms ({share:.0%} "
        f"of its p95); {full} full (gen-2) collections while timed, longest pause "
        f"{longest:.1f} ms"
    )
    return TargetRow(
        name,
        "every scenario",
        threshold,
        measured,
        met=share <= GC_TAIL_SHARE,
        missed="" if share <= GC_TAIL_SHARE else "GC tail",
        figures={
            "worst_scenario": scenario,
            "worst_scale": result.dataset.scale,
            "worst_gc_tail_ms": round(tail, 2),
            "worst_gc_tail_share": round(share, 3),
            "full_collections": full,
            "longest_pause_ms": round(longest, 2),
        },
    )


def evaluate(report: Report) -> list[TargetRow]:
    """Every target of issue 13 against a run: latency, throughput, garbage collection."""
    if not report.results:
        return []
    return [*_latency_rows(report), *_throughput_rows(report), _gc_row(report)]


def _met(row: TargetRow) -> str:
    if row.met is None:
        return "—"
    return "met" if row.met else f"**missed** ({row.missed})"


def targets_markdown(report: Report) -> list[str]:
    """The targets table, with a line saying how to read it."""
    rows = evaluate(report)
    if not rows:
        return []
    large = report.results[-1]
    small = report.results[0] if len(report.results) > 1 else None
    scales = (
        f"{small.dataset.scale:g} → {large.dataset.scale:g}"
        if small is not None
        else f"{large.dataset.scale:g}"
    )
    floor = f"`GET /` p95 = {_ms(large.timings[BASELINE].p95)} ms at scale {large.dataset.scale:g}"
    if small is not None:
        floor += f" ({_ms(small.timings[BASELINE].p95)} ms at scale {small.dataset.scale:g})"
    growth = (
        f"growth = p50 ÷ `GET /` p50 at scale {large.dataset.scale:g} over the same at scale "
        f"{small.dataset.scale:g}"
        if small is not None
        else "growth not measured (one scale)"
    )
    met = sum(1 for r in rows if r.met is True)
    judged = sum(1 for r in rows if r.met is not None)
    lines = [
        f"### Targets (issue 13): {met} of {judged} met ({report.database})",
        "",
        f"Floor: {floor}; {growth}; SQL statements of one request at each scale.",
        "",
        f"| target | scenario | threshold | measured at scale {large.dataset.scale:g} "
        f"| growth {scales} | SQL statements {scales} | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.target} | {row.scenario} | {row.threshold} | {row.measured} | "
            f"{row.growth} | {row.statements} | {_met(row)} |"
        )
    return lines
