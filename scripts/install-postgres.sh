#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the tests that need a real one (tests/postgres.py starts a throwaway
# server with initdb/pg_ctl in a temporary folder; nothing is configured system-wide and no service is
# started). Installs only when missing and when we can: as root, or through passwordless sudo.
# HANDMADE_NO_SYSTEM_INSTALL=1 skips it. Never fails the test set-up: without PostgreSQL those tests skip loudly.
set -u
if [ "${HANDMADE_NO_SYSTEM_INSTALL:-}" = "1" ]; then
  echo "install-postgres: HANDMADE_NO_SYSTEM_INSTALL=1: not installing postgresql" >&2
  exit 0
fi
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "install-postgres: PostgreSQL server binaries already installed" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: no apt-get (not Debian/Ubuntu): install the PostgreSQL server (initdb, pg_ctl)" \
       "yourself; the PostgreSQL tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-postgres: not root and no passwordless sudo: cannot apt-get install postgresql;" \
       "the PostgreSQL tests will skip" >&2
  exit 0
fi
echo "install-postgres: installing Debian's postgresql (server, for the tests' throwaway database)" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null; then
  echo "install-postgres: installed postgresql" >&2
else
  echo "install-postgres: apt-get failed: the PostgreSQL tests will skip" >&2
fi
exit 0
