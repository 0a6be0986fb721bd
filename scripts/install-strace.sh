#!/usr/bin/env bash
# Install Debian's strace (and util-linux's unshare) for the offline test (tests/hostile/test_offline.py),
# when missing and when we can: as root, or through passwordless sudo. Never fails the test set-up:
# without them the offline test skips with a loud reason.
set -u
if command -v strace >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1; then
  echo "install-strace: strace and unshare already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-strace: no apt-get (not Debian/Ubuntu): install strace yourself; the offline test will skip" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-strace: not root and no passwordless sudo: cannot apt-get install strace;" \
       "the offline test will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends strace util-linux >/dev/null; then
  echo "install-strace: installed strace"
else
  echo "install-strace: apt-get failed: the offline test will skip" >&2
fi
exit 0
