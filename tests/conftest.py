"""Test-wide setup shared by every test package."""

from __future__ import annotations

import os

# Pact's libraries send anonymous usage telemetry unless told not to; tests must never
# phone home (and CI has no network for it anyway). Set before any test imports pact.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
