#!/usr/bin/env bash
# Install Debian's SoftHSM2 (a software PKCS#11 token) for the token-key tests (tests/integration/
# test_pkcs11.py), when missing and when we can: as root, or through passwordless sudo. Never fails the test
# set-up: without it those tests skip with a loud reason. HANDMADE_NO_SYSTEM_INSTALL=1 leaves the system alone.
set -u
if command -v softhsm2-util >/dev/null 2>&1 && [ -e /usr/lib/softhsm/libsofthsm2.so ]; then
  echo "install-softhsm: softhsm2 already installed"
  exit 0
fi
if [ "${HANDMADE_NO_SYSTEM_INSTALL:-}" = "1" ]; then
  echo "install-softhsm: HANDMADE_NO_SYSTEM_INSTALL=1: not installing softhsm2; the PKCS#11 tests will skip" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-softhsm: no apt-get: install SoftHSM2 yourself; the PKCS#11 tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-softhsm: not root and no passwordless sudo; the PKCS#11 tests will skip" >&2
  exit 0
fi
echo "install-softhsm: installing Debian's softhsm2 system-wide with apt-get" \
     "(for the PKCS#11 tests; set HANDMADE_NO_SYSTEM_INSTALL=1 to skip)" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null 2>&1 \
   || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null; }; then
  echo "install-softhsm: installed softhsm2"
else
  echo "install-softhsm: apt-get failed: the PKCS#11 tests will skip" >&2
fi
exit 0
