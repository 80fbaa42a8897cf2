"""Publish throughput: concurrent CI builds publishing unchanged pacts, as fast as they can.

Each client is a thread with its own :class:`httpx.Client` (its own connection), publishing
the publisher's current main-branch pacts as a new version on ``main`` again and again — most
CI builds publish content the broker already has. The clients start together and stop
publishing after ``seconds``; what they sent in that window is counted: requests per second,
pact publications per second (each request carries ``len(contracts)`` of them), the errors
(any answer other than 2xx, or no answer) and the latency under load.

The client process's CPU time is measured too: threads share one GIL, so if the client used
close to a whole core it, not the broker, may have set the pace (:attr:`Throughput.client_bound`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.scenarios import publish_contracts
from bench.shape import MAIN, Targets

#: Client CPU (a share of one core) above which the client may be the bottleneck.
CLIENT_BOUND_SHARE = 0.85
#: Errors whose text is kept for the report.
KEPT_ERRORS = 5


@dataclass
class Throughput:
    """What ``clients`` concurrent publishers achieved in ``seconds`` against one broker.

    Attributes:
        workers: The broker's worker processes (set by the caller; 0 if unknown).
        clients: Concurrent publishers.
        seconds: The measured window (wall clock, from the common start to the last answer).
        requests: Publish requests answered with a success (2xx).
        publications: Pact publications they carried (requests times contracts per request).
        errors: Requests answered with anything but 2xx, or not answered.
        latencies_ms: Each answered request's latency.
        client_cpu_seconds: CPU the client process used in the window.
        error_samples: The first few errors' status and text.
        broker_cpu_seconds: CPU the broker's process group (its workers too) used in the
            window, if it could be read (Linux ``/proc``).
        machine_busy_share: How busy the machine's CPUs were in the window (1.0: all of
            them), if it could be read.
    """

    workers: int
    clients: int
    seconds: float
    requests: int
    publications: int
    errors: int
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    client_cpu_seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    broker_cpu_seconds: float | None = None
    machine_busy_share: float | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def publications_per_second(self) -> float:
        return self.publications / self.seconds if self.seconds > 0 else 0.0

    @property
    def p50_ms(self) -> float:
        return _percentile(self.latencies_ms, 0.5)

    @property
    def p95_ms(self) -> float:
        return _percentile(self.latencies_ms, 0.95)

    @property
    def client_cpu_share(self) -> float:
        """The client's CPU time as a share of one core over the window."""
        return self.client_cpu_seconds / self.seconds if self.seconds > 0 else 0.0

    @property
    def broker_cpu_share(self) -> float | None:
        """The broker's CPU time as a share of one core over the window."""
        if self.broker_cpu_seconds is None or self.seconds <= 0:
            return None
        return self.broker_cpu_seconds / self.seconds

    @property
    def client_bound(self) -> bool:
        """Whether the client process was (nearly) CPU bound: its figure is then a floor."""
        return self.client_cpu_share >= CLIENT_BOUND_SHARE

    def to_json(self) -> dict[str, object]:
        return {
            "workers": self.workers,
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "publications": self.publications,
            "errors": self.errors,
            "requests_per_second": round(self.requests_per_second, 1),
            "publications_per_second": round(self.publications_per_second, 1),
            "p50_ms": round(self.p50_ms, 2) if self.latencies_ms else None,
            "p95_ms": round(self.p95_ms, 2) if self.latencies_ms else None,
            "client_cpu_share": round(self.client_cpu_share, 2),
            "client_bound": self.client_bound,
            "broker_cpu_share": _round(self.broker_cpu_share),
            "machine_busy_share": _round(self.machine_busy_share),
            "error_samples": self.error_samples,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds (user + system) used so far by the live processes of a process group,
    from ``/proc`` (``None`` where there is none)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU time of the whole machine so far, from ``/proc/stat``."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    values = [float(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    total = sum(values[:8])
    return total - idle, total


def _percentile(samples: Sequence[float], fraction: float) -> float:
    from bench.run import percentile

    return percentile(samples, fraction) if samples else 0.0


@dataclass
class _ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    last_answer: float = 0.0


def publish_throughput(
    base_url: str,
    targets: Targets,
    *,
    clients: int = 8,
    seconds: float = 10.0,
    run_id: str,
    workers: int = 0,
    broker_pgid: int | None = None,
    warmup: int = 2,
) -> Throughput:
    """Publish unchanged pacts as new ``main`` versions from ``clients`` threads for
    ``seconds``.

    Args:
        base_url: The live broker.
        targets: The dataset's targets (the publisher and its current pacts).
        clients: Concurrent publishers, each with its own connection.
        seconds: How long they publish (requests started before the end are waited for and
            counted; the window is measured to the last answer).
        run_id: Makes the version numbers unique (give each measurement its own).
        workers: The broker's workers, recorded in the result.
        broker_pgid: The broker's process group, to measure its CPU time (optional).
        warmup: Publications each client sends, untimed, before the window.

    Returns:
        The throughput.
    """
    if clients < 1 or seconds <= 0:
        msg = "clients must be at least 1 and seconds positive"
        raise ValueError(msg)
    contracts = publish_contracts(targets)
    results = [_ClientResult() for _ in range(clients)]
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    window: dict[str, float] = {}
    failures: list[str] = []

    def body(index: int, number: str) -> dict[str, object]:
        return {
            "pacticipantName": targets.publisher,
            "pacticipantVersionNumber": f"tp-{run_id}-{index}-{number}",
            "branch": MAIN,
            "contracts": contracts,
        }

    def publish(client: httpx.Client, index: int, number: int) -> None:
        result = results[index]
        started = time.perf_counter()
        try:
            response = client.post("/contracts/publish", json=body(index, str(number)))
        except httpx.HTTPError as error:
            result.last_answer = time.perf_counter()
            result.errors += 1
            if len(result.error_samples) < KEPT_ERRORS:
                result.error_samples.append(f"{type(error).__name__}: {error}")
            return
        result.last_answer = time.perf_counter()
        if response.is_success:
            result.latencies_ms.append((result.last_answer - started) * 1000)
        else:
            result.errors += 1
            if len(result.error_samples) < KEPT_ERRORS:
                result.error_samples.append(f"{response.status_code}: {response.text[:300]}")

    def publisher(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            try:
                # Connect and warm up before the start, so the window times publishing only.
                client.get("/diagnostic/status/heartbeat").raise_for_status()
                for k in range(warmup):
                    warm = client.post("/contracts/publish", json=body(index, f"warm{k}"))
                    warm.raise_for_status()
            except httpx.HTTPError as error:
                failures.append(f"publisher {index} could not warm up: {error}")
                ready.abort()
                return
            ready.wait()
            go.wait()
            number = 0
            while time.perf_counter() < window["end"]:
                publish(client, index, number)
                number += 1

    threads = [
        threading.Thread(target=publisher, args=(i,), name=f"publisher-{i}", daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    # The window starts when every client is connected, warmed up and waiting.
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise RuntimeError("; ".join(failures) or "a publisher failed to start") from None
    broker_before = None if broker_pgid is None else group_cpu_seconds(broker_pgid)
    machine_before = machine_cpu()
    cpu_before = time.process_time()
    window["start"] = time.perf_counter()
    window["end"] = window["start"] + seconds
    go.set()
    for thread in threads:
        thread.join()
    ended = max([window["end"], *(r.last_answer for r in results)])
    cpu = time.process_time() - cpu_before
    broker_after = None if broker_pgid is None else group_cpu_seconds(broker_pgid)
    machine_after = machine_cpu()
    broker_cpu = (
        broker_after - broker_before
        if broker_after is not None and broker_before is not None
        else None
    )
    busy = None
    if machine_before and machine_after and machine_after[1] > machine_before[1]:
        busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    latencies = [ms for r in results for ms in r.latencies_ms]
    return Throughput(
        workers=workers,
        clients=clients,
        seconds=ended - window["start"],
        requests=len(latencies),
        publications=len(latencies) * len(contracts),
        errors=sum(r.errors for r in results),
        latencies_ms=latencies,
        client_cpu_seconds=cpu,
        error_samples=[e for r in results for e in r.error_samples][:KEPT_ERRORS],
        broker_cpu_seconds=broker_cpu,
        machine_busy_share=busy,
    )
