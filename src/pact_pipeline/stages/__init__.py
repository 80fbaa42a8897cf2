"""The pipeline's stages: plain, typed functions, each testable without Invoke."""
