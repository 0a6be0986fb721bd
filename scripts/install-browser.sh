#!/usr/bin/env bash
# Install Debian's Chromium and chromedriver for the web page test (tests/web/test_page_browser.py) when they
# are missing (scripts/apt-install.sh: as root or through passwordless sudo, said first, never failing the
# set-up; HANDMADE_NO_SYSTEM_INSTALL=1 installs nothing). Without a browser the page test skips loudly.
# HANDMADE_BROWSER_BIN_DIR (default /usr/bin) is where chromium and chromedriver are looked for.
set -u
BIN="${HANDMADE_BROWSER_BIN_DIR:-/usr/bin}"
if [ -x "$BIN/chromium" ] && [ -x "$BIN/chromedriver" ]; then
  echo "install-browser: chromium and chromedriver already installed"
  exit 0
fi
exec bash "$(dirname "$0")/apt-install.sh" install-browser "the browser test" chromium chromium-driver
