"""Measure the database clean-up at a scale: ``python -m bench.cleanup --scale 4``.

Seeds the benchmark's dataset, records rows per table, runs the clean with the Pact Broker's
default keep selectors against a live broker (its own process), and reports rows after, the time
taken, whether the can-i-deploy and pacts-for-verification answers for the seeded targets are
byte-identical before and after, and ``GET /can-i-deploy`` latency idle and while cleaning.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from bench.run import percentile
from bench.scenarios import ENVIRONMENT
from bench.seed import seed
from bench.server import live_broker
from bench.shape import Targets
from pact_pipeline.broker.clean_selectors import DEFAULT_KEEP_SELECTORS_JSON, parse_selectors
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.services.cleanup import CleanOptions, CleanReport, run_clean


def answers(client: httpx.Client, targets: Targets) -> list[bytes]:
    """The answers that must not change: can-i-deploy per target, pacts for verification per
    provider (main branch, deployed or released, matching branch)."""
    found = []
    for pacticipant, version in targets.can_i_deploy:
        query = urlencode({"pacticipant": pacticipant, "version": version, "environment": "prod"})
        found.append(client.get(f"/can-i-deploy?{query}").content)
    selectors = [{"mainBranch": True}, {"deployedOrReleased": True}, {"matchingBranch": True}]
    body = {"consumerVersionSelectors": selectors, "providerVersionBranch": "main"}
    for provider in targets.providers:
        path = f"/pacts/provider/{quote(provider, safe='')}/for-verification"
        found.append(client.post(path, json=body).content)
    return found


def can_i_deploy_latency(
    client: httpx.Client, targets: Targets, *, count: int = 0, until: threading.Event | None = None
) -> list[float]:
    """Milliseconds per ``GET /can-i-deploy``: ``count`` requests, or until ``until`` is set."""
    samples: list[float] = []
    i = 0
    while (until is not None and not until.is_set()) or i < count:
        pacticipant, version = targets.can_i_deploy[i % len(targets.can_i_deploy)]
        query = urlencode(
            {"pacticipant": pacticipant, "version": version, "environment": ENVIRONMENT}
        )
        started = time.perf_counter()
        response = client.get(f"/can-i-deploy?{query}")
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        i += 1
    return samples


def _figures(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 0.5):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms"


def measure(url: str, scale: float, limit: int, idle_requests: int) -> list[str]:
    """Seed, clean and measure; the report as Markdown lines."""
    dataset = seed(url, scale)
    db = Database(url)
    options = CleanOptions(parse_selectors(DEFAULT_KEEP_SELECTORS_JSON), limit)
    done = threading.Event()
    result: list[CleanReport] = []

    def clean() -> None:
        try:
            result.append(run_clean(db, options))
        finally:
            done.set()

    with live_broker(url) as base, httpx.Client(base_url=base, timeout=120) as client:
        before = answers(client, dataset.targets)
        idle = can_i_deploy_latency(client, dataset.targets, count=idle_requests)
        worker = threading.Thread(target=clean)
        worker.start()
        busy = can_i_deploy_latency(client, dataset.targets, until=done)
        worker.join()
        after = answers(client, dataset.targets)
    db.dispose()
    report = result[0]
    largest = max((b.versions for b in report.batches), default=0)
    lines = [
        f"Scale {scale:g} seeded in {dataset.seconds:.1f} s; clean with the default keep "
        f"selectors, deletion limit {limit}: {report.seconds:.1f} s in {len(report.batches)} "
        f"transactions (at most {largest} versions each, longest "
        f"{max((b.seconds for b in report.batches), default=0) * 1000:.0f} ms).",
        "",
        "| table | before | deleted | after |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {t} | {report.before[t]:,} | {report.deleted[t]:,} | {report.after[t]:,} |"
        for t in report.before
    ]
    kept = ", ".join(f"`{s}` {n:,}" for s, n in report.kept_by_selector)
    lines += [
        "",
        f"Versions kept: {report.versions_kept:,} (by selector: {kept}).",
        f"Answers for the targets byte-identical before/after: {before == after} "
        f"({len(before)} answers).",
        f"`GET /can-i-deploy` idle: {_figures(idle)} ({len(idle)} requests); while cleaning: "
        f"{_figures(busy)} ({len(busy)} requests).",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cleanup", description=__doc__)
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--deletion-limit", type=int, default=500)
    parser.add_argument("--idle-requests", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'broker.sqlite'}"
        lines = measure(url, args.scale, args.deletion_limit, args.idle_requests)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
