#!/usr/bin/env bash
# Install Debian's Chromium and chromedriver for the web page test (tests/web/test_page_browser.py), when
# missing and when we can: as root, or through passwordless sudo. Never fails the test set-up: without a
# browser the page test skips with a loud reason.
# HANDMADE_NO_SYSTEM_INSTALL=1 leaves the system alone (nothing is installed with apt-get).
# HANDMADE_BROWSER_BIN_DIR (default /usr/bin) is where chromium and chromedriver are looked for.
set -u
BIN="${HANDMADE_BROWSER_BIN_DIR:-/usr/bin}"
if [ -x "$BIN/chromium" ] && [ -x "$BIN/chromedriver" ]; then
  echo "install-browser: chromium and chromedriver already installed"
  exit 0
fi
if [ "${HANDMADE_NO_SYSTEM_INSTALL:-}" = "1" ]; then
  echo "install-browser: HANDMADE_NO_SYSTEM_INSTALL=1: not installing chromium and chromedriver;" \
       "the browser test will skip" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get (not Debian/Ubuntu): install chromium and chromedriver yourself;" \
       "the browser test will skip" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-browser: not root and no passwordless sudo: cannot apt-get install chromium chromium-driver;" \
       "the browser test will skip" >&2
  exit 0
fi
echo "install-browser: installing Debian's chromium and chromium-driver system-wide with apt-get" \
     "(for the browser test; set HANDMADE_NO_SYSTEM_INSTALL=1 to skip)" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; then
  echo "install-browser: installed chromium and chromium-driver"
else
  echo "install-browser: apt-get failed: the browser test will skip" >&2
fi
exit 0
