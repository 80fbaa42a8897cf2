"""``python -m pact_pipeline.broker clean``: delete old data, as the Pact Broker's clean task.

Defaults come from the ``PACT_BROKER_DATABASE_CLEAN_*`` settings; ``--keep`` (repeatable, each a
JSON object or list) replaces the keep selectors. Exit code 0 after a clean, a dry run or a
skipped run (another clean holds the lease); 2 with one ``error:`` line for unusable selectors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pact_pipeline.broker.clean_selectors import (
    DEFAULT_KEEP_SELECTORS_JSON,
    KeepSelector,
    SelectorError,
    parse_selectors,
)
from pact_pipeline.broker.settings import Settings


def add_parser(sub: Any, defaults: Settings) -> None:
    """Add the ``clean`` subcommand to the broker's command line."""
    clean = sub.add_parser(
        "clean",
        help="Delete versions no keep selector selects, and the data hanging off them.",
    )
    clean.add_argument(
        "--database-url",
        default=defaults.database_url,
        help="SQLAlchemy URL (PACT_BROKER_DATABASE_URL, default %(default)s)",
    )
    clean.add_argument(
        "--keep",
        action="append",
        metavar="JSON",
        help='a keep selector, e.g. \'{"branch": true, "latest": true}\' (repeatable; default '
        "PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS, else the Pact Broker's: "
        f"{DEFAULT_KEEP_SELECTORS_JSON})",
    )
    clean.add_argument(
        "--deletion-limit",
        type=int,
        default=defaults.database_clean_deletion_limit,
        help="versions deleted per transaction (PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT, "
        "default %(default)s)",
    )
    clean.add_argument(
        "--dry-run",
        action="store_true",
        default=defaults.database_clean_dry_run,
        help="report what would be deleted, delete nothing (PACT_BROKER_DATABASE_CLEAN_DRY_RUN)",
    )
    clean.add_argument("--json", action="store_true", help="print the report as JSON")


def keep_selectors(values: list[str] | None, settings_value: str | None) -> list[KeepSelector]:
    """The keep selectors: from ``--keep`` options, else the setting, else the defaults.

    Raises:
        SelectorError: If one cannot be used.
    """
    if not values:
        return parse_selectors(settings_value or DEFAULT_KEEP_SELECTORS_JSON)
    return [selector for value in values for selector in parse_selectors(value)]


def run(args: argparse.Namespace) -> int:
    """Run the clean the parsed ``args`` describe; returns the exit code."""
    from pact_pipeline.broker import migrate
    from pact_pipeline.broker.db import Database
    from pact_pipeline.broker.services.cleanup import CleanOptions, run_clean

    try:
        keep = keep_selectors(args.keep, Settings().database_clean_keep_version_selectors)
    except SelectorError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    if args.deletion_limit < 1:
        print("error: --deletion-limit must be at least 1", file=sys.stderr)  # noqa: T201
        return 2
    db = Database(args.database_url)
    try:
        migrate.upgrade(db.engine)
        options = CleanOptions(keep=keep, deletion_limit=args.deletion_limit, dry_run=args.dry_run)
        report = run_clean(db, options)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))  # noqa: T201
    else:
        print("\n".join(report.lines()))  # noqa: T201
    return 0
