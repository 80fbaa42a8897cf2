"""Command line: ``python -m bench [--scale 1] [--compare 4] [--rounds 30] ...``.

``python -m bench --seed-only URL --scale S`` only seeds a database (to explore it by hand).
``--workers-curve 1,2,4`` and ``--throughput-seconds 10`` shape the publish-throughput
measurement at the largest scale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.run import THROUGHPUT_CLIENTS, default_workers_curve, markdown, run, write_json
from bench.seed import seed


def scales(scale: float, compare: float) -> list[float]:
    """The scales a run measures: the base one, and the base times ``compare`` unless 0."""
    if scale <= 0 or compare < 0:
        msg = "scale must be positive and compare not negative"
        raise ValueError(msg)
    return [scale] if compare in (0, 1) else [scale, scale * compare]


def workers_curve(text: str) -> list[int]:
    """``"1,2,4"`` as ``[1, 2, 4]``: broker worker counts, each at least 1."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        msg = f"--workers-curve must be worker counts separated by commas, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not counts or any(n < 1 for n in counts):
        msg = f"--workers-curve must list worker counts of at least 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return counts


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the broker over seeded #872-shaped data (see BENCHMARKS.md).",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="dataset scale; 1 is ~50k versions"
    )
    parser.add_argument(
        "--compare",
        type=float,
        default=4.0,
        help="also measure scalexCOMPARE, to show how costs grow (0: only --scale)",
    )
    parser.add_argument("--rounds", type=int, default=30, help="requests per endpoint")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds an endpoint may take per dataset"
    )
    parser.add_argument(
        "--database-url",
        help="a THROWAWAY PostgreSQL database (its broker tables are dropped); default: SQLite",
    )
    parser.add_argument("--workdir", type=Path, help="keep the SQLite files here")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed-only", metavar="URL", help="only seed this database and exit")
    parser.add_argument(
        "--workers-curve",
        type=workers_curve,
        metavar="N,N,...",
        help="broker workers to measure publish throughput with, at the largest scale "
        "(default: 1,2,4 on PostgreSQL, 1 on SQLite)",
    )
    parser.add_argument(
        "--throughput-seconds",
        type=float,
        default=10.0,
        help="seconds of publishing per throughput measurement (default 10; 0 skips it)",
    )
    parser.add_argument(
        "--throughput-clients",
        type=int,
        default=THROUGHPUT_CLIENTS,
        help=f"concurrent publishers (default {THROUGHPUT_CLIENTS})",
    )
    return parser.parse_args(argv)


def argument_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, in one line, or ``None``."""
    if args.scale <= 0:
        return f"--scale must be positive, got {args.scale:g}"
    if args.compare < 0:
        return f"--compare must not be negative, got {args.compare:g}"
    if args.rounds < 1:
        return f"--rounds must be at least 1, got {args.rounds}"
    if args.throughput_seconds < 0:
        return f"--throughput-seconds must not be negative, got {args.throughput_seconds:g}"
    if args.throughput_clients < 1:
        return f"--throughput-clients must be at least 1, got {args.throughput_clients}"
    if args.database_url and not args.database_url.startswith("postgres"):
        return (
            "--database-url must name a throwaway PostgreSQL database "
            f"(postgresql+psycopg://user:password@host/db), got {args.database_url!r}"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    problem = argument_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.seed_only:
        dataset = seed(args.seed_only, args.scale)
        print(f"seeded {args.seed_only} in {dataset.seconds:.1f} s: {dataset.counts}")
        return 0
    report = run(
        scales(args.scale, args.compare),
        rounds=args.rounds,
        budget=args.budget,
        database_url=args.database_url,
        workdir=args.workdir,
        workers_curve=args.workers_curve or default_workers_curve(args.database_url),
        throughput_seconds=args.throughput_seconds,
        throughput_clients=args.throughput_clients,
    )
    print(markdown(report), end="")
    if args.json:
        write_json(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
