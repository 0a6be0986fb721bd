#!/usr/bin/env bash
# Install Debian's strace (and util-linux's unshare) for the offline test (tests/hostile/test_offline.py) when
# missing (scripts/apt-install.sh: said first, never failing the set-up; HANDMADE_NO_SYSTEM_INSTALL=1 installs
# nothing). Without them the offline test skips loudly.
set -u
if command -v strace >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1; then
  echo "install-strace: strace and unshare already installed"
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" install-strace "the offline test" strace util-linux
