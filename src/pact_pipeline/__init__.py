"""pact-pipeline: a contract-testing CI pipeline for Python, with its own Pact Broker.

* [`pact_pipeline.runner.Pipeline`][pact_pipeline.runner.Pipeline]: the pipeline's stages as
  methods, which a project's `tasks.py` wires to Invoke tasks;
* `pact_pipeline.stages`: the stages (test, publish, verify, can-i-deploy, deploy);
* `pact_pipeline.broker`: the embedded, Pact-Broker-compatible server
  (`python -m pact_pipeline.broker serve`).
"""

from __future__ import annotations

from pact_pipeline.errors import PipelineError

__all__ = ["PipelineError"]
