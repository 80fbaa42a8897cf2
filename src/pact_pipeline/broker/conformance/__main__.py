"""``python -m pact_pipeline.broker.conformance [FILE ...]``: verify the client pacts, one line
per file."""

from __future__ import annotations

import sys

from pact_pipeline.broker.conformance.runner import report


def main(argv: list[str] | None = None) -> int:
    return report(sys.argv[1:] if argv is None else argv, out=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
