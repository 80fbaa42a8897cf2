"""The contract-testing pipeline behind `tasks.py`.

Every stage (test, publish, verify, can-i-deploy, deploy, ci) lives here as plain,
typed functions so it can be unit-tested without Invoke; `tasks.py` only wires
Invoke's command line to [`pipeline.runner.Pipeline`][pipeline.runner.Pipeline].
"""

from __future__ import annotations

from pipeline.errors import PipelineError

__all__ = ["PipelineError"]
