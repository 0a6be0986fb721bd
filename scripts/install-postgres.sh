#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the tests that need a real one (tests/postgres.py starts a throwaway
# server with initdb/pg_ctl in a temporary folder; nothing is configured system-wide and no service is
# started) when it is missing (scripts/apt-install.sh: said first, never failing the set-up;
# HANDMADE_NO_SYSTEM_INSTALL=1 installs nothing). Without PostgreSQL those tests skip loudly.
set -u
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "install-postgres: PostgreSQL server binaries already installed"
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" install-postgres "the PostgreSQL tests" postgresql
