#!/usr/bin/env bash
# Install Debian's Chromium (if needed) for the browser tests; Playwright drives it, since
# `playwright install` cannot download its own browsers here. Prints the executable's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium.sh: installing chromium from Debian packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v chromium
