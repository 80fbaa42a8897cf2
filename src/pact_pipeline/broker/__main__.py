"""Command line: ``python -m pact_pipeline.broker serve [--host] [--port] [--database-url]
[--workers]``, ``python -m pact_pipeline.broker migrate [--database-url]`` and
``python -m pact_pipeline.broker clean [--database-url] [--keep JSON ...] [--deletion-limit N]
[--dry-run] [--json]``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import uvicorn

from pact_pipeline.broker import clean_command, logs
from pact_pipeline.broker.settings import Settings


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; defaults come from the ``PACT_BROKER_*`` environment."""
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m pact_pipeline.broker",
        description="An embedded, Pact-Broker-compatible broker.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="Run the broker in the foreground.")
    serve.add_argument(
        "--host",
        default=defaults.host,
        help="interface to bind (PACT_BROKER_HOST, default %(default)s)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=defaults.port,
        help="port (PACT_BROKER_PORT, default %(default)s)",
    )
    serve.add_argument(
        "--database-url",
        default=defaults.database_url,
        help="SQLAlchemy URL, e.g. sqlite:///broker.sqlite or "
        "postgresql+psycopg://user:password@host/db (PACT_BROKER_DATABASE_URL, "
        "default %(default)s)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (use PostgreSQL for more than one)",
    )
    serve.add_argument(
        "--log-level",
        default=defaults.log_level,
        choices=["critical", "error", "warning", "info", "debug"],
        help="(PACT_BROKER_LOG_LEVEL, default %(default)s; PACT_BROKER_LOG_FORMAT: text, "
        "json or logfmt)",
    )
    sub.add_parser("migrate", help="Apply database migrations and exit.").add_argument(
        "--database-url", default=defaults.database_url
    )
    clean_command.add_parser(sub, defaults)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    log_format = Settings().log_format
    logs.configure(getattr(args, "log_level", "info"), log_format)
    # uvicorn's own configuration would reformat its loggers as text: leave them to ours.
    uvicorn_logs: dict[str, Any] = {"log_config": None} if log_format != "text" else {}
    from pact_pipeline.broker import migrate
    from pact_pipeline.broker.db import make_engine

    if args.command == "migrate":
        migrate.upgrade(make_engine(args.database_url))
        return 0
    if args.command == "clean":
        return clean_command.run(args)
    settings = Settings(database_url=args.database_url, host=args.host, port=args.port)
    problems = settings.auth_configuration_errors()
    if problems:
        # Refuse to start rather than serve openly what the operator meant to protect.
        print("python -m pact_pipeline.broker: " + "; ".join(problems), file=sys.stderr)  # noqa: T201
        return 2
    if args.workers > 1:
        # Migrate once here, before the workers start; each worker's own (locked) migration
        # then finds the schema current.
        engine = make_engine(args.database_url)
        migrate.upgrade(engine)
        engine.dispose()
        # Workers build their app from the environment (broker.asgi), so hand the URL on.
        os.environ["PACT_BROKER_DATABASE_URL"] = args.database_url
        uvicorn.run(
            "pact_pipeline.broker.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            **uvicorn_logs,
        )
        return 0
    from pact_pipeline.broker.app import create_app, settle_the_heap

    app = create_app(settings)
    settle_the_heap()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        **uvicorn_logs,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
