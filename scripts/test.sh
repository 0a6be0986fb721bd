#!/usr/bin/env bash
# Install handmade with its test extra and the test tools, then run the whole test suite.
# (README: "run the tests"; .ci/run calls exactly this.)
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The independent C2PA reader for the interoperability tests (skipped loudly without node).
if command -v npm >/dev/null 2>&1; then
  (cd tests/interop && npm install --no-audit --no-fund --loglevel=error >/dev/null) \
    || echo "warning: npm install failed in tests/interop; the c2pa-ts tests will skip" >&2
fi
# Debian's Chromium and chromedriver for the web page test (skipped loudly without them).
if [ -x scripts/install-browser.sh ]; then bash scripts/install-browser.sh || true; fi
# Debian's PostgreSQL server for the audit log and multi-host tests (skipped loudly without it).
if [ -x scripts/install-postgres.sh ]; then bash scripts/install-postgres.sh || true; fi
python -m pytest "$@"
