#!/usr/bin/env bash
# Install Debian's SoftHSM2 (a software PKCS#11 token) for the token-key tests (tests/integration/
# test_pkcs11.py) when it is missing (scripts/apt-install.sh: said first, never failing the set-up;
# HANDMADE_NO_SYSTEM_INSTALL=1 installs nothing). Without it those tests skip loudly.
set -u
if command -v softhsm2-util >/dev/null 2>&1 && [ -e /usr/lib/softhsm/libsofthsm2.so ]; then
  echo "install-softhsm: softhsm2 already installed"
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" install-softhsm "the PKCS#11 tests" softhsm2
