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
# Debian's Chromium and chromedriver for the web page test (skipped loudly without them). This installs
# system packages with apt-get when they are missing: it says so first, and HANDMADE_NO_SYSTEM_INSTALL=1
# skips it.
if [ -f scripts/install-browser.sh ]; then bash scripts/install-browser.sh || true; fi
# Debian's SoftHSM2 for the PKCS#11 token-key tests (skipped loudly without it); same rules.
if [ -f scripts/install-softhsm.sh ]; then bash scripts/install-softhsm.sh || true; fi
# Debian's strace for the offline test (no DNS, no connection while verifying; skipped loudly without it).
if [ -f scripts/install-strace.sh ]; then bash scripts/install-strace.sh || true; fi
# Debian's PostgreSQL server for the audit log and multi-host tests (skipped loudly without it); same rules.
if [ -f scripts/install-postgres.sh ]; then bash scripts/install-postgres.sh || true; fi
# The lint and the strict type check the README promises (fast; they fail the run like a failing test).
python -m ruff check src tests bench fuzz scripts
python -m mypy
python -m pytest "$@"
